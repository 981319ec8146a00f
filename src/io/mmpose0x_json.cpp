// MMPose 0.x pose_results (the list inference_top_down_pose_model returns, per frame) dumped as
// JSON: people carry "keypoints" as [x, y, score] rows and "bbox" with the box score last.
#include <cmath>
#include <optional>

#include "io/detection_collector.hpp"
#include "io/json_support.hpp"
#include "io/keypoint_files.hpp"
#include "lift3d/error.hpp"

namespace lift3d::io {
namespace {

// [[x, y, score], ...] -> x, y, score triples.
std::vector<float> keypoint_rows(const nlohmann::json& value, const std::string& source, const std::string& where) {
  const nlohmann::json& rows = json_array(value, source, where);
  std::vector<float> values(rows.size() * 3);
  for (std::size_t j = 0; j < rows.size(); ++j) {
    const std::string row_where = json_index_path(where, j);
    const nlohmann::json& row = json_array(rows[j], source, row_where);
    if (row.size() != 3)
      throw_json_error(source, row_where, std::to_string(row.size()) + " values, expected [x, y, score]");
    for (std::size_t k = 0; k < 3; ++k)
      values[j * 3 + k] = json_float_lazy(row[k], source, [&] { return json_index_path(row_where, k); });
  }
  return values;
}

// bbox [x1, y1, x2, y2, score]: the score; NaN (mean keypoint score) when the box has none.
double box_score(const nlohmann::json& person, const std::string& source, const std::string& where) {
  const nlohmann::json* bbox = json_member(person, "bbox");
  if (!bbox || bbox->is_null()) return std::nan("");
  const std::string bbox_where = json_key_path(where, "bbox");
  json_array(*bbox, source, bbox_where);
  if (bbox->size() != 4 && bbox->size() != 5)
    throw_json_error(source, bbox_where, std::to_string(bbox->size()) + " values, expected [x1, y1, x2, y2, score]");
  if (bbox->size() == 4) return std::nan("");
  return json_double((*bbox)[4], source, json_index_path(bbox_where, 4));
}

void add_person(DetectionCollector& collector, long long frame, const nlohmann::json& value, const std::string& source,
                const std::string& where) {
  const nlohmann::json& person = json_object(value, source, where);
  const std::string keypoints_where = json_key_path(where, "keypoints");
  const std::vector<float> keypoints =
      keypoint_rows(json_required(person, "keypoints", source, where), source, keypoints_where);
  std::optional<long long> track_id;
  if (const nlohmann::json* track = json_member(person, "track_id"))
    if (!track->is_null()) track_id = json_integer(*track, source, json_key_path(where, "track_id"));
  collector.add(frame, keypoints, box_score(person, source, where), track_id, source, keypoints_where);
}

}  // namespace

Detections2D mmpose0x_detections(const nlohmann::json& document, const std::string& source,
                                 const DetectionReadOptions& options) {
  json_array(document, source, "");
  DetectionCollector collector(source, "mmpose 0.x pose_results json",
                               [&](int joints, const std::string& file, const std::string& where) {
                                 return layout_for_joint_count(joints, options.layout, coco_style_layouts(), file,
                                                               where);
                               });
  const bool one_frame = !document.empty() && document[0].is_object();
  if (one_frame) {
    collector.add_frame(0);
    for (std::size_t k = 0; k < document.size(); ++k) add_person(collector, 0, document[k], source, json_index_path("", k));
  } else {
    for (std::size_t f = 0; f < document.size(); ++f) {
      const std::string frame_where = json_index_path("", f);
      const nlohmann::json& people = json_array(document[f], source, frame_where);
      const long long frame = static_cast<long long>(f);
      collector.add_frame(frame);
      for (std::size_t k = 0; k < people.size(); ++k)
        add_person(collector, frame, people[k], source, json_index_path(frame_where, k));
    }
  }
  if (collector.empty())
    throw_json_error(source, "", "no person detected in any of the " + std::to_string(collector.frames()) + " frames");
  return std::move(collector).finish();
}

}  // namespace lift3d::io
