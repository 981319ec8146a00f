#include "pipeline/camera_rigs.hpp"

#include <algorithm>

#include "base/text.hpp"
#include "io/camera_file.hpp"
#include "lift3d/error.hpp"

namespace lift3d::pipeline {
namespace {

core::Camera to_camera(const io::CameraEntry& entry) {
  core::Camera camera;
  camera.id = entry.id;
  camera.res_w = entry.res_w;
  camera.res_h = entry.res_h;
  camera.azimuth = entry.azimuth;
  camera.has_intrinsics = entry.has_intrinsics;
  camera.focal_length = entry.focal_length;
  camera.center = entry.center;
  camera.radial_distortion = entry.radial_distortion;
  camera.tangential_distortion = entry.tangential_distortion;
  camera.has_extrinsics = entry.has_extrinsics;
  camera.orientation = entry.orientation;
  camera.translation_mm = entry.translation_mm;
  return camera;
}

}  // namespace

CameraRigs CameraRigs::built_in(core::Dataset dataset) {
  CameraRigs rigs;
  rigs.dataset_ = core::dataset_name(dataset);
  rigs.origin_ = "the " + rigs.dataset_ + " tables";
  return rigs;
}

CameraRigs CameraRigs::from_file(const std::string& path) {
  const io::CameraFile file = io::read_camera_file(path);
  CameraRigs rigs;
  rigs.origin_ = path;
  for (const auto& [subject, entries] : file.subjects) {
    std::vector<core::Camera> cameras;
    for (const io::CameraEntry& entry : entries) cameras.push_back(to_camera(entry));
    rigs.subjects_.emplace_back(subject, std::move(cameras));
  }
  return rigs;
}

CameraRigs CameraRigs::chosen(const std::string& path, core::Dataset dataset) {
  return path.empty() ? built_in(dataset) : from_file(path);
}

std::vector<core::Camera> CameraRigs::of(const std::string& subject) const {
  if (!dataset_.empty()) return core::cameras(dataset_, subject);
  // HumanEva's data names a subject "Train/S1", "Validate/S1", ...: as in the built-in table, a
  // file's "S1" serves them all unless it lists the prefixed name itself.
  for (const std::string& name : {subject, core::without_subject_prefix(subject)})
    for (const auto& [listed, cameras] : subjects_)
      if (listed == name) return cameras;
  std::vector<std::string> known;
  for (const auto& [name, cameras] : subjects_) known.push_back(name);
  constexpr std::size_t kNamesShown = 12;  // a file may hold hundreds of rigs
  const std::size_t shown = std::min(known.size(), kNamesShown);
  std::string listed = join(std::vector<std::string>(known.begin(), known.begin() + static_cast<std::ptrdiff_t>(shown)));
  if (shown < known.size()) listed += ", ... (" + std::to_string(known.size()) + " in all)";
  throw InputError(origin_ + ": no cameras for subject '" + subject + "' (has: " + listed + ")");
}

}  // namespace lift3d::pipeline
