// lift3d's own 2D keypoint JSON (format "lift3d-keypoints-2d", version 1): reader and writer.
#include <algorithm>
#include <cmath>
#include <limits>

#include "base/text.hpp"
#include "lift3d/error.hpp"
#include "io/json_support.hpp"
#include "base/joint_sets.hpp"
#include "io/json_records.hpp"
#include "io/keypoint_files.hpp"

namespace lift3d::io {
namespace {

constexpr const char* kFormatName = "lift3d-keypoints-2d";
constexpr int kFormatVersion = 1;
const char* const kKnownKeys[] = {"format", "version", "layout", "image_width", "image_height",
                                  "fps", "joint_names", "keypoints"};

int image_size(const nlohmann::json& document, const std::string& key, const std::string& source) {
  const nlohmann::json* member = json_member(document, key);
  if (!member) return 0;
  const long long size = json_integer(*member, source, key);
  if (size <= 0 || size > 1'000'000) throw_json_error(source, key, "must be a positive pixel count, got " + member->dump());
  return static_cast<int>(size);
}

void check_keys(const nlohmann::json& document, const std::string& source) {
  for (const auto& item : document.items()) {
    bool known = false;
    for (const char* key : kKnownKeys) known = known || item.key() == key;
    if (known) continue;
    const std::vector<std::string> known_keys(std::begin(kKnownKeys), std::end(kKnownKeys));
    throw_json_error(source, "", "unknown key '" + item.key() + "' (known: " + join(known_keys) + ")");
  }
}

void check_format(const nlohmann::json& document, const std::string& source) {
  json_object(document, source, "");
  const std::string& format = json_string(json_required(document, "format", source, ""), source, "format");
  if (format != kFormatName) throw_json_error(source, "format", "expected '" + std::string(kFormatName) + "', got '" + format + "'");
  const long long version = json_integer(json_required(document, "version", source, ""), source, "version");
  if (version != kFormatVersion)
    throw_json_error(source, "version", "unsupported version " + std::to_string(version) + " (this build reads " +
                                            std::to_string(kFormatVersion) + ")");
}

// The file's layout, which must be a known one and the one asked for (if any).
std::string read_layout(const nlohmann::json& document, const std::string& source, const DetectionReadOptions& options) {
  const std::string layout = json_string(json_required(document, "layout", source, ""), source, "layout");
  if (!is_known_layout(layout)) {
    try {
      (void)keypoint_layout(layout);  // for an unknown name: a UsageError that lists the known ones
    } catch (const UsageError& e) {
      throw_json_error(source, "layout", e.what());
    }
  }
  if (!options.layout.empty() && options.layout != layout)
    throw UsageError(source + ": the file declares layout '" + layout + "', not '" + options.layout + "'");
  return layout;
}

// joint_names is optional; when given it must be the layout's names, in order.
void check_joint_names(const nlohmann::json& document, const std::string& source, const std::string& layout,
                       const std::vector<std::string>& names) {
  const nlohmann::json* listed = json_member(document, "joint_names");
  if (!listed) return;
  json_array(*listed, source, "joint_names");
  if (listed->size() != names.size())
    throw_json_error(source, "joint_names", std::to_string(listed->size()) + " names, but layout '" + layout +
                                                "' has " + std::to_string(names.size()) + " joints");
  for (std::size_t j = 0; j < names.size(); ++j) {
    const std::string where = json_index_path("joint_names", j);
    const std::string& name = json_string((*listed)[j], source, where);
    if (name != names[j])
      throw_json_error(source, where, "'" + name + "' where layout '" + layout + "' has '" + names[j] + "'");
  }
}

void read_image_size_and_fps(const nlohmann::json& document, const std::string& source, Detections2D& result) {
  result.image_width = image_size(document, "image_width", source);
  result.image_height = image_size(document, "image_height", source);
  if ((result.image_width == 0) != (result.image_height == 0))
    throw_json_error(source, "", "image_width and image_height must be given together");
  if (const nlohmann::json* fps = json_member(document, "fps")) {
    result.fps = json_double(*fps, source, "fps");
    if (result.fps <= 0) throw_json_error(source, "fps", "must be positive, got " + fps->dump());
  }
}

// One joint of frame f: [x, y], [x, y, score] (score 1 when absent) or null (x and y NaN, score 0).
void read_joint(const nlohmann::json& joint, const std::string& source, int f, int j, float* xys) {
  if (joint.is_null()) {
    xys[0] = xys[1] = std::numeric_limits<float>::quiet_NaN();
    return;  // score stays 0
  }
  auto where = [&] { return json_index_path(json_index_path("keypoints", f), j); };
  if (!joint.is_array()) throw_json_error(source, where(), "expected [x, y], [x, y, score] or null, got " + json_type_name(joint));
  if (joint.size() != 2 && joint.size() != 3)
    throw_json_error(source, where(), std::to_string(joint.size()) + " values, expected [x, y] or [x, y, score]");
  for (std::size_t k = 0; k < joint.size(); ++k)
    xys[k] = json_float_lazy(joint[k], source, [&] { return json_index_path(where(), k); });
  if (joint.size() == 2) xys[2] = 1.0f;
}

}  // namespace

Lift3dFrameRecords::Lift3dFrameRecords(const std::string& source, std::string layout)
    : source_(source), layout_(std::move(layout)), joints_(keypoint_layout(layout_).num_joints()) {}

void Lift3dFrameRecords::check_count(std::size_t count) const {
  if (count == 0) throw_json_error(source_, "keypoints", "no frames");
  if (count > static_cast<std::size_t>(std::numeric_limits<int>::max() / 3 / joints_))
    throw_json_error(source_, "keypoints", "too many frames");
}

// Every frame lists every joint of the layout; the frame's score is the mean keypoint score.
void Lift3dFrameRecords::add(const nlohmann::json& frame) {
  const int f = static_cast<int>(std::min<std::size_t>(count_, std::numeric_limits<int>::max()));
  ++count_;
  if (!frame.is_array() || frame.size() != static_cast<std::size_t>(joints_)) {
    const std::string where = json_index_path("keypoints", f);
    json_array(frame, source_, where);
    throw_json_error(source_, where, std::to_string(frame.size()) + " joints, layout '" + layout_ + "' has " +
                                         std::to_string(joints_));
  }
  frame_.assign(static_cast<std::size_t>(joints_) * 3, 0.0f);  // a missing joint's score stays 0
  for (int j = 0; j < joints_; ++j) read_joint(frame[j], source_, f, j, &frame_[static_cast<std::size_t>(j) * 3]);
  keypoints_.append(frame_.data(), frame_.size());
  scores_.push_back(mean_keypoint_score(frame_.data(), joints_));
}

void Lift3dFrameRecords::finish(Detections2D& result) && {
  check_count(count_);
  const int frame_count = static_cast<int>(count_);
  result.joints = joints_;
  result.keypoints = keypoints_.take();
  result.frames.resize(frame_count);
  result.detections.resize(frame_count);
  for (int f = 0; f < frame_count; ++f) {
    result.frames[f] = f;
    result.detections[f].frame = f;
    result.detections[f].score = scores_[static_cast<std::size_t>(f)];
  }
  scores_ = {};
}

Detections2D lift3d_keypoints_header(const nlohmann::json& document, const std::string& source,
                                     const DetectionReadOptions& options) {
  check_format(document, source);
  check_keys(document, source);
  Detections2D result;
  result.source = source;
  result.format = "lift3d json";
  result.layout = read_layout(document, source, options);
  const std::vector<std::string>& names = keypoint_layout(result.layout).joint_names;
  check_joint_names(document, source, result.layout, names);
  read_image_size_and_fps(document, source, result);
  return result;
}

Detections2D lift3d_keypoints_detections(const nlohmann::json& document, const std::string& source,
                                         const DetectionReadOptions& options) {
  Detections2D result = lift3d_keypoints_header(document, source, options);
  const nlohmann::json& frames = json_array(json_required(document, "keypoints", source, ""), source, "keypoints");
  Lift3dFrameRecords records(source, result.layout);
  records.check_count(frames.size());
  for (const nlohmann::json& frame : frames) records.add(frame);
  std::move(records).finish(result);
  return result;
}

std::string lift3d_keypoints_json_text(const KeypointSequence& seq, const std::string& layout, double fps) {
  const std::vector<std::string>& names = keypoint_layout(layout).joint_names;
  if (seq.joints != static_cast<int>(names.size()) || seq.features < 2 ||
      seq.values.size() != static_cast<std::size_t>(seq.frames) * seq.joints * seq.features)
    throw InternalError("keypoints of layout '" + layout + "' with " + std::to_string(seq.joints) +
                        " joints and " + std::to_string(seq.features) + " features cannot be written");
  std::string out = "{\"format\": \"";
  out += kFormatName;
  out += "\", \"version\": " + std::to_string(kFormatVersion) + ", \"layout\": ";
  append_json_string(out, layout);
  if (seq.image_width > 0 && seq.image_height > 0)
    out += ", \"image_width\": " + std::to_string(seq.image_width) +
           ", \"image_height\": " + std::to_string(seq.image_height);
  if (fps > 0) out += ", \"fps\": " + nlohmann::json(fps).dump();
  out += ",\n \"joint_names\": [";
  for (std::size_t j = 0; j < names.size(); ++j) {
    if (j) out += ", ";
    append_json_string(out, names[j]);
  }
  out += "],\n \"keypoints\": [";
  for (int f = 0; f < seq.frames; ++f) {
    out += f ? ",\n  [" : "\n  [";
    for (int j = 0; j < seq.joints; ++j) {
      if (j) out += ", ";
      const float x = seq.at(f, j, 0), y = seq.at(f, j, 1);
      if (!std::isfinite(x) || !std::isfinite(y)) {
        out += "null";
        continue;
      }
      out += '[';
      append_json_float(out, x);
      out += ", ";
      append_json_float(out, y);
      out += ", ";
      append_json_float(out, seq.features >= 3 ? seq.at(f, j, 2) : 1.0f);
      out += ']';
    }
    out += ']';
  }
  out += "\n ]}\n";
  return out;
}

}  // namespace lift3d::io
