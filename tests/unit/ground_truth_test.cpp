// Per-camera ground truth against run.py's "Preparing data" step as reproduced by
// tools/make_metric_fixtures.py (torch float32 world_to_camera, NumPy float32 root-relative), and the
// 2D/3D length reconciliation.
#include "core/ground_truth.hpp"

#include <fstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "base/joint_sets.hpp"
#include "lift3d/error.hpp"
#include "pipeline/ground_truth_files.hpp"

namespace lift3d::core {
namespace {

using nlohmann::json;
using testing::ElementsAre;
using testing::HasSubstr;
using testing::ThrowsMessage;
using pipeline::reconcile_2d_with_3d;

// The ground truth of a data_3d file with the dataset's built-in cameras.
GroundTruth truth_from(const io::VideoPose3DFile& file, Dataset dataset) {
  return pipeline::build_ground_truth(file, dataset, pipeline::CameraRigs::built_in(dataset));
}

const json& fixture() {
  static const json doc = [] {
    std::ifstream in(std::string(LIFT3D_FIXTURES_DIR) + "/metrics/ground_truth.json");
    if (!in) throw std::runtime_error("cannot open ground_truth.json fixture");
    return json::parse(in);
  }();
  return doc;
}

PoseSequence pose(const json& values, int frames, int joints) {
  PoseSequence s(frames, joints);
  for (std::size_t i = 0; i < s.values.size(); ++i)
    s.values[i] = static_cast<float>(values.at(i).get<double>());
  return s;
}

// The fixture's world-space inputs as the reader would deliver them (file order kept).
io::VideoPose3DFile mocap_of(const std::string& dataset) {
  io::VideoPose3DFile file;
  file.path = "data_3d_" + dataset + ".npz";
  for (const json& input : fixture().at(dataset).at("inputs")) {
    const std::string subject = input.at("subject");
    if (file.subjects.empty() || file.subjects.back().name != subject) file.subjects.push_back({subject, {}});
    file.subjects.back().actions.push_back(
        {input.at("action"), pose(input.at("world"), input.at("frames"), input.at("joints"))});
    file.joints = input.at("joints");
  }
  return file;
}

// The transforms reproduce torch's float32 rounding (camera_test), and the root-relative step is
// one float32 subtraction on both sides: the values must agree exactly.
void expect_matches_fixture(const GroundTruth& truth, const std::string& dataset) {
  const json& expected = fixture().at(dataset).at("expected");
  ASSERT_EQ(truth.sequences.size(), expected.size());
  for (std::size_t s = 0; s < expected.size(); ++s) {
    const GroundTruthSequence& sequence = truth.sequences[s];
    const json& e = expected[s];
    EXPECT_EQ(sequence.subject, e.at("subject").get<std::string>());
    EXPECT_EQ(sequence.action, e.at("action").get<std::string>());
    ASSERT_EQ(sequence.views.size(), e.at("cameras").size());
    for (std::size_t c = 0; c < sequence.views.size(); ++c) {
      const PoseSequence& p = sequence.views[c].positions;
      EXPECT_EQ(p.frames, e.at("frames").get<int>());
      EXPECT_EQ(p.joints, e.at("joints").get<int>());
      const PoseSequence want = pose(e.at("cameras")[c], p.frames, p.joints);
      for (std::size_t i = 0; i < want.values.size(); ++i)
        ASSERT_EQ(p.values[i], want.values[i])
            << sequence.subject << "/" << sequence.action << " camera " << c << " value " << i;
    }
  }
}

TEST(GroundTruth, H36mMatchesTheReferencePreparation) {
  expect_matches_fixture(truth_from(mocap_of("h36m"), Dataset::H36M), "h36m");
}

TEST(GroundTruth, HumanEvaPrefixedSubjectsUseTheirCameras) {
  const GroundTruth truth = truth_from(mocap_of("humaneva"), Dataset::HumanEva15);
  expect_matches_fixture(truth, "humaneva");
  EXPECT_EQ(truth.sequences[0].views[2].camera.id, "C3");
}

TEST(GroundTruth, BuildsFromTheNpzFile) {
  const std::string path =
      std::string(LIFT3D_FIXTURES_DIR) + "/metrics/" + fixture().at("h36m").at("npz").get<std::string>();
  expect_matches_fixture(truth_from(io::read_videopose_3d(path), Dataset::H36M), "h36m");
}

TEST(GroundTruth, KeepsTheSeventeenJointsOfTheReference) {
  EXPECT_EQ(h36m_kept_joints_of_32(), fixture().at("h36m").at("kept_joints").get<std::vector<int>>());
}

TEST(GroundTruth, SubjectsAndLookupFollowFileOrder) {
  const GroundTruth truth = truth_from(mocap_of("h36m"), Dataset::H36M);
  EXPECT_THAT(truth.subjects(), ElementsAre("S1", "S11"));
  ASSERT_NE(truth.find("S1", "Walking 1"), nullptr);
  EXPECT_EQ(truth.find("S1", "Walking 1")->views.size(), 4u);
  EXPECT_EQ(truth.find("S11", "Walking"), nullptr);
}

// A pose whose bones are body-sized in metres (the loader refuses other units): joint j spread
// around a root 1 m up.
PoseSequence body_sized_pose(int joints, int frames = 1) {
  PoseSequence pose(frames, joints);
  for (int f = 0; f < frames; ++f)
    for (int j = 0; j < joints; ++j) {
      pose.at(f, j, 0) = 0.06f * static_cast<float>(j % 5);
      pose.at(f, j, 1) = 0.1f * static_cast<float>(j % 3);
      pose.at(f, j, 2) = 1.0f + 0.08f * static_cast<float>(j / 5);
    }
  return pose;
}

TEST(GroundTruth, JointZeroKeepsTheTrajectoryOthersAreRootRelative) {
  io::VideoPose3DFile file;
  file.path = "one.npz";
  const PoseSequence world = body_sized_pose(15);
  file.subjects.push_back({"Validate/S2", {{"Box 1 chunk0", world}}});
  const GroundTruth truth = truth_from(file, Dataset::HumanEva15);
  const PoseSequence& p = truth.sequences[0].views[0].positions;
  EXPECT_GT(std::abs(p.at(0, 0, 2)), 1.0f);  // metres away from camera C1
  // The camera rotates the body but keeps each joint's distance from the root.
  for (int j = 1; j < 15; ++j) {
    float from_root_world = 0, from_root_camera = 0;
    for (int d = 0; d < 3; ++d) {
      from_root_world += std::pow(world.at(0, j, d) - world.at(0, 0, d), 2.0f);
      from_root_camera += std::pow(p.at(0, j, d), 2.0f);
    }
    EXPECT_NEAR(std::sqrt(from_root_camera), std::sqrt(from_root_world), 1e-5f) << "joint " << j;
  }
}

TEST(GroundTruth, SeventeenJointH36mFilesAreTakenAsTheyAre) {
  io::VideoPose3DFile file;
  file.path = "reduced.npz";
  file.subjects.push_back({"S9", {{"Eating", body_sized_pose(17, 2)}}});
  EXPECT_EQ(truth_from(file, Dataset::H36M).sequences[0].views[0].positions.joints, 17);
}

TEST(GroundTruth, WrongJointCountNamesFileAndSequence) {
  io::VideoPose3DFile file;
  file.path = "odd.npz";
  file.subjects.push_back({"S9", {{"Eating 2", PoseSequence(2, 20)}}});
  EXPECT_THAT([&] { truth_from(file, Dataset::H36M); },
              ThrowsMessage<InputError>(
                  HasSubstr("odd.npz: S9/Eating 2: has 20 joints, h36m ground truth needs 32")));
  EXPECT_THAT([&] { truth_from(file, Dataset::HumanEva15); },
              ThrowsMessage<InputError>(HasSubstr("no humaneva15 cameras for subject 'S9'")));
}

TEST(GroundTruth, SubjectWithoutExtrinsicsIsAnInputError) {
  io::VideoPose3DFile file;
  file.path = "s2.npz";
  file.subjects.push_back({"S2", {{"Walking", PoseSequence(1, 32)}}});
  EXPECT_THAT([&] { truth_from(file, Dataset::H36M); },
              ThrowsMessage<InputError>(HasSubstr("s2.npz: subject S2 has no camera extrinsics")));
}

TEST(GroundTruth, UnknownSubjectIsAnInputError) {
  io::VideoPose3DFile file;
  file.path = "x.npz";
  file.subjects.push_back({"S12", {{"Walking", PoseSequence(1, 32)}}});
  EXPECT_THAT([&] { truth_from(file, Dataset::H36M); },
              ThrowsMessage<InputError>(HasSubstr("x.npz: no h36m cameras for subject 'S12'")));
}

TEST(GroundTruth, CustomDatasetsHaveNone) {
  EXPECT_THROW(truth_from(io::VideoPose3DFile{}, Dataset::Custom), UsageError);
}

TEST(GroundTruth, EvaluationTargetZeroesOnlyTheRoot) {
  PoseSequence p(2, 3);
  for (std::size_t i = 0; i < p.values.size(); ++i) p.values[i] = static_cast<float>(i + 1);
  const PoseSequence t = evaluation_target(p);
  for (int f = 0; f < 2; ++f)
    for (int d = 0; d < 3; ++d) {
      EXPECT_EQ(t.at(f, 0, d), 0.0f);
      EXPECT_EQ(t.at(f, 1, d), p.at(f, 1, d));
      EXPECT_EQ(t.at(f, 2, d), p.at(f, 2, d));
    }
}

TEST(SelectJoints, PicksInTheGivenOrder) {
  PoseSequence p(1, 4);
  for (int j = 0; j < 4; ++j) p.at(0, j, 0) = static_cast<float>(j);
  const PoseSequence s = select_joints(p, {3, 0});
  ASSERT_EQ(s.joints, 2);
  EXPECT_EQ(s.at(0, 0, 0), 3.0f);
  EXPECT_EQ(s.at(0, 1, 0), 0.0f);
}

// --- 2D/3D reconciliation ------------------------------------------------------------------------

KeypointSequence keypoints(int frames, int joints = 17) {
  KeypointSequence k;
  k.frames = frames;
  k.joints = joints;
  k.values.resize(static_cast<std::size_t>(frames) * joints * 2);
  for (std::size_t i = 0; i < k.values.size(); ++i) k.values[i] = static_cast<float>(i);
  return k;
}

GroundTruthSequence truth_with_frames(int frames, int cameras_count = 4) {
  GroundTruthSequence s{"S9", "Walking", {}};
  for (int c = 0; c < cameras_count; ++c) s.views.push_back({Camera{}, PoseSequence(frames, 17)});
  return s;
}

TEST(Reconcile, LongerKeypointsKeepTheirFirstFrames) {
  std::vector<KeypointSequence> k = {keypoints(5), keypoints(3), keypoints(4), keypoints(3)};
  reconcile_2d_with_3d(k, truth_with_frames(3), "2d.npz: S9/Walking");
  for (const KeypointSequence& camera : k) {
    EXPECT_EQ(camera.frames, 3);
    ASSERT_EQ(camera.values.size(), 3u * 17 * 2);
    EXPECT_EQ(camera.values.back(), static_cast<float>(3 * 17 * 2 - 1));  // first frames, not last
  }
}

TEST(Reconcile, ShorterKeypointsAreAnInputError) {
  std::vector<KeypointSequence> k = {keypoints(3), keypoints(2), keypoints(3), keypoints(3)};
  EXPECT_THAT(
      [&] { reconcile_2d_with_3d(k, truth_with_frames(3), "2d.npz: S9/Walking"); },
      ThrowsMessage<InputError>(HasSubstr(
          "2d.npz: S9/Walking: camera 1 has 2 frames of 2d keypoints but the 3d ground truth has 3")));
}

TEST(Reconcile, CameraCountMismatchIsAnInputError) {
  std::vector<KeypointSequence> k = {keypoints(3), keypoints(3), keypoints(3)};
  EXPECT_THAT([&] { reconcile_2d_with_3d(k, truth_with_frames(3), "2d.npz: S9/Walking"); },
              ThrowsMessage<InputError>(HasSubstr("3 cameras of 2d keypoints but 4 of 3d ground truth")));
}

TEST(Reconcile, WholeFileTrimsLabelledSequencesOnly) {
  GroundTruth truth;
  truth.sequences.push_back(truth_with_frames(3));
  io::VideoPose2DFile file;
  file.path = "2d.npz";
  file.sequences.push_back({"S2", "Walking", {keypoints(9), keypoints(9), keypoints(9), keypoints(9)}});
  file.sequences.push_back({"S9", "Walking", {keypoints(4), keypoints(4), keypoints(3), keypoints(5)}});
  reconcile_2d_with_3d(file, truth);
  EXPECT_EQ(file.sequences[0].cameras[0].frames, 9);  // no ground truth: untouched
  for (const KeypointSequence& camera : file.sequences[1].cameras) EXPECT_EQ(camera.frames, 3);
}

TEST(Reconcile, WholeFileNeedsEverySequenceOfTheGroundTruth) {
  GroundTruth truth;
  truth.sequences.push_back(truth_with_frames(3));
  io::VideoPose2DFile file;
  file.path = "2d.npz";
  file.sequences.push_back({"S9", "Walking 1", {keypoints(3), keypoints(3), keypoints(3), keypoints(3)}});
  EXPECT_THAT([&] { reconcile_2d_with_3d(file, truth); },
              ThrowsMessage<InputError>(HasSubstr("2d.npz: no 2d keypoints for S9/Walking")));
}

}  // namespace
}  // namespace lift3d::core
