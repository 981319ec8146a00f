// The public C++ API through the shared library alone (this test links liblift3d.so, not the
// internals): the default model lifts the shipped sample as `lift3d infer` does, in-memory
// keypoints, errors a caller can catch, and the metrics.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "lift3d/lift3d.hpp"

namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

const std::string kSample = std::string(LIFT3D_SOURCE_DIR) + "/data/samples/cmu_02_06_coco.json";
const std::string kModel = std::string(LIFT3D_SOURCE_DIR) + "/data/models/default_coco_h36m_81f.bin";

TEST(Api, DescribesTheDefaultModel) {
  const lift3d::Model model = lift3d::Model::load(kModel);
  const lift3d::ModelInfo& info = model.info();
  EXPECT_EQ(info.architecture, "3,3,3,3");
  EXPECT_EQ(info.receptive_field, 81);
  EXPECT_EQ(info.channels, 256);
  EXPECT_EQ(info.input_joints, 17);
  EXPECT_EQ(info.output_joints, 17);
  EXPECT_FALSE(info.has_trajectory);
  ASSERT_EQ(info.output_joint_names.size(), 17u);
  EXPECT_EQ(info.output_joint_names[0], "pelvis");
}

TEST(Api, LiftsTheSampleAsTheCommandLineDoes) {
  const lift3d::Model model = lift3d::Model::load(kModel);
  const lift3d::KeypointSequence keypoints = lift3d::read_keypoint_file(kSample);
  ASSERT_GT(keypoints.frames, 100);
  EXPECT_GT(keypoints.image_width, 0);
  const lift3d::Poses3D lifted = model.lift(keypoints);
  ASSERT_EQ(lifted.poses.frames, keypoints.frames);
  ASSERT_EQ(lifted.poses.joints, 17);
  EXPECT_TRUE(lifted.root_relative);
  EXPECT_EQ(lifted.frame, lift3d::Frame::Camera);

  // Against the ground truth shipped with the sample (camera frame, metres): the default model's
  // documented error on it is 86.7 mm; a wrong pipeline gives hundreds.
  std::ifstream gt_file(std::string(LIFT3D_SOURCE_DIR) + "/data/samples/cmu_02_06_gt.npy", std::ios::binary);
  ASSERT_TRUE(gt_file);
  const std::string bytes((std::istreambuf_iterator<char>(gt_file)), std::istreambuf_iterator<char>());
  const std::size_t header = 10 + (static_cast<unsigned char>(bytes[8]) | static_cast<unsigned char>(bytes[9]) << 8);
  lift3d::PoseSequence truth(lifted.poses.frames, 17);
  ASSERT_EQ(bytes.size(), header + truth.values.size() * sizeof(float));
  std::memcpy(truth.values.data(), bytes.data() + header, truth.values.size() * sizeof(float));
  for (int t = 0; t < truth.frames; ++t)  // root-relative, as the model predicts
    for (int j = 16; j >= 0; --j)
      for (int d = 0; d < 3; ++d) truth.at(t, j, d) -= truth.at(t, 0, d);
  const lift3d::PoseErrors errors = lift3d::evaluate(lifted.poses, truth);
  EXPECT_NEAR(errors.mpjpe_mm, 87.590, 0.01);
  EXPECT_LT(errors.p_mpjpe_mm, errors.mpjpe_mm);
}

TEST(Api, MissingJointsAreFilledAndCounted) {
  const lift3d::Model model = lift3d::Model::load(kModel);
  lift3d::KeypointSequence keypoints = lift3d::read_keypoint_file(kSample);
  keypoints.at(10, 9, 2) = 0.0f;  // left wrist lost in one frame
  const lift3d::Poses3D lifted = model.lift(keypoints);
  EXPECT_EQ(lifted.filled_keypoints, 1);
}

TEST(Api, NeverSeenLegsAreFilledFromTheBodyModelAndMarked) {
  // A real sign-language clip (OpenPose, 1280x720): hips, knees and ankles never detected.
  const lift3d::Model model = lift3d::Model::load(kModel);
  lift3d::KeypointSequence keypoints = lift3d::read_keypoint_file(
      std::string(LIFT3D_FIXTURES_DIR) + "/real/upperbody/signlang_openpose_json");
  keypoints.image_width = 1280;
  keypoints.image_height = 720;
  const lift3d::Poses3D lifted = model.lift(keypoints);
  ASSERT_EQ(lifted.poses.frames, 9);
  EXPECT_EQ(lifted.filled_keypoints, 9 * 6);
  ASSERT_EQ(lifted.keypoint_names.size(), 17u);
  ASSERT_EQ(lifted.keypoint_fill.size(), 9u * 17u);
  for (int joint = 0; joint < 17; ++joint)
    EXPECT_EQ(lifted.keypoint_fill[4 * 17 + joint], joint >= 11 ? 2 : 0) << lifted.keypoint_names[joint];
  for (float value : lifted.poses.values) ASSERT_TRUE(std::isfinite(value));

  lift3d::LiftOptions refuse;
  refuse.missing_joints = lift3d::MissingJoints::Refuse;
  EXPECT_THAT([&] { model.lift(keypoints, refuse); },
              ThrowsMessage<lift3d::InputError>(HasSubstr("joints 'left_hip', 'right_hip', 'left_knee'")));
}

TEST(Api, NormalisedCoordinatesLiftLikePixels) {
  const lift3d::Model model = lift3d::Model::load(kModel);
  const lift3d::KeypointSequence pixels = lift3d::read_keypoint_file(kSample);
  lift3d::KeypointSequence normalised = pixels;
  for (int t = 0; t < normalised.frames; ++t)
    for (int j = 0; j < normalised.joints; ++j) {
      normalised.at(t, j, 0) /= static_cast<float>(normalised.image_width);
      normalised.at(t, j, 1) /= static_cast<float>(normalised.image_height);
    }
  const lift3d::Poses3D from_pixels = model.lift(pixels);
  const lift3d::Poses3D from_normalised = model.lift(normalised);  // told apart from the values
  ASSERT_EQ(from_normalised.poses.values.size(), from_pixels.poses.values.size());
  for (std::size_t i = 0; i < from_pixels.poses.values.size(); ++i)
    ASSERT_NEAR(from_normalised.poses.values[i], from_pixels.poses.values[i], 2e-6) << i;
  lift3d::LiftOptions as_pixels;  // asked to read them as pixels: a dot in the corner, a different pose
  as_pixels.coordinates = lift3d::InputCoordinates::Pixels;
  EXPECT_GT(std::abs(model.lift(normalised, as_pixels).poses.at(0, 3, 1) - from_pixels.poses.at(0, 3, 1)), 0.05f);
}

TEST(Api, WorldFrameStandsOnTheGround) {
  const lift3d::Model model = lift3d::Model::load(kModel);
  lift3d::LiftOptions options;
  options.frame = lift3d::Frame::World;
  const lift3d::Poses3D lifted = model.lift(lift3d::read_keypoint_file(kSample), options);
  float lowest = INFINITY;
  for (int t = 0; t < lifted.poses.frames; ++t)
    for (int j = 0; j < lifted.poses.joints; ++j) lowest = std::min(lowest, lifted.poses.at(t, j, 2));
  EXPECT_EQ(lowest, 0.0f);
  EXPECT_FALSE(lifted.root_relative);
}

TEST(Api, ErrorsAreTypedAndNameTheProblem) {
  EXPECT_THAT([] { lift3d::Model::load("/nonexistent/model.bin"); },
              ThrowsMessage<lift3d::ModelError>(HasSubstr("/nonexistent/model.bin")));
  const lift3d::Model model = lift3d::Model::load(kModel);
  lift3d::KeypointSequence wrong;
  wrong.frames = 5;
  wrong.joints = 15;
  wrong.values.assign(5 * 15 * 2, 0.5f);
  EXPECT_THROW(model.lift(wrong), lift3d::UsageError);
  lift3d::LiftOptions h36m;
  h36m.layout = "no-such-layout";
  EXPECT_THROW(model.lift(lift3d::read_keypoint_file(kSample), h36m), lift3d::UsageError);
  try {
    lift3d::read_keypoint_file("/nonexistent/keypoints.json");
    ADD_FAILURE() << "no error";
  } catch (const lift3d::Error& e) {  // the base class catches all
    EXPECT_THAT(e.what(), HasSubstr("/nonexistent/keypoints.json"));
  }
}

TEST(Api, VersionNamesTheRelease) {
  EXPECT_FALSE(lift3d::version().empty());
  EXPECT_FALSE(lift3d::commit().empty());
}

}  // namespace
