// Camera files (`--cameras`): the built-in tables' layout read back into the very cameras the
// tables hold, per-subject intrinsics, and one-line errors naming the file for every bad input.
#include <fstream>
#include <sstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/camera.hpp"
#include "io/camera_file.hpp"
#include "lift3d/error.hpp"
#include "pipeline/camera_rigs.hpp"
#include "support/temp_dir.hpp"

namespace lift3d {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using ::testing::ThrowsMessage;

std::string source_file(const std::string& relative) { return std::string(LIFT3D_SOURCE_DIR) + "/" + relative; }

void expect_same_camera(const core::Camera& a, const core::Camera& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.res_w, b.res_w);
  EXPECT_EQ(a.res_h, b.res_h);
  EXPECT_EQ(a.azimuth, b.azimuth);
  EXPECT_EQ(a.has_intrinsics, b.has_intrinsics);
  EXPECT_EQ(a.focal_length, b.focal_length);
  EXPECT_EQ(a.center, b.center);
  EXPECT_EQ(a.radial_distortion, b.radial_distortion);
  EXPECT_EQ(a.tangential_distortion, b.tangential_distortion);
  EXPECT_EQ(a.has_extrinsics, b.has_extrinsics);
  EXPECT_EQ(a.orientation, b.orientation);
  EXPECT_EQ(a.translation_mm, b.translation_mm);
}

// The built-in tables are camera files themselves: given as --cameras they must give the same bits.
TEST(CameraFile, BuiltInTablesReadBackAsTheSameCameras) {
  for (const std::string dataset : {"h36m", "humaneva"}) {
    const pipeline::CameraRigs file = pipeline::CameraRigs::from_file(source_file("data/cameras/" + dataset + ".json"));
    for (const std::string& subject : core::camera_subjects(dataset)) {
      const std::vector<core::Camera> expected = core::cameras(dataset, subject);
      const std::vector<core::Camera> read = file.of(subject);
      ASSERT_EQ(read.size(), expected.size()) << dataset << " " << subject;
      for (std::size_t c = 0; c < read.size(); ++c) expect_same_camera(read[c], expected[c]);
    }
  }
}

constexpr const char* kOwnRigs = R"({
  "extrinsics": {
    "R0001": [{"id": "left", "res_w": 1920, "res_h": 1080, "focal_length": [1500, 1501], "center": [960, 540],
               "orientation": [1, 0, 0, 0], "translation": [0, -4000, 1500]},
              {"id": "right", "res_w": 1280, "res_h": 720, "focal_length": [900, 900], "center": [640, 360],
               "radial_distortion": [0.1, -0.01, 0], "tangential_distortion": [0.001, -0.002],
               "orientation": [0, 0, 0, 1], "translation": [100, 4000, 1500]}],
    "R0002": [{"id": "only", "res_w": 1000, "res_h": 1000, "orientation": [0.5, 0.5, 0.5, 0.5], "translation": [1, 2, 3]}]
  }})";

TEST(CameraFile, EachSubjectMayBeItsOwnRig) {
  test_support::TempDir dir;
  const pipeline::CameraRigs rigs = pipeline::CameraRigs::from_file(dir.file("rigs.json", kOwnRigs));
  const std::vector<core::Camera> first = rigs.of("R0001");
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0].id, "left");
  EXPECT_EQ(first[0].res_w, 1920);
  EXPECT_EQ(first[0].focal_length[1], 1501.0f);
  EXPECT_EQ(first[0].radial_distortion, (std::array<float, 3>{0, 0, 0}));  // absent: no distortion
  EXPECT_EQ(first[1].res_h, 720);
  EXPECT_EQ(first[1].tangential_distortion[1], -0.002f);
  EXPECT_EQ(first[1].translation_mm[1], 4000.0f);
  const std::vector<core::Camera> second = rigs.of("R0002");
  ASSERT_EQ(second.size(), 1u);
  EXPECT_FALSE(second[0].has_intrinsics);  // supervised training and evaluation need only the image size
  EXPECT_TRUE(second[0].has_extrinsics);
  EXPECT_THAT([&] { rigs.of("S9"); },
              ThrowsMessage<InputError>(AllOf(HasSubstr("rigs.json: no cameras for subject 'S9'"),
                                              HasSubstr("has: R0001, R0002"))));
}

// A subject entry's own intrinsic keys override the shared "cameras" entry of its index.
TEST(CameraFile, SubjectEntriesOverrideSharedIntrinsics) {
  test_support::TempDir dir;
  const std::string path = dir.file("rigs.json", R"({
    "cameras": [{"id": "a", "res_w": 1000, "res_h": 1002, "focal_length": [1145, 1143], "center": [512, 515]}],
    "extrinsics": {"S1": [{"orientation": [1, 0, 0, 0], "translation": [0, 0, 0]}],
                   "S2": [{"res_w": 640, "focal_length": [700, 700], "center": [320, 240],
                           "orientation": [1, 0, 0, 0], "translation": [0, 0, 0]}],
                   "S3": [{}]}})");
  const pipeline::CameraRigs rigs = pipeline::CameraRigs::from_file(path);
  EXPECT_EQ(rigs.of("S1")[0].res_w, 1000);
  EXPECT_EQ(rigs.of("S1")[0].focal_length[0], 1145.0f);
  EXPECT_EQ(rigs.of("S2")[0].res_w, 640);
  EXPECT_EQ(rigs.of("S2")[0].res_h, 1002);
  EXPECT_EQ(rigs.of("S2")[0].center[1], 240.0f);
  EXPECT_EQ(rigs.of("S2")[0].id, "a");
  EXPECT_FALSE(rigs.of("S3")[0].has_extrinsics);
}

struct BadFile {
  const char* text;
  const char* message;
};

class CameraFileErrors : public ::testing::TestWithParam<BadFile> {};

TEST_P(CameraFileErrors, NameTheFileAndTheProblem) {
  test_support::TempDir dir;
  const std::string path = dir.file("cams.json", GetParam().text);
  EXPECT_THAT([&] { io::read_camera_file(path); },
              ThrowsMessage<InputError>(AllOf(StartsWith(path + ": "), HasSubstr(GetParam().message))));
}

INSTANTIATE_TEST_SUITE_P(
    Bad, CameraFileErrors,
    ::testing::Values(
        BadFile{R"({"extrinsics": {"S1": [{"id": "a", "res_w": 10, "res_h": 10, )", "invalid json"},
        BadFile{R"([1, 2])", "expected an object"},
        BadFile{R"({"cameras": []})", "missing key 'extrinsics'"},
        BadFile{R"({"extrinsics": {}})", "lists no subject"},
        BadFile{R"({"extrinsics": {"S1": []}})", "extrinsics.S1: lists no camera"},
        BadFile{R"({"extrinsics": {"S1": [{"res_w": 10, "res_h": 10, "orientation": [1, 0, 0, 0], "translation": [0, 0, 0]}]}})",
                "extrinsics.S1[0]: the camera has no \"id\""},
        BadFile{R"({"extrinsics": {"S1": [{"id": "a", "orientation": [1, 0, 0, 0], "translation": [0, 0, 0]}]}})",
                "no image size"},
        BadFile{R"({"extrinsics": {"S1": [{"id": "a", "res_w": 0, "res_h": 10, "orientation": [1, 0, 0, 0], "translation": [0, 0, 0]}]}})",
                "extrinsics.S1[0].res_w: image size 0 is outside 1..65536"},
        BadFile{R"({"extrinsics": {"S1": [{"id": "a", "res_w": 1e9, "res_h": 10, "orientation": [1, 0, 0, 0], "translation": [0, 0, 0]}]}})",
                "is outside 1..65536"},
        BadFile{R"({"extrinsics": {"S1": [{"id": "a", "res_w": 10, "res_h": 10, "focal_length": [5, 5], "orientation": [1, 0, 0, 0], "translation": [0, 0, 0]}]}})",
                "\"focal_length\" and \"center\" go together"},
        BadFile{R"({"extrinsics": {"S1": [{"id": "a", "res_w": 10, "res_h": 10, "focal_length": [-5, 5], "center": [1, 1], "orientation": [1, 0, 0, 0], "translation": [0, 0, 0]}]}})",
                "a focal length must be positive"},
        BadFile{R"({"extrinsics": {"S1": [{"id": "a", "res_w": 10, "res_h": 10, "orientation": [1, 0, 0], "translation": [0, 0, 0]}]}})",
                "extrinsics.S1[0].orientation: expected 4 numbers, got 3"},
        BadFile{R"({"extrinsics": {"S1": [{"id": "a", "res_w": 10, "res_h": 10, "orientation": [2, 0, 0, 0], "translation": [0, 0, 0]}]}})",
                "a rotation quaternion has length 1"},
        BadFile{R"({"extrinsics": {"S1": [{"id": "a", "res_w": 10, "res_h": 10, "orientation": [1, 0, 0, 0], "translation": [0, "x", 0]}]}})",
                "extrinsics.S1[0].translation[1]"},
        BadFile{R"({"extrinsics": {"S1": [{"id": "a", "res_w": 10, "res_h": 10, "orientation": [1, 0, 0, 0], "translation": [0, 1e300, 0]}]}})",
                "extrinsics.S1[0].translation[1]"},
        BadFile{R"({"extrinsics": {"S1": [{"id": "a", "res_w": 10, "res_h": 10, "orientation": [1, 0, 0, 0]}]}})",
                "missing key 'translation'"},
        BadFile{R"({"cameras": [{"id": "a", "res_w": 10, "res_h": 10}, {"id": "b", "res_w": 10, "res_h": 10}],
                    "extrinsics": {"S1": [{"orientation": [1, 0, 0, 0], "translation": [0, 0, 0]}]}})",
                "extrinsics.S1: lists 1 cameras, \"cameras\" 2"},
        BadFile{R"({"extrinsics": {"S1": [{"id": "a", "res_w": 10, "res_h": 10, "orientation": [1, 0, 0, 0], "translation": [0, 0, 0]}],
                                   "S1": []}})",
                "duplicate key 'S1'"}));

}  // namespace
}  // namespace lift3d
