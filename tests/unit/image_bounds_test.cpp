#include "core/image_bounds.hpp"

#include <cmath>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lift3d/error.hpp"

namespace lift3d::core {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

// frames x 2 joints, every keypoint at (x, y) with score 1.
KeypointSequence filled_with(int frames, float x, float y) {
  KeypointSequence seq;
  seq.frames = frames;
  seq.joints = 2;
  seq.features = 3;
  seq.values.resize(static_cast<std::size_t>(frames) * 2 * 3);
  for (int f = 0; f < frames; ++f)
    for (int j = 0; j < 2; ++j) seq.at(f, j, 0) = x, seq.at(f, j, 1) = y, seq.at(f, j, 2) = 1.0f;
  return seq;
}

TEST(ImageBounds, OneAbsurdValueIsMadeMissingTheRestKept) {
  KeypointSequence seq = filled_with(10, 320.0f, 240.0f);
  seq.at(4, 1, 0) = 1e30f;
  const FarOutside dropped = drop_keypoints_off_image(seq, 640, 480, 0.0f, "clip.json");
  EXPECT_EQ(dropped.count, 1);
  EXPECT_EQ(dropped.frame, 4);
  EXPECT_EQ(dropped.joint, 1);
  EXPECT_TRUE(std::isnan(seq.at(4, 1, 0)));
  EXPECT_EQ(seq.at(4, 1, 2), 0.0f);
  EXPECT_EQ(seq.at(4, 0, 0), 320.0f);
  EXPECT_EQ(seq.at(3, 1, 0), 320.0f);
}

TEST(ImageBounds, KeypointsJustBeyondTheEdgeAreKept) {
  // A wrist leaving the frame: up to one image side outside is a detector's honest guess.
  KeypointSequence seq = filled_with(10, 320.0f, 240.0f);
  seq.at(0, 0, 0) = -600.0f;  // within one width to the left
  seq.at(1, 0, 1) = 950.0f;   // within one height below
  EXPECT_EQ(drop_keypoints_off_image(seq, 640, 480, 0.0f, "clip.json").count, 0);
  seq.at(2, 0, 0) = -641.0f;  // beyond
  EXPECT_EQ(drop_keypoints_off_image(seq, 640, 480, 0.0f, "clip.json").count, 1);
}

TEST(ImageBounds, MostlyOutsideTheImageIsRefusedWithTheRanges) {
  KeypointSequence seq = filled_with(10, 5000.0f, 240.0f);
  EXPECT_THAT([&] { drop_keypoints_off_image(seq, 640, 480, 0.0f, "clip.json"); },
              ThrowsMessage<InputError>(HasSubstr("clip.json: 20 of 20 keypoints lie outside the 640x480 image "
                                                  "(x from 5000 to 5000, y from 240 to 240)")));
  // Half outside is still a sequence of this image (a person walking out of it).
  for (int f = 0; f < 5; ++f)
    for (int j = 0; j < 2; ++j) seq.at(f, j, 0) = 320.0f;
  EXPECT_NO_THROW(drop_keypoints_off_image(seq, 640, 480, 0.0f, "clip.json"));
}

TEST(ImageBounds, UnusableKeypointsAreNotCounted) {
  KeypointSequence seq = filled_with(4, 320.0f, 240.0f);
  for (int f = 0; f < 4; ++f) seq.at(f, 1, 0) = 1e9f, seq.at(f, 1, 2) = 0.0f;  // undetected: score 0
  EXPECT_EQ(drop_keypoints_off_image(seq, 640, 480, 0.0f, "clip.json").count, 0);
  for (int f = 0; f < 4; ++f) seq.at(f, 1, 2) = 0.2f;  // below --min-score 0.5
  EXPECT_EQ(drop_keypoints_off_image(seq, 640, 480, 0.5f, "clip.json").count, 0);
}

}  // namespace
}  // namespace lift3d::core
