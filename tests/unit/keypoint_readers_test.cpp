// 2D keypoint readers: every detector format carrying the same keypoints must yield the same
// sequence (fixtures from tools/make_format_fixtures.py), person selection (the most prominent
// person, a track id), joint mapping tables, and malformed input at every nesting level.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include "base/joint_mapping.hpp"
#include "base/joint_sets.hpp"
#include "io/json_support.hpp"
#include "io/keypoint_files.hpp"
#include "lift3d/error.hpp"
#include "pipeline/keypoint_input.hpp"

namespace lift3d {
namespace {

using namespace io;
using namespace pipeline;

namespace fs = std::filesystem;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

std::string fixture(const std::string& name) { return std::string(LIFT3D_FIXTURES_DIR) + "/formats/" + name; }

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "lift3d_keypoints_XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  std::string file(const std::string& name, const std::string& text) const {
    const std::string path = (fs::path(path_) / name).string();
    fs::create_directories(fs::path(path).parent_path());
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

KeypointReadOptions raw_options(const std::string& target = "coco") {
  KeypointReadOptions options;
  options.target_layout = target;
  options.fill_gaps = false;
  return options;
}

// A fixture as the file holds it: its own layout, gaps not filled.
Keypoints2D expected(const std::string& name) { return read_keypoints_2d(fixture(name), raw_options("")); }

KeypointFileFormat format_of(const std::string& path) {
  if (const std::optional<KeypointFileFormat> by_path = keypoint_format_from_path(path)) return *by_path;
  return detect_keypoint_json_format(read_json_file(path), path);
}

// Exact equality (NaN equal to NaN), reporting the first difference.
void expect_same_values(const KeypointSequence& actual, const KeypointSequence& wanted) {
  ASSERT_EQ(actual.frames, wanted.frames);
  ASSERT_EQ(actual.joints, wanted.joints);
  ASSERT_EQ(actual.features, wanted.features);
  ASSERT_EQ(actual.values.size(), wanted.values.size());
  int mismatches = 0;
  for (int f = 0; f < actual.frames; ++f)
    for (int j = 0; j < actual.joints; ++j)
      for (int k = 0; k < actual.features; ++k) {
        const float a = actual.at(f, j, k), b = wanted.at(f, j, k);
        if (a == b || (std::isnan(a) && std::isnan(b))) continue;
        if (mismatches++ == 0)
          ADD_FAILURE() << "first difference at frame " << f << ", joint " << j << ", feature " << k << ": " << a
                        << " vs " << b;
      }
  EXPECT_EQ(mismatches, 0);
}

// --- every format, same keypoints ----------------------------------------------------------------

struct FormatCase {
  std::string input;  // relative to the formats fixture directory
  KeypointFileFormat format;
};

class EveryFormat : public ::testing::TestWithParam<FormatCase> {};

TEST_P(EveryFormat, IsDetected) {
  EXPECT_EQ(format_of(fixture(GetParam().input)), GetParam().format);
}

TEST_P(EveryFormat, YieldsTheCocoSequence) {
  const Keypoints2D read = read_keypoints_2d(fixture(GetParam().input), raw_options());
  EXPECT_EQ(read.layout, "coco");
  EXPECT_EQ(read.filled_joints, 0);
  expect_same_values(read.seq, expected("sequence.lift3d.json").seq);
}

TEST_P(EveryFormat, YieldsTheH36mSynthesis) {
  const Keypoints2D read = read_keypoints_2d(fixture(GetParam().input), raw_options("h36m"));
  EXPECT_EQ(read.layout, "h36m");
  expect_same_values(read.seq, expected("expected_h36m.lift3d.json").seq);
}

TEST_P(EveryFormat, FillsGapsLikeNpInterp) {
  KeypointReadOptions options;
  options.min_score = 0.3f;
  const Keypoints2D read = read_keypoints_2d(fixture(GetParam().input), options);
  // frame 2 left_ear and frame 5 right_ankle undetected; frame 0 left_ankle and frame 4 left_wrist
  // below 0.3
  EXPECT_EQ(read.filled_joints, 4);
  expect_same_values(read.seq, expected("expected_coco_filled_min0.3.lift3d.json").seq);
}

INSTANTIATE_TEST_SUITE_P(
    Fixtures, EveryFormat,
    ::testing::Values(FormatCase{"sequence.lift3d.json", KeypointFileFormat::Lift3dJson},
                      FormatCase{"openpose_body25", KeypointFileFormat::OpenPoseJson},
                      FormatCase{"openpose_body25/*_keypoints.json", KeypointFileFormat::OpenPoseJson},
                      FormatCase{"openpose_coco18", KeypointFileFormat::OpenPoseJson},
                      FormatCase{"coco_results.json", KeypointFileFormat::CocoResultsJson},
                      FormatCase{"alphapose_halpe26.json", KeypointFileFormat::AlphaPoseJson},
                      FormatCase{"alphapose_coco.json", KeypointFileFormat::AlphaPoseJson},
                      FormatCase{"mmpose.json", KeypointFileFormat::MMPoseJson},
                      FormatCase{"mmpose_predictions.json", KeypointFileFormat::MMPoseJson}));

TEST(Lift3dJson, CarriesImageSizeAndFps) {
  const Keypoints2D read = read_keypoints_2d(fixture("sequence.lift3d.json"), raw_options());
  EXPECT_EQ(read.seq.image_width, 640);
  EXPECT_EQ(read.seq.image_height, 480);
  EXPECT_EQ(read.fps, 25.0);
  EXPECT_EQ(read.seq.at(2, 3, 2), 0.0f);  // undetected left ear
}

TEST(DetectorFormats, KnowNeitherImageSizeNorFps) {
  const Keypoints2D read = read_keypoints_2d(fixture("coco_results.json"), raw_options());
  EXPECT_EQ(read.seq.image_width, 0);
  EXPECT_EQ(read.seq.image_height, 0);
  EXPECT_EQ(read.fps, 0.0);
}

TEST(NativeLayouts, AreReportedByThePerFormatReaders) {
  EXPECT_EQ(read_openpose_detections(fixture("openpose_body25"), {}).at(0).layout, "body25");
  EXPECT_EQ(read_openpose_detections(fixture("openpose_coco18"), {}).at(0).layout, "coco18");
  EXPECT_EQ(read_detections(fixture("alphapose_halpe26.json"), {}).at(0).layout, "halpe26");
  EXPECT_EQ(read_detections(fixture("coco_results.json"), {}).at(0).layout, "coco");
  EXPECT_EQ(read_keypoints_2d(fixture("alphapose_halpe26.json"), raw_options("")).layout, "halpe26");
  EXPECT_EQ(read_keypoints_2d(fixture("alphapose_halpe26.json"), raw_options("")).seq.joints, 26);
}

TEST(OpenPose, ListsFrameFilesInFrameOrder) {
  const std::vector<OpenPoseFrameFile> files = openpose_frame_files(fixture("openpose_body25"));
  ASSERT_EQ(files.size(), 6u);
  for (std::size_t i = 0; i < files.size(); ++i) {
    EXPECT_THAT(files[i].path, HasSubstr("clip_00000000000" + std::to_string(i) + "_keypoints.json"));
    EXPECT_EQ(files[i].video, "clip");
    EXPECT_EQ(files[i].frame, static_cast<long long>(i));
  }
}

TEST(OpenPose, OrdersByFrameNumberNotByName) {
  TempDir dir;
  const std::string person = R"({"people": [{"person_id": [-1], "pose_keypoints_2d": [)";
  std::string values_a, values_b;
  for (int j = 0; j < 18; ++j) {
    values_a += std::string(j ? "," : "") + "1,1,0.5";
    values_b += std::string(j ? "," : "") + "2,2,0.5";
  }
  dir.file("v_10_keypoints.json", person + values_b + "]}]}");
  dir.file("v_9_keypoints.json", person + values_a + "]}]}");
  const Keypoints2D read = read_keypoints_2d(dir.path(), raw_options(""));
  ASSERT_EQ(read.seq.frames, 2);
  EXPECT_EQ(read.seq.at(0, 0, 0), 1.0f);  // frame 9 first although "v_10" sorts first by name
  EXPECT_EQ(read.seq.at(1, 0, 0), 2.0f);
}

TEST(OpenPose, ReadsASingleFrameFileAndTheOldKeyName) {
  TempDir dir;
  std::string values;
  for (int j = 0; j < 25; ++j) values += std::string(j ? "," : "") + std::to_string(j) + ",5,0.8";
  const std::string path = dir.file("one_keypoints.json", R"({"people": [{"pose_keypoints": [)" + values + "]}]}");
  EXPECT_EQ(format_of(path), KeypointFileFormat::OpenPoseJson);
  const Keypoints2D read = read_keypoints_2d(path, raw_options(""));
  EXPECT_EQ(read.layout, "body25");
  EXPECT_EQ(read.seq.frames, 1);
  EXPECT_EQ(read.seq.at(0, 24, 0), 24.0f);
}

// --- person selection ---------------------------------------------------------------------------

std::string coco_entry(int image_id, float x, double score) {
  std::string values;
  for (int j = 0; j < 17; ++j) values += std::string(j ? "," : "") + std::to_string(x) + ",10,0.9";
  return R"({"image_id": )" + std::to_string(image_id) + R"(, "category_id": 1, "keypoints": [)" + values +
         R"(], "score": )" + std::to_string(score) + "}";
}

TEST(Selection, FollowsTheMostProminentPersonNotTheBestScoreOfEachFrame) {
  // The person at x = 1 scores best in frame 0, the one at x = 2 in frame 1; the first is larger
  // (its keypoints spread over 40 px, the other's over 20 px) and so the one followed.
  auto entry = [](int image_id, float x, float spread, double score) {
    std::string values;
    for (int j = 0; j < 17; ++j)
      values += std::string(j ? "," : "") + std::to_string(x + (j % 2) * spread) + "," + std::to_string(10 + j * spread / 16) + ",0.9";
    return R"({"image_id": )" + std::to_string(image_id) + R"(, "category_id": 1, "keypoints": [)" + values +
           R"(], "score": )" + std::to_string(score) + "}";
  };
  TempDir dir;
  const std::string path = dir.file("r.json", "[" + entry(0, 1, 40, 0.9) + "," + entry(0, 200, 20, 0.5) + "," +
                                                   entry(1, 1, 40, 0.4) + "," + entry(1, 200, 20, 0.8) + "]");
  const Keypoints2D read = read_keypoints_2d(path, raw_options());
  ASSERT_EQ(read.seq.frames, 2);
  EXPECT_EQ(read.seq.at(0, 0, 0), 1.0f);
  EXPECT_EQ(read.seq.at(1, 0, 0), 1.0f);
}

TEST(Selection, KeepsTheFirstOfEqualScores) {
  TempDir dir;
  const std::string path = dir.file("r.json", "[" + coco_entry(0, 3, 0.7) + "," + coco_entry(0, 4, 0.7) + "]");
  EXPECT_EQ(read_keypoints_2d(path, raw_options()).seq.at(0, 0, 0), 3.0f);
}

TEST(Selection, WeighsTheMeanKeypointScoreNotTheBestSingleOne) {
  // Two people of the same size (keypoints spread over 50 x 51 px) in one frame.
  TempDir dir;
  std::string strong, weak;
  for (int j = 0; j < 18; ++j) {
    const std::string y = std::to_string(3 * j);
    strong += std::string(j ? "," : "") + std::to_string(7 + 50 * (j % 2)) + "," + y + "," +
              (j < 9 ? "0.9" : "0.2");                                                         // mean 0.55, best 0.9
    weak += std::string(j ? "," : "") + std::to_string(300 + 50 * (j % 2)) + "," + y + ",0.6";  // mean 0.6
  }
  dir.file("f_0_keypoints.json", R"({"people": [{"pose_keypoints_2d": [)" + strong +
                                     R"(]}, {"pose_keypoints_2d": [)" + weak + "]}]}");
  EXPECT_EQ(read_keypoints_2d(dir.path(), raw_options("")).seq.at(0, 0, 0), 300.0f);
}

class TrackSelection : public ::testing::TestWithParam<std::pair<std::string, long long>> {};

TEST_P(TrackSelection, FollowsTheRequestedTrack) {
  KeypointReadOptions options = raw_options();
  options.track_id = GetParam().second;
  expect_same_values(read_keypoints_2d(fixture(GetParam().first), options).seq, expected("distractor.lift3d.json").seq);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, TrackSelection,
                         ::testing::Values(std::make_pair(std::string("alphapose_halpe26.json"), 2LL),
                                           std::make_pair(std::string("mmpose.json"), 1LL),
                                           std::make_pair(std::string("mmpose_predictions.json"), 1LL),
                                           std::make_pair(std::string("openpose_coco18"), 4LL)));

TEST(Selection, TrackIdOfTheBestPersonGivesTheSameAsTheDefault) {
  KeypointReadOptions options = raw_options();
  options.track_id = 0;
  expect_same_values(read_keypoints_2d(fixture("mmpose.json"), options).seq, expected("sequence.lift3d.json").seq);
}

TEST(Selection, UnknownTrackIdNamesTheIdsPresent) {
  KeypointReadOptions options = raw_options();
  options.track_id = 7;
  EXPECT_THAT([&] { read_keypoints_2d(fixture("mmpose.json"), options); },
              ThrowsMessage<InputError>(AllOf(HasSubstr("mmpose.json"), HasSubstr("no person with track id 7"),
                                              HasSubstr("ids present: 0, 1"))));
}

TEST(Selection, TrackIdInAFormatWithoutIdsIsLift3dsNumber) {
  // Without tracker ids, people are numbered by prominence: 1 is the main person, 2 the distractor.
  KeypointReadOptions options = raw_options();
  for (const std::string input : {"coco_results.json", "openpose_body25", "alphapose_coco.json"}) {
    options.track_id = 1;
    expect_same_values(read_keypoints_2d(fixture(input), options).seq, expected("sequence.lift3d.json").seq);
    options.track_id = 2;
    expect_same_values(read_keypoints_2d(fixture(input), options).seq, expected("distractor.lift3d.json").seq);
  }
  options.track_id = 3;
  EXPECT_THAT([&] { read_keypoints_2d(fixture("coco_results.json"), options); },
              ThrowsMessage<InputError>(AllOf(HasSubstr("coco_results.json"), HasSubstr("no person with track id 3"),
                                              HasSubstr("ids present: 1, 2"))));
  options.track_id = 1;
  expect_same_values(read_keypoints_2d(fixture("sequence.lift3d.json"), options).seq,
                     expected("sequence.lift3d.json").seq);
}

TEST(Selection, FramesWithoutTheTrackAreMissing) {
  TempDir dir;
  const std::string instance = R"({"keypoints": [)" + std::string(R"([1,2],)") + R"([1,2],[1,2],[1,2],[1,2],[1,2],
      [1,2],[1,2],[1,2],[1,2],[1,2],[1,2],[1,2],[1,2],[1,2],[1,2],[1,2]], "keypoint_scores": [1,1,1,1,1,1,1,1,1,1,
      1,1,1,1,1,1,1], "track_id": )";
  const std::string path = dir.file(
      "m.json", R"([{"frame_id": 0, "instances": [)" + instance + "5}]}, " + R"({"frame_id": 1, "instances": [)" +
                    instance + "6}]}]");
  KeypointReadOptions options = raw_options();
  options.track_id = 5;
  const Keypoints2D read = read_keypoints_2d(path, options);
  ASSERT_EQ(read.seq.frames, 2);
  EXPECT_EQ(read.seq.at(0, 0, 2), 1.0f);
  EXPECT_EQ(read.seq.at(1, 0, 2), 0.0f);
}

// --- frame numbering ----------------------------------------------------------------------------

TEST(Frames, AreOrderedByImageId) {
  TempDir dir;
  const std::string path = dir.file("r.json", "[" + coco_entry(3, 3, 0.9) + "," + coco_entry(1, 1, 0.9) + "]");
  const Keypoints2D read = read_keypoints_2d(path, raw_options());
  ASSERT_EQ(read.seq.frames, 2);
  EXPECT_EQ(read.seq.at(0, 0, 0), 1.0f);
  EXPECT_EQ(read.seq.at(1, 0, 0), 3.0f);
}

TEST(Frames, DenseFramesKeepVideoTimingAndFillTheHoles) {
  TempDir dir;
  const std::string path = dir.file("r.json", "[" + coco_entry(1, 1, 0.9) + "," + coco_entry(3, 3, 0.9) + "]");
  KeypointReadOptions options;
  options.dense_frames = true;
  const Keypoints2D read = read_keypoints_2d(path, options);
  ASSERT_EQ(read.seq.frames, 4);  // frames 0..3
  EXPECT_EQ(read.filled_joints, 2 * 17);
  EXPECT_EQ(read.seq.at(0, 0, 0), 1.0f);  // held before the first detection
  EXPECT_EQ(read.seq.at(2, 0, 0), 2.0f);  // interpolated
  EXPECT_EQ(read.seq.at(2, 0, 2), 0.0f);  // and marked by its score
}

TEST(Frames, DenseFramesRefuseAbsurdFrameNumbers) {
  TempDir dir;
  const std::string path = dir.file("r.json", "[" + coco_entry(0, 1, 0.9) + "," + coco_entry(2000000000, 1, 0.9) + "]");
  KeypointReadOptions options = raw_options();
  options.dense_frames = true;
  EXPECT_THAT([&] { read_keypoints_2d(path, options); },
              ThrowsMessage<InputError>(AllOf(HasSubstr("r.json"), HasSubstr("frame numbers reach 2000000000"))));
}

TEST(Frames, AlphaPoseImageNamesAreOrderedByTheirNumber) {
  TempDir dir;
  auto entry = [&](const std::string& name, int x) {
    std::string v;
    for (int j = 0; j < 17; ++j) v += std::string(j ? "," : "") + std::to_string(x) + ",0,1";
    return R"({"image_id": ")" + name + R"(", "keypoints": [)" + v + R"(], "score": 1.0})";
  };
  const std::string path = dir.file("a.json", "[" + entry("10.jpg", 10) + "," + entry("9.jpg", 9) + "]");
  const Keypoints2D read = read_keypoints_2d(path, raw_options());
  EXPECT_EQ(read.seq.at(0, 0, 0), 9.0f);
  EXPECT_EQ(read.seq.at(1, 0, 0), 10.0f);
}

// --- joint mapping tables -----------------------------------------------------------------------

TEST(Mapping, CopiedJointsKeepTheirNames) {
  for (const JointMapping& mapping : joint_mappings()) {
    const std::vector<std::string>& from = keypoint_layout(mapping.from).joint_names;
    const std::vector<std::string>& to = keypoint_layout(mapping.to).joint_names;
    ASSERT_EQ(mapping.sources.size(), to.size()) << mapping.from << " -> " << mapping.to;
    for (std::size_t j = 0; j < to.size(); ++j) {
      for (int source : mapping.sources[j]) ASSERT_LT(source, static_cast<int>(from.size()));
      // h36m names its joint 9 "neck" where coco has the nose; its head stands in for eyes and ears.
      if (mapping.sources[j].size() == 1 && mapping.to != "h36m" && mapping.from != "h36m")
        EXPECT_EQ(from[mapping.sources[j][0]], to[j]) << mapping.from << " -> " << mapping.to << " joint " << j;
    }
  }
}

TEST(Mapping, DetectorLayoutsHaveTheirJointCounts) {
  EXPECT_EQ(keypoint_layout("body25").joint_names.size(), 25u);
  EXPECT_EQ(keypoint_layout("coco18").joint_names.size(), 18u);
  EXPECT_EQ(keypoint_layout("halpe26").joint_names.size(), 26u);
  EXPECT_EQ(keypoint_layout("halpe136").joint_names.size(), 136u);
  EXPECT_EQ(keypoint_layout("coco_wholebody").joint_names.size(), 133u);
  EXPECT_EQ(keypoint_layout("h36m").joint_names, keypoint_layout("h36m").joint_names);
}

TEST(Mapping, ChainsThroughCoco) {
  const auto chain = joint_mapping_chain("body25", "h36m");
  ASSERT_EQ(chain.size(), 2u);
  EXPECT_EQ(chain[0]->to, "coco");
  EXPECT_EQ(chain[1]->to, "h36m");
  EXPECT_TRUE(joint_mapping_chain("coco", "coco").empty());
}

TEST(Mapping, SynthesisedJointTakesTheLowestScore) {
  KeypointSequence coco;
  coco.frames = 1;
  coco.joints = 17;
  coco.features = 3;
  coco.values.assign(17 * 3, 1.0f);
  coco.at(0, 11, 0) = 10.0f;  // left hip
  coco.at(0, 12, 0) = 20.0f;  // right hip
  coco.at(0, 12, 2) = 0.25f;
  const KeypointSequence h36m = map_keypoint_layout(coco, "coco", "h36m");
  EXPECT_EQ(h36m.at(0, 0, 0), 15.0f);
  EXPECT_EQ(h36m.at(0, 0, 2), 0.25f);
  EXPECT_EQ(h36m.at(0, 4, 2), 1.0f);  // left hip alone
}

TEST(Mapping, ImpossibleMappingIsAUsageErrorNamingTheFile) {
  TempDir dir;
  std::string frame;
  for (int j = 0; j < 16; ++j) frame += std::string(j ? "," : "") + "[1,2,0.9]";
  const std::string mpii = dir.file("mpii.json", R"({"format": "lift3d-keypoints-2d", "version": 1, "layout": "mpii",
      "keypoints": [[)" + frame + "]]}");
  EXPECT_THAT([&] { read_keypoints_2d(mpii, raw_options("coco")); },
              ThrowsMessage<UsageError>(AllOf(HasSubstr("mpii.json"),
                                              HasSubstr("cannot map keypoint layout 'mpii' onto 'coco'"))));
  EXPECT_THROW(read_keypoints_2d(fixture("sequence.lift3d.json"), raw_options("nonsense")), UsageError);
}

// --- lift3d json writer -------------------------------------------------------------------------

TEST(Lift3dJson, WriterRoundTripsExactly) {
  TempDir dir;
  Keypoints2D keypoints = expected("sequence.lift3d.json");
  keypoints.seq.at(1, 4, 0) = keypoints.seq.at(1, 4, 1) = std::nanf("");  // a null joint
  keypoints.seq.at(1, 4, 2) = 0.0f;
  keypoints.seq.at(3, 2, 0) = 0.1f;  // not exact in binary: must come back bit-identical
  const std::string path = dir.path() + "/out.json";
  std::ofstream(path, std::ios::binary) << lift3d_keypoints_json_text(keypoints.seq, keypoints.layout, keypoints.fps);
  const Keypoints2D back = read_keypoints_2d(path, raw_options(""));
  EXPECT_EQ(back.layout, "coco");
  EXPECT_EQ(back.seq.image_width, 640);
  EXPECT_EQ(back.fps, 25.0);
  expect_same_values(back.seq, keypoints.seq);
}

TEST(Lift3dJson, TwoValueJointsHaveScoreOne) {
  TempDir dir;
  std::string frame;
  for (int j = 0; j < 17; ++j) frame += std::string(j ? "," : "") + "[1.5, 2.5]";
  const std::string path = dir.file("k.json", R"({"format": "lift3d-keypoints-2d", "version": 1, "layout": "coco",
      "keypoints": [[)" + frame + "]]}");
  const Keypoints2D read = read_keypoints_2d(path, raw_options());
  EXPECT_EQ(read.seq.at(0, 16, 1), 2.5f);
  EXPECT_EQ(read.seq.at(0, 16, 2), 1.0f);
}

// --- malformed input ----------------------------------------------------------------------------

// Replaces the first occurrence of `from` in a fixture's text and reads the result.
std::string mutated(const TempDir& dir, const std::string& fixture_name, const std::string& from, const std::string& to,
                    const std::string& out_name) {
  std::ifstream in(fixture(fixture_name), std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto at = text.find(from);
  if (at == std::string::npos) throw std::runtime_error("pattern not in fixture: " + from);
  text.replace(at, from.size(), to);
  return dir.file(out_name, text);
}

void expect_input_error(const std::string& path, const std::string& what) {
  EXPECT_THAT([&] { read_keypoints_2d(path, raw_options()); },
              ThrowsMessage<InputError>(AllOf(HasSubstr(path + ": "), HasSubstr(what))));
}

TEST(Malformed, SyntaxErrorNamesTheFile) {
  TempDir dir;
  expect_input_error(dir.file("bad.json", R"({"format": "lift3d-keypoints-2d", )"), "invalid json: ");
  expect_input_error(dir.file("bad2.json", "[1, 2,"), "invalid json: ");
}

TEST(Malformed, MissingFileNamesIt) {
  EXPECT_THROW(read_keypoints_2d("/nonexistent/keypoints.json", raw_options()), InputError);
}

TEST(Malformed, NpzIsNotReadHere) {
  EXPECT_THAT([] { read_keypoints_2d("clip.npz", raw_options()); }, ThrowsMessage<InputError>(HasSubstr("clip.npz")));
}

TEST(Malformed, UnrecognisedStructures) {
  TempDir dir;
  expect_input_error(dir.file("a.json", "42"), "unrecognised json number");
  expect_input_error(dir.file("b.json", "[]"), "empty list");
  expect_input_error(dir.file("c.json", "[[1, 2]]"), "[0]: expected an object, got array");
  expect_input_error(dir.file("d.json", R"([{"foo": 1}])"), "unrecognised list of objects");
  expect_input_error(dir.file("e.json", R"({"images": [], "annotations": []})"), "coco annotation file");
  expect_input_error(dir.file("f.json", R"({"format": "something-else"})"), "unknown format \"something-else\"");
}

// A one-frame lift3d document whose first joint is `first_joint` (the other 16 are valid).
std::string lift3d_doc(const std::string& first_joint, const std::string& extra = "") {
  std::string frame = first_joint;
  for (int j = 1; j < 17; ++j) frame += ", [1, 2, 0.5]";
  return R"({"format": "lift3d-keypoints-2d", "version": 1, "layout": "coco", )" + extra + R"("keypoints": [[)" +
         frame + "]]}";
}

TEST(Malformed, Lift3dJsonAtEveryLevel) {
  TempDir dir;
  const std::string seq = "sequence.lift3d.json";
  EXPECT_NO_THROW(read_keypoints_2d(dir.file("0.json", lift3d_doc("[1, 2]")), raw_options()));  // helper is valid
  expect_input_error(mutated(dir, seq, "\"keypoints\": [", "\"keypoints\": 7, \"x\": [", "1.json"), "unknown key 'x'");
  expect_input_error(mutated(dir, seq, "\"version\": 1", "\"version\": 2", "2.json"), "version: unsupported version 2");
  expect_input_error(mutated(dir, seq, "\"fps\": 25", "\"fbs\": 25", "3.json"), "unknown key 'fbs'");
  expect_input_error(mutated(dir, seq, "\"layout\": \"coco\"", "\"layout\": \"cocoa\"", "4.json"),
                     "layout: unknown keypoint layout 'cocoa'");
  expect_input_error(mutated(dir, seq, "[\"nose\", \"left_eye\"", "[\"nose\", \"right_eye\"", "5.json"),
                     "joint_names[1]: 'right_eye' where layout 'coco' has 'left_eye'");
  expect_input_error(mutated(dir, seq, "\"image_width\": 640", "\"image_width\": -640", "6.json"),
                     "image_width: must be a positive pixel count");
  expect_input_error(mutated(dir, seq, "\"image_height\": 480, ", "", "7.json"), "given together");
  expect_input_error(mutated(dir, seq, "\"fps\": 25", "\"fps\": 0", "7b.json"), "fps: must be positive");
  expect_input_error(dir.file("8a.json", R"({"format": "lift3d-keypoints-2d", "version": 1, "layout": "coco",
                                             "keypoints": 7})"),
                     "keypoints: expected an array, got number");
  expect_input_error(mutated(dir, seq, "\"keypoints\": [\n  [", "\"keypoints\": [\n  7, [", "8.json"),
                     "keypoints[0]: expected an array, got number");
  expect_input_error(mutated(dir, seq, "\"keypoints\": [\n  [[", "\"keypoints\": [\n  [[1, 2], [", "9.json"),
                     "keypoints[0]: 18 joints, layout 'coco' has 17");
  expect_input_error(dir.file("10.json", lift3d_doc("\"x\"")),
                     "keypoints[0][0]: expected [x, y], [x, y, score] or null, got string");
  expect_input_error(dir.file("11.json", lift3d_doc("[1, 2, 3, 4]")), "keypoints[0][0]: 4 values");
  expect_input_error(dir.file("11b.json", lift3d_doc("[1]")), "keypoints[0][0]: 1 values");
  expect_input_error(dir.file("12.json", lift3d_doc("[1, \"2\"]")), "keypoints[0][0][1]: expected a number, got string");
  expect_input_error(dir.file("13.json", R"({"format": "lift3d-keypoints-2d", "version": 1, "layout": "coco",
                                             "keypoints": []})"),
                     "keypoints: no frames");
  expect_input_error(dir.file("14.json", R"({"format": "lift3d-keypoints-2d", "version": 1, "layout": "coco"})"),
                     "missing key 'keypoints'");
  expect_input_error(dir.file("15.json", lift3d_doc("[1e300, 1, 1]")),
                     "keypoints[0][0][0]: number 1e+300 is out of float range");
  expect_input_error(dir.file("16.json", lift3d_doc("[1, 2]", R"("joint_names": ["nose"], )")),
                     "joint_names: 1 names, but layout 'coco' has 17 joints");
}

TEST(Malformed, CocoResultsAtEveryLevel) {
  TempDir dir;
  const std::string coco = "coco_results.json";
  expect_input_error(mutated(dir, coco, "[{", "[7, {", "1.json"), "[0]: expected an object, got number");
  expect_input_error(mutated(dir, coco, "\"keypoints\":[", "\"keypoints\":\"x\",\"k\":[", "2.json"),
                     "[0].keypoints: expected an array, got string");
  expect_input_error(mutated(dir, coco, "\"keypoints\":[", "\"keypoints\":[null,", "3.json"),
                     "[0].keypoints: 52 values, not a multiple of 3");
  expect_input_error(mutated(dir, coco, "\"keypoints\":[", "\"keypoints\":[true,1,1,", "4.json"),
                     "[0].keypoints[0]: expected a number, got boolean");
  expect_input_error(mutated(dir, coco, "\"keypoints\":[", "\"keypoints\":[1,1,1,", "5.json"),
                     "[0].keypoints: 18 keypoints match no known layout");
  expect_input_error(mutated(dir, coco, "},{\"image_id\":0,\"category_id\":1,\"keypoints\":[",
                             "},{\"image_id\":0,\"category_id\":1,\"keypoints\":[1,1,1,", "6.json"),
                     "[1].keypoints: 18 keypoints, but earlier detections have 17");
  expect_input_error(mutated(dir, coco, "\"image_id\":0,", "\"image_id\":0.5,", "7.json"),
                     "[0].image_id: expected an integer, got 0.5");
  expect_input_error(mutated(dir, coco, "\"score\":0.6", "\"score\":\"high\"", "8.json"),
                     "score: expected a number, got string");
  expect_input_error(mutated(dir, coco, "},{\"image_id\":0,", "},{", "9.json"), "[1]: missing key 'image_id'");
}

TEST(Malformed, CocoResultsWithOnlyOtherCategoriesHaveNoPeople) {
  TempDir dir;
  std::string values;
  for (int j = 0; j < 17; ++j) values += std::string(j ? "," : "") + "1,1,1";
  const std::string path = dir.file(
      "r.json", R"([{"image_id": 0, "category_id": 2, "keypoints": [)" + values + R"(], "score": 1}])");
  expect_input_error(path, "no person detections");
}

TEST(Malformed, AlphaPoseAtEveryLevel) {
  TempDir dir;
  const std::string alpha = "alphapose_halpe26.json";
  expect_input_error(mutated(dir, alpha, "\"idx\":2", "\"idx\":\"two\"", "1.json"),
                     "[0].idx: expected an integer, got string");
  expect_input_error(mutated(dir, alpha, "\"idx\":2", "\"idx\":[[2],[\"x\"]]", "2.json"),
                     "[0].idx[1][0]: expected a number or a list of numbers, got string");
  expect_input_error(mutated(dir, alpha, "\"keypoints\":[", "\"keypoints\":[1,1,1,", "3.json"),
                     "[0].keypoints: 27 keypoints match no known layout");
  expect_input_error(mutated(dir, alpha, "\"image_id\":\"0.jpg\"", "\"image_id\":\"00.jpg\"", "4.json"),
                     "same frame number 0");
}

TEST(Malformed, MMPoseAtEveryLevel) {
  TempDir dir;
  const std::string mm = "mmpose.json";
  expect_input_error(mutated(dir, mm, "\"instances\":[", "\"instances\":\"none\",\"i\":[", "1.json"),
                     "[0].instances: expected an array, got string");
  expect_input_error(mutated(dir, mm, "\"instances\":[", "\"instances\":[3,", "2.json"),
                     "[0].instances[0]: expected an object, got number");
  expect_input_error(mutated(dir, mm, "\"keypoints\":[[", "\"keypoints\":[[1,2,3],[", "3.json"),
                     "[0].instances[0].keypoints[0]: 3 values, expected [x, y] (3d predictions");
  expect_input_error(mutated(dir, mm, "\"keypoints\":[[", "\"keypoints\":[7,[", "4.json"),
                     "[0].instances[0].keypoints[0]: expected an array, got number");
  expect_input_error(mutated(dir, mm, "\"keypoint_scores\":[", "\"keypoint_scores\":[1,", "5.json"),
                     "[0].instances[0].keypoint_scores: 18 scores for 17 keypoints");
  expect_input_error(mutated(dir, mm, "\"frame_id\":0", "\"frame_id\":\"0\"", "6.json"),
                     "[0].frame_id: expected an integer, got string");
  expect_input_error(mutated(dir, mm, "\"frame_id\":1", "\"frame_id\":0", "7.json"), "frame 0 appears more than once");
  expect_input_error(mutated(dir, mm, "\"track_id\":1", "\"track_id\":[1]", "8.json"),
                     "[0].instances[0].track_id: expected an integer, got array");
  expect_input_error(mutated(dir, "mmpose_predictions.json", "\"instance_info\":[", "\"instance_info\":[{\"frame_id\":9},",
                             "9.json"),
                     "instance_info[0]: missing key 'instances'");
}

TEST(Malformed, MMPoseWithoutAnyPersonSaysSo) {
  TempDir dir;
  expect_input_error(dir.file("m.json", R"([{"frame_id": 0, "instances": []}])"), "no person detected in any of the 1 frames");
}

TEST(Malformed, OpenPoseAtEveryLevel) {
  TempDir dir;
  std::string values;
  for (int j = 0; j < 25; ++j) values += std::string(j ? "," : "") + "1,1,1";
  const std::string good = R"({"people": [{"person_id": [-1], "pose_keypoints_2d": [)" + values + "]}]}";
  auto read_dir = [&](const std::string& name, const std::string& bad, const std::string& what) {
    TempDir frames;
    frames.file("v_000_keypoints.json", good);
    const std::string bad_path = frames.file(name, bad);
    EXPECT_THAT([&] { read_keypoints_2d(frames.path(), raw_options()); },
                ThrowsMessage<InputError>(AllOf(HasSubstr(bad_path + ": "), HasSubstr(what))));
  };
  read_dir("v_001_keypoints.json", "{", "invalid json");
  read_dir("v_001_keypoints.json", "[]", "expected an object, got array");
  read_dir("v_001_keypoints.json", "{}", "missing key 'people'");
  read_dir("v_001_keypoints.json", R"({"people": {}})", "people: expected an array, got object");
  read_dir("v_001_keypoints.json", R"({"people": [1]})", "people[0]: expected an object, got number");
  read_dir("v_001_keypoints.json", R"({"people": [{}]})", "people[0]: missing key 'pose_keypoints_2d'");
  read_dir("v_001_keypoints.json", R"({"people": [{"pose_keypoints_2d": "x"}]})",
           "people[0].pose_keypoints_2d: expected an array, got string");
  read_dir("v_001_keypoints.json", R"({"people": [{"pose_keypoints_2d": [1, 1, 1]}]})",
           "people[0].pose_keypoints_2d: 1 keypoints, but");
  read_dir("v_001_keypoints.json", R"({"people": [{"person_id": ["a"], "pose_keypoints_2d": [)" + values + "]}]}",
           "people[0].person_id[0]: expected an integer, got string");
  read_dir("w_keypoints.json", good, "no frame number at the end of the file name");
  read_dir("v_0_keypoints.json", good, "same frame number 0");  // "v_000" and "v_0": one video
}

TEST(Malformed, OpenPoseUnknownJointCountOnFirstFrame) {
  TempDir dir;
  dir.file("v_0_keypoints.json", R"({"people": [{"pose_keypoints_2d": [1, 1, 1, 2, 2, 2]}]})");
  EXPECT_THAT([&] { read_keypoints_2d(dir.path(), raw_options()); },
              ThrowsMessage<InputError>(HasSubstr("2 keypoints match no known layout (25 (BODY_25) or 18 (COCO))")));
}

TEST(Malformed, OpenPoseEmptyInputs) {
  TempDir dir;
  dir.file("notes.txt", "x");
  EXPECT_THAT([&] { read_keypoints_2d(dir.path(), raw_options()); },
              ThrowsMessage<InputError>(HasSubstr("no *_keypoints.json or *.json files")));
  EXPECT_THAT([&] { read_keypoints_2d(dir.path() + "/*.nothing", raw_options()); },
              ThrowsMessage<InputError>(HasSubstr("no files match")));
  dir.file("v_0_keypoints.json", R"({"people": []})");
  EXPECT_THAT([&] { read_keypoints_2d(dir.path(), raw_options()); },
              ThrowsMessage<InputError>(HasSubstr("no person detected in any of the 1 frames")));
}

TEST(Malformed, SourceLayoutOverrideMustFitTheCount) {
  KeypointReadOptions options = raw_options("");
  options.source_layout = "h36m";
  const Keypoints2D read = read_keypoints_2d(fixture("mmpose.json"), options);  // 17 joints: allowed
  EXPECT_EQ(read.layout, "h36m");
  options.source_layout = "halpe26";
  EXPECT_THAT([&] { read_keypoints_2d(fixture("mmpose.json"), options); },
              ThrowsMessage<InputError>(HasSubstr("17 keypoints, but layout 'halpe26' has 26")));
}

}  // namespace
}  // namespace lift3d
