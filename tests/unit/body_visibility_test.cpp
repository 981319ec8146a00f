// How much of the body a clip shows: never and rarely seen joints, and the refusal rule with the
// message that says what was seen.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/joint_sets.hpp"
#include "core/body_template.hpp"
#include "core/body_visibility.hpp"
#include "lift3d/error.hpp"

namespace lift3d::core {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

// frames x 17 COCO keypoints at (100 + joint, 200), score 0.9 where `seen(frame, joint)`, else 0.
template <typename Seen>
KeypointSequence clip(int frames, Seen seen) {
  KeypointSequence seq;
  seq.frames = frames;
  seq.joints = 17;
  seq.features = 3;
  for (int frame = 0; frame < frames; ++frame)
    for (int joint = 0; joint < 17; ++joint)
      seq.values.insert(seq.values.end(), {100.0f + joint, 200.0f, seen(frame, joint) ? 0.9f : 0.0f});
  return seq;
}

void check(const KeypointSequence& seq) {
  check_enough_seen(count_sightings(seq, 0.0f), torso_joints("coco"), head_joints("coco"),
                    keypoint_layout("coco").joint_names, "clip.json");
}

TEST(BodyVisibility, SortsJointsIntoNeverAndRarelySeen) {
  // 20 frames: the left knee (13) in 1 (5%), the right knee (14) in 2 (10%: not rare), ankles never.
  const KeypointSequence seq = clip(20, [](int frame, int joint) {
    if (joint == 13) return frame == 4;
    if (joint == 14) return frame < 2;
    return joint < 15;
  });
  const Sightings sightings = count_sightings(seq, 0.0f);
  EXPECT_THAT(sightings.never_seen, ElementsAre(15, 16));
  EXPECT_THAT(sightings.rarely_seen, ElementsAre(13));
  EXPECT_EQ(sightings.usable_frames[13], 1);
  EXPECT_EQ(sightings.usable_frames[14], 2);
  EXPECT_EQ(sightings.usable_frames[0], 20);
}

TEST(BodyVisibility, MinScoreDecidesWhatIsSeen) {
  KeypointSequence seq = clip(2, [](int, int) { return true; });
  seq.at(0, 3, 2) = seq.at(1, 3, 2) = 0.2f;
  EXPECT_THAT(count_sightings(seq, 0.3f).never_seen, ElementsAre(3));
  EXPECT_TRUE(count_sightings(seq, 0.0f).never_seen.empty());
}

TEST(BodyVisibility, UpperBodyIsEnough) {
  // Head, shoulders, arms: two torso joints and 11 in all.
  EXPECT_NO_THROW(check(clip(9, [](int, int joint) { return joint <= 10; })));
  // A webcam: the head and both shoulders (7 joints).
  EXPECT_NO_THROW(check(clip(9, [](int, int joint) { return joint <= 6; })));
  // One shoulder and one hip count as two torso joints.
  EXPECT_NO_THROW(check(clip(9, [](int, int joint) { return joint <= 5 || joint == 11; })));
}

TEST(BodyVisibility, OnlyTheHeadIsRefused) {
  EXPECT_THAT([] { check(clip(9, [](int, int joint) { return joint <= 4; })); },
              ThrowsMessage<InputError>(
                  HasSubstr("clip.json: too little of the body is seen for 3D: only the head is ever seen in 9 frames; "
                            "lifting needs at least 2 torso joints (left shoulder, right shoulder, left hip, "
                            "right hip) and 5 joints in all")));
}

TEST(BodyVisibility, TheHeadAndOneShoulderAreRefused) {
  EXPECT_THAT([] { check(clip(3, [](int, int joint) { return joint <= 5; })); },
              ThrowsMessage<InputError>(HasSubstr("only the head and left shoulder are ever seen in 3 frames")));
}

TEST(BodyVisibility, TwoShouldersAndANoseAreTooFewJoints) {
  // Two torso joints but three joints in all; joints seen in different frames count.
  EXPECT_THAT([] { check(clip(2, [](int frame, int joint) { return joint == 0 || joint == 5 + frame; })); },
              ThrowsMessage<InputError>(HasSubstr("only nose, left shoulder and right shoulder are ever seen")));
}

TEST(BodyVisibility, H36mCountsItsOwnTorsoJoints) {
  // Human3.6M from COCO: an upper-body clip shows thorax, neck/nose, head, shoulders, arms.
  const std::vector<std::string>& names = keypoint_layout("h36m").joint_names;
  KeypointSequence seq = clip(4, [](int, int joint) { return joint >= 8; });
  EXPECT_NO_THROW(check_enough_seen(count_sightings(seq, 0.0f), torso_joints("h36m"), head_joints("h36m"), names, "x"));
  seq = clip(4, [](int, int joint) { return joint == 9 || joint == 10 || joint == 11; });
  EXPECT_THAT([&] { check_enough_seen(count_sightings(seq, 0.0f), torso_joints("h36m"), head_joints("h36m"), names, "x"); },
              ThrowsMessage<InputError>(HasSubstr("only the head and left shoulder are ever seen")));
}

TEST(BodyVisibility, DescribesJointsInWords) {
  const std::vector<std::string>& names = keypoint_layout("coco").joint_names;
  EXPECT_EQ(describe_joints({0, 1, 2, 3, 4, 5, 7}, head_joints("coco"), names), "the head, left shoulder and left elbow");
  EXPECT_EQ(describe_joints({0, 1}, head_joints("coco"), names), "nose and left eye");
  EXPECT_EQ(describe_joints({16}, head_joints("coco"), names), "right ankle");
}

}  // namespace
}  // namespace lift3d::core
