// OpenPose --write_json output: one JSON file per frame, possibly the frames of several videos in
// one folder, and the same layout under other names (Pose2Sim's cam01.0000.json).
#include <glob.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <map>
#include <optional>
#include <system_error>
#include <tuple>
#include <utility>

#include "base/joint_sets.hpp"
#include "base/log.hpp"
#include "base/text.hpp"
#include "io/detection_collector.hpp"
#include "io/json_support.hpp"
#include "io/keypoint_files.hpp"
#include "lift3d/error.hpp"

namespace fs = std::filesystem;

namespace lift3d::io {
namespace {

constexpr const char* kSuffix = "_keypoints.json";

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// "Kick_1_000000000012_keypoints.json" -> {"Kick_1", 12}; "cam01.0012.json" -> {"cam01", 12}: the
// video is what precedes the last run of digits, less one separator ('_', '.', '-'). nullopt when
// the name does not end in a number (at most 15 digits).
std::optional<std::pair<std::string, long long>> video_and_frame(const std::string& path) {
  std::string stem = fs::path(path).filename().string();
  if (ends_with(stem, kSuffix)) stem.resize(stem.size() - std::string(kSuffix).size());
  else if (ends_with(stem, ".json")) stem.resize(stem.size() - 5);
  std::size_t begin = stem.size();
  while (begin > 0 && std::isdigit(static_cast<unsigned char>(stem[begin - 1]))) --begin;
  if (begin == stem.size() || stem.size() - begin > 15) return std::nullopt;
  const long long number = std::stoll(stem.substr(begin));
  if (begin > 0 && (stem[begin - 1] == '_' || stem[begin - 1] == '.' || stem[begin - 1] == '-')) --begin;
  return std::make_pair(stem.substr(0, begin), number);
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

// A directory's frame files: its *_keypoints.json files (OpenPose's own names) when it has any, else
// every *.json file (Pose2Sim and other tools that write the same per-frame layout). Sorted by name.
std::vector<std::string> directory_frame_files(const std::string& path, bool& any_json) {
  std::vector<std::string> keypoint_files, json_files;
  std::error_code error;
  for (const fs::directory_entry& entry : fs::directory_iterator(path, error)) {
    if (!entry.is_regular_file(error)) continue;
    const std::string name = entry.path().filename().string();
    if (ends_with(name, kSuffix)) keypoint_files.push_back(entry.path().string());
    else if (ends_with(name, ".json")) json_files.push_back(entry.path().string());
  }
  if (error) throw InputError(path + ": cannot list directory: " + error.message());
  any_json = keypoint_files.empty();
  std::vector<std::string>& files = keypoint_files.empty() ? json_files : keypoint_files;
  if (files.empty()) throw InputError(path + ": no *" + std::string(kSuffix) + " or *.json files in the directory");
  std::sort(files.begin(), files.end());
  return files;
}

// A frame file OpenPose stopped writing (0 bytes) holds no frame: skipped with a warning. Any other
// unreadable content is an error naming the file.
bool is_empty_file(const std::string& file) {
  std::error_code error;
  const std::uintmax_t size = fs::file_size(file, error);
  return !error && size == 0;
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

// BODY_25 and BODY_25B both have 25 joints. In BODY_25B joints 1 and 2 are the eyes, a few percent
// of the person's size from the nose (joint 0); in BODY_25 they are the neck and the right shoulder,
// over a tenth of it (measured on real exports: medians 0.013-0.025 against 0.11-0.17). A 25-joint
// file whose median is below this reads as BODY_25B.
constexpr double kBody25bEyeRatio = 0.05;
// A median over fewer detections says little (one odd detection decides it): no judgement then.
constexpr std::size_t kMinDetectionsToJudge = 3;

// Median over detections of (distance from joint 0 to the nearer detected of joints 1, 2) / (the
// diagonal of the detected joints' box); nullopt when fewer than kMinDetectionsToJudge detections
// have joint 0 and joint 1 or 2.
std::optional<double> median_nose_ratio(const Detections2D& detections) {
  std::vector<double> ratios;
  for (std::size_t d = 0; d < detections.count(); ++d) {
    const float* k = detections.keypoints_of(d);
    const auto seen = [&](int j) { return k[j * 3 + 2] > 0.0f; };
    if (!seen(0) || (!seen(1) && !seen(2))) continue;
    float min_x = INFINITY, min_y = INFINITY, max_x = -INFINITY, max_y = -INFINITY;
    for (int j = 0; j < detections.joints; ++j)
      if (seen(j)) {
        min_x = std::min(min_x, k[j * 3]), max_x = std::max(max_x, k[j * 3]);
        min_y = std::min(min_y, k[j * 3 + 1]), max_y = std::max(max_y, k[j * 3 + 1]);
      }
    const double size = std::hypot(max_x - min_x, max_y - min_y);
    if (!(size > 0.0)) continue;
    double nearest = INFINITY;
    for (int j : {1, 2})
      if (seen(j)) nearest = std::min(nearest, static_cast<double>(std::hypot(k[j * 3] - k[0], k[j * 3 + 1] - k[1])));
    ratios.push_back(nearest / size);
  }
  if (ratios.size() < kMinDetectionsToJudge) return std::nullopt;
  std::nth_element(ratios.begin(), ratios.begin() + static_cast<std::ptrdiff_t>(ratios.size() / 2), ratios.end());
  return ratios[ratios.size() / 2];
}

// A 25-joint file read as BODY_25 by its joint count whose joints sit as BODY_25B's do is refused:
// lifting it as BODY_25 would swap eyes for neck and shoulder without a word.
void refuse_body25b_read_as_body25(const Detections2D& detections, const DetectionReadOptions& options) {
  if (!options.layout.empty() || detections.layout != "body25") return;
  const std::optional<double> ratio = median_nose_ratio(detections);
  if (!ratio || *ratio >= kBody25bEyeRatio) return;
  throw InputError(detections.source + ": 25 joints placed as openpose BODY_25B places them (joints 1 and 2 beside "
                   "the nose: eyes, not BODY_25's neck and shoulder); say --input-layout body25b (or body25 to read "
                   "it as BODY_25)");
}

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

// One video's frame files read into one Detections2D (nullopt when no frame has a person).
std::optional<Detections2D> read_video(const std::string& source, const std::string& video,
                                       const std::vector<OpenPoseFrameFile>& files,
                                       const DetectionReadOptions& options) {
  DetectionCollector collector = openpose_collector(source, options);
  for (const OpenPoseFrameFile& file : files) add_frame_file(collector, file.frame, read_json_file(file.path), file.path);
  if (collector.empty()) return std::nullopt;
  Detections2D detections = std::move(collector).finish();
  detections.video = video;
  refuse_body25b_read_as_body25(detections, options);
  return detections;
}

}  // namespace

std::vector<OpenPoseFrameFile> openpose_frame_files(const std::string& path) {
  std::vector<std::string> files;
  bool any_json = false;  // a directory without *_keypoints.json: every *.json counts
  std::error_code error;
  if (is_glob_pattern(path)) {
    files = glob_files(path);
    if (files.empty()) throw InputError(path + ": no files match");
  } else if (fs::is_directory(path, error)) {
    files = directory_frame_files(path, any_json);
  } else if (fs::is_regular_file(path, error)) {
    const auto numbered = video_and_frame(path);
    return {{"", numbered ? numbered->second : 0, path}};
  } else {
    throw InputError(path + ": no such file or directory");
  }

  std::vector<OpenPoseFrameFile> frames;
  std::vector<std::string> skipped_unnumbered, skipped_empty;
  for (const std::string& file : files) {
    const auto numbered = video_and_frame(file);
    if (!numbered) {
      if (!any_json)
        throw InputError(file + ": no frame number at the end of the file name, so its place in the video is unknown "
                                "(OpenPose names frames <video>_<frame>_keypoints.json); a separate image is lifted "
                                "as its own --input");
      skipped_unnumbered.push_back(fs::path(file).filename().string());
      continue;
    }
    if (is_empty_file(file)) {
      skipped_empty.push_back(fs::path(file).filename().string());
      continue;
    }
    frames.push_back({numbered->first, numbered->second, file});
  }
  if (!skipped_unnumbered.empty())
    logger().warn("{}: skipped {} json file(s) whose names end in no frame number: {}", path,
                  skipped_unnumbered.size(), join(skipped_unnumbered));
  if (!skipped_empty.empty())
    logger().warn("{}: skipped {} empty (0-byte) frame file(s), an interrupted write: {}", path, skipped_empty.size(),
                  join(skipped_empty));
  if (frames.empty()) throw InputError(path + ": no readable frame files");
  std::sort(frames.begin(), frames.end(), [](const OpenPoseFrameFile& a, const OpenPoseFrameFile& b) {
    return std::tie(a.video, a.frame) < std::tie(b.video, b.frame);
  });
  for (std::size_t i = 1; i < frames.size(); ++i)
    if (frames[i].video == frames[i - 1].video && frames[i].frame == frames[i - 1].frame)
      throw InputError(frames[i].path + ": same frame number " + std::to_string(frames[i].frame) + " as " +
                       frames[i - 1].path);
  return frames;
}

std::vector<Detections2D> read_openpose_detections(const std::string& path, const DetectionReadOptions& options) {
  std::map<std::string, std::vector<OpenPoseFrameFile>> by_video;  // ordered by video name
  for (OpenPoseFrameFile& file : openpose_frame_files(path)) by_video[file.video].push_back(std::move(file));
  std::vector<Detections2D> videos;
  std::vector<std::string> without_people;
  for (const auto& [video, files] : by_video) {
    if (std::optional<Detections2D> detections = read_video(path, video, files, options))
      videos.push_back(std::move(*detections));
    else
      without_people.push_back(video.empty() ? "(unnamed)" : video);
  }
  if (videos.empty()) {
    std::size_t frames = 0;
    for (const auto& entry : by_video) frames += entry.second.size();
    throw InputError(path + ": no person detected in any of the " + std::to_string(frames) + " frames");
  }
  // Files with no person at all beside a video that has people (Pose2Sim leaves del_000000_0.json
  // with "people": [] in its folders) are not videos to lift.
  if (!without_people.empty())
    logger().warn("{}: skipped {} file group(s) without any person: {}", path, without_people.size(),
                  join(without_people));
  if (videos.size() == 1) videos.front().video.clear();  // one video: named after the input
  return videos;
}

Detections2D openpose_frame_detections(const nlohmann::json& document, const std::string& path,
                                       const DetectionReadOptions& options) {
  DetectionCollector collector = openpose_collector(path, options);
  const auto numbered = video_and_frame(path);
  add_frame_file(collector, numbered ? numbered->second : 0, document, path);
  if (collector.empty()) throw InputError(path + ": no person detected in any of the 1 frames");
  Detections2D detections = std::move(collector).finish();
  refuse_body25b_read_as_body25(detections, options);
  return detections;
}

}  // namespace lift3d::io
