// The keypoint files real users have: real exports committed in tests/fixtures/real/ (Pose2Sim
// BODY_25B folders, untracked AlphaPose Halpe-26, PoseMamba keypoints.npz, a truncated MMPose 0.x
// dump) and synthetic files in each documented shape (tools/make_format_fixtures.py: MMPose 0.x
// pose_results, MediaPipe JSON and CSV, keypoint CSV, .npy/.npz arrays, BODY_25B), plus the
// malformed variants each reader must refuse in one line naming the file.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "base/joint_mapping.hpp"
#include "base/joint_sets.hpp"
#include "io/keypoint_files.hpp"
#include "io/npy.hpp"
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

std::string formats(const std::string& name) { return std::string(LIFT3D_FIXTURES_DIR) + "/formats/" + name; }
std::string real(const std::string& name) { return std::string(LIFT3D_FIXTURES_DIR) + "/real/" + name; }

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "lift3d_formats_XXXXXX").string();
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
  std::string copy(const std::string& from, const std::string& name) const {
    const std::string path = (fs::path(path_) / name).string();
    fs::create_directories(fs::path(path).parent_path());
    fs::copy_file(from, path);
    return path;
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

KeypointReadOptions raw_options(const std::string& target = "coco", const std::string& source = "") {
  KeypointReadOptions options;
  options.target_layout = target;
  options.source_layout = source;
  options.fill_gaps = false;
  return options;
}

Keypoints2D expected() { return read_keypoints_2d(formats("sequence.lift3d.json"), raw_options("")); }

void expect_same_values(const KeypointSequence& actual, const KeypointSequence& wanted, float tolerance = 0.0f) {
  ASSERT_EQ(actual.frames, wanted.frames);
  ASSERT_EQ(actual.joints, wanted.joints);
  ASSERT_EQ(actual.features, wanted.features);
  int mismatches = 0;
  for (int f = 0; f < actual.frames; ++f)
    for (int j = 0; j < actual.joints; ++j)
      for (int k = 0; k < actual.features; ++k) {
        const float a = actual.at(f, j, k), b = wanted.at(f, j, k);
        if (std::fabs(a - b) <= tolerance || (std::isnan(a) && std::isnan(b))) continue;
        if (mismatches++ == 0)
          ADD_FAILURE() << "first difference at frame " << f << ", joint " << j << ", feature " << k << ": " << a
                        << " vs " << b;
      }
  EXPECT_EQ(mismatches, 0);
}

void expect_input_error(const std::string& path, const std::string& what, const KeypointReadOptions& options = raw_options()) {
  EXPECT_THAT([&] { read_people_2d(path, options); },
              ThrowsMessage<InputError>(AllOf(HasSubstr(path), HasSubstr(what))));
}

KeypointFileFormat format_of(const std::string& path) {
  if (const auto by_path = keypoint_format_from_path(path)) return *by_path;
  return detect_keypoint_json_format(nlohmann::json::parse(std::ifstream(path)), path);
}

// --- the synthetic sequence in every new format --------------------------------------------------

TEST(NewFormats, AreDetected) {
  EXPECT_EQ(format_of(formats("mmpose0x_pose_results.json")), KeypointFileFormat::MMPose0xJson);
  EXPECT_EQ(format_of(formats("mediapipe_frames.json")), KeypointFileFormat::MediaPipeJson);
  EXPECT_EQ(format_of(formats("mediapipe_named.json")), KeypointFileFormat::MediaPipeJson);
  EXPECT_EQ(format_of(formats("mediapipe_wide.csv")), KeypointFileFormat::KeypointCsv);
  EXPECT_EQ(format_of(formats("keypoints_coco.csv")), KeypointFileFormat::KeypointCsv);
  EXPECT_EQ(format_of(formats("keypoints_coco.npy")), KeypointFileFormat::KeypointArray);
  EXPECT_EQ(format_of(formats("keypoints_coco.npz")), KeypointFileFormat::KeypointArray);
  EXPECT_EQ(format_of(real("npz/posemamba_sample_video/keypoints.npz")), KeypointFileFormat::KeypointArray);
}

TEST(NewFormats, YieldTheCocoSequenceExactly) {
  const KeypointSequence wanted = expected().seq;
  for (const auto& [input, source_layout] :
       std::vector<std::pair<std::string, std::string>>{{"mmpose0x_pose_results.json", ""},
                                                        {"keypoints_coco.csv", ""},
                                                        {"keypoints_numbered.csv", "coco"},
                                                        {"keypoints_coco.npy", "coco"},
                                                        {"keypoints_coco.npz", "coco"},
                                                        {"openpose_body25b", "body25b"}}) {
    SCOPED_TRACE(input);
    const Keypoints2D read = read_keypoints_2d(formats(input), raw_options("coco", source_layout));
    EXPECT_EQ(read.layout, "coco");
    expect_same_values(read.seq, wanted);
  }
}

TEST(NewFormats, ReportTheirLayoutAndCoordinates) {
  const Detections2D mmpose = read_detections(formats("mmpose0x_pose_results.json"), {}).at(0);
  EXPECT_EQ(mmpose.layout, "coco");
  EXPECT_EQ(mmpose.coordinates, Coordinates::Pixels);
  EXPECT_TRUE(mmpose.has_track_ids);
  EXPECT_EQ(mmpose.count(), 12u);  // both people of 6 frames
  const Detections2D csv = read_detections(formats("keypoints_coco.csv"), {}).at(0);
  EXPECT_EQ(csv.coordinates, Coordinates::Unknown);
  EXPECT_EQ(read_detections(formats("keypoints_coco.npy"), {"coco"}).at(0).coordinates, Coordinates::Unknown);
  EXPECT_EQ(read_detections(formats("keypoints_coco.npz"), {"coco"}).at(0).coordinates, Coordinates::Pixels);
  for (const char* input : {"mediapipe_frames.json", "mediapipe_named.json", "mediapipe_wide.csv", "mediapipe_long.csv"}) {
    SCOPED_TRACE(input);
    const Detections2D read = read_detections(formats(input), {}).at(0);
    EXPECT_EQ(read.layout, "mediapipe33");
    EXPECT_EQ(read.joints, 33);
    EXPECT_EQ(read.coordinates, Coordinates::Normalized);
  }
}

TEST(NewFormats, TrackIdsOfMmpose0xFollowThePerson) {
  KeypointReadOptions options = raw_options();
  options.track_id = 1;  // the distractor
  const Keypoints2D other = read_keypoints_2d(formats("mmpose0x_pose_results.json"), options);
  expect_same_values(other.seq, read_keypoints_2d(formats("distractor.lift3d.json"), raw_options()).seq);
}

// MediaPipe: x / 640 and y / 480 of the sequence, 33 landmarks, frames 2-7 after two without a pose.
TEST(MediaPipe, EveryShapeGivesTheSequenceScaledToTheImage) {
  const KeypointSequence wanted = expected().seq;
  for (const char* input : {"mediapipe_frames.json", "mediapipe_named.json", "mediapipe_wide.csv", "mediapipe_long.csv"}) {
    SCOPED_TRACE(input);
    const Detections2D detections = read_detections(formats(input), {}).at(0);
    ASSERT_EQ(detections.count(), 6u);  // the frames without a pose have no detection
    EXPECT_EQ(detections.detections.front().frame, 2);
    // The JSON files list frames 0 and 1 (without a pose: missing frames of the sequence); the CSV
    // files have no rows for them.
    Keypoints2D read = read_keypoints_2d(formats(input), raw_options());
    const bool json = std::string(input).find(".json") != std::string::npos;
    ASSERT_EQ(read.seq.frames, json ? 8 : 6);
    const int first = json ? 2 : 0;
    for (int j = 0; j < 17 && json; ++j) EXPECT_EQ(read.seq.at(0, j, 2), 0.0f);
    for (int f = 0; f < 6; ++f)
      for (int j = 0; j < 17; ++j) {
        EXPECT_NEAR(read.seq.at(first + f, j, 0) * 640.0, wanted.at(f, j, 0), 1e-3) << "frame " << f << " joint " << j;
        EXPECT_NEAR(read.seq.at(first + f, j, 1) * 480.0, wanted.at(f, j, 1), 1e-3) << "frame " << f << " joint " << j;
        // The long table has no visibility: every given landmark has score 1.
        const float score = std::string(input) == "mediapipe_long.csv" ? 1.0f : wanted.at(f, j, 2);
        EXPECT_FLOAT_EQ(read.seq.at(first + f, j, 2), score);
      }
  }
}

TEST(MediaPipe, LayoutMapsTheNamedLandmarksOntoCoco) {
  const KeypointLayout& mediapipe = keypoint_layout("mediapipe33");
  const KeypointLayout& coco = keypoint_layout("coco");
  const std::vector<const JointMapping*> chain = joint_mapping_chain("mediapipe33", "coco");
  ASSERT_EQ(chain.size(), 1u);
  for (std::size_t j = 0; j < 17; ++j)
    EXPECT_EQ(mediapipe.joint_names[chain[0]->sources[j].at(0)], coco.joint_names[j]);
  EXPECT_EQ(joint_mapping_chain("mediapipe33", "h36m").size(), 2u);
}

// --- AlphaPose idx forms --------------------------------------------------------------------------

TEST(AlphaPose, UntrackedListIdxFormsCarryNoTrackIds) {
  const std::vector<Detections2D> videos = read_detections(real("alphapose/motionbert_halpe26/alphapose-results.json"), {});
  ASSERT_EQ(videos.size(), 1u);
  const Detections2D& read = videos[0];
  EXPECT_EQ(read.layout, "halpe26");
  EXPECT_FALSE(read.has_track_ids);
  EXPECT_FALSE(read.frames_are_ranks);
  ASSERT_EQ(read.frames.size(), 80u);  // "0.jpg" .. "79.jpg", numbered by value: 10 after 9
  for (std::size_t i = 0; i < read.frames.size(); ++i) EXPECT_EQ(read.frames[i], static_cast<long long>(i));
  EXPECT_EQ(read.count(), 80u);
  bool score_above_one = false;
  for (const Detection& detection : read.detections) {
    EXPECT_FALSE(detection.track_id.has_value());
    score_above_one = score_above_one || detection.score > 1.0;
  }
  EXPECT_TRUE(score_above_one);  // pose NMS scores are kept as written
}

std::string alphapose_entry(const std::string& image, const std::string& idx, float x) {
  std::string values;
  for (int j = 0; j < 17; ++j) values += std::string(j ? "," : "") + std::to_string(x + j) + ",5,0.9";
  return R"({"image_id": ")" + image + R"(", "category_id": 1, "keypoints": [)" + values + R"(], "score": 2.5)" +
         (idx.empty() ? "" : R"(, "idx": )" + idx) + "}";
}

TEST(AlphaPose, NumberIdxIsATrackIdAndAnyListMakesTheFileUntracked) {
  TempDir dir;
  const std::string tracked = dir.file("tracked.json", "[" + alphapose_entry("0.jpg", "1", 10) + "," +
                                                           alphapose_entry("0.jpg", "2", 50) + "," +
                                                           alphapose_entry("1.jpg", "2.0", 51) + "]");
  const Detections2D read = read_detections(tracked, {}).at(0);
  EXPECT_TRUE(read.has_track_ids);
  ASSERT_EQ(read.count(), 3u);
  EXPECT_EQ(read.detections[2].track_id, 2);
  const std::string mixed = dir.file("mixed.json", "[" + alphapose_entry("0.jpg", "1", 10) + "," +
                                                       alphapose_entry("1.jpg", "[[0.0],[0.0],[[0.0]]]", 50) + "]");
  EXPECT_FALSE(read_detections(mixed, {}).at(0).has_track_ids);
  // Entries without box or idx are fine.
  const std::string bare = dir.file("bare.json", "[" + alphapose_entry("a/7.png", "", 3) + "]");
  EXPECT_EQ(read_detections(bare, {}).at(0).frames.at(0), 7);
}

TEST(AlphaPose, MalformedIdxNamesItsPath) {
  TempDir dir;
  expect_input_error(dir.file("a.json", "[" + alphapose_entry("0.jpg", "[0.0, \"x\"]", 1) + "]"),
                     "[0].idx[1]: expected a number or a list of numbers, got string");
  std::string deep = "0";
  for (int i = 0; i < 12; ++i) deep = "[" + deep + "]";
  expect_input_error(dir.file("b.json", "[" + alphapose_entry("0.jpg", deep, 1) + "]"), "idx lists nested too deeply");
  expect_input_error(dir.file("c.json", "[" + alphapose_entry("0.jpg", "1.5", 1) + "]"), "[0].idx");
}

// --- OpenPose folders -------------------------------------------------------------------------------

std::string openpose_frame(float x) {
  std::string values;
  for (int j = 0; j < 18; ++j) values += std::string(j ? "," : "") + std::to_string(x + 3 * j) + ",7,0.8";
  return R"({"version": 1.3, "people": [{"person_id": [-1], "pose_keypoints_2d": [)" + values + "]}]}";
}

TEST(OpenPose, AFolderOfSeveralVideosGivesOneDetectionsPerVideoInNameOrder) {
  TempDir dir;
  for (int f = 0; f < 3; ++f) {
    dir.file("Kick_2_00000000000" + std::to_string(f) + "_keypoints.json", openpose_frame(200 + f));
    dir.file("Kick_1_00000000000" + std::to_string(f) + "_keypoints.json", openpose_frame(100 + f));
  }
  dir.file("Kick_1_000000000003_keypoints.json", openpose_frame(103));
  const std::vector<Detections2D> videos = read_detections(dir.path(), {});
  ASSERT_EQ(videos.size(), 2u);
  EXPECT_EQ(videos[0].video, "Kick_1");
  EXPECT_EQ(videos[1].video, "Kick_2");
  EXPECT_EQ(videos[0].frames.size(), 4u);
  EXPECT_EQ(videos[1].frames.size(), 3u);
  EXPECT_EQ(videos[1].keypoints_of(0)[0], 200.0f);
  // The pipeline keys each video's sequence by its name.
  const std::vector<Keypoints2D> people = read_people_2d(dir.path(), raw_options(""));
  ASSERT_EQ(people.size(), 2u);
  EXPECT_EQ(people[0].name, "Kick_1");
  EXPECT_EQ(people[1].name, "Kick_2");
  // A glob of one of them is one video, named after the input.
  const std::vector<Detections2D> one = read_detections(dir.path() + "/Kick_2_*_keypoints.json", {});
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].video, "");
}

TEST(OpenPose, DuplicateFrameNumbersWithinAVideoAreRefused) {
  TempDir dir;
  dir.file("clip_1_keypoints.json", openpose_frame(1));
  dir.file("clip_01_keypoints.json", openpose_frame(2));
  expect_input_error(dir.path(), "same frame number 1");
}

TEST(OpenPose, Pose2SimNamesAndStrayFilesAreRead) {
  KeypointReadOptions options = raw_options("", "body25b");
  const std::vector<Detections2D> videos = read_detections(real("openpose/pose2sim_cam04_stray_files"), {"body25b"});
  ASSERT_EQ(videos.size(), 1u);  // del_000000_0.json and del_000001_0.json hold no person: skipped
  EXPECT_EQ(videos[0].video, "");
  EXPECT_EQ(videos[0].layout, "body25b");
  ASSERT_EQ(videos[0].frames.size(), 30u);
  EXPECT_EQ(videos[0].frames.front(), 0);
  EXPECT_EQ(videos[0].frames.back(), 29);
  const Detections2D cam1 = read_detections(real("openpose/pose2sim_body25b_cam1"), {"body25b"}).at(0);
  EXPECT_EQ(cam1.frames.size(), 30u);
  EXPECT_GE(cam1.count(), 60u);  // two people a frame
}

TEST(OpenPose, Body25bReadAsBody25IsRefusedNamingTheOption) {
  for (const std::string& input : {real("openpose/pose2sim_body25b_cam1"), formats("openpose_body25b")}) {
    EXPECT_THAT([&] { read_detections(input, {}); },
                ThrowsMessage<InputError>(AllOf(HasSubstr(input), HasSubstr("--input-layout body25b"))));
    EXPECT_EQ(read_detections(input, {"body25"}).at(0).layout, "body25");  // said explicitly: as told
  }
  EXPECT_EQ(read_detections(formats("openpose_body25"), {}).at(0).layout, "body25");  // real BODY_25 passes
}

TEST(OpenPose, EmptyFrameFilesAreSkippedAndUnnumberedJsonIgnored) {
  TempDir dir;
  dir.file("cam01.0000.json", openpose_frame(1));
  dir.file("cam01.0001.json", openpose_frame(2));
  dir.file("cam01.0002.json", "");  // an interrupted write
  dir.file("calibration.json", R"({"K": [1, 2, 3]})");
  const Detections2D read = read_detections(dir.path(), {}).at(0);
  EXPECT_EQ(read.frames, (std::vector<long long>{0, 1}));
  // Truncated (not empty) content is an error naming the file.
  dir.file("cam01.0003.json", R"({"people": [)");
  expect_input_error(dir.path(), "cam01.0003.json: invalid json");
}

TEST(OpenPose, AFolderWithoutAnyPersonIsAnError) {
  TempDir dir;
  dir.file("del_000000_0.json", R"({"version":1.3,"people":[]})");
  expect_input_error(dir.path(), "no person detected in any of the 1 frames");
  TempDir empty;
  expect_input_error(empty.path(), "no *_keypoints.json or *.json files");
}

// --- arrays ------------------------------------------------------------------------------------------

TEST(KeypointArrays, PoseMambaReconstructionIsH36mWithScores) {
  const Detections2D read = read_detections(real("npz/posemamba_sample_video/keypoints.npz"), {}).at(0);
  EXPECT_EQ(read.layout, "h36m");
  EXPECT_EQ(read.frames.size(), 185u);
  EXPECT_EQ(read.count(), 185u);
  EXPECT_FALSE(read.has_track_ids);  // one person
  float max_score = 0;
  for (std::size_t d = 0; d < read.count(); ++d)
    for (int j = 0; j < 17; ++j) max_score = std::max(max_score, read.keypoints_of(d)[j * 3 + 2]);
  EXPECT_GT(max_score, 0.5f);
  EXPECT_LT(max_score, 1.5f);  // the third channel is a score, not a depth
  // Mapped onto coco for COCO-input models, with the approximation named in the table.
  const std::vector<const JointMapping*> chain = joint_mapping_chain("h36m", "coco");
  ASSERT_EQ(chain.size(), 1u);
  EXPECT_THAT(chain[0]->approximation, HasSubstr("eyes and ears"));
  EXPECT_EQ(read_keypoints_2d(real("npz/posemamba_sample_video1/keypoints.npz"), raw_options()).seq.frames, 77);
}

TEST(KeypointArrays, PlainArraysNeedTheirLayout) {
  EXPECT_THAT([] { read_detections(formats("keypoints_coco.npy"), {}); },
              ThrowsMessage<UsageError>(AllOf(HasSubstr("keypoints_coco.npy"), HasSubstr("--input-layout"))));
  EXPECT_THAT([] { read_detections(formats("keypoints_coco.npy"), {"h36m"}); }, ::testing::Not(::testing::Throws<Error>()));
  EXPECT_THAT([] { read_detections(formats("keypoints_coco.npy"), {"body25"}); },
              ThrowsMessage<InputError>(HasSubstr("17 joints, but layout 'body25' has 25")));
}

TEST(KeypointArrays, ShapesAndContentAreChecked) {
  TempDir dir;
  const auto npy = [&](const std::string& name, std::vector<std::int64_t> shape, std::vector<float> values) {
    const std::string path = dir.path() + "/" + name;
    write_npy(path, Array::from_float(std::move(shape), values));
    return path;
  };
  expect_input_error(npy("flat.npy", {51}, std::vector<float>(51, 1.0f)), "shape [51], expected (frames, joints, 2|3)");
  expect_input_error(npy("four.npy", {2, 17, 4}, std::vector<float>(136, 1.0f)), "shape [2, 17, 4]");
  expect_input_error(npy("nan.npy", {1, 17, 2}, std::vector<float>(34, NAN)), "no finite keypoints in any frame",
                     raw_options("coco", "coco"));
  // Several people: one detection each, the person index as track id.
  std::vector<float> two(2 * 3 * 17 * 2, 5.0f);
  const Detections2D people = read_detections(npy("people.npy", {2, 3, 17, 2}, two), {"coco"}).at(0);
  EXPECT_EQ(people.count(), 6u);
  EXPECT_TRUE(people.has_track_ids);
  // A .npy that is text, and an npz of several arrays without `reconstruction`.
  expect_input_error(dir.file("text.npy", "[1, 2, 3]"), "text.npy");
  write_npz(dir.path() + "/two.npz", {{"a", Array::from_float({1}, {1.0f})}, {"b", Array::from_float({1}, {1.0f})}});
  expect_input_error(dir.path() + "/two.npz", "no 'reconstruction' array and not a single array (has: a, b)");
}

// --- CSV ------------------------------------------------------------------------------------------

TEST(KeypointCsv, NumberedColumnsNeedTheirLayout) {
  EXPECT_THAT([] { read_detections(formats("keypoints_numbered.csv"), {}); },
              ThrowsMessage<UsageError>(HasSubstr("--input-layout")));
}

TEST(KeypointCsv, MalformedTablesNameFileAndLine) {
  TempDir dir;
  std::string header = "frame";
  std::string row = "0";
  for (const char* joint : {"nose", "left_eye", "right_eye"}) {
    header += std::string(",") + joint + "_x," + joint + "_y";
    row += ",1,2";
  }
  expect_input_error(dir.file("short.csv", header + "\n" + row + "\n1,2\n"), "line 3: 2 cells, the header has 7");
  expect_input_error(dir.file("text.csv", header + "\n" + "0,1,abc,1,2,1,2\n"), "line 2, column 'nose_y': 'abc' is not");
  expect_input_error(dir.file("dup.csv", header + "\n" + row + "\n" + row + "\n"), "frame 0 appears more than once");
  expect_input_error(dir.file("none.csv", "a,b,c\n1,2,3\n"), "no keypoint columns");
  expect_input_error(dir.file("empty.csv", ""), "empty csv file");
  expect_input_error(dir.file("names.csv", "foo_x,foo_y\n1,2\n"), "not those of one known layout");
  expect_input_error(dir.file("gap.csv", "x0,y0,x2,y2\n1,2,3,4\n"), "joint 1 has no columns");
  expect_input_error(dir.file("long.csv", "Frame,LandmarkID,X,Y\n0,0,0.1,0.2\n0,0,0.1,0.2\n"),
                     "joint 0 given twice for frame 0");
  expect_input_error(dir.file("binary.csv", std::string("frame,x0\0\1", 10)), "not a text csv file");
  // Named joints of a subset: the layout's other joints are missing (score 0).
  const Detections2D subset = read_detections(dir.file("subset.csv", header + "\n" + row + "\n"), {}).at(0);
  EXPECT_EQ(subset.layout, "coco");
  EXPECT_EQ(subset.keypoints_of(0)[3 * 3 + 2], 0.0f);
}

// --- MMPose 0.x and MediaPipe malformed --------------------------------------------------------------

TEST(Malformed, TruncatedRealMmpose0xDumpIsOneLineNamingTheFile) {
  expect_input_error(real("mmpose/mmpose0x_truncated/pose_results.json"), "invalid json");
}

TEST(Malformed, Mmpose0xAndMediaPipeProblemsNameTheirPath) {
  TempDir dir;
  std::string rows;
  for (int j = 0; j < 17; ++j) rows += std::string(j ? "," : "") + "[1,2,0.5]";
  expect_input_error(dir.file("a.json", R"([[{"bbox": [1,2,3], "keypoints": [)" + rows + "]}]]"),
                     "[0][0].bbox: 3 values, expected [x1, y1, x2, y2, score]");
  expect_input_error(dir.file("b.json", R"([[{"keypoints": [[1,2,0.5],[1,2]]}]])"), "");
  expect_input_error(dir.file("c.json", R"([{"frame": 0, "landmarks": {"nose": {"x": 1}}}])"),
                     "[0].landmarks.nose: missing key 'y'");
  expect_input_error(dir.file("d.json", R"([{"frame": 0, "landmarks": {"tail": {"x": 1, "y": 2}}}])"),
                     "[0].landmarks.tail: not a mediapipe pose landmark name");
  expect_input_error(dir.file("e.json", R"([{"frame": 0, "keypoints": [{"id": 40, "x": 1, "y": 2}]}])"),
                     "landmark id 40 outside 0..32");
  expect_input_error(dir.file("f.json", R"([{"frame": 0, "has_pose": false, "landmarks": {}}])"),
                     "no pose in any of the 1 frames");
  expect_input_error(dir.file("g.json", R"([{"frame": 0, "landmarks": [{"x": 1, "y": 2}]}])"),
                     "1 landmarks, expected 33");
}

}  // namespace
}  // namespace lift3d
