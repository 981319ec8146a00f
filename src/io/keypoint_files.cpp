// Which keypoint format a file is, and reading it with the matching reader (each file parsed once).
#include "io/keypoint_files.hpp"

#include <cctype>
#include <filesystem>

#include "base/log.hpp"
#include "io/json_records.hpp"
#include "io/keypoint_json_stream.hpp"
#include "io/json_support.hpp"
#include "io/npy.hpp"
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
  const std::string extension = lowercase_extension(path_or_glob);
  if (extension == ".npz")
    return NpzFile(path_or_glob).contains("positions_2d") ? KeypointFileFormat::VideoPoseNpz
                                                          : KeypointFileFormat::KeypointArray;
  if (extension == ".npy") return KeypointFileFormat::KeypointArray;
  if (extension == ".csv") return KeypointFileFormat::KeypointCsv;
  return std::nullopt;
}

namespace {

constexpr const char* kExpectedFormats =
    " (expected lift3d-keypoints-2d, openpose, coco results, alphapose, mmpose or mediapipe keypoint json)";

// A landmark container of MediaPipe exports: objects with x and y, or landmarks keyed by name.
bool holds_landmark_objects(const nlohmann::json& value) {
  if (value.is_array()) return !value.empty() && value[0].is_object() && json_member(value[0], "x");
  if (value.is_object()) return !value.empty() && value.begin()->is_object() && json_member(*value.begin(), "x");
  return false;
}

}  // namespace

// A list of frame objects as MediaPipe exports write them: the first frame with landmarks holds them
// under "landmarks" or "pose_landmarks" (or says "has_pose"), or under "keypoints" as objects (not
// numbers, not [x, y]).
MediaPipeListCheck::Verdict MediaPipeListCheck::add(const nlohmann::json& frame) {
  if (verdict_ != Verdict::Undecided) return verdict_;
  if (!frame.is_object()) return verdict_ = Verdict::No;
  if (json_member(frame, "landmarks") || json_member(frame, "pose_landmarks") || json_member(frame, "has_pose"))
    return verdict_ = Verdict::Yes;
  for (const char* key : {"landmarks", "pose_landmarks", "keypoints"})
    if (const nlohmann::json* landmarks = json_member(frame, key)) {
      if (holds_landmark_objects(*landmarks)) return verdict_ = Verdict::Yes;
      if (std::string(key) == "keypoints" && !(landmarks->is_array() && landmarks->empty()))
        return verdict_ = Verdict::No;
    }
  return verdict_;
}

namespace {

bool is_mediapipe_frame_list(const nlohmann::json& frames) {
  MediaPipeListCheck check;
  for (const nlohmann::json& frame : frames)
    if (check.add(frame) != MediaPipeListCheck::Verdict::Undecided) break;
  return check.verdict() == MediaPipeListCheck::Verdict::Yes;
}

// MMPose 0.x people: "keypoints" a list of [x, y, score] lists.
bool is_mmpose0x_person(const nlohmann::json& person) {
  if (!person.is_object()) return false;
  const nlohmann::json* keypoints = json_member(person, "keypoints");
  return keypoints && keypoints->is_array() && !keypoints->empty() && (*keypoints)[0].is_array() &&
         (*keypoints)[0].size() == 3 && !json_member(person, "keypoint_scores");
}

bool is_mmpose0x_frame_list(const nlohmann::json& frames) {
  bool any_person = false;
  for (const nlohmann::json& frame : frames) {
    if (!frame.is_array()) return false;
    if (!frame.empty()) {
      if (!is_mmpose0x_person(frame[0])) return false;
      any_person = true;
    }
  }
  return any_person;
}

}  // namespace

KeypointFileFormat detect_keypoint_json_format(const nlohmann::json& document, const std::string& source) {
  const std::string expected = kExpectedFormats;
  if (document.is_object()) {
    if (const nlohmann::json* frames = json_member(document, "frames"))
      if (frames->is_array() && is_mediapipe_frame_list(*frames)) return KeypointFileFormat::MediaPipeJson;
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
  if (is_mmpose0x_frame_list(document)) return KeypointFileFormat::MMPose0xJson;
  if (is_mediapipe_frame_list(document)) return KeypointFileFormat::MediaPipeJson;
  return format_of_record_list(document[0], source);
}

KeypointFileFormat format_of_record_list(const nlohmann::json& first, const std::string& source) {
  if (!first.is_object())
    throw InputError(source + ": [0]: expected an object, got " + json_type_name(first) + kExpectedFormats);
  if (json_member(first, "instances")) return KeypointFileFormat::MMPoseJson;
  const nlohmann::json* image_id = json_member(first, "image_id");
  if (image_id && json_member(first, "keypoints")) {
    if (image_id->is_string() || json_member(first, "idx") || json_member(first, "box"))
      return KeypointFileFormat::AlphaPoseJson;
    return KeypointFileFormat::CocoResultsJson;
  }
  if (json_member(first, "keypoints") && json_member(first, "keypoint_scores")) return KeypointFileFormat::MMPoseJson;
  if (is_mmpose0x_person(first)) return KeypointFileFormat::MMPose0xJson;
  throw InputError(source + ": unrecognised list of objects" + kExpectedFormats);
}

namespace {

// Streamed when the format allows (keypoint_json_stream.hpp), else from the whole document: the
// one the streamed parse produced when it streamed nothing, or a new parse when it gave up.
Detections2D read_json_detections(const std::string& path, const DetectionReadOptions& options) {
  StreamedJson streamed = read_streamed_json_detections(path, options);
  if (streamed.detections) return std::move(*streamed.detections);
  const nlohmann::json document = streamed.whole_document ? std::move(*streamed.whole_document) : read_json_file(path);
  switch (detect_keypoint_json_format(document, path)) {
    case KeypointFileFormat::Lift3dJson: return lift3d_keypoints_detections(document, path, options);
    case KeypointFileFormat::OpenPoseJson: return openpose_frame_detections(document, path, options);
    case KeypointFileFormat::CocoResultsJson: return coco_results_detections(document, path, options);
    case KeypointFileFormat::AlphaPoseJson: return alphapose_detections(document, path, options);
    case KeypointFileFormat::MMPoseJson: return mmpose_detections(document, path, options);
    case KeypointFileFormat::MMPose0xJson: return mmpose0x_detections(document, path, options);
    case KeypointFileFormat::MediaPipeJson: return mediapipe_detections(document, path, options);
    case KeypointFileFormat::KeypointCsv:
    case KeypointFileFormat::KeypointArray:
    case KeypointFileFormat::VideoPoseNpz: break;
  }
  throw InternalError(path + ": a file format told by its path was detected from json content");
}

// One video's detections as a list (moved in: a braced list would copy them).
std::vector<Detections2D> one_video(Detections2D&& detections) {
  std::vector<Detections2D> videos;
  videos.push_back(std::move(detections));
  return videos;
}

std::vector<Detections2D> read_any_detections(const std::string& path_or_glob, const DetectionReadOptions& options) {
  switch (keypoint_format_from_path(path_or_glob).value_or(KeypointFileFormat::Lift3dJson)) {
    case KeypointFileFormat::OpenPoseJson: return read_openpose_detections(path_or_glob, options);
    case KeypointFileFormat::VideoPoseNpz:
      throw UsageError(path_or_glob + ": a videopose3d dataset .npz (positions_2d), not read as detections");
    case KeypointFileFormat::KeypointArray: return one_video(read_keypoint_array(path_or_glob, options));
    case KeypointFileFormat::KeypointCsv: return one_video(read_keypoint_csv(path_or_glob, options));
    default: return one_video(read_json_detections(path_or_glob, options));
  }
}

}  // namespace

std::vector<Detections2D> read_detections(const std::string& path_or_glob, const DetectionReadOptions& options) {
  std::vector<Detections2D> videos = read_any_detections(path_or_glob, options);
  // What the format says of its coordinates, when they are not plain pixels.
  const Detections2D& first = videos.front();
  if (first.coordinates == Coordinates::Normalized)
    logger().info("{}: {}: x and y are fractions of the image width and height (normalized coordinates)",
                  path_or_glob, first.format);
  return videos;
}

}  // namespace lift3d::io
