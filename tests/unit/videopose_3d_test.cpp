// Reader of VideoPose3D's data_3d_<dataset>.npz files, on tiny files in the exact layout written by
// tools/make_metric_fixtures.py (np.savez_compressed of the dict; pickle protocols 3 and 2).
#include "io/videopose_3d.hpp"

#include <fstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "lift3d/error.hpp"

namespace lift3d::io {
namespace {

using nlohmann::json;
using testing::ElementsAre;
using testing::HasSubstr;
using testing::ThrowsMessage;

std::string fixture_path(const std::string& name) {
  return std::string(LIFT3D_FIXTURES_DIR) + "/metrics/" + name;
}

const json& ground_truth_fixture() {
  static const json doc = [] {
    std::ifstream in(fixture_path("ground_truth.json"));
    if (!in) throw std::runtime_error("cannot open ground_truth.json fixture");
    return json::parse(in);
  }();
  return doc;
}

std::vector<std::string> subject_names(const VideoPose3DFile& file) {
  std::vector<std::string> names;
  for (const MocapSubject& s : file.subjects) names.push_back(s.name);
  return names;
}

std::vector<std::string> action_names(const MocapSubject& subject) {
  std::vector<std::string> names;
  for (const MocapAction& a : subject.actions) names.push_back(a.name);
  return names;
}

// Every array equals, value for value, the float32 data the fixture script saved.
void expect_matches_inputs(const VideoPose3DFile& file, const std::string& dataset) {
  const json& inputs = ground_truth_fixture().at(dataset).at("inputs");
  std::size_t sequences = 0;
  for (const MocapSubject& s : file.subjects) sequences += s.actions.size();
  EXPECT_EQ(sequences, inputs.size());
  for (const json& input : inputs) {
    const MocapAction* action = file.find(input.at("subject"), input.at("action"));
    ASSERT_NE(action, nullptr) << input.at("subject") << "/" << input.at("action");
    EXPECT_EQ(action->positions.frames, input.at("frames").get<int>());
    EXPECT_EQ(action->positions.joints, input.at("joints").get<int>());
    const json& values = input.at("world");
    ASSERT_EQ(action->positions.values.size(), values.size());
    for (std::size_t i = 0; i < values.size(); ++i)
      ASSERT_EQ(action->positions.values[i], static_cast<float>(values[i].get<double>())) << i;
  }
}

TEST(VideoPose3D, ReadsH36mSubjectsAndActionsInFileOrder) {
  const VideoPose3DFile file = read_videopose_3d(fixture_path("data_3d_h36m_tiny.npz"));
  EXPECT_EQ(file.joints, 32);
  EXPECT_THAT(subject_names(file), ElementsAre("S1", "S11"));
  EXPECT_THAT(action_names(file.subjects[0]), ElementsAre("Walking", "Walking 1"));
  EXPECT_THAT(action_names(file.subjects[1]), ElementsAre("Directions 1"));
}

TEST(VideoPose3D, H36mPositionsAreTheSavedFloat32Values) {
  expect_matches_inputs(read_videopose_3d(fixture_path("data_3d_h36m_tiny.npz")), "h36m");
}

TEST(VideoPose3D, Protocol2PicklesDecodeTheSame) {
  // NumPy releases of 2018 pickled object arrays with protocol 2 (bytes via _codecs.encode).
  expect_matches_inputs(read_videopose_3d(fixture_path("data_3d_h36m_tiny_protocol2.npz")), "h36m");
}

TEST(VideoPose3D, ReadsHumanEvaChunksWithPrefixedSubjects) {
  const VideoPose3DFile file = read_videopose_3d(fixture_path("data_3d_humaneva15_tiny.npz"));
  EXPECT_EQ(file.joints, 15);
  EXPECT_THAT(subject_names(file), ElementsAre("Validate/S1", "Train/S3"));
  EXPECT_THAT(action_names(file.subjects[0]), ElementsAre("Walking 1 chunk0", "Jog 1 chunk2"));
  expect_matches_inputs(file, "humaneva");
}

TEST(VideoPose3D, FindReturnsNullForUnknownNames) {
  const VideoPose3DFile file = read_videopose_3d(fixture_path("data_3d_h36m_tiny.npz"));
  EXPECT_NE(file.find("S1"), nullptr);
  EXPECT_EQ(file.find("S9"), nullptr);
  EXPECT_EQ(file.find("S1", "Eating"), nullptr);
  EXPECT_EQ(file.find("S9", "Walking"), nullptr);
}

void expect_error(const std::string& name, const std::string& message) {
  const std::string path = fixture_path(name);
  EXPECT_THAT([&] { read_videopose_3d(path); }, ThrowsMessage<InputError>(HasSubstr(path + ": " + message)))
      << name;
}

TEST(VideoPose3DErrors, MissingFileNamesThePath) {
  EXPECT_THAT([] { read_videopose_3d(fixture_path("no_such_file.npz")); },
              ThrowsMessage<InputError>(HasSubstr("no_such_file.npz")));
}

TEST(VideoPose3DErrors, FileWithoutPositions) {
  expect_error("bad_no_positions.npz", "no 'positions_3d' array");
}

TEST(VideoPose3DErrors, NumericArrayInsteadOfADict) {
  expect_error("bad_numeric_positions.npz", "positions_3d: expected a pickled dict");
}

TEST(VideoPose3DErrors, ActionsThatAreNotADict) {
  expect_error("bad_actions_not_dict.npz", "S1: expected a dict of actions, found list");
}

TEST(VideoPose3DErrors, TwoCoordinatesPerJoint) {
  expect_error("bad_shape.npz",
               "S1/Walking: position array has shape [2, 32, 2], expected (frames, joints, 3)");
}

TEST(VideoPose3DErrors, JointCountsThatDiffer) {
  expect_error("bad_joint_counts.npz", "S1/Eating has 17 joints but S1/Walking has 32");
}

TEST(VideoPose3DErrors, NaNCoordinates) {
  expect_error("bad_nan.npz", "S1/Walking: positions contain NaN or infinite values");
}

TEST(VideoPose3DErrors, IntegerCoordinates) {
  expect_error("bad_dtype.npz", "S1/Walking: position array has dtype int32, expected float");
}

TEST(VideoPose3DErrors, ActionWithoutFrames) {
  expect_error("bad_empty_action.npz", "S1/Walking: position array has shape [0, 32, 3]");
}

}  // namespace
}  // namespace lift3d::io
