#include "core/input_coordinates.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "lift3d/error.hpp"

namespace lift3d::core {
namespace {

struct ValueSummary {
  long long count = 0;
  long long within = 0;  // |value| <= kNormalizedBound
  double min = 0.0, max = 0.0;
};

ValueSummary summarise(const KeypointSequence& seq) {
  ValueSummary summary;
  bool first = true;
  for (int frame = 0; frame < seq.frames; ++frame)
    for (int joint = 0; joint < seq.joints; ++joint) {
      const float x = seq.at(frame, joint, 0), y = seq.at(frame, joint, 1);
      if (!std::isfinite(x) || !std::isfinite(y)) continue;
      if (seq.features >= 3 && !(seq.at(frame, joint, 2) > 0.0f)) continue;
      for (const double value : {static_cast<double>(x), static_cast<double>(y)}) {
        summary.min = first ? value : std::min(summary.min, value);
        summary.max = first ? value : std::max(summary.max, value);
        first = false;
        ++summary.count;
        if (std::abs(value) <= kNormalizedBound) ++summary.within;
      }
    }
  return summary;
}

CoordinateUnits normalized_range(const ValueSummary& values) {
  return values.min < -kNegativeMargin ? CoordinateUnits::MinusOneToOne : CoordinateUnits::ZeroToOne;
}

std::string range_text(const ValueSummary& values) { return fmt::format("[{:.3g}, {:.3g}]", values.min, values.max); }

}  // namespace

std::string coordinate_units_name(CoordinateUnits units) {
  switch (units) {
    case CoordinateUnits::Pixels: return "pixels";
    case CoordinateUnits::ZeroToOne: return "normalised [0, 1]";
    case CoordinateUnits::MinusOneToOne: return "normalised [-1, 1]";
  }
  return "pixels";
}

CoordinateDecision decide_coordinates(const KeypointSequence& seq, CoordinateChoice choice, Coordinates declared,
                                      int width, int height, const std::string& source) {
  CoordinateDecision decision;
  const ValueSummary values = summarise(seq);
  const double share_within = values.count ? static_cast<double>(values.within) / values.count : 0.0;
  const std::string bound = fmt::format("[-{0:g}, {0:g}]", kNormalizedBound);
  if (choice == CoordinateChoice::Pixels) {
    decision.reason = "asked for";
    return decision;
  }
  if (choice == CoordinateChoice::Normalized) {
    if (values.count > 0 && share_within <= 0.5)
      throw UsageError(fmt::format("{}: coordinates normalised was asked for, but {:.0f}% of the x, y values lie "
                                   "beyond {} (values within {})",
                                   source, 100.0 * (1.0 - share_within), bound, range_text(values)));
    decision.units = normalized_range(values);
    decision.reason = values.count ? "asked for; the range from the smallest value, x, y within " + range_text(values)
                                   : "asked for";
    return decision;
  }
  if (declared == Coordinates::Normalized) {
    decision.units = CoordinateUnits::ZeroToOne;
    decision.reason = "as the format declares";
    return decision;
  }
  // Pixels as a format's word is not taken: OpenPose, for one, writes pixels or (--keypoint_scale)
  // fractions of the image in the same files, so the values decide.
  if (values.count == 0) {
    decision.reason = "no usable keypoint to tell";
    return decision;
  }
  decision.from_values = true;
  const bool small_image = width > 0 && height > 0 && std::max(width, height) < kMinImageSide;
  if (values.within == values.count && !small_image) {
    decision.units = normalized_range(values);
    decision.reason = "every x, y within " + range_text(values) +
                      (width > 0 && height > 0 ? fmt::format(" on a {}x{} pixel image", width, height) : "");
    return decision;
  }
  if (share_within > 0.5 && !small_image)
    throw UsageError(fmt::format("{}: cannot tell whether the coordinates are pixels or normalised: {:.0f}% of the x, y "
                                 "values lie within {} but the rest reach {}; say which with --coordinates "
                                 "pixels|normalized",
                                 source, 100.0 * share_within, bound, range_text(values)));
  decision.reason = "x, y within " + range_text(values);
  return decision;
}

void normalized_to_pixels(KeypointSequence& seq, CoordinateUnits units, int width, int height) {
  if (units == CoordinateUnits::Pixels) return;
  const double size[2] = {static_cast<double>(width), static_cast<double>(height)};
  for (int frame = 0; frame < seq.frames; ++frame)
    for (int joint = 0; joint < seq.joints; ++joint)
      for (int axis = 0; axis < 2; ++axis) {
        float& value = seq.at(frame, joint, axis);
        if (!std::isfinite(value)) continue;
        const double pixels = units == CoordinateUnits::ZeroToOne ? value * size[axis] : (value + 1.0) * 0.5 * size[axis];
        value = static_cast<float>(pixels);
      }
}

}  // namespace lift3d::core
