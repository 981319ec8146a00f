// Telling pixels from normalised coordinates, and scaling normalised ones back to pixels.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "core/input_coordinates.hpp"
#include "lift3d/error.hpp"

namespace lift3d::core {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

// One frame per (x, y) pair of `points`, joint 0; score 1, or 0 for the pairs listed in `undetected`.
KeypointSequence points_clip(const std::vector<std::array<float, 2>>& points, const std::vector<int>& undetected = {}) {
  KeypointSequence seq;
  seq.frames = static_cast<int>(points.size());
  seq.joints = 1;
  seq.features = 3;
  for (int i = 0; i < seq.frames; ++i) {
    const bool missing = std::find(undetected.begin(), undetected.end(), i) != undetected.end();
    seq.values.insert(seq.values.end(), {points[i][0], points[i][1], missing ? 0.0f : 1.0f});
  }
  return seq;
}

CoordinateDecision auto_decision(const KeypointSequence& seq, int width = 1280, int height = 720,
                                 Coordinates declared = Coordinates::Pixels) {
  return decide_coordinates(seq, CoordinateChoice::Auto, declared, width, height, "clip.json");
}

TEST(InputCoordinates, PixelsArePixels) {
  const CoordinateDecision decision = auto_decision(points_clip({{640.5f, 300.0f}, {700.0f, 310.0f}}));
  EXPECT_EQ(decision.units, CoordinateUnits::Pixels);
  EXPECT_TRUE(decision.from_values);
}

TEST(InputCoordinates, ValuesWithinZeroOneAreNormalisedZeroOne) {
  const CoordinateDecision decision = auto_decision(points_clip({{0.25f, 0.31f}, {0.86f, 0.02f}}));
  EXPECT_EQ(decision.units, CoordinateUnits::ZeroToOne);
  EXPECT_EQ(decision.reason, "every x, y within [0.02, 0.86] on a 1280x720 pixel image");
  EXPECT_EQ(coordinate_units_name(decision.units), "normalised [0, 1]");
}

TEST(InputCoordinates, ANegativeMinimumMeansMinusOneToOne) {
  EXPECT_EQ(auto_decision(points_clip({{-0.5f, 0.3f}, {0.7f, -0.9f}})).units, CoordinateUnits::MinusOneToOne);
  // Within the margin a value just below 0 is still [0, 1] (a joint a hair outside the image).
  EXPECT_EQ(auto_decision(points_clip({{-0.04f, 0.3f}, {0.7f, 0.9f}})).units, CoordinateUnits::ZeroToOne);
}

TEST(InputCoordinates, UndetectedJointsDoNotCount) {
  // Pixels, plus an undetected joint at 0, 0: still pixels; normalised values plus an undetected
  // joint written as 0, 0 at a huge value (score 0): still normalised.
  EXPECT_EQ(auto_decision(points_clip({{640.0f, 300.0f}, {0.0f, 0.0f}}, {1})).units, CoordinateUnits::Pixels);
  EXPECT_EQ(auto_decision(points_clip({{0.5f, 0.5f}, {900.0f, 900.0f}}, {1})).units, CoordinateUnits::ZeroToOne);
  EXPECT_EQ(auto_decision(points_clip({{0.5f, 0.5f}, {NAN, 3.0f}})).units, CoordinateUnits::ZeroToOne);
}

TEST(InputCoordinates, MostlySmallValuesWithSomeLargeOnesAreUndecidable) {
  EXPECT_THAT([] { auto_decision(points_clip({{0.5f, 0.5f}, {0.6f, 0.4f}, {0.2f, 40.0f}})); },
              ThrowsMessage<UsageError>(HasSubstr("clip.json: cannot tell whether the coordinates are pixels or "
                                                  "normalised: 83% of the x, y values lie within [-1.05, 1.05] but "
                                                  "the rest reach [0.2, 40]; say which with --coordinates")));
}

TEST(InputCoordinates, ATinyImageMakesSmallValuesPixels) {
  EXPECT_EQ(auto_decision(points_clip({{0.5f, 0.5f}}), 32, 32).units, CoordinateUnits::Pixels);
}

TEST(InputCoordinates, AFormatThatDeclaresNormalisedIsBelieved) {
  // MediaPipe's off-screen landmarks reach beyond 1; the format's word decides.
  const CoordinateDecision decision =
      auto_decision(points_clip({{0.5f, 0.5f}, {0.6f, 1.7f}}), 640, 480, Coordinates::Normalized);
  EXPECT_EQ(decision.units, CoordinateUnits::ZeroToOne);
  EXPECT_FALSE(decision.from_values);
}

TEST(InputCoordinates, AsAskedForExceptNormalisedForPixelValues) {
  const KeypointSequence small = points_clip({{0.5f, 0.5f}});
  EXPECT_EQ(decide_coordinates(small, CoordinateChoice::Pixels, Coordinates::Unknown, 1280, 720, "x").units,
            CoordinateUnits::Pixels);
  EXPECT_EQ(decide_coordinates(small, CoordinateChoice::Normalized, Coordinates::Unknown, 1280, 720, "x").units,
            CoordinateUnits::ZeroToOne);
  EXPECT_THAT(
      [] {
        decide_coordinates(points_clip({{640.0f, 300.0f}}), CoordinateChoice::Normalized, Coordinates::Unknown, 1280,
                           720, "clip.json");
      },
      ThrowsMessage<UsageError>(HasSubstr("clip.json: coordinates normalised was asked for, but 100% of the x, y "
                                          "values lie beyond [-1.05, 1.05]")));
}

TEST(InputCoordinates, ScalesToPixels) {
  KeypointSequence zero_one = points_clip({{0.25f, 0.5f}, {NAN, 1.0f}});
  normalized_to_pixels(zero_one, CoordinateUnits::ZeroToOne, 1280, 720);
  EXPECT_EQ(zero_one.at(0, 0, 0), 320.0f);
  EXPECT_EQ(zero_one.at(0, 0, 1), 360.0f);
  EXPECT_TRUE(std::isnan(zero_one.at(1, 0, 0)));
  EXPECT_EQ(zero_one.at(1, 0, 1), 720.0f);
  EXPECT_EQ(zero_one.at(0, 0, 2), 1.0f);  // scores untouched
  KeypointSequence minus_one = points_clip({{-1.0f, 0.0f}, {0.5f, 1.0f}});
  normalized_to_pixels(minus_one, CoordinateUnits::MinusOneToOne, 1280, 720);
  EXPECT_EQ(minus_one.at(0, 0, 0), 0.0f);
  EXPECT_EQ(minus_one.at(0, 0, 1), 360.0f);
  EXPECT_EQ(minus_one.at(1, 0, 0), 960.0f);
  EXPECT_EQ(minus_one.at(1, 0, 1), 720.0f);
}

}  // namespace
}  // namespace lift3d::core
