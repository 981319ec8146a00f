// lift3d's own 2D keypoint JSON (format "lift3d-keypoints-2d", version 1): reader and writer.
#include <cmath>
#include <limits>

#include "lift3d/error.hpp"
#include "lift3d/io/file.hpp"
#include "lift3d/io/json_support.hpp"
#include "lift3d/io/keypoint_formats.hpp"
#include "lift3d/io/keypoint_mapping.hpp"

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
    std::string list;
    for (const char* key : kKnownKeys) list += (list.empty() ? "" : ", ") + std::string(key);
    throw_json_error(source, "", "unknown key '" + item.key() + "' (known: " + list + ")");
  }
}

}  // namespace

Keypoints2D lift3d_keypoints_from_json(const nlohmann::json& document, const std::string& source,
                                       const KeypointReadOptions& options) {
  json_object(document, source, "");
  const std::string& format = json_string(json_required(document, "format", source, ""), source, "format");
  if (format != kFormatName) throw_json_error(source, "format", "expected '" + std::string(kFormatName) + "', got '" + format + "'");
  const long long version = json_integer(json_required(document, "version", source, ""), source, "version");
  if (version != kFormatVersion)
    throw_json_error(source, "version", "unsupported version " + std::to_string(version) + " (this build reads " +
                                            std::to_string(kFormatVersion) + ")");
  check_keys(document, source);
  if (options.track_id)
    throw UsageError(source + ": a track id was requested, but lift3d keypoint files hold one person");

  Keypoints2D result;
  result.source = source;
  result.layout = json_string(json_required(document, "layout", source, ""), source, "layout");
  if (!is_known_layout(result.layout)) {
    try {
      layout_joint_names(result.layout);
    } catch (const UsageError& e) {
      throw_json_error(source, "layout", e.what());
    }
  }
  if (!options.source_layout.empty() && options.source_layout != result.layout)
    throw UsageError(source + ": the file declares layout '" + result.layout + "', not '" + options.source_layout + "'");
  const std::vector<std::string>& names = layout_joint_names(result.layout);
  const int joints = static_cast<int>(names.size());

  if (const nlohmann::json* listed = json_member(document, "joint_names")) {
    json_array(*listed, source, "joint_names");
    if (listed->size() != names.size())
      throw_json_error(source, "joint_names", std::to_string(listed->size()) + " names, but layout '" + result.layout +
                                                  "' has " + std::to_string(joints) + " joints");
    for (std::size_t j = 0; j < names.size(); ++j) {
      const std::string where = json_index_path("joint_names", j);
      const std::string& name = json_string((*listed)[j], source, where);
      if (name != names[j])
        throw_json_error(source, where, "'" + name + "' where layout '" + result.layout + "' has '" + names[j] + "'");
    }
  }

  result.image_width = image_size(document, "image_width", source);
  result.image_height = image_size(document, "image_height", source);
  if ((result.image_width == 0) != (result.image_height == 0))
    throw_json_error(source, "", "image_width and image_height must be given together");
  if (const nlohmann::json* fps = json_member(document, "fps")) {
    result.fps = json_double(*fps, source, "fps");
    if (result.fps <= 0) throw_json_error(source, "fps", "must be positive, got " + fps->dump());
  }

  const nlohmann::json& frames = json_array(json_required(document, "keypoints", source, ""), source, "keypoints");
  if (frames.empty()) throw_json_error(source, "keypoints", "no frames");
  if (frames.size() > static_cast<std::size_t>(std::numeric_limits<int>::max() / 3 / joints))
    throw_json_error(source, "keypoints", "too many frames");
  core::KeypointSequence& seq = result.seq;
  seq.frames = static_cast<int>(frames.size());
  seq.joints = joints;
  seq.features = 3;
  seq.values.assign(static_cast<std::size_t>(seq.frames) * joints * 3, 0.0f);
  for (int f = 0; f < seq.frames; ++f) {
    const nlohmann::json& frame = frames[f];
    if (!frame.is_array() || frame.size() != names.size()) {
      const std::string where = json_index_path("keypoints", f);
      json_array(frame, source, where);
      throw_json_error(source, where, std::to_string(frame.size()) + " joints, layout '" + result.layout + "' has " +
                                          std::to_string(joints));
    }
    for (int j = 0; j < joints; ++j) {
      const nlohmann::json& joint = frame[j];
      if (joint.is_null()) {
        seq.at(f, j, 0) = seq.at(f, j, 1) = std::numeric_limits<float>::quiet_NaN();
        continue;  // score stays 0
      }
      auto where = [&] { return json_index_path(json_index_path("keypoints", f), j); };
      if (!joint.is_array()) throw_json_error(source, where(), "expected [x, y], [x, y, score] or null, got " + json_type_name(joint));
      if (joint.size() != 2 && joint.size() != 3)
        throw_json_error(source, where(), std::to_string(joint.size()) + " values, expected [x, y] or [x, y, score]");
      for (std::size_t k = 0; k < joint.size(); ++k)
        seq.at(f, j, static_cast<int>(k)) = json_float_lazy(joint[k], source, [&] { return json_index_path(where(), k); });
      if (joint.size() == 2) seq.at(f, j, 2) = 1.0f;
    }
  }
  seq.image_width = result.image_width;
  seq.image_height = result.image_height;
  return result;
}

Keypoints2D read_lift3d_keypoints_json(const std::string& path, const KeypointReadOptions& options) {
  return lift3d_keypoints_from_json(read_json_file(path), path, options);
}

std::string lift3d_keypoints_json_text(const Keypoints2D& keypoints) {
  const core::KeypointSequence& seq = keypoints.seq;
  const std::vector<std::string>& names = layout_joint_names(keypoints.layout);
  if (seq.joints != static_cast<int>(names.size()) || seq.features < 2 ||
      seq.values.size() != static_cast<std::size_t>(seq.frames) * seq.joints * seq.features)
    throw InternalError("keypoints of layout '" + keypoints.layout + "' with " + std::to_string(seq.joints) +
                        " joints and " + std::to_string(seq.features) + " features cannot be written");
  std::string out = "{\"format\": \"";
  out += kFormatName;
  out += "\", \"version\": " + std::to_string(kFormatVersion) + ", \"layout\": ";
  append_json_string(out, keypoints.layout);
  if (keypoints.image_width > 0 && keypoints.image_height > 0)
    out += ", \"image_width\": " + std::to_string(keypoints.image_width) +
           ", \"image_height\": " + std::to_string(keypoints.image_height);
  if (keypoints.fps > 0) out += ", \"fps\": " + nlohmann::json(keypoints.fps).dump();
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

void write_lift3d_keypoints_json(const std::string& path, const Keypoints2D& keypoints) {
  write_file_atomic(path, lift3d_keypoints_json_text(keypoints));
}

}  // namespace lift3d::io
