#include "io/camera_file.hpp"

#include <cmath>

#include "io/json_support.hpp"

namespace lift3d::io {
namespace {

constexpr int kMaxImageSide = 65536;  // pixels; larger is a unit mistake, not a camera

template <std::size_t N>
std::array<float, N> float_vector(const nlohmann::json& value, const std::string& path, const std::string& where) {
  const nlohmann::json& array = json_array(value, path, where);
  if (array.size() != N)
    throw_json_error(path, where, "expected " + std::to_string(N) + " numbers, got " + std::to_string(array.size()));
  std::array<float, N> out{};
  for (std::size_t i = 0; i < N; ++i) out[i] = json_float(array[i], path, json_index_path(where, i));
  return out;
}

int image_side(const nlohmann::json& value, const std::string& path, const std::string& where) {
  const long long side = json_integer(value, path, where);
  if (side < 1 || side > kMaxImageSide)
    throw_json_error(path, where, "image size " + std::to_string(side) + " is outside 1.." + std::to_string(kMaxImageSide));
  return static_cast<int>(side);
}

// The intrinsic keys an entry holds, over what `camera` already has (a shared entry's values).
void read_intrinsics(const nlohmann::json& entry, const std::string& path, const std::string& where,
                     CameraEntry& camera) {
  if (const nlohmann::json* id = json_member(entry, "id")) camera.id = json_string(*id, path, json_key_path(where, "id"));
  if (const nlohmann::json* w = json_member(entry, "res_w")) camera.res_w = image_side(*w, path, json_key_path(where, "res_w"));
  if (const nlohmann::json* h = json_member(entry, "res_h")) camera.res_h = image_side(*h, path, json_key_path(where, "res_h"));
  if (const nlohmann::json* a = json_member(entry, "azimuth"))
    camera.azimuth = static_cast<int>(json_float(*a, path, json_key_path(where, "azimuth")));
  const nlohmann::json* focal = json_member(entry, "focal_length");
  const nlohmann::json* center = json_member(entry, "center");
  if ((focal == nullptr) != (center == nullptr))
    throw_json_error(path, where, "\"focal_length\" and \"center\" go together: give both or neither");
  if (focal != nullptr) {
    camera.has_intrinsics = true;
    camera.focal_length = float_vector<2>(*focal, path, json_key_path(where, "focal_length"));
    camera.center = float_vector<2>(*center, path, json_key_path(where, "center"));
    if (!(camera.focal_length[0] > 0 && camera.focal_length[1] > 0))
      throw_json_error(path, json_key_path(where, "focal_length"), "a focal length must be positive (pixels)");
  }
  if (const nlohmann::json* k = json_member(entry, "radial_distortion"))
    camera.radial_distortion = float_vector<3>(*k, path, json_key_path(where, "radial_distortion"));
  if (const nlohmann::json* p = json_member(entry, "tangential_distortion"))
    camera.tangential_distortion = float_vector<2>(*p, path, json_key_path(where, "tangential_distortion"));
}

void read_extrinsics(const nlohmann::json& entry, const std::string& path, const std::string& where,
                     CameraEntry& camera) {
  if (entry.empty()) return;  // listed without calibration, as Human3.6M's S2-S4
  camera.has_extrinsics = true;
  camera.orientation = float_vector<4>(json_required(entry, "orientation", path, where), path,
                                       json_key_path(where, "orientation"));
  camera.translation_mm = float_vector<3>(json_required(entry, "translation", path, where), path,
                                          json_key_path(where, "translation"));
  // The reference rotates by the quaternion without normalising it, so a far-from-unit one would
  // scale every point; a few 1e-7 of rounding in the tables is expected.
  double norm2 = 0;
  for (const float q : camera.orientation) norm2 += double(q) * q;
  if (std::fabs(std::sqrt(norm2) - 1.0) > 1e-3)
    throw_json_error(path, json_key_path(where, "orientation"),
                     "a rotation quaternion has length 1, this one " + std::to_string(std::sqrt(norm2)));
}

void check_complete(const CameraEntry& camera, const std::string& path, const std::string& where) {
  if (camera.id.empty()) throw_json_error(path, where, "the camera has no \"id\" (here or in \"cameras\")");
  if (camera.res_w == 0 || camera.res_h == 0)
    throw_json_error(path, where, "the camera has no image size \"res_w\"/\"res_h\" (here or in \"cameras\")");
}

std::vector<CameraEntry> shared_intrinsics(const nlohmann::json& doc, const std::string& path) {
  std::vector<CameraEntry> shared;
  const nlohmann::json* cameras = json_member(doc, "cameras");
  if (cameras == nullptr) return shared;
  const nlohmann::json& list = json_array(*cameras, path, "cameras");
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string where = json_index_path("cameras", i);
    CameraEntry camera;
    read_intrinsics(json_object(list[i], path, where), path, where, camera);
    shared.push_back(camera);
  }
  return shared;
}

std::vector<CameraEntry> subject_cameras(const nlohmann::json& list, const std::vector<CameraEntry>& shared,
                                         const std::string& path, const std::string& where) {
  json_array(list, path, where);
  if (!shared.empty() && list.size() != shared.size())
    throw_json_error(path, where, "lists " + std::to_string(list.size()) + " cameras, \"cameras\" " +
                                      std::to_string(shared.size()));
  if (list.empty()) throw_json_error(path, where, "lists no camera");
  std::vector<CameraEntry> out;
  for (std::size_t c = 0; c < list.size(); ++c) {
    const std::string at = json_index_path(where, c);
    CameraEntry camera = shared.empty() ? CameraEntry{} : shared[c];
    const nlohmann::json& entry = json_object(list[c], path, at);
    read_intrinsics(entry, path, at, camera);
    read_extrinsics(entry, path, at, camera);
    check_complete(camera, path, at);
    out.push_back(camera);
  }
  return out;
}

}  // namespace

CameraFile read_camera_file(const std::string& path) {
  const nlohmann::json doc = read_json_file(path);
  json_object(doc, path, "");
  CameraFile file;
  file.path = path;
  const std::vector<CameraEntry> shared = shared_intrinsics(doc, path);
  const nlohmann::json& extrinsics = json_object(json_required(doc, "extrinsics", path, ""), path, "extrinsics");
  for (const auto& [subject, list] : extrinsics.items())
    file.subjects.emplace_back(subject, subject_cameras(list, shared, path, json_key_path("extrinsics", subject)));
  if (file.subjects.empty()) throw_json_error(path, "extrinsics", "lists no subject");
  return file;
}

}  // namespace lift3d::io
