// COCO keypoint detection results (the list cocoeval reads).
#include "io/detection_collector.hpp"
#include "io/json_support.hpp"
#include "io/keypoint_files.hpp"

namespace lift3d::io {

Detections2D coco_results_detections(const nlohmann::json& document, const std::string& source,
                                     const DetectionReadOptions& options) {
  json_array(document, source, "");
  DetectionCollector collector(source, "coco results json", [&](int joints, const std::string& file, const std::string& where) {
    return layout_for_joint_count(joints, options.layout, coco_style_layouts(), file, where);
  });
  for (std::size_t i = 0; i < document.size(); ++i) {
    const std::string where = json_index_path("", i);
    const nlohmann::json& entry = json_object(document[i], source, where);
    if (const nlohmann::json* category = json_member(entry, "category_id"))
      if (json_integer(*category, source, json_key_path(where, "category_id")) != 1) continue;  // not a person
    const long long image_id =
        json_integer(json_required(entry, "image_id", source, where), source, json_key_path(where, "image_id"));
    add_coco_style_detection(collector, image_id, entry, std::nullopt, source, where);
  }
  if (collector.empty()) throw_json_error(source, "", "no person detections");
  return std::move(collector).finish();
}

}  // namespace lift3d::io
