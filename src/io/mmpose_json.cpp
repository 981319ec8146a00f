// MMPose prediction JSON: the inferencer's per-video list of frames, the body3d demo's
// {meta_info, instance_info}, and a single image's instance list.
#include <optional>

#include "lift3d/error.hpp"
#include "io/json_support.hpp"
#include <set>

#include "base/joint_sets.hpp"
#include "io/detection_collector.hpp"
#include "io/json_records.hpp"
#include "io/keypoint_files.hpp"

namespace lift3d::io {
namespace {

struct Instance {
  std::vector<float> keypoints;  // x, y, score per joint
  double score = 0.0;
  std::optional<long long> track_id;
};

Instance read_instance(const nlohmann::json& value, const std::string& source, const std::string& where) {
  const nlohmann::json& instance = json_object(value, source, where);
  const std::string keypoints_where = json_key_path(where, "keypoints");
  const nlohmann::json& points = json_array(json_required(instance, "keypoints", source, where), source, keypoints_where);
  Instance result;
  std::vector<float>& values = result.keypoints;
  values.assign(points.size() * 3, 1.0f);
  for (std::size_t j = 0; j < points.size(); ++j) {
    const std::string point_where = json_index_path(keypoints_where, j);
    const nlohmann::json& point = json_array(points[j], source, point_where);
    if (point.size() != 2)
      throw_json_error(source, point_where,
                       std::to_string(point.size()) + " values, expected [x, y]" +
                           (point.size() == 3 ? " (3d predictions are not 2d keypoints)" : ""));
    values[j * 3] = json_float_lazy(point[0], source, [&] { return json_index_path(point_where, 0); });
    values[j * 3 + 1] = json_float_lazy(point[1], source, [&] { return json_index_path(point_where, 1); });
  }
  if (const nlohmann::json* scores = json_member(instance, "keypoint_scores")) {
    const std::string scores_where = json_key_path(where, "keypoint_scores");
    json_array(*scores, source, scores_where);
    if (scores->size() != points.size())
      throw_json_error(source, scores_where, std::to_string(scores->size()) + " scores for " +
                                                 std::to_string(points.size()) + " keypoints");
    for (std::size_t j = 0; j < scores->size(); ++j)
      values[j * 3 + 2] = json_float_lazy((*scores)[j], source, [&] { return json_index_path(scores_where, j); });
  }
  if (const nlohmann::json* bbox_score = json_member(instance, "bbox_score")) {
    const std::string score_where = json_key_path(where, "bbox_score");
    // split_instances writes a scalar; some versions keep the one-element list.
    if (bbox_score->is_array() && bbox_score->size() == 1)
      result.score = json_double((*bbox_score)[0], source, json_index_path(score_where, 0));
    else
      result.score = json_double(*bbox_score, source, score_where);
  } else {
    result.score = mean_keypoint_score(values.data(), static_cast<int>(points.size()));
  }
  if (const nlohmann::json* track = json_member(instance, "track_id"))
    if (!track->is_null()) result.track_id = json_integer(*track, source, json_key_path(where, "track_id"));
  return result;
}

}  // namespace

MMPoseFrameRecords::MMPoseFrameRecords(const std::string& source, std::string frames_where, std::string declared_layout,
                                       const DetectionReadOptions& options)
    : source_(source),
      frames_where_(std::move(frames_where)),
      layout_(options.layout),
      declared_layout_(std::move(declared_layout)),
      collector_(source, "mmpose json", [this](int joints, const std::string& file, const std::string& where) {
        std::string layout = layout_;
        if (layout.empty() && !declared_layout_.empty() && keypoint_layout(declared_layout_).num_joints() == joints)
          layout = declared_layout_;
        return layout_for_joint_count(joints, layout, coco_style_layouts(), file, where);
      }) {}

bool MMPoseFrameRecords::seen_before(long long frame) {
  if (seen_.empty() && (!last_frame_ || frame > *last_frame_)) {
    last_frame_ = frame;
    frames_in_order_.push_back(frame);
    return false;
  }
  if (seen_.empty())  // the numbers stopped increasing: from now on every one is looked up
    for (std::size_t i = 0; i < frames_in_order_.size(); ++i) seen_.insert(frames_in_order_[i]);
  frames_in_order_ = {};
  return !seen_.insert(frame).second;
}

void MMPoseFrameRecords::add(const nlohmann::json& record, std::size_t index) {
  const std::string where = json_index_path(frames_where_, index);
  const nlohmann::json& entry = json_object(record, source_, where);
  const nlohmann::json* frame_id = json_member(entry, "frame_id");
  const long long frame =
      frame_id ? json_integer(*frame_id, source_, json_key_path(where, "frame_id")) : static_cast<long long>(index);
  if (seen_before(frame)) throw_json_error(source_, where, "frame " + std::to_string(frame) + " appears more than once");
  collector_.add_frame(frame);
  const std::string instances_where = json_key_path(where, "instances");
  const nlohmann::json& instances = json_array(json_required(entry, "instances", source_, where), source_, instances_where);
  for (std::size_t k = 0; k < instances.size(); ++k) {
    const std::string instance_where = json_index_path(instances_where, k);
    const Instance instance = read_instance(instances[k], source_, instance_where);
    collector_.add(frame, instance.keypoints, instance.score, instance.track_id, source_,
                   json_key_path(instance_where, "keypoints"));
  }
}

Detections2D MMPoseFrameRecords::finish() && {
  if (collector_.frames() == 0) throw_json_error(source_, frames_where_, "no frames");
  if (collector_.empty())
    throw_json_error(source_, frames_where_,
                     "no person detected in any of the " + std::to_string(collector_.frames()) + " frames");
  return std::move(collector_).finish();
}

Detections2D mmpose_detections(const nlohmann::json& document, const std::string& source,
                               const DetectionReadOptions& options) {
  const nlohmann::json* frames = &document;
  std::string frames_where;
  std::string declared_layout;
  if (document.is_object()) {
    frames = &json_required(document, "instance_info", source, "");
    frames_where = "instance_info";
    if (const nlohmann::json* meta = json_member(document, "meta_info"))
      if (const nlohmann::json* name = meta->is_object() ? json_member(*meta, "dataset_name") : nullptr)
        if (name->is_string() && is_known_layout(name->get<std::string>())) declared_layout = name->get<std::string>();
  }
  json_array(*frames, source, frames_where);
  // A single image's output is a bare instance list: one frame.
  const bool single_image = !frames->empty() && (*frames)[0].is_object() && json_member((*frames)[0], "keypoints") &&
                            !json_member((*frames)[0], "instances");
  if (!single_image) {
    MMPoseFrameRecords records(source, frames_where, declared_layout, options);
    for (std::size_t i = 0; i < frames->size(); ++i) records.add((*frames)[i], i);
    return std::move(records).finish();
  }

  DetectionCollector collector(source, "mmpose json", [&](int joints, const std::string& file, const std::string& where) {
    std::string layout = options.layout;
    if (layout.empty() && !declared_layout.empty() && keypoint_layout(declared_layout).num_joints() == joints)
      layout = declared_layout;
    return layout_for_joint_count(joints, layout, coco_style_layouts(), file, where);
  });
  collector.add_frame(0);
  for (std::size_t i = 0; i < frames->size(); ++i) {
    const std::string where = json_index_path(frames_where, i);
    const Instance instance = read_instance((*frames)[i], source, where);
    collector.add(0, instance.keypoints, instance.score, instance.track_id, source, json_key_path(where, "keypoints"));
  }
  if (collector.empty())
    throw_json_error(source, frames_where, "no person detected in any of the " + std::to_string(collector.frames()) + " frames");
  return std::move(collector).finish();
}

}  // namespace lift3d::io
