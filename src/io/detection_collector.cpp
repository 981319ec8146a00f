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
  if (detections_.empty()) {
    result_.layout = layout_for_joints_(joints, file, where);
    result_.joints = joints;
  } else if (joints != result_.joints) {
    throw_json_error(file, where,
                     std::to_string(joints) + " keypoints, but earlier detections have " + std::to_string(result_.joints));
  }
  if (!std::isfinite(score)) score = mean_keypoint_score(keypoints.data(), joints);
  detections_.push_back({frame, score, track_id});
  keypoints_.append(keypoints.data(), keypoints.size());
  result_.has_track_ids = result_.has_track_ids || track_id.has_value();
  if (frame_numbers_.empty() || frame_numbers_.back() != frame) frame_numbers_.push_back(frame);
}

Detections2D DetectionCollector::finish() && {
  std::vector<long long> frames = frame_numbers_.take();
  std::sort(frames.begin(), frames.end());
  frames.erase(std::unique(frames.begin(), frames.end()), frames.end());
  frames.shrink_to_fit();
  result_.frames = std::move(frames);
  bool in_frame_order = true;
  for (std::size_t i = 1; i < detections_.size() && in_frame_order; ++i)
    in_frame_order = detections_[i - 1].frame <= detections_[i].frame;
  if (in_frame_order) {
    result_.detections = detections_.take();
    result_.keypoints = keypoints_.take();
    return std::move(result_);
  }
  // Ordered by frame, file order within a frame.
  std::vector<std::size_t> order(detections_.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return detections_[a].frame < detections_[b].frame; });
  const std::size_t stride = static_cast<std::size_t>(result_.joints) * 3;
  result_.detections.reserve(order.size());
  result_.keypoints.resize(order.size() * stride);
  for (std::size_t k = 0; k < order.size(); ++k) {
    result_.detections.push_back(detections_[order[k]]);
    keypoints_.copy_to(order[k] * stride, stride, result_.keypoints.data() + k * stride);
  }
  detections_ = {};
  keypoints_ = {};
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
