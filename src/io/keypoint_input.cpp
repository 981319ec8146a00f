#include "lift3d/io/keypoint_input.hpp"

#include <cctype>
#include <filesystem>

#include "lift3d/core/gap_filling.hpp"
#include "lift3d/error.hpp"
#include "lift3d/io/json_support.hpp"
#include "lift3d/io/keypoint_formats.hpp"
#include "lift3d/io/keypoint_mapping.hpp"

namespace lift3d::io {
namespace {

bool names_many_files(const std::string& path) {
  std::error_code error;
  return path.find_first_of("*?[") != std::string::npos || std::filesystem::is_directory(path, error);
}

std::string lowercase_extension(const std::string& path) {
  std::string extension = std::filesystem::path(path).extension().string();
  for (char& c : extension) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return extension;
}

}  // namespace

std::string keypoint_file_format_name(KeypointFileFormat format) {
  switch (format) {
    case KeypointFileFormat::Lift3dJson: return "lift3d json";
    case KeypointFileFormat::OpenPoseJson: return "openpose json";
    case KeypointFileFormat::CocoResultsJson: return "coco results json";
    case KeypointFileFormat::AlphaPoseJson: return "alphapose json";
    case KeypointFileFormat::MMPoseJson: return "mmpose json";
    case KeypointFileFormat::VideoPoseNpz: return "videopose3d npz";
  }
  throw InternalError("unknown keypoint file format");
}

KeypointFileFormat detect_keypoint_json_format(const nlohmann::json& document, const std::string& source) {
  const std::string expected =
      " (expected lift3d-keypoints-2d, openpose, coco results, alphapose or mmpose keypoint json)";
  if (document.is_object()) {
    if (const nlohmann::json* format = json_member(document, "format")) {
      if (format->is_string() && format->get<std::string>() == "lift3d-keypoints-2d") return KeypointFileFormat::Lift3dJson;
      throw InputError(source + ": unknown format " + format->dump() + expected);
    }
    if (json_member(document, "people")) return KeypointFileFormat::OpenPoseJson;
    if (json_member(document, "instance_info")) return KeypointFileFormat::MMPoseJson;
    if (json_member(document, "annotations") && json_member(document, "images"))
      throw InputError(source + ": a coco annotation file; lift3d reads detection results (a list of "
                                "{image_id, keypoints, score})");
    throw InputError(source + ": unrecognised json object" + expected);
  }
  if (!document.is_array()) throw InputError(source + ": unrecognised json " + json_type_name(document) + expected);
  if (document.empty()) throw InputError(source + ": empty list, no detections to read");
  const nlohmann::json& first = document[0];
  if (!first.is_object())
    throw InputError(source + ": [0]: expected an object, got " + json_type_name(first) + expected);
  if (json_member(first, "instances")) return KeypointFileFormat::MMPoseJson;
  const nlohmann::json* image_id = json_member(first, "image_id");
  if (image_id && json_member(first, "keypoints")) {
    if (image_id->is_string() || json_member(first, "idx") || json_member(first, "box"))
      return KeypointFileFormat::AlphaPoseJson;
    return KeypointFileFormat::CocoResultsJson;
  }
  if (json_member(first, "keypoints") && json_member(first, "keypoint_scores")) return KeypointFileFormat::MMPoseJson;
  throw InputError(source + ": unrecognised list of objects" + expected);
}

KeypointFileFormat detect_keypoint_format(const std::string& path_or_glob) {
  if (names_many_files(path_or_glob)) return KeypointFileFormat::OpenPoseJson;
  if (lowercase_extension(path_or_glob) == ".npz") return KeypointFileFormat::VideoPoseNpz;
  return detect_keypoint_json_format(read_json_file(path_or_glob), path_or_glob);
}

void finish_keypoints_2d(Keypoints2D& keypoints, const KeypointReadOptions& options) {
  if (!options.target_layout.empty() && options.target_layout != keypoints.layout) {
    try {
      keypoints.seq = map_keypoint_layout(keypoints.seq, keypoints.layout, options.target_layout);
    } catch (const UsageError& e) {
      rethrow_with_context(e, keypoints.source);
    }
    keypoints.layout = options.target_layout;
  }
  keypoints.seq.image_width = keypoints.image_width;
  keypoints.seq.image_height = keypoints.image_height;
  if (options.fill_gaps) {
    core::GapFillOptions fill;
    fill.min_score = options.min_score;
    fill.source = keypoints.source;
    fill.joint_names = layout_joint_names(keypoints.layout);
    keypoints.filled_joints = core::fill_keypoint_gaps(keypoints.seq, fill).filled;
  }
}

Keypoints2D read_keypoints_2d(const std::string& path_or_glob, const KeypointReadOptions& options) {
  if (!options.target_layout.empty()) layout_joint_names(options.target_layout);  // unknown names fail first
  if (!options.source_layout.empty()) layout_joint_names(options.source_layout);
  Keypoints2D keypoints;
  if (names_many_files(path_or_glob)) {
    keypoints = read_openpose_json(path_or_glob, options);
  } else if (lowercase_extension(path_or_glob) == ".npz") {
    throw UsageError(path_or_glob + ": .npz keypoint files are videopose3d datasets, not read as detector json");
  } else {
    const nlohmann::json document = read_json_file(path_or_glob);
    switch (detect_keypoint_json_format(document, path_or_glob)) {
      case KeypointFileFormat::Lift3dJson: keypoints = lift3d_keypoints_from_json(document, path_or_glob, options); break;
      case KeypointFileFormat::OpenPoseJson: keypoints = read_openpose_json(path_or_glob, options); break;
      case KeypointFileFormat::CocoResultsJson: keypoints = coco_results_from_json(document, path_or_glob, options); break;
      case KeypointFileFormat::AlphaPoseJson: keypoints = alphapose_from_json(document, path_or_glob, options); break;
      case KeypointFileFormat::MMPoseJson: keypoints = mmpose_from_json(document, path_or_glob, options); break;
      case KeypointFileFormat::VideoPoseNpz: throw InternalError("npz detected from json content");
    }
  }
  finish_keypoints_2d(keypoints, options);
  return keypoints;
}

}  // namespace lift3d::io
