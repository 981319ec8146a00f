// A lifted sequence as a BVH animation: the poses turned into BVH axes (Y up) and centimetres, the
// skeleton's rotations solved (core/skeleton_rotations.hpp), and the clip written
// (io/bvh_writer.hpp).
//
// Axes: BVH x = lift3d x; from the camera frame (x right, y down, z forward) BVH y = -y, z = -z
// (a person facing the camera faces +Z); from the world frame (z up) BVH y = z, z = -y. Both are
// rotations (no mirror), so left stays left. Units: centimetres, as most animation tools expect.
#pragma once

#include <string>
#include <vector>

#include <Eigen/Core>

#include "io/bvh_writer.hpp"
#include "io/pose_output.hpp"
#include "lift3d/sequence.hpp"

namespace lift3d::pipeline {

constexpr double kBvhUnitsPerMetre = 100.0;  // centimetres
constexpr double kBvhDefaultFps = 30.0;       // when the input does not say (stated in the file)

struct BvhExport {
  io::BvhClip clip;
  // Where the BVH's joints are, in the poses' own frame (info.frame) and metres: what the file
  // plays, for comparing with the lifted poses.
  PoseSequence skeleton_positions;
  double mean_distance_m = 0.0;  // between the lifted joints and the skeleton's, over all frames
  double max_distance_m = 0.0;
};

// The rotation from lift3d's "camera" or "world" frame to the BVH axes above. Throws InternalError
// for another frame name.
Eigen::Matrix3d bvh_axes_from(const std::string& frame);

// Bones as info.bvh_bones says. Throws UsageError when the poses are not of the Human3.6M 17-joint
// skeleton.
BvhExport bvh_export(const io::NamedPoses& poses, const io::PoseOutputInfo& info);

// Writes one sequence as BVH (UsageError for several); notes how far the file's joints are from the
// lifted ones, and warns when the frame rate is assumed.
void write_bvh_output(const std::string& path, const std::vector<io::NamedPoses>& sequences,
                      const io::PoseOutputInfo& info);

}  // namespace lift3d::pipeline
