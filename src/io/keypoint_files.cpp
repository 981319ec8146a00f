// Which keypoint format a file is, and reading it with the matching reader (each file parsed once).
#include "io/keypoint_files.hpp"

#include <cctype>
#include <filesystem>

#include "io/json_support.hpp"
#include "lift3d/error.hpp"

namespace lift3d::io {
namespace {

bool names_many_files(const std::string& path) {
  std::error_code error;
  return is_glob_pattern(path) || std::filesystem::is_directory(path, error);
}

std::string lowercase_extension(const std::string& path) {
  std::string extension = std::filesystem::path(path).extension().string();
  for (char& c : extension) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return extension;
}

}  // namespace

bool is_glob_pattern(const std::string& path) {
  std::error_code error;
  return path.find_first_of("*?[") != std::string::npos && !std::filesystem::exists(path, error);
}

std::optional<KeypointFileFormat> keypoint_format_from_path(const std::string& path_or_glob) {
  if (names_many_files(path_or_glob)) return KeypointFileFormat::OpenPoseJson;
  if (lowercase_extension(path_or_glob) == ".npz") return KeypointFileFormat::VideoPoseNpz;
  return std::nullopt;
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

namespace {

Detections2D read_one_video(const std::string& path_or_glob, const DetectionReadOptions& options) {
  const std::optional<KeypointFileFormat> by_path = keypoint_format_from_path(path_or_glob);
  if (by_path == KeypointFileFormat::OpenPoseJson) return read_openpose_detections(path_or_glob, options);
  if (by_path == KeypointFileFormat::VideoPoseNpz)
    throw UsageError(path_or_glob + ": .npz keypoint files are videopose3d datasets, not read as detector json");
  const nlohmann::json document = read_json_file(path_or_glob);
  switch (detect_keypoint_json_format(document, path_or_glob)) {
    case KeypointFileFormat::Lift3dJson: return lift3d_keypoints_detections(document, path_or_glob, options);
    case KeypointFileFormat::OpenPoseJson: return openpose_frame_detections(document, path_or_glob, options);
    case KeypointFileFormat::CocoResultsJson: return coco_results_detections(document, path_or_glob, options);
    case KeypointFileFormat::AlphaPoseJson: return alphapose_detections(document, path_or_glob, options);
    case KeypointFileFormat::MMPoseJson: return mmpose_detections(document, path_or_glob, options);
    case KeypointFileFormat::VideoPoseNpz: break;
  }
  throw InternalError(path_or_glob + ": npz detected from json content");
}

}  // namespace

std::vector<Detections2D> read_detections(const std::string& path_or_glob, const DetectionReadOptions& options) {
  std::vector<Detections2D> videos;
  videos.push_back(read_one_video(path_or_glob, options));
  return videos;
}

}  // namespace lift3d::io
