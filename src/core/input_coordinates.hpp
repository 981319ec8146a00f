// What 2D keypoint coordinates are: pixels, or fractions of the image (OpenPose --keypoint_scale 3
// and MediaPipe write [0, 1], OpenPose --keypoint_scale 4 writes [-1, 1]; both with y down). Read
// as pixels, normalised values are a dot in the image's corner and every frame lifts to the same
// pose, so they are told apart from the values and scaled to pixels before anything else. A format
// that declares normalised [0, 1] coordinates (Detections2D::coordinates) is taken at its word; a
// format's "pixels" is not, since OpenPose writes either into the same kind of file.
#pragma once

#include <string>

#include "base/detections.hpp"
#include "lift3d/sequence.hpp"

namespace lift3d::core {

enum class CoordinateChoice { Auto, Pixels, Normalized };  // what the user asks for
enum class CoordinateUnits { Pixels, ZeroToOne, MinusOneToOne };

// The rule of Auto (and of the range for Normalized), over the x, y of the keypoints with finite
// values and a score above 0 (or no score):
// (Coordinates::Normalized declared by the format: [0, 1] without looking.)
//   - every value within [-kNormalizedBound, kNormalizedBound] (and, when the image size is known,
//     an image at least kMinImageSide pixels on its longer side): normalised;
//   - most values (more than half) within it but not all: undecidable, UsageError;
//   - otherwise pixels.
// A normalised range is [-1, 1] when the smallest value is below -kNegativeMargin, else [0, 1].
constexpr double kNormalizedBound = 1.05;
constexpr double kNegativeMargin = 0.05;
constexpr int kMinImageSide = 64;

struct CoordinateDecision {
  CoordinateUnits units = CoordinateUnits::Pixels;
  bool from_values = false;  // decided by the rule above (not asked for nor declared)
  std::string reason;        // why, for the note: "every x, y within [-0.01, 0.98]", "declared by the format"
};

// Throws UsageError naming `source` when Auto cannot decide, or Normalized is asked for values
// that are not (most beyond kNormalizedBound).
CoordinateDecision decide_coordinates(const KeypointSequence& seq, CoordinateChoice choice, Coordinates declared,
                                      int width, int height, const std::string& source);

// Normalised x, y to pixels of a width x height image, in place: [0, 1] times the size, [-1, 1]
// shifted by 1 and times half the size. Non-finite values stay as they are; scores are untouched.
void normalized_to_pixels(KeypointSequence& seq, CoordinateUnits units, int width, int height);

// "pixels", "normalised [0, 1]", "normalised [-1, 1]"
std::string coordinate_units_name(CoordinateUnits units);

}  // namespace lift3d::core
