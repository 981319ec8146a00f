// AlphaPose's default JSON output: one list for the whole video, image_id a file name.
#include <algorithm>
#include <cctype>
#include <map>
#include <optional>

#include "base/log.hpp"
#include "lift3d/error.hpp"
#include "io/json_support.hpp"
#include "io/detection_collector.hpp"
#include "io/json_records.hpp"
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

// AlphaPose writes `idx` in two forms. With --pose_track (PoseFlow or the built-in tracker) it is a
// number, the person's track id. Untracked, it is the list of detection indices pose NMS merged into
// this pose: [0.0], [[0.0],[0.0]], nested up to a few levels; those numbers identify nothing across
// frames. So the file decides as a whole: every idx a number -> track ids; any list -> no track ids.
enum class IdxForm { Absent, Number, List };

// Checks that a list-form idx holds only numbers and lists (nested at most `depth_left` deep).
void check_idx_list(const nlohmann::json& value, const std::string& source, const std::string& where, int depth_left) {
  if (value.is_number()) return;
  if (!value.is_array())
    throw_json_error(source, where, "expected a number or a list of numbers, got " + json_type_name(value));
  if (depth_left == 0) throw_json_error(source, where, "idx lists nested too deeply");
  for (std::size_t i = 0; i < value.size(); ++i)
    check_idx_list(value[i], source, json_index_path(where, i), depth_left - 1);
}

IdxForm idx_form(const nlohmann::json& entry, const std::string& source, const std::string& where) {
  const nlohmann::json* idx = json_member(entry, "idx");
  if (!idx || idx->is_null()) return IdxForm::Absent;
  const std::string idx_where = json_key_path(where, "idx");
  if (idx->is_array()) {
    check_idx_list(*idx, source, idx_where, 8);
    return IdxForm::List;
  }
  json_integer(*idx, source, idx_where);  // a track id must be a whole number
  return IdxForm::Number;
}

std::optional<long long> track_id(const nlohmann::json& entry, const std::string& source, const std::string& where) {
  return json_integer(json_required(entry, "idx", source, where), source, json_key_path(where, "idx"));
}

}  // namespace

Detections2D alphapose_detections(const nlohmann::json& document, const std::string& source,
                                  const DetectionReadOptions& options) {
  json_array(document, source, "");
  // Entries grouped by image name first: frame numbers come from the set of names.
  struct Entry {
    std::size_t index;
    IdxForm idx;
  };
  std::map<std::string, std::vector<Entry>> by_image;
  bool any_number = false, any_list = false;
  for (std::size_t i = 0; i < document.size(); ++i) {
    const std::string where = json_index_path("", i);
    const nlohmann::json& entry = json_object(document[i], source, where);
    if (const nlohmann::json* category = json_member(entry, "category_id"))
      if (json_integer(*category, source, json_key_path(where, "category_id")) != 1) continue;
    const nlohmann::json& image = json_required(entry, "image_id", source, where);
    const std::string image_id =
        image.is_string() ? image.get<std::string>()
                          : std::to_string(json_integer(image, source, json_key_path(where, "image_id")));
    const IdxForm idx = idx_form(entry, source, where);
    any_number = any_number || idx == IdxForm::Number;
    any_list = any_list || idx == IdxForm::List;
    by_image[image_id].push_back({i, idx});
  }
  // Track ids only when the file is tracked output throughout (see IdxForm).
  const bool tracked = any_number && !any_list;
  if (any_number && any_list)
    logger().debug("{}: idx is a number in some entries and a list in others: read as untracked", source);
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
    for (const Entry& entry : entries) {
      const std::string where = json_index_path("", entry.index);
      const std::optional<long long> id =
          tracked && entry.idx == IdxForm::Number ? track_id(document[entry.index], source, where) : std::nullopt;
      add_coco_style_detection(collector, frame, document[entry.index], id, source, where);
    }
  }
  return std::move(collector).finish();
}

AlphaPoseStreamRecords::AlphaPoseStreamRecords(const std::string& source, const DetectionReadOptions& options)
    : source_(source),
      layout_(options.layout),
      collector_(source, "alphapose json", [this](int joints, const std::string& file, const std::string& where) {
        return layout_for_joint_count(joints, layout_, coco_style_layouts(), file, where);
      }) {}

// As alphapose_detections reads each entry, the track id kept whatever the file turns out to be
// (finish() drops them all unless every idx is a number).
void AlphaPoseStreamRecords::add(const nlohmann::json& record, std::size_t index) {
  try {
    const std::string where = json_index_path("", index);
    const nlohmann::json& entry = json_object(record, source_, where);
    if (const nlohmann::json* category = json_member(entry, "category_id"))
      if (json_integer(*category, source_, json_key_path(where, "category_id")) != 1) return;
    const nlohmann::json& image = json_required(entry, "image_id", source_, where);
    std::string image_id = image.is_string() ? image.get<std::string>()
                                             : std::to_string(json_integer(image, source_, json_key_path(where, "image_id")));
    const IdxForm idx = idx_form(entry, source_, where);
    any_number_ = any_number_ || idx == IdxForm::Number;
    any_list_ = any_list_ || idx == IdxForm::List;
    if (image_id != image_) {
      const long long frame = number_in_name(image_id);
      // Names without a number are ranked, and numbers out of order or repeated need every name.
      if (frame < 0 || frame <= frame_) throw JsonStreamFallback{};
      image_ = std::move(image_id);
      frame_ = frame;
    }
    const std::optional<long long> id = idx == IdxForm::Number ? track_id(entry, source_, where) : std::nullopt;
    add_coco_style_detection(collector_, frame_, entry, id, source_, where);
  } catch (const Error&) {
    throw JsonStreamFallback{};  // the whole-document reader says which entry, in its order
  }
}

Detections2D AlphaPoseStreamRecords::finish() && {
  if (collector_.empty()) throw JsonStreamFallback{};
  if (any_number_ && any_list_)
    logger().debug("{}: idx is a number in some entries and a list in others: read as untracked", source_);
  Detections2D result = std::move(collector_).finish();
  if (!(any_number_ && !any_list_)) {  // untracked output: idx identifies nothing (see IdxForm)
    for (Detection& detection : result.detections) detection.track_id.reset();
    result.has_track_ids = false;
  }
  return result;
}

}  // namespace lift3d::io
