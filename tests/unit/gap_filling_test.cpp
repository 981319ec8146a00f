// core::fill_keypoint_gaps: per-joint linear interpolation over time, ends held, counts, errors.
// (The golden against np.interp on a real sequence is in keypoint_readers_test, FillsGapsLikeNpInterp.)
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "core/gap_filling.hpp"
#include "lift3d/error.hpp"

namespace lift3d::core {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

// One joint per column of `xs` (x = value, y = 10 * value), scores from `scores`.
KeypointSequence sequence(const std::vector<std::vector<float>>& xs, const std::vector<std::vector<float>>& scores) {
  KeypointSequence seq;
  seq.frames = static_cast<int>(xs.size());
  seq.joints = static_cast<int>(xs.front().size());
  seq.features = 3;
  seq.values.resize(static_cast<std::size_t>(seq.frames) * seq.joints * 3);
  for (int f = 0; f < seq.frames; ++f)
    for (int j = 0; j < seq.joints; ++j) {
      seq.at(f, j, 0) = xs[f][j];
      seq.at(f, j, 1) = 10.0f * xs[f][j];
      seq.at(f, j, 2) = scores[f][j];
    }
  return seq;
}

std::vector<float> column(const KeypointSequence& seq, int joint, int feature) {
  std::vector<float> values;
  for (int f = 0; f < seq.frames; ++f) values.push_back(seq.at(f, joint, feature));
  return values;
}

GapFillOptions options(float min_score = 0.0f) {
  GapFillOptions result;
  result.min_score = min_score;
  result.source = "clip.json";
  result.joint_names = {"nose", "left_eye"};
  return result;
}

TEST(GapFilling, InterpolatesLinearlyInsideAGap) {
  KeypointSequence seq = sequence({{0}, {99}, {99}, {99}, {8}}, {{1}, {0}, {0}, {0}, {1}});
  const GapFillResult result = fill_keypoint_gaps(seq, options());
  EXPECT_THAT(column(seq, 0, 0), ElementsAre(0, 2, 4, 6, 8));
  EXPECT_THAT(column(seq, 0, 1), ElementsAre(0, 20, 40, 60, 80));
  EXPECT_EQ(result.filled, 3);
}

TEST(GapFilling, HoldsTheNearestValueAtBothEnds) {
  KeypointSequence seq = sequence({{99}, {99}, {3}, {5}, {99}}, {{0}, {0}, {1}, {1}, {0}});
  fill_keypoint_gaps(seq, options());
  EXPECT_THAT(column(seq, 0, 0), ElementsAre(3, 3, 3, 5, 5));
}

TEST(GapFilling, LeavesScoresAsTheyWere) {
  KeypointSequence seq = sequence({{0}, {99}, {2}}, {{1}, {0.1f}, {1}});
  fill_keypoint_gaps(seq, options(0.5f));
  EXPECT_THAT(column(seq, 0, 0), ElementsAre(0, 1, 2));
  EXPECT_THAT(column(seq, 0, 2), ElementsAre(1, 0.1f, 1));
}

TEST(GapFilling, ScoreZeroIsMissingEvenWithoutAThreshold) {
  KeypointSequence seq = sequence({{0}, {0}, {4}}, {{1}, {0}, {1}});  // OpenPose writes 0, 0, 0
  EXPECT_EQ(fill_keypoint_gaps(seq, options(0.0f)).filled, 1);
  EXPECT_EQ(seq.at(1, 0, 0), 2.0f);
}

TEST(GapFilling, ThresholdIsInclusive) {
  KeypointSequence seq = sequence({{0}, {7}, {4}}, {{1}, {0.3f}, {1}});
  EXPECT_EQ(fill_keypoint_gaps(seq, options(0.3f)).filled, 0);
  EXPECT_EQ(seq.at(1, 0, 0), 7.0f);
}

TEST(GapFilling, NonFiniteCoordinatesAreMissing) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  KeypointSequence seq = sequence({{0}, {nan}, {4}}, {{1}, {1}, {1}});
  EXPECT_EQ(fill_keypoint_gaps(seq, options()).filled, 1);
  EXPECT_EQ(seq.at(1, 0, 0), 2.0f);
  EXPECT_EQ(seq.at(1, 0, 1), 20.0f);
}

TEST(GapFilling, WorksOnSequencesWithoutScores) {
  KeypointSequence seq;
  seq.frames = 3;
  seq.joints = 1;
  seq.features = 2;
  seq.values = {0, 0, std::numeric_limits<float>::infinity(), 1, 4, 2};
  EXPECT_EQ(fill_keypoint_gaps(seq, options()).filled, 1);
  EXPECT_THAT(seq.values, ElementsAre(0, 0, 2, 1, 4, 2));
}

TEST(GapFilling, JointsAreIndependentAndCountedSeparately) {
  KeypointSequence seq = sequence({{0, 5}, {99, 6}, {2, 99}, {3, 99}}, {{1, 1}, {0, 1}, {1, 0}, {1, 0}});
  const GapFillResult result = fill_keypoint_gaps(seq, options());
  EXPECT_THAT(column(seq, 0, 0), ElementsAre(0, 1, 2, 3));
  EXPECT_THAT(column(seq, 1, 0), ElementsAre(5, 6, 6, 6));
  EXPECT_EQ(result.filled, 3);
  EXPECT_THAT(result.filled_per_joint, ElementsAre(1, 2));
}

TEST(GapFilling, RoundsOnceFromDoubleLikeNpInterp) {
  // 1/3 of the way from 0.1f to 1.1f: computed in double, rounded once to float.
  KeypointSequence seq = sequence({{0.1f}, {99}, {99}, {1.1f}}, {{1}, {0}, {0}, {1}});
  fill_keypoint_gaps(seq, options());
  const double y0 = 0.1f, y1 = 1.1f;
  EXPECT_EQ(seq.at(1, 0, 0), static_cast<float>((y1 - y0) / 3.0 * 1.0 + y0));
  EXPECT_EQ(seq.at(2, 0, 0), static_cast<float>((y1 - y0) / 3.0 * 2.0 + y0));
}

TEST(GapFilling, NothingUsableNamesTheFileAndThreshold) {
  KeypointSequence seq = sequence({{1, 1}, {1, 1}}, {{0.1f, 0.2f}, {0.2f, 0.1f}});
  EXPECT_THAT([&] { fill_keypoint_gaps(seq, options(0.3f)); },
              ThrowsMessage<InputError>("clip.json: no usable keypoints (not detected or below --min-score 0.3 in all 2 frames)"));
}

TEST(GapFilling, AJointNeverSeenIsAnError) {
  KeypointSequence seq = sequence({{1, 1}, {1, 1}, {1, 1}}, {{1, 0}, {1, 0}, {1, 0.1f}});
  EXPECT_THAT([&] { fill_keypoint_gaps(seq, options(0.3f)); },
              ThrowsMessage<InputError>(
                  "clip.json: joint 'left_eye' is never usable (not detected or below --min-score 0.3 in all 3 frames)"));
  GapFillOptions unnamed = options(0.3f);
  unnamed.joint_names.clear();
  EXPECT_THAT([&] { fill_keypoint_gaps(seq, unnamed); }, ThrowsMessage<InputError>(HasSubstr("joint 1 is never")));
}

TEST(GapFilling, SeveralJointsNeverSeenAreNamedTogether) {
  KeypointSequence seq = sequence({{1, 1, 1}, {1, 1, 1}}, {{1, 0, 0}, {1, 0, 0}});
  GapFillOptions named = options();
  named.joint_names = {"nose", "left_hip", "right_hip"};
  EXPECT_THAT([&] { fill_keypoint_gaps(seq, named); },
              ThrowsMessage<InputError>(
                  "clip.json: joints 'left_hip', 'right_hip' are never usable (not detected in all 2 frames)"));
}

TEST(GapFilling, JointsLeftMissingAreNeitherFilledNorRefused) {
  // Joint 1 is never seen and joint 2 seen once: both left for the body model, untouched.
  KeypointSequence seq = sequence({{1, 7, 5}, {2, 7, 99}, {4, 7, 99}}, {{1, 0, 1}, {0, 0, 0}, {1, 0, 0}});
  GapFillOptions left = options();
  left.joint_names = {"nose", "left_hip", "right_hip"};
  left.left_missing = {1, 2};
  const GapFillResult result = fill_keypoint_gaps(seq, left);
  EXPECT_THAT(column(seq, 0, 0), ElementsAre(1, 2.5, 4));
  EXPECT_THAT(column(seq, 1, 0), ElementsAre(7, 7, 7));
  EXPECT_THAT(column(seq, 2, 0), ElementsAre(5, 99, 99));
  EXPECT_THAT(result.filled_per_joint, ElementsAre(1, 0, 0));
  EXPECT_THAT(result.filled_mask, ElementsAre(0, 0, 0, 1, 0, 0, 0, 0, 0));
}

TEST(GapFilling, EmptySequenceIsAnError) {
  KeypointSequence seq;
  seq.joints = 17;
  seq.features = 3;
  EXPECT_THAT([&] { fill_keypoint_gaps(seq, options()); }, ThrowsMessage<InputError>("clip.json: no frames"));
}

TEST(GapFilling, CompleteSequenceIsUntouched) {
  KeypointSequence seq = sequence({{1, 2}, {3, 4}}, {{0.5f, 0.6f}, {0.7f, 0.8f}});
  const std::vector<float> before = seq.values;
  EXPECT_EQ(fill_keypoint_gaps(seq, options(0.5f)).filled, 0);
  EXPECT_EQ(seq.values, before);
}

TEST(GapFilling, UsableMeansFiniteAndScoredHighEnough) {
  KeypointSequence seq = sequence({{1}, {1}, {1}}, {{0.5f}, {0.49f}, {0}});
  EXPECT_TRUE(keypoint_usable(seq, 0, 0, 0.5f));
  EXPECT_FALSE(keypoint_usable(seq, 1, 0, 0.5f));
  EXPECT_TRUE(keypoint_usable(seq, 1, 0, 0.0f));
  EXPECT_FALSE(keypoint_usable(seq, 2, 0, 0.0f));
}

}  // namespace
}  // namespace lift3d::core
