// OpenPose --write_json output: one JSON file per frame.
#include <glob.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <optional>
#include <system_error>
#include <utility>

#include "lift3d/error.hpp"
#include "io/json_support.hpp"
#include "base/joint_sets.hpp"
#include "io/detection_collector.hpp"
#include "io/keypoint_files.hpp"

namespace fs = std::filesystem;

namespace lift3d::io {
namespace {

constexpr const char* kSuffix = "_keypoints.json";

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// "video_000000000012_keypoints.json" -> 12; -1 when the name carries no number.
long long frame_number(const std::string& path) {
  std::string stem = fs::path(path).filename().string();
  if (ends_with(stem, kSuffix)) stem.resize(stem.size() - std::string(kSuffix).size());
  else if (ends_with(stem, ".json")) stem.resize(stem.size() - 5);
  std::size_t begin = stem.size();
  while (begin > 0 && std::isdigit(static_cast<unsigned char>(stem[begin - 1]))) --begin;
  if (begin == stem.size() || stem.size() - begin > 15) return -1;
  return std::stoll(stem.substr(begin));
}

std::vector<std::string> glob_files(const std::string& pattern) {
  glob_t matches{};
  const int status = ::glob(pattern.c_str(), 0, nullptr, &matches);
  std::vector<std::string> files;
  if (status == 0)
    for (std::size_t i = 0; i < matches.gl_pathc; ++i)
      if (fs::is_regular_file(matches.gl_pathv[i])) files.emplace_back(matches.gl_pathv[i]);
  globfree(&matches);
  return files;
}

std::vector<std::pair<long long, std::string>> numbered_frame_files(const std::string& path) {
  std::vector<std::string> files;
  std::error_code error;
  if (is_glob_pattern(path)) {
    files = glob_files(path);
    if (files.empty()) throw InputError(path + ": no files match");
  } else if (fs::is_directory(path, error)) {
    for (const fs::directory_entry& entry : fs::directory_iterator(path, error))
      if (entry.is_regular_file(error) && ends_with(entry.path().filename().string(), kSuffix))
        files.push_back(entry.path().string());
    if (error) throw InputError(path + ": cannot list directory: " + error.message());
    if (files.empty()) throw InputError(path + ": no *" + std::string(kSuffix) + " files in the directory");
  } else if (fs::is_regular_file(path, error)) {
    return {{std::max(0LL, frame_number(path)), path}};
  } else {
    throw InputError(path + ": no such file or directory");
  }

  std::vector<std::pair<long long, std::string>> numbered;
  for (const std::string& file : files) {
    const long long number = frame_number(file);
    if (number < 0) throw InputError(file + ": no frame number at the end of the file name");
    numbered.emplace_back(number, file);
  }
  std::sort(numbered.begin(), numbered.end());
  for (std::size_t i = 1; i < numbered.size(); ++i)
    if (numbered[i].first == numbered[i - 1].first)
      throw InputError(numbered[i].second + ": same frame number " + std::to_string(numbered[i].first) + " as " +
                       numbered[i - 1].second);
  return numbered;
}

std::optional<long long> person_id(const nlohmann::json& person, const std::string& source, const std::string& where) {
  const nlohmann::json* id = json_member(person, "person_id");
  if (!id || id->is_null()) return std::nullopt;
  const std::string id_where = json_key_path(where, "person_id");
  long long value;
  if (id->is_array()) {  // OpenPose writes [-1]
    if (id->empty()) return std::nullopt;
    value = json_integer((*id)[0], source, json_index_path(id_where, 0));
  } else {
    value = json_integer(*id, source, id_where);
  }
  if (value == -1) return std::nullopt;  // -1: tracking was off
  return value;
}

}  // namespace

std::vector<std::string> openpose_frame_files(const std::string& path) {
  std::vector<std::string> files;
  for (auto& entry : numbered_frame_files(path)) files.push_back(std::move(entry.second));
  return files;
}

namespace {

DetectionCollector openpose_collector(const std::string& path, const DetectionReadOptions& options) {
  return DetectionCollector(path, "openpose json", [&options](int joints, const std::string& file, const std::string& where) {
    return layout_for_joint_count(joints, options.layout, openpose_layouts(), file, where);
  });
}

void add_frame_file(DetectionCollector& collector, long long number, const nlohmann::json& document,
                    const std::string& file) {
  json_object(document, file, "");
  const nlohmann::json& people = json_array(json_required(document, "people", file, ""), file, "people");
  collector.add_frame(number);
  for (std::size_t k = 0; k < people.size(); ++k) {
    const std::string where = json_index_path("people", k);
    const nlohmann::json& person = json_object(people[k], file, where);
    // Releases before 1.2 wrote "pose_keypoints".
    const char* key = !json_member(person, "pose_keypoints_2d") && json_member(person, "pose_keypoints")
                          ? "pose_keypoints"
                          : "pose_keypoints_2d";
    const std::string keypoints_where = json_key_path(where, key);
    const std::vector<float> keypoints =
        flat_keypoint_values(json_required(person, key, file, where), file, keypoints_where);
    if (keypoints.empty()) continue;  // a person found by the face or hand detector only
    collector.add(number, keypoints, std::nan(""), person_id(person, file, where), file, keypoints_where);
  }
}

Detections2D finish(DetectionCollector&& collector, const std::string& path) {
  if (collector.empty())
    throw InputError(path + ": no person detected in any of the " + std::to_string(collector.frames()) + " frames");
  return std::move(collector).finish();
}

}  // namespace

Detections2D read_openpose_detections(const std::string& path, const DetectionReadOptions& options) {
  DetectionCollector collector = openpose_collector(path, options);
  for (const auto& [number, file] : numbered_frame_files(path)) add_frame_file(collector, number, read_json_file(file), file);
  return finish(std::move(collector), path);
}

Detections2D openpose_frame_detections(const nlohmann::json& document, const std::string& path,
                                       const DetectionReadOptions& options) {
  DetectionCollector collector = openpose_collector(path, options);
  add_frame_file(collector, std::max(0LL, frame_number(path)), document, path);
  return finish(std::move(collector), path);
}

}  // namespace lift3d::io
