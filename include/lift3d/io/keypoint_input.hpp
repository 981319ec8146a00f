// One entry point for 2D keypoint JSON inputs: detect the format, read one person, map the joints
// onto the model's layout and fill gaps. VideoPose3D .npz inputs have their own reader
// (videopose_2d.hpp).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "lift3d/io/keypoints_2d.hpp"

namespace lift3d::io {

enum class KeypointFileFormat { Lift3dJson, OpenPoseJson, CocoResultsJson, AlphaPoseJson, MMPoseJson, VideoPoseNpz };

// "lift3d json", "openpose json", "coco results json", "alphapose json", "mmpose json", "videopose3d npz".
std::string keypoint_file_format_name(KeypointFileFormat format);

// From the content of a parsed JSON document:
//   object with "format": "lift3d-keypoints-2d"              -> Lift3dJson
//   object with "people"                                     -> OpenPoseJson (one frame)
//   object with "instance_info", or list of {"instances"}    -> MMPoseJson
//   list of {"image_id", "keypoints"}: image_id a string, or "idx"/"box" present -> AlphaPoseJson,
//                                      else                  -> CocoResultsJson
//   list of {"keypoints", "keypoint_scores"}                 -> MMPoseJson (one image)
// Throws InputError("<source>: ...") for anything else, naming what was found.
KeypointFileFormat detect_keypoint_json_format(const nlohmann::json& document, const std::string& source);

// From the path: a directory or glob pattern -> OpenPoseJson; ".npz" -> VideoPoseNpz; otherwise
// the file is parsed and detected by content.
KeypointFileFormat detect_keypoint_format(const std::string& path_or_glob);

// Reads one person's keypoints, maps them onto options.target_layout (empty: keeps the file's) and,
// when options.fill_gaps, fills missing joints (core::fill_keypoint_gaps with options.min_score).
// The result's layout is the target layout. Throws InputError naming the file for bad data,
// UsageError for options that do not fit the file (a .npz input, a track id in a format without
// ids, a layout that cannot be mapped onto the target).
Keypoints2D read_keypoints_2d(const std::string& path_or_glob, const KeypointReadOptions& options);

// The steps after reading, for callers that read with a per-format reader themselves: maps onto
// options.target_layout and fills gaps as read_keypoints_2d does.
void finish_keypoints_2d(Keypoints2D& keypoints, const KeypointReadOptions& options);

}  // namespace lift3d::io
