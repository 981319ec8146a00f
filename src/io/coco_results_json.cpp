// COCO keypoint detection results (the list cocoeval reads).
#include "io/detection_collector.hpp"
#include "io/json_records.hpp"
#include "io/json_support.hpp"
#include "io/keypoint_files.hpp"

namespace lift3d::io {

CocoResultRecords::CocoResultRecords(const std::string& source, const DetectionReadOptions& options)
    : source_(source),
      layout_(options.layout),
      collector_(source, "coco results json", [this](int joints, const std::string& file, const std::string& where) {
        return layout_for_joint_count(joints, layout_, coco_style_layouts(), file, where);
      }) {}

void CocoResultRecords::add(const nlohmann::json& record, std::size_t index) {
  const std::string where = json_index_path("", index);
  const nlohmann::json& entry = json_object(record, source_, where);
  if (const nlohmann::json* category = json_member(entry, "category_id"))
    if (json_integer(*category, source_, json_key_path(where, "category_id")) != 1) return;  // not a person
  const long long image_id =
      json_integer(json_required(entry, "image_id", source_, where), source_, json_key_path(where, "image_id"));
  add_coco_style_detection(collector_, image_id, entry, std::nullopt, source_, where);
}

Detections2D CocoResultRecords::finish() && {
  if (collector_.empty()) throw_json_error(source_, "", "no person detections");
  return std::move(collector_).finish();
}

Detections2D coco_results_detections(const nlohmann::json& document, const std::string& source,
                                     const DetectionReadOptions& options) {
  json_array(document, source, "");
  CocoResultRecords records(source, options);
  for (std::size_t i = 0; i < document.size(); ++i) records.add(document[i], i);
  return std::move(records).finish();
}

}  // namespace lift3d::io
