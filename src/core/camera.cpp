#include "core/camera.hpp"

#include <cmath>
#include <map>

#include <nlohmann/json.hpp>

#include "base/text.hpp"
#include "lift3d/error.hpp"

namespace lift3d::core {
namespace {

using Vec3 = std::array<float, 3>;
using Quaternion = std::array<float, 4>;

// Each component as torch's cross kernel rounds it: its CPU (AVX2) build contracts a_i b_j - a_j b_i
// into fma(a_i, b_j, -(a_j b_i)), as the reference's CUDA build does by default, so std::fma keeps
// the float32 results identical to the reference's.
Vec3 cross(const Vec3& a, const Vec3& b) {
  return {std::fma(a[1], b[2], -(a[2] * b[1])), std::fma(a[2], b[0], -(a[0] * b[2])),
          std::fma(a[0], b[1], -(a[1] * b[0]))};
}

// Active rotation of v by q: v + 2 (w (u x v) + u x (u x v)), u = (x, y, z) (common/quaternion.py qrot).
Vec3 rotate(const Quaternion& q, const Vec3& v) {
  const Vec3 u{q[1], q[2], q[3]};
  const Vec3 uv = cross(u, v);
  const Vec3 uuv = cross(u, uv);
  Vec3 out;
  for (int k = 0; k < 3; ++k) out[k] = v[k] + 2.0f * (q[0] * uv[k] + uuv[k]);
  return out;
}

Vec3 point(const PoseSequence& s, int frame, int joint) {
  return {s.at(frame, joint, 0), s.at(frame, joint, 1), s.at(frame, joint, 2)};
}

void require_extrinsics(const Camera& camera) {
  if (!camera.has_extrinsics) throw UsageError("camera '" + camera.id + "' has no extrinsic calibration");
}

void require_intrinsics(const Camera& camera) {
  if (!camera.has_intrinsics) throw UsageError("camera '" + camera.id + "' has no intrinsic calibration");
}

template <typename Project>
KeypointSequence project_each(const PoseSequence& camera_space, Project project) {
  KeypointSequence out;
  out.frames = camera_space.frames;
  out.joints = camera_space.joints;
  out.features = 2;
  out.values.resize(static_cast<std::size_t>(out.frames) * out.joints * 2);
  for (int t = 0; t < out.frames; ++t)
    for (int j = 0; j < out.joints; ++j) {
      const std::array<float, 2> uv = project(point(camera_space, t, j));
      out.at(t, j, 0) = uv[0];
      out.at(t, j, 1) = uv[1];
    }
  return out;
}

// x/z and y/z, clamped to [-1, 1] (NaN passes through, as torch.clamp lets it).
std::array<float, 2> clamped_ratio(const Vec3& p) {
  const auto clamp = [](float v) { return v < -1.0f ? -1.0f : (v > 1.0f ? 1.0f : v); };
  return {clamp(p[0] / p[2]), clamp(p[1] / p[2])};
}

// --- Tables --------------------------------------------------------------------------------------

struct Table {
  std::vector<std::pair<std::string, std::vector<Camera>>> subjects;
};

template <std::size_t N>
std::array<float, N> floats(const nlohmann::ordered_json& value) {
  std::array<float, N> out{};
  if (!value.is_array() || value.size() != N)
    throw InternalError("embedded camera table: bad vector " + value.dump());
  // JSON numbers are doubles; float32 rounding as np.array(v, dtype='float32') does it.
  for (std::size_t i = 0; i < N; ++i) out[i] = static_cast<float>(value[i].get<double>());
  return out;
}

Table parse_table(std::string_view name, std::string_view text) {
  Table table;
  try {
    const auto doc = nlohmann::ordered_json::parse(text);
    std::vector<Camera> intrinsics;
    for (const auto& entry : doc.at("cameras")) {
      Camera camera;
      camera.id = entry.at("id").get<std::string>();
      camera.res_w = entry.at("res_w").get<int>();
      camera.res_h = entry.at("res_h").get<int>();
      camera.azimuth = entry.at("azimuth").get<int>();
      if (entry.contains("focal_length")) {
        camera.has_intrinsics = true;
        camera.focal_length = floats<2>(entry.at("focal_length"));
        camera.center = floats<2>(entry.at("center"));
        camera.radial_distortion = floats<3>(entry.at("radial_distortion"));
        camera.tangential_distortion = floats<2>(entry.at("tangential_distortion"));
      }
      intrinsics.push_back(camera);
    }
    for (const auto& [subject, list] : doc.at("extrinsics").items()) {
      if (list.size() != intrinsics.size())
        throw InternalError("embedded camera table '" + std::string(name) + "': subject " + subject +
                            " lists a different number of cameras");
      std::vector<Camera> cams = intrinsics;
      for (std::size_t c = 0; c < cams.size(); ++c) {
        if (list[c].empty()) continue;
        cams[c].has_extrinsics = true;
        cams[c].orientation = floats<4>(list[c].at("orientation"));
        cams[c].translation_mm = floats<3>(list[c].at("translation"));
      }
      table.subjects.emplace_back(subject, std::move(cams));
    }
  } catch (const nlohmann::json::exception& e) {
    throw InternalError("embedded camera table '" + std::string(name) + "' is malformed: " + e.what());
  }
  return table;
}

const std::map<std::string, Table>& tables() {
  static const std::map<std::string, Table> parsed = [] {
    std::map<std::string, Table> out;
    for (const auto& [name, text] : embedded_camera_tables())
      out[std::string(name)] = parse_table(name, text);
    return out;
  }();
  return parsed;
}

std::string canonical_dataset(const std::string& dataset) {
  return dataset == "humaneva15" || dataset == "humaneva20" ? "humaneva" : dataset;
}

const Table& table_for(const std::string& dataset) {
  const auto it = tables().find(canonical_dataset(dataset));
  if (it == tables().end()) {
    throw UsageError("no camera table for dataset '" + dataset + "' (known: " + join(camera_datasets()) + ")");
  }
  return it->second;
}

}  // namespace

std::string without_subject_prefix(const std::string& subject) {
  for (const char* prefix :
       {"Unlabeled/Train/", "Unlabeled/Validate/", "Unlabeled/", "Train/", "Validate/"}) {
    const std::string p(prefix);
    if (subject.compare(0, p.size(), p) == 0) return subject.substr(p.size());
  }
  return subject;
}

std::array<float, 3> Camera::translation_m() const {
  return {translation_mm[0] / 1000.0f, translation_mm[1] / 1000.0f, translation_mm[2] / 1000.0f};
}

std::array<float, 9> Camera::normalized_intrinsics() const {
  require_intrinsics(*this);
  const float w = static_cast<float>(res_w);
  const std::array<float, 2> c = normalize_screen_coordinates(center[0], center[1], res_w, res_h);
  return {focal_length[0] / w * 2.0f,
          focal_length[1] / w * 2.0f,
          c[0],
          c[1],
          radial_distortion[0],
          radial_distortion[1],
          radial_distortion[2],
          tangential_distortion[0],
          tangential_distortion[1]};
}

PoseSequence world_to_camera(const PoseSequence& world, const Camera& camera) {
  require_extrinsics(camera);
  const Quaternion& q = camera.orientation;
  const Quaternion inverse{q[0], -q[1], -q[2], -q[3]};  // conjugate; the tables are unit quaternions
  const Vec3 t = camera.translation_m();
  PoseSequence out(world.frames, world.joints);
  for (int f = 0; f < world.frames; ++f)
    for (int j = 0; j < world.joints; ++j) {
      Vec3 v = point(world, f, j);
      for (int k = 0; k < 3; ++k) v[k] -= t[k];
      const Vec3 r = rotate(inverse, v);
      for (int k = 0; k < 3; ++k) out.at(f, j, k) = r[k];
    }
  return out;
}

PoseSequence camera_to_world(const PoseSequence& camera_space, const Camera& camera) {
  require_extrinsics(camera);
  const Vec3 t = camera.translation_m();
  PoseSequence out(camera_space.frames, camera_space.joints);
  for (int f = 0; f < camera_space.frames; ++f)
    for (int j = 0; j < camera_space.joints; ++j) {
      const Vec3 r = rotate(camera.orientation, point(camera_space, f, j));
      for (int k = 0; k < 3; ++k) out.at(f, j, k) = r[k] + t[k];
    }
  return out;
}

KeypointSequence project_to_2d(const PoseSequence& camera_space, const Camera& camera) {
  const std::array<float, 9> p = camera.normalized_intrinsics();
  return project_each(camera_space, [&p](const Vec3& point3) {
    const std::array<float, 2> xy = clamped_ratio(point3);
    const float r2 = xy[0] * xy[0] + xy[1] * xy[1];
    const float r4 = r2 * r2;
    const float r6 = r2 * r2 * r2;
    const float radial = 1.0f + (p[4] * r2 + p[5] * r4 + p[6] * r6);
    const float tangential = p[7] * xy[0] + p[8] * xy[1];
    const float xd = xy[0] * (radial + tangential) + p[7] * r2;
    const float yd = xy[1] * (radial + tangential) + p[8] * r2;
    return std::array<float, 2>{p[0] * xd + p[2], p[1] * yd + p[3]};
  });
}

KeypointSequence project_to_2d_linear(const PoseSequence& camera_space, const Camera& camera) {
  const std::array<float, 9> p = camera.normalized_intrinsics();
  return project_each(camera_space, [&p](const Vec3& point3) {
    const std::array<float, 2> xy = clamped_ratio(point3);
    return std::array<float, 2>{p[0] * xy[0] + p[2], p[1] * xy[1] + p[3]};
  });
}

std::array<float, 2> normalize_screen_coordinates(float x, float y, int width, int height) {
  if (width < 1 || height < 1)
    throw UsageError("image size " + std::to_string(width) + "x" + std::to_string(height) + " is not valid");
  const float w = static_cast<float>(width);
  const double aspect = static_cast<double>(height) / static_cast<double>(width);
  return {static_cast<float>(static_cast<double>(x / w * 2.0f) - 1.0),
          static_cast<float>(static_cast<double>(y / w * 2.0f) - aspect)};
}

std::array<double, 2> image_coordinates(float x, float y, int width, int height) {
  if (width < 1 || height < 1)
    throw UsageError("image size " + std::to_string(width) + "x" + std::to_string(height) + " is not valid");
  const double w = static_cast<double>(width);
  const double aspect = static_cast<double>(height) / w;
  return {(static_cast<double>(x) + 1.0) * w / 2.0, (static_cast<double>(y) + aspect) * w / 2.0};
}

KeypointSequence image_coordinates(const KeypointSequence& normalised, int width, int height) {
  KeypointSequence out = normalised;
  for (int t = 0; t < out.frames; ++t)
    for (int j = 0; j < out.joints; ++j) {
      const std::array<double, 2> px =
          image_coordinates(normalised.at(t, j, 0), normalised.at(t, j, 1), width, height);
      out.at(t, j, 0) = static_cast<float>(px[0]);
      out.at(t, j, 1) = static_cast<float>(px[1]);
    }
  out.image_width = width;
  out.image_height = height;
  return out;
}

std::vector<std::string> camera_datasets() {
  std::vector<std::string> names;
  for (const auto& [name, text] : embedded_camera_tables()) names.emplace_back(name);
  return names;
}

std::vector<std::string> camera_subjects(const std::string& dataset) {
  std::vector<std::string> names;
  for (const auto& [subject, cams] : table_for(dataset).subjects) names.push_back(subject);
  return names;
}

std::vector<Camera> cameras(const std::string& dataset, const std::string& subject) {
  const Table& table = table_for(dataset);
  const std::string key =
      canonical_dataset(dataset) == "humaneva" ? without_subject_prefix(subject) : subject;
  for (const auto& [name, cams] : table.subjects)
    if (name == key) return cams;
  std::vector<std::string> known;
  for (const auto& [name, cams] : table.subjects) known.push_back(name);
  throw UsageError("no " + dataset + " cameras for subject '" + subject + "' (known: " + join(known) + ")");
}

}  // namespace lift3d::core
