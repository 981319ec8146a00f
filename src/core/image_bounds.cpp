#include "core/image_bounds.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "core/gap_filling.hpp"
#include "lift3d/error.hpp"

namespace lift3d::core {
namespace {

struct Box {
  double min_x, min_y, max_x, max_y;
  bool contains(double x, double y) const { return x >= min_x && x <= max_x && y >= min_y && y <= max_y; }
};

// The image grown by `sides` of its width and height on every side.
Box image_grown_by(int width, int height, double sides) {
  return {-sides * width, -sides * height, (1.0 + sides) * width, (1.0 + sides) * height};
}

// Throws when more than half of the usable keypoints lie outside the image and its margin.
void check_keypoints_fit_image(const KeypointSequence& seq, int width, int height, float min_score,
                               const std::string& source) {
  const Box near_image = image_grown_by(width, height, kImageMargin);
  long long usable = 0, outside = 0;
  double min_x = std::numeric_limits<double>::infinity(), max_x = -min_x, min_y = min_x, max_y = -min_x;
  for (int f = 0; f < seq.frames; ++f)
    for (int j = 0; j < seq.joints; ++j) {
      if (!keypoint_usable(seq, f, j, min_score)) continue;
      const double x = seq.at(f, j, 0), y = seq.at(f, j, 1);
      ++usable;
      outside += !near_image.contains(x, y);
      min_x = std::min(min_x, x), max_x = std::max(max_x, x), min_y = std::min(min_y, y), max_y = std::max(max_y, y);
    }
  if (2 * outside <= usable) return;
  throw InputError(fmt::format(
      "{}: {} of {} keypoints lie outside the {}x{} image (x from {:.4g} to {:.4g}, y from {:.4g} to {:.4g}): the "
      "image size or the coordinates are wrong; give the frames' size with --image-size WxH, or --coordinates",
      source, outside, usable, width, height, min_x, max_x, min_y, max_y));
}

}  // namespace

FarOutside drop_keypoints_off_image(KeypointSequence& seq, int width, int height, float min_score,
                                    const std::string& source) {
  check_keypoints_fit_image(seq, width, height, min_score, source);
  const Box far_limit = image_grown_by(width, height, 1.0);
  constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
  FarOutside dropped;
  for (int f = 0; f < seq.frames; ++f)
    for (int j = 0; j < seq.joints; ++j) {
      if (!keypoint_usable(seq, f, j, min_score)) continue;
      const double x = seq.at(f, j, 0), y = seq.at(f, j, 1);
      if (far_limit.contains(x, y)) continue;
      if (dropped.count++ == 0) dropped.frame = f, dropped.joint = j, dropped.x = x, dropped.y = y;
      seq.at(f, j, 0) = kNaN;
      seq.at(f, j, 1) = kNaN;
      if (seq.features > 2) seq.at(f, j, 2) = 0.0f;
    }
  return dropped;
}

}  // namespace lift3d::core
