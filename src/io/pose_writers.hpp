// 3D pose files in every format lift3d writes, chosen by extension, all written atomically and
// all stating units (metres) and frame (camera or world) where the format can hold them:
//
//   .npy   float32 (frames, joints, 3); exactly one sequence (as run.py --viz-export writes it)
//   .npz   one float32 (frames, joints, 3) array per sequence, keyed by its name
//   .json  {"format": "lift3d-poses-3d", "version": 1, "units": "m", "frame": "camera",
//           "root_relative": true, "fps": 50 | null, "joint_names": [...],
//           "name": "...", "first_frame": 0, "poses": [[[x, y, z], ...joints], ...frames]} (one)
//          or the same header with "sequences": [{"name": "...", "first_frame": 0, "poses": [...]},
//          ...] (several); first_frame is the input frame of the first pose (NamedPoses);
//          a sequence with a fill mask (NamedPoses::keypoint_fill) also has, before "poses",
//          "keypoint_names": [2D input joints] and "keypoints_filled": [[0|1|2, ...joints], ...frames]
//   .npz   with a fill mask, also "<name>.keypoints_filled": uint8 (frames, input joints)
//          ("poses.keypoints_filled" for the unnamed sequence); .npy and .csv do not carry it
//   .csv   one row per frame and joint: "frame,joint,camera_x_m,camera_y_m,camera_z_m" (world_*
//          for the world frame; frame counts from first_frame), with a leading "sequence" column
//          when there are several; no comment lines, so spreadsheets and pandas read it as is
//
//   .bvh   recognised here, written by the pipeline (pipeline/bvh_export.hpp: rotations need core)
//   .html  recognised here, written by the pipeline (pipeline/infer_report.hpp: needs the 2D input)
//
// Floats are written in their shortest form that reads back as the same float32.
#pragma once

#include <string>
#include <vector>

#include "lift3d/sequence.hpp"
#include "io/pose_output.hpp"

namespace lift3d::io {

enum class PoseFileFormat { Npy, Npz, Json, Csv, Bvh, Html };

// From the extension (case-insensitive). Throws UsageError naming the path for anything else.
PoseFileFormat pose_file_format(const std::string& path);

// Writes the sequences in the format `path`'s extension names (not .bvh or .html: InternalError). Throws
// UsageError for an unknown
// extension, several sequences in a .npy, or empty/duplicate names where names are keys (.npz and
// several sequences in .json/.csv); InternalError when a sequence's joint count differs from
// info.joint_names (empty names: "joint_<i>") or info.frame is neither "camera" nor "world".
void write_pose_file(const std::string& path, const std::vector<NamedPoses>& sequences, const PoseOutputInfo& info);
// One unnamed sequence (the .npz key is "poses", as for any single sequence without a name).
void write_pose_file(const std::string& path, const PoseSequence& poses, const PoseOutputInfo& info);

// The text of the .json and .csv forms, for writing elsewhere (stdout) and for tests.
std::string poses_json_text(const std::vector<NamedPoses>& sequences, const PoseOutputInfo& info);
std::string poses_csv_text(const std::vector<NamedPoses>& sequences, const PoseOutputInfo& info);

}  // namespace lift3d::io
