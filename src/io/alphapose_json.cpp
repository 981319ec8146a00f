// AlphaPose's default JSON output: one list for the whole video, image_id a file name.
#include <algorithm>
#include <cctype>
#include <map>
#include <optional>

#include "lift3d/error.hpp"
#include "io/json_support.hpp"
#include "io/detection_collector.hpp"
#include "io/keypoint_files.hpp"

namespace lift3d::io {
namespace {

// The last run of digits in the name without its extension ("frame_0012.jpg" -> 12), or -1.
long long number_in_name(const std::string& name) {
  std::string stem = name.substr(name.find_last_of("/\\") == std::string::npos ? 0 : name.find_last_of("/\\") + 1);
  const auto dot = stem.find_last_of('.');
  if (dot != std::string::npos && dot > 0) stem.resize(dot);
  std::size_t end = stem.size();
  while (end > 0 && !std::isdigit(static_cast<unsigned char>(stem[end - 1]))) --end;
  std::size_t begin = end;
  while (begin > 0 && std::isdigit(static_cast<unsigned char>(stem[begin - 1]))) --begin;
  if (begin == end || end - begin > 15) return -1;
  return std::stoll(stem.substr(begin, end - begin));
}

std::optional<long long> track_id(const nlohmann::json& entry, const std::string& source, const std::string& where) {
  const nlohmann::json* idx = json_member(entry, "idx");
  if (!idx || idx->is_null()) return std::nullopt;
  const std::string idx_where = json_key_path(where, "idx");
  if (idx->is_array()) {
    if (idx->size() != 1) throw_json_error(source, idx_where, "expected one track id, got " + std::to_string(idx->size()));
    return json_integer((*idx)[0], source, json_index_path(idx_where, 0));
  }
  return json_integer(*idx, source, idx_where);
}

}  // namespace

Detections2D alphapose_detections(const nlohmann::json& document, const std::string& source,
                                  const DetectionReadOptions& options) {
  json_array(document, source, "");
  // Entries grouped by image name first: frame numbers come from the set of names.
  struct Entry {
    std::size_t index;
    std::optional<long long> track_id;
  };
  std::map<std::string, std::vector<Entry>> by_image;
  for (std::size_t i = 0; i < document.size(); ++i) {
    const std::string where = json_index_path("", i);
    const nlohmann::json& entry = json_object(document[i], source, where);
    if (const nlohmann::json* category = json_member(entry, "category_id"))
      if (json_integer(*category, source, json_key_path(where, "category_id")) != 1) continue;
    const nlohmann::json& image = json_required(entry, "image_id", source, where);
    const std::string image_id =
        image.is_string() ? image.get<std::string>()
                          : std::to_string(json_integer(image, source, json_key_path(where, "image_id")));
    by_image[image_id].push_back({i, track_id(entry, source, where)});
  }
  if (by_image.empty()) throw_json_error(source, "", "no person detections");

  // Frame numbers: the numbers in the image names, or the rank of the name when some have none.
  bool all_numbered = true;
  for (const auto& entry : by_image) all_numbered = all_numbered && number_in_name(entry.first) >= 0;
  DetectionCollector collector(source, "alphapose json", [&](int joints, const std::string& file, const std::string& where) {
    return layout_for_joint_count(joints, options.layout, coco_style_layouts(), file, where);
  });
  if (!all_numbered) collector.number_frames_by_rank();
  std::map<long long, std::string> name_of_number;
  long long rank = 0;
  for (const auto& [name, entries] : by_image) {  // std::map: names in lexicographic order
    const long long frame = all_numbered ? number_in_name(name) : rank++;
    const auto [it, inserted] = name_of_number.emplace(frame, name);
    if (!inserted)
      throw_json_error(source, "", "images '" + it->second + "' and '" + name + "' have the same frame number " +
                                       std::to_string(frame));
    for (const Entry& entry : entries)
      add_coco_style_detection(collector, frame, document[entry.index], entry.track_id, source,
                               json_index_path("", entry.index));
  }
  return std::move(collector).finish();
}

}  // namespace lift3d::io
