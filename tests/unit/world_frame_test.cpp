// The reference renderer's world frame for in-the-wild output, against goldens computed by
// tools/make_format_fixtures.py with VideoPose3D's qrot / camera_to_world formula in float32
// (tests/fixtures/formats/world_frame.json).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include <nlohmann/json.hpp>

#include "core/camera.hpp"
#include "core/world_frame.hpp"

namespace lift3d::core {
namespace {

// Same float32 operations in a different compiler order (and possibly FMA) may move the last bit.
constexpr float kTolerance = 2e-6f;

nlohmann::json golden() {
  std::ifstream in(std::string(LIFT3D_FIXTURES_DIR) + "/formats/world_frame.json");
  return nlohmann::json::parse(in);
}

PoseSequence to_poses(const nlohmann::json& frames) {
  PoseSequence poses(static_cast<int>(frames.size()), static_cast<int>(frames[0].size()));
  for (int f = 0; f < poses.frames; ++f)
    for (int j = 0; j < poses.joints; ++j)
      for (int k = 0; k < 3; ++k) poses.at(f, j, k) = frames[f][j][k].get<float>();
  return poses;
}

void expect_near(const PoseSequence& actual, const PoseSequence& wanted) {
  ASSERT_EQ(actual.frames, wanted.frames);
  ASSERT_EQ(actual.joints, wanted.joints);
  float worst = 0.0f;
  std::size_t worst_index = 0;
  for (std::size_t i = 0; i < actual.values.size(); ++i) {
    const float error = std::fabs(actual.values[i] - wanted.values[i]);
    if (!(error <= worst)) {
      worst = error;
      worst_index = i;
    }
  }
  EXPECT_LE(worst, kTolerance) << "worst at value " << worst_index << ": " << actual.values[worst_index] << " vs "
                               << wanted.values[worst_index];
}

TEST(WorldFrame, ReferenceOrientationIsTheCustomDatasetDummyCamera) {
  const nlohmann::json g = golden();
  const std::array<float, 4>& q = reference_render_orientation();
  for (int i = 0; i < 4; ++i) EXPECT_EQ(q[i], g["orientation_wxyz"][i].get<float>());
}

TEST(WorldFrame, RotatesAndPutsTheLowestJointOnTheFloor) {
  const nlohmann::json g = golden();
  expect_near(reference_world_from_camera(to_poses(g["camera"])), to_poses(g["world_rebased"]));
}

TEST(WorldFrame, FloorIsOneGlobalMinimumOverAllFrames) {
  const PoseSequence world = reference_world_from_camera(to_poses(golden()["camera"]));
  float lowest = INFINITY;
  int frames_touching_floor = 0;
  for (int f = 0; f < world.frames; ++f) {
    float frame_lowest = INFINITY;
    for (int j = 0; j < world.joints; ++j) frame_lowest = std::min(frame_lowest, world.at(f, j, 2));
    lowest = std::min(lowest, frame_lowest);
    frames_touching_floor += frame_lowest == 0.0f ? 1 : 0;
  }
  EXPECT_EQ(lowest, 0.0f);
  EXPECT_EQ(frames_touching_floor, 1);  // not rebased per frame, as MMPose does
}

TEST(WorldFrame, RotationAloneMatchesCameraToWorldWithoutTranslation) {
  const nlohmann::json g = golden();
  Camera camera;
  camera.has_extrinsics = true;
  camera.orientation = reference_render_orientation();
  expect_near(camera_to_world(to_poses(g["camera"]), camera), to_poses(g["world_rotated"]));
}

TEST(WorldFrame, TranslationIsAddedAfterRotation) {
  const nlohmann::json g = golden();
  Camera camera;
  camera.has_extrinsics = true;
  camera.orientation = reference_render_orientation();
  camera.translation_mm = {1841.1070556640625f, 4955.28466796875f, 1563.4454345703125f};
  for (int k = 0; k < 3; ++k) EXPECT_EQ(camera.translation_m()[k], g["translation_m"][k].get<float>());
  expect_near(camera_to_world(to_poses(g["camera"]), camera), to_poses(g["world_translated"]));
}

TEST(WorldFrame, RebaseReturnsTheSubtractedHeight) {
  PoseSequence poses(2, 2);
  poses.values = {0, 0, 1.5f, 0, 0, 2.0f, 0, 0, 0.25f, 0, 0, 3.0f};
  EXPECT_EQ(rebase_height_to_floor(poses), 0.25f);
  EXPECT_EQ(poses.at(0, 0, 2), 1.25f);
  EXPECT_EQ(poses.at(1, 0, 2), 0.0f);
  EXPECT_EQ(poses.at(0, 0, 0), 0.0f);  // x and y untouched
}

TEST(WorldFrame, EmptySequenceStaysEmpty) {
  PoseSequence empty;
  EXPECT_EQ(rebase_height_to_floor(empty), 0.0f);
  EXPECT_EQ(reference_world_from_camera(empty).frames, 0);
}

TEST(WorldFrame, ZIsUpForAnUprightPersonInCameraSpace) {
  // Camera y points down: a head above the feet in the image must end up higher in world z.
  PoseSequence person(1, 2);
  person.values = {0, 0.8f, 4.0f, 0, -0.8f, 4.0f};  // feet, head
  const PoseSequence world = reference_world_from_camera(person);
  EXPECT_GT(world.at(0, 1, 2), world.at(0, 0, 2) + 1.0f);
}

// Frame by frame (a live stream): the same rotation; heights from the lowest joint so far. From the
// frame holding the sequence's lowest joint on, equal to the whole-sequence world frame; before it,
// every joint of a frame lower by the same amount (its floor minus the sequence's).
TEST(WorldFrame, RunningFloorEqualsTheWholeSequenceFromItsLowestFrameOn) {
  PoseSequence camera(6, 3);
  for (int f = 0; f < camera.frames; ++f)
    for (int j = 0; j < camera.joints; ++j) {
      camera.at(f, j, 0) = 0.1f * j - 0.05f * f;
      camera.at(f, j, 1) = 0.8f * (j - 1) + (f == 3 ? 0.3f : 0.02f * f);  // y down: frame 3 reaches lowest
      camera.at(f, j, 2) = 4.0f + 0.01f * f;
    }
  const PoseSequence whole = reference_world_from_camera(camera);
  RunningWorldFrame running;
  float floor_so_far = INFINITY;  // in the whole sequence's heights
  int lowest_frame = 0;
  float lowest = INFINITY;
  for (int f = 0; f < camera.frames; ++f)
    for (int j = 0; j < camera.joints; ++j)
      if (whole.at(f, j, 2) < lowest) {
        lowest = whole.at(f, j, 2);
        lowest_frame = f;
      }
  ASSERT_EQ(lowest_frame, 3);
  float previous_floor = INFINITY;
  for (int f = 0; f < camera.frames; ++f) {
    std::vector<float> frame(camera.values.begin() + f * 9, camera.values.begin() + (f + 1) * 9);
    running.apply(frame);
    EXPECT_LE(running.floor(), previous_floor);
    previous_floor = running.floor();
    for (int j = 0; j < camera.joints; ++j) floor_so_far = std::min(floor_so_far, whole.at(f, j, 2));
    float lowest_here = INFINITY;
    for (int j = 0; j < camera.joints; ++j) {
      EXPECT_NEAR(frame[j * 3 + 0], whole.at(f, j, 0), kTolerance);
      EXPECT_NEAR(frame[j * 3 + 1], whole.at(f, j, 1), kTolerance);
      EXPECT_NEAR(frame[j * 3 + 2], whole.at(f, j, 2) - floor_so_far, kTolerance) << f << " " << j;
      if (f >= lowest_frame) EXPECT_NEAR(frame[j * 3 + 2], whole.at(f, j, 2), kTolerance);
      lowest_here = std::min(lowest_here, frame[j * 3 + 2]);
    }
    EXPECT_GE(lowest_here, -kTolerance) << "frame " << f << " below its ground";
  }
  EXPECT_GT(floor_so_far, -kTolerance);  // the sequence's own floor is 0 in its heights
}

}  // namespace
}  // namespace lift3d::core
