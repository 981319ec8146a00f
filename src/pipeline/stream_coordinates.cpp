#include "pipeline/stream_coordinates.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

#include <fmt/format.h>

#include "base/log.hpp"
#include "lift3d/error.hpp"

namespace lift3d::pipeline {

StreamCoordinates::StreamCoordinates(core::CoordinateChoice choice, int width, int height)
    : choice_(choice), width_(width), height_(height) {}

namespace {

// The smallest and largest x, y of the keypoints the decision reads (finite, score above 0);
// low > high when there is none.
std::pair<float, float> usable_range(const KeypointSequence& keypoints) {
  float low = INFINITY, high = -INFINITY;
  for (int j = 0; j < keypoints.joints; ++j) {
    if (!(keypoints.at(0, j, 2) > 0)) continue;
    for (int k = 0; k < 2; ++k) {
      const float value = keypoints.at(0, j, k);
      if (!std::isfinite(value)) continue;
      low = std::min(low, value);
      high = std::max(high, value);
    }
  }
  return {low, high};
}

}  // namespace

// The x, y a normalised decision reads must lie in its range.
void StreamCoordinates::check_fits(const KeypointSequence& keypoints, const std::string& where) const {
  const auto [low, high] = usable_range(keypoints);
  if (low > high) return;
  const double lowest_allowed =
      decision_->units == core::CoordinateUnits::ZeroToOne ? -core::kNegativeMargin : -core::kNormalizedBound;
  if (low < lowest_allowed || high > core::kNormalizedBound)
    throw InputError(fmt::format("{}: x, y within [{:.3g}, {:.3g}] do not fit the coordinates the first frame gave "
                                 "({}, {}); give --coordinates pixels or normalized, and a stream whose first frame "
                                 "shows them",
                                 where, low, high, core::coordinate_units_name(decision_->units), decision_->reason));
}

void StreamCoordinates::to_pixels(KeypointSequence& keypoints, const std::string& where) {
  if (!decision_) {
    const auto [low, high] = usable_range(keypoints);
    if (low > high) return;  // nothing to tell from (the frame has no usable keypoint to lift either)
    try {
      core::CoordinateDecision decision =
          core::decide_coordinates(keypoints, choice_, Coordinates::Unknown, width_, height_, where);
      decision_ = decision;
    } catch (const UsageError& e) {  // this frame cannot tell: a bad line, the next one may
      throw InputError(e.what());
    }
    const std::string units = core::coordinate_units_name(decision_->units);
    if (decision_->units == core::CoordinateUnits::Pixels)
      logger().debug("{}: coordinates are pixels ({}); held for the whole stream", where, decision_->reason);
    else
      logger().info("{}: coordinates are {} ({}): scaled to pixels of the {}x{} image; held for the whole stream", where,
                    units, decision_->reason, width_, height_);
  } else if (decision_->units != core::CoordinateUnits::Pixels) {
    check_fits(keypoints, where);
  }
  if (decision_->units != core::CoordinateUnits::Pixels)
    core::normalized_to_pixels(keypoints, decision_->units, width_, height_);
}

}  // namespace lift3d::pipeline
