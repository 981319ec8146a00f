// COCO keypoint detection results (the list cocoeval reads), plus the helpers the other
// COCO-style readers (AlphaPose, MMPose) share.
#include <map>

#include "lift3d/error.hpp"
#include "lift3d/io/json_support.hpp"
#include "lift3d/io/keypoint_formats.hpp"
#include "lift3d/io/keypoint_mapping.hpp"
#include "lift3d/io/person_selection.hpp"

namespace lift3d::io {

std::string coco_style_layout(int joints, const std::string& override_layout, const std::string& source,
                              const std::string& where) {
  if (!override_layout.empty()) {
    const int expected = static_cast<int>(layout_joint_names(override_layout).size());
    if (joints != expected)
      throw_json_error(source, where, std::to_string(joints) + " keypoints, but layout '" + override_layout + "' has " +
                                          std::to_string(expected));
    return override_layout;
  }
  switch (joints) {
    case 17: return "coco";
    case 26: return "halpe26";
    case 133: return "coco_wholebody";
    case 136: return "halpe136";
    default:
      throw_json_error(source, where, std::to_string(joints) +
                                          " keypoints match no known layout (17 coco, 26 halpe26, 133 coco_wholebody, "
                                          "136 halpe136)");
  }
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

PersonCandidate coco_style_detection(const nlohmann::json& entry, const std::string& source, const std::string& where,
                                     const std::string& override_layout, std::string& layout, int& joints) {
  const std::string keypoints_where = json_key_path(where, "keypoints");
  PersonCandidate person;
  person.keypoints = flat_keypoint_values(json_required(entry, "keypoints", source, where), source, keypoints_where);
  const int count = static_cast<int>(person.keypoints.size() / 3);
  if (layout.empty()) {
    layout = coco_style_layout(count, override_layout, source, keypoints_where);
    joints = count;
  } else if (count != joints) {
    throw_json_error(source, keypoints_where,
                     std::to_string(count) + " keypoints, earlier detections have " + std::to_string(joints));
  }
  const nlohmann::json* score = json_member(entry, "score");
  person.score = score ? json_double(*score, source, json_key_path(where, "score")) : mean_keypoint_score(person.keypoints);
  return person;
}

Keypoints2D coco_results_from_json(const nlohmann::json& document, const std::string& source,
                                   const KeypointReadOptions& options) {
  json_array(document, source, "");
  std::map<long long, FrameCandidates> frames;
  int joints = 0;
  std::string layout;
  for (std::size_t i = 0; i < document.size(); ++i) {
    const std::string where = json_index_path("", i);
    const nlohmann::json& entry = json_object(document[i], source, where);
    if (const nlohmann::json* category = json_member(entry, "category_id"))
      if (json_integer(*category, source, json_key_path(where, "category_id")) != 1) continue;  // not a person
    const long long image_id = json_integer(json_required(entry, "image_id", source, where), source,
                                            json_key_path(where, "image_id"));
    PersonCandidate person = coco_style_detection(entry, source, where, options.source_layout, layout, joints);
    FrameCandidates& frame = frames[image_id];
    frame.number = image_id;
    frame.people.push_back(std::move(person));
  }
  if (frames.empty()) throw_json_error(source, "", "no person detections");

  std::vector<FrameCandidates> ordered;
  for (auto& entry : frames) ordered.push_back(std::move(entry.second));
  Keypoints2D result;
  result.source = source;
  result.layout = layout;
  result.seq = select_person(std::move(ordered), joints, /*has_track_ids=*/false,
                             {options.track_id, options.dense_frames}, source, "coco results");
  return result;
}

Keypoints2D read_coco_results_json(const std::string& path, const KeypointReadOptions& options) {
  return coco_results_from_json(read_json_file(path), path, options);
}

}  // namespace lift3d::io
