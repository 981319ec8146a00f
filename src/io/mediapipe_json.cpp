// MediaPipe Pose / BlazePose landmarks as the usual export scripts write them: one object per frame
// whose landmarks are a list of {x, y, z, visibility} objects or an object keyed by landmark name.
// x and y are fractions of the image width and height.
#include <cctype>
#include <cmath>
#include <optional>
#include <set>

#include "base/joint_sets.hpp"
#include "io/detection_collector.hpp"
#include "io/json_support.hpp"
#include "io/keypoint_files.hpp"
#include "lift3d/error.hpp"

namespace lift3d::io {
namespace {

constexpr const char* kLayout = "mediapipe33";

std::string lowercase(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// The landmark's index in mediapipe33 for a name ("left_eye_inner", "LEFT_EYE_INNER"), or -1.
int landmark_index(const std::string& name) {
  const std::vector<std::string>& names = keypoint_layout(kLayout).joint_names;
  const std::string wanted = lowercase(name);
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == wanted) return static_cast<int>(i);
  return -1;
}

// One landmark object into x, y, score (visibility, 1 when absent).
void read_landmark(const nlohmann::json& value, float* out, const std::string& source, const std::string& where) {
  const nlohmann::json& landmark = json_object(value, source, where);
  out[0] = json_float(json_required(landmark, "x", source, where), source, json_key_path(where, "x"));
  out[1] = json_float(json_required(landmark, "y", source, where), source, json_key_path(where, "y"));
  const nlohmann::json* visibility = json_member(landmark, "visibility");
  out[2] = visibility && !visibility->is_null()
               ? json_float(*visibility, source, json_key_path(where, "visibility"))
               : 1.0f;
}

// A frame's landmarks (list or name-keyed object) as 33 x, y, score triples; joints not given have
// score 0. nullopt when the container is empty (no pose in this frame).
std::optional<std::vector<float>> frame_landmarks(const nlohmann::json& container, const std::string& source,
                                                  const std::string& where) {
  const int joints = keypoint_layout(kLayout).num_joints();
  if (container.is_null() || container.empty()) return std::nullopt;
  std::vector<float> values(static_cast<std::size_t>(joints) * 3, 0.0f);
  std::vector<bool> seen(static_cast<std::size_t>(joints), false);
  const auto place = [&](int index, const nlohmann::json& landmark, const std::string& landmark_where) {
    if (seen[static_cast<std::size_t>(index)])
      throw_json_error(source, landmark_where, "landmark " + std::to_string(index) + " given twice");
    seen[static_cast<std::size_t>(index)] = true;
    read_landmark(landmark, values.data() + index * 3, source, landmark_where);
  };
  if (container.is_object()) {
    for (const auto& [name, landmark] : container.items()) {
      const int index = landmark_index(name);
      if (index < 0) throw_json_error(source, json_key_path(where, name), "not a mediapipe pose landmark name");
      place(index, landmark, json_key_path(where, name));
    }
    return values;
  }
  json_array(container, source, where);
  const bool by_id = container[0].is_object() && json_member(container[0], "id");
  if (!by_id && container.size() != static_cast<std::size_t>(joints))
    throw_json_error(source, where, std::to_string(container.size()) + " landmarks, expected " + std::to_string(joints));
  for (std::size_t i = 0; i < container.size(); ++i) {
    const std::string landmark_where = json_index_path(where, i);
    long long index = static_cast<long long>(i);
    if (by_id) {
      const nlohmann::json& landmark = json_object(container[i], source, landmark_where);
      index = json_integer(json_required(landmark, "id", source, landmark_where), source,
                           json_key_path(landmark_where, "id"));
      if (index < 0 || index >= joints)
        throw_json_error(source, json_key_path(landmark_where, "id"),
                         "landmark id " + std::to_string(index) + " outside 0.." + std::to_string(joints - 1));
    }
    place(static_cast<int>(index), container[i], landmark_where);
  }
  return values;
}

// The key holding a frame's landmarks, or nullptr.
const char* landmark_key(const nlohmann::json& frame) {
  for (const char* key : {"landmarks", "pose_landmarks", "keypoints"})
    if (json_member(frame, key)) return key;
  return nullptr;
}

std::optional<long long> frame_number(const nlohmann::json& frame, const std::string& source, const std::string& where) {
  for (const char* key : {"frame", "frame_number", "frame_index", "frame_id", "frame_idx"})
    if (const nlohmann::json* number = json_member(frame, key))
      return json_integer(*number, source, json_key_path(where, key));
  return std::nullopt;
}

bool says_no_pose(const nlohmann::json& frame, const std::string& source, const std::string& where) {
  const nlohmann::json* has_pose = json_member(frame, "has_pose");
  if (!has_pose) return false;
  if (!has_pose->is_boolean()) throw_json_error(source, json_key_path(where, "has_pose"), "expected true or false");
  return !has_pose->get<bool>();
}

// Optional positive integer or number of a top-level object.
template <typename T>
T positive_member(const nlohmann::json& document, const char* key, const std::string& source) {
  const nlohmann::json* value = json_member(document, key);
  if (!value || value->is_null()) return T{};
  const double number = json_double(*value, source, key);
  if (!(number > 0) || number > 1e6) throw_json_error(source, key, "expected a positive number below 1e6");
  return static_cast<T>(number);
}

}  // namespace

Detections2D mediapipe_detections(const nlohmann::json& document, const std::string& source,
                                  const DetectionReadOptions& options) {
  const nlohmann::json* frames = &document;
  std::string frames_where;
  if (document.is_object()) {
    frames = &json_required(document, "frames", source, "");
    frames_where = "frames";
  }
  json_array(*frames, source, frames_where);
  DetectionCollector collector(source, "mediapipe json", [&](int joints, const std::string& file, const std::string& where) {
    const std::string layout = options.layout.empty() ? kLayout : options.layout;
    return layout_for_joint_count(joints, layout, {}, file, where);
  });
  std::set<long long> seen;
  for (std::size_t i = 0; i < frames->size(); ++i) {
    const std::string where = json_index_path(frames_where, i);
    const nlohmann::json& frame = json_object((*frames)[i], source, where);
    const long long number = frame_number(frame, source, where).value_or(static_cast<long long>(i));
    if (!seen.insert(number).second)
      throw_json_error(source, where, "frame " + std::to_string(number) + " appears more than once");
    collector.add_frame(number);
    if (says_no_pose(frame, source, where)) continue;
    const char* key = landmark_key(frame);
    if (!key) throw_json_error(source, where, "no landmarks, pose_landmarks or keypoints");
    const std::string container_where = json_key_path(where, key);
    if (const std::optional<std::vector<float>> landmarks = frame_landmarks(*json_member(frame, key), source, container_where))
      collector.add(number, *landmarks, std::nan(""), std::nullopt, source, container_where);
  }
  if (collector.empty())
    throw_json_error(source, frames_where,
                     "no pose in any of the " + std::to_string(collector.frames()) + " frames");
  Detections2D detections = std::move(collector).finish();
  detections.coordinates = Coordinates::Normalized;
  if (document.is_object()) {
    detections.image_width = positive_member<int>(document, "width", source);
    detections.image_height = positive_member<int>(document, "height", source);
    detections.fps = positive_member<double>(document, "fps", source);
  }
  return detections;
}

}  // namespace lift3d::io
