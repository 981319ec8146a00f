// Keypoints stored as one numeric array: the keypoints.npz that MHFormer, StridedTransformer,
// PoseMamba and many VideoPose3D forks write (member `reconstruction`), a plain .npy, or a .npz
// holding one array.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>

#include "base/joint_sets.hpp"
#include "base/log.hpp"
#include "base/text.hpp"
#include "io/detection_collector.hpp"
#include "io/keypoint_files.hpp"
#include "io/npy.hpp"
#include "lift3d/error.hpp"

namespace lift3d::io {
namespace {

// MHFormer-style demos (gen_video_kpts, then h36m_coco_format) store `reconstruction` in Human3.6M
// joint order; that is the default for the member, overridden by --input-layout (VideoPose3D-style
// forks that store COCO order).
constexpr const char* kReconstructionLayout = "h36m";
constexpr int kMaxPeople = 1000;

struct NamedArray {
  Array array;
  std::string where;   // "reconstruction", "arr_0", or "" for a .npy
  bool reconstruction = false;
};

Array numeric(NpyContent content, const std::string& path, const std::string& member) {
  if (!content.array)
    throw InputError(path + ": " + (member.empty() ? "" : member + ": ") +
                     "an object (pickled) array, not numeric keypoints");
  return std::move(*content.array);
}

NamedArray load_array(const std::string& path) {
  std::string extension = std::filesystem::path(path).extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (extension == ".npy") return {numeric(read_npy(path), path, ""), "", false};
  const NpzFile npz(path);
  if (npz.contains("reconstruction")) return {numeric(npz.read("reconstruction"), path, "reconstruction"), "reconstruction", true};
  const std::vector<std::string> keys = npz.keys();
  if (keys.size() != 1)
    throw InputError(path + ": no 'reconstruction' array and not a single array (has: " +
                     (keys.empty() ? std::string("nothing") : join(keys)) + ")");
  return {numeric(npz.read(keys.front()), path, keys.front()), keys.front(), false};
}

std::string described(const NamedArray& named, const std::string& path) {
  return path + ": " + (named.where.empty() ? "" : named.where + ": ");
}

// The layout of `joints`-joint arrays: --input-layout, else h36m for `reconstruction`; a plain
// array says nothing of its joint order, so it needs --input-layout.
std::string array_layout(const NamedArray& named, int joints, const std::string& path,
                         const DetectionReadOptions& options) {
  std::string layout = options.layout;
  if (layout.empty() && named.reconstruction && joints == keypoint_layout(kReconstructionLayout).num_joints()) {
    layout = kReconstructionLayout;
    logger().info("{}: reconstruction array read in h36m joint order (as MHFormer-style demos write it); say "
                  "--input-layout coco for a file in coco order",
                  path);
  }
  if (layout.empty())
    throw UsageError(described(named, path) + "an array of " + std::to_string(joints) +
                     " joints does not say its joint order; say --input-layout (e.g. coco, h36m, body25, mediapipe33)");
  if (keypoint_layout(layout).num_joints() != joints)
    throw InputError(described(named, path) + std::to_string(joints) + " joints, but layout '" + layout + "' has " +
                     std::to_string(keypoint_layout(layout).num_joints()));
  return layout;
}

}  // namespace

Detections2D read_keypoint_array(const std::string& path, const DetectionReadOptions& options) {
  const NamedArray named = load_array(path);
  const std::vector<std::int64_t>& shape = named.array.shape;
  // (frames, joints, 2|3), or (people, frames, joints, 2|3) as MHFormer-style demos write it.
  if ((shape.size() != 3 && shape.size() != 4) || (shape.back() != 2 && shape.back() != 3))
    throw InputError(described(named, path) + "shape " + named.array.shape_string() +
                     ", expected (frames, joints, 2|3) or (people, frames, joints, 2|3)");
  const bool with_people = shape.size() == 4;
  const std::int64_t people = with_people ? shape[0] : 1;
  const std::int64_t frames = shape[shape.size() - 3], joints = shape[shape.size() - 2], channels = shape.back();
  if (people < 1 || people > kMaxPeople || frames < 1 || joints < 1 || joints > 1000)
    throw InputError(described(named, path) + "shape " + named.array.shape_string() + " holds no usable keypoints");
  const std::string layout = array_layout(named, static_cast<int>(joints), path, options);

  const std::vector<float> values = named.array.to_float();
  DetectionCollector collector(path, named.reconstruction ? "keypoints npz" : "keypoint array",
                               [&](int, const std::string&, const std::string&) { return layout; });
  std::vector<float> keypoints(static_cast<std::size_t>(joints) * 3);
  for (std::int64_t frame = 0; frame < frames; ++frame) {
    collector.add_frame(frame);
    for (std::int64_t person = 0; person < people; ++person) {
      const float* in = values.data() + ((person * frames + frame) * joints) * channels;
      bool any = false;
      for (std::int64_t j = 0; j < joints; ++j) {
        const float x = in[j * channels], y = in[j * channels + 1];
        const float score = channels == 3 ? in[j * channels + 2] : 1.0f;
        const bool usable = std::isfinite(x) && std::isfinite(y) && std::isfinite(score);
        keypoints[j * 3] = usable ? x : NAN;
        keypoints[j * 3 + 1] = usable ? y : NAN;
        keypoints[j * 3 + 2] = usable ? score : 0.0f;  // NaN or infinite: a missing joint
        any = any || (usable && score > 0.0f);
      }
      if (!any) continue;  // a person absent from this frame
      // Several people: the array's person index identifies each across frames.
      const std::optional<long long> track = people > 1 ? std::optional<long long>(person) : std::nullopt;
      collector.add(frame, keypoints, std::nan(""), track, path, named.where);
    }
  }
  if (collector.empty()) throw InputError(described(named, path) + "no finite keypoints in any frame");
  Detections2D detections = std::move(collector).finish();
  // keypoints.npz demos write pixels; a bare array does not say.
  detections.coordinates = named.reconstruction ? Coordinates::Pixels : Coordinates::Unknown;
  return detections;
}

}  // namespace lift3d::io
