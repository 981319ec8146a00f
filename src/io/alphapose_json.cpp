// AlphaPose's default JSON output: one list for the whole video, image_id a file name.
#include <algorithm>
#include <cctype>
#include <map>
#include <optional>

#include "lift3d/error.hpp"
#include "lift3d/io/json_support.hpp"
#include "lift3d/io/keypoint_formats.hpp"
#include "lift3d/io/person_selection.hpp"

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

Keypoints2D alphapose_from_json(const nlohmann::json& document, const std::string& source,
                                const KeypointReadOptions& options) {
  json_array(document, source, "");
  std::map<std::string, std::vector<PersonCandidate>> by_image;
  int joints = 0;
  std::string layout;
  bool has_track_ids = false;
  for (std::size_t i = 0; i < document.size(); ++i) {
    const std::string where = json_index_path("", i);
    const nlohmann::json& entry = json_object(document[i], source, where);
    if (const nlohmann::json* category = json_member(entry, "category_id"))
      if (json_integer(*category, source, json_key_path(where, "category_id")) != 1) continue;
    const nlohmann::json& image = json_required(entry, "image_id", source, where);
    const std::string image_id =
        image.is_string() ? image.get<std::string>()
                          : std::to_string(json_integer(image, source, json_key_path(where, "image_id")));
    PersonCandidate person = coco_style_detection(entry, source, where, options.source_layout, layout, joints);
    person.track_id = track_id(entry, source, where);
    has_track_ids = has_track_ids || person.track_id.has_value();
    by_image[image_id].push_back(std::move(person));
  }
  if (by_image.empty()) throw_json_error(source, "", "no person detections");

  // Frame order: the numbers in the image names, or the names themselves when some have none.
  bool all_numbered = true;
  for (const auto& entry : by_image) all_numbered = all_numbered && number_in_name(entry.first) >= 0;
  if (options.dense_frames && !all_numbered)
    throw UsageError(source + ": image names without frame numbers cannot be used as frame indices");
  std::vector<FrameCandidates> frames;
  std::map<long long, std::string> name_of_number;
  long long rank = 0;
  for (auto& entry : by_image) {  // std::map: names in lexicographic order
    FrameCandidates frame;
    frame.number = all_numbered ? number_in_name(entry.first) : rank++;
    const auto [it, inserted] = name_of_number.emplace(frame.number, entry.first);
    if (!inserted)
      throw_json_error(source, "", "images '" + it->second + "' and '" + entry.first + "' have the same frame number " +
                                       std::to_string(frame.number));
    frame.people = std::move(entry.second);
    frames.push_back(std::move(frame));
  }

  Keypoints2D result;
  result.source = source;
  result.layout = layout;
  result.seq = select_person(std::move(frames), joints, has_track_ids, {options.track_id, options.dense_frames},
                             source, "alphapose (without idx)");
  return result;
}

Keypoints2D read_alphapose_json(const std::string& path, const KeypointReadOptions& options) {
  return alphapose_from_json(read_json_file(path), path, options);
}

}  // namespace lift3d::io
