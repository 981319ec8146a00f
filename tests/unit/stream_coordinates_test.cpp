// A stream's coordinates: decided on the first frame that shows any (pixels, normalised [0, 1] or
// [-1, 1]), scaled to pixels, and held: a later frame that does not fit a normalised decision is
// refused, naming the line.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lift3d/error.hpp"
#include "pipeline/stream_coordinates.hpp"

namespace lift3d::pipeline {
namespace {

using ::testing::HasSubstr;

KeypointSequence frame_of(std::vector<float> xys) {  // x, y, score per keypoint
  KeypointSequence keypoints;
  keypoints.frames = 1;
  keypoints.joints = static_cast<int>(xys.size() / 3);
  keypoints.features = 3;
  keypoints.values = std::move(xys);
  return keypoints;
}

std::string refusal(StreamCoordinates& coordinates, KeypointSequence keypoints) {
  try {
    coordinates.to_pixels(keypoints, "<stdin>: line 9");
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(StreamCoordinates, FirstFrameDecidesAndLaterFramesAreScaledAlike) {
  StreamCoordinates coordinates(core::CoordinateChoice::Auto, 1000, 500);
  KeypointSequence first = frame_of({0.5f, 0.5f, 1, 0.25f, 0.75f, 0.9f});
  coordinates.to_pixels(first, "<stdin>: line 1");
  EXPECT_EQ(first.values, (std::vector<float>{500, 250, 1, 250, 375, 0.9f}));
  KeypointSequence later = frame_of({0.1f, 0.2f, 1, 1.0f, 1.0f, 1});
  coordinates.to_pixels(later, "<stdin>: line 2");
  EXPECT_EQ(later.values, (std::vector<float>{100, 100, 1, 1000, 500, 1}));
  EXPECT_THAT(refusal(coordinates, frame_of({500, 250, 1, 10, 10, 1})),
              HasSubstr("<stdin>: line 9: x, y within [10, 500] do not fit the coordinates the first frame gave "
                        "(normalised [0, 1]"));
  EXPECT_THAT(refusal(coordinates, frame_of({-0.5f, 0.5f, 1})), HasSubstr("do not fit"));  // [-1, 1] after [0, 1]
}

TEST(StreamCoordinates, SignedRangeAndPixelsAndFramesWithNothingToTell) {
  StreamCoordinates signed_range(core::CoordinateChoice::Auto, 1000, 500);
  KeypointSequence nothing = frame_of({0, 0, 0});  // no usable keypoint: nothing decided
  signed_range.to_pixels(nothing, "<stdin>: line 1");
  KeypointSequence first = frame_of({-0.5f, 0.0f, 1, 0.5f, 1.0f, 1});
  signed_range.to_pixels(first, "<stdin>: line 2");
  EXPECT_EQ(first.values, (std::vector<float>{250, 250, 1, 750, 500, 1}));

  StreamCoordinates pixels(core::CoordinateChoice::Auto, 1000, 500);
  KeypointSequence in_pixels = frame_of({500, 250, 1, 20, 30, 1});
  pixels.to_pixels(in_pixels, "<stdin>: line 1");
  EXPECT_EQ(in_pixels.values, (std::vector<float>{500, 250, 1, 20, 30, 1}));
  KeypointSequence corner = frame_of({0.5f, 0.5f, 1});  // pixels stay pixels, whatever the values
  pixels.to_pixels(corner, "<stdin>: line 2");
  EXPECT_EQ(corner.values, (std::vector<float>{0.5f, 0.5f, 1}));

  StreamCoordinates asked(core::CoordinateChoice::Normalized, 1000, 500);
  EXPECT_THAT(refusal(asked, frame_of({500, 250, 1, 20, 30, 1})), HasSubstr("coordinates normalised was asked for"));
}

}  // namespace
}  // namespace lift3d::pipeline
