#include "io/detection_collector.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "base/joint_sets.hpp"
#include "io/json_support.hpp"
#include "lift3d/error.hpp"

namespace lift3d::io {

DetectionCollector::DetectionCollector(std::string source, std::string format, LayoutRule layout_for_joints)
    : layout_for_joints_(std::move(layout_for_joints)) {
  result_.source = std::move(source);
  result_.format = std::move(format);
}

void DetectionCollector::add_frame(long long frame) { frame_numbers_.push_back(frame); }

void DetectionCollector::add(long long frame, const std::vector<float>& keypoints, double score,
                             std::optional<long long> track_id, const std::string& file, const std::string& where) {
  const int joints = static_cast<int>(keypoints.size() / 3);
  if (result_.detections.empty()) {
    result_.layout = layout_for_joints_(joints, file, where);
    result_.joints = joints;
  } else if (joints != result_.joints) {
    throw_json_error(file, where,
                     std::to_string(joints) + " keypoints, but earlier detections have " + std::to_string(result_.joints));
  }
  if (!std::isfinite(score)) score = mean_keypoint_score(keypoints.data(), joints);
  result_.detections.push_back({frame, score, track_id});
  result_.keypoints.insert(result_.keypoints.end(), keypoints.begin(), keypoints.end());
  result_.has_track_ids = result_.has_track_ids || track_id.has_value();
  if (frame_numbers_.empty() || frame_numbers_.back() != frame) frame_numbers_.push_back(frame);
}

Detections2D DetectionCollector::finish() && {
  std::sort(frame_numbers_.begin(), frame_numbers_.end());
  frame_numbers_.erase(std::unique(frame_numbers_.begin(), frame_numbers_.end()), frame_numbers_.end());
  result_.frames = std::move(frame_numbers_);
  const auto by_frame = [&](std::size_t a, std::size_t b) {
    return result_.detections[a].frame < result_.detections[b].frame;
  };
  std::vector<std::size_t> order(result_.detections.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  if (!std::is_sorted(order.begin(), order.end(), by_frame)) {
    std::stable_sort(order.begin(), order.end(), by_frame);
    const std::size_t stride = static_cast<std::size_t>(result_.joints) * 3;
    std::vector<Detection> detections;
    std::vector<float> keypoints;
    detections.reserve(order.size());
    keypoints.reserve(result_.keypoints.size());
    for (std::size_t i : order) {
      detections.push_back(result_.detections[i]);
      keypoints.insert(keypoints.end(), result_.keypoints.begin() + static_cast<std::ptrdiff_t>(i * stride),
                       result_.keypoints.begin() + static_cast<std::ptrdiff_t>((i + 1) * stride));
    }
    result_.detections = std::move(detections);
    result_.keypoints = std::move(keypoints);
  }
  return std::move(result_);
}

const LayoutsByJointCount& coco_style_layouts() {
  static const LayoutsByJointCount known{
      {{17, "coco"}, {26, "halpe26"}, {133, "coco_wholebody"}, {136, "halpe136"}},
      "17 coco, 26 halpe26, 133 coco_wholebody, 136 halpe136"};
  return known;
}

const LayoutsByJointCount& openpose_layouts() {
  static const LayoutsByJointCount known{{{25, "body25"}, {18, "coco18"}}, "25 (BODY_25) or 18 (COCO)"};
  return known;
}

std::string layout_for_joint_count(int joints, const std::string& override_layout, const LayoutsByJointCount& known,
                                   const std::string& source, const std::string& where) {
  if (!override_layout.empty()) {
    const int expected = keypoint_layout(override_layout).num_joints();
    if (joints != expected)
      throw_json_error(source, where, std::to_string(joints) + " keypoints, but layout '" + override_layout + "' has " +
                                          std::to_string(expected));
    return override_layout;
  }
  for (const auto& [count, layout] : known.layouts)
    if (count == joints) return layout;
  throw_json_error(source, where, std::to_string(joints) + " keypoints match no known layout (" + known.description + ")");
}

std::vector<float> flat_keypoint_values(const nlohmann::json& array, const std::string& source, const std::string& where) {
  json_array(array, source, where);
  if (array.size() % 3 != 0)
    throw_json_error(source, where, std::to_string(array.size()) + " values, not a multiple of 3 (x, y, score per keypoint)");
  std::vector<float> values(array.size());
  for (std::size_t i = 0; i < array.size(); ++i)
    values[i] = json_float_lazy(array[i], source, [&] { return json_index_path(where, i); });
  return values;
}

void add_coco_style_detection(DetectionCollector& collector, long long frame, const nlohmann::json& entry,
                              std::optional<long long> track_id, const std::string& source, const std::string& where) {
  const std::string keypoints_where = json_key_path(where, "keypoints");
  const std::vector<float> keypoints =
      flat_keypoint_values(json_required(entry, "keypoints", source, where), source, keypoints_where);
  const nlohmann::json* score = json_member(entry, "score");
  const double person_score =
      score ? json_double(*score, source, json_key_path(where, "score")) : std::nan("");
  collector.add(frame, keypoints, person_score, track_id, source, keypoints_where);
}

}  // namespace lift3d::io
