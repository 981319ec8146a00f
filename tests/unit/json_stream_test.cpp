// Keypoint JSON read record by record (io/keypoint_json_stream.hpp): the same detections and the
// same errors as the whole-document readers, on every JSON fixture and on edge cases of streaming
// (a record cut off, a duplicate key inside a record, many tiny records, a format only a later
// record settles).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>

#include "io/json_support.hpp"
#include "io/keypoint_files.hpp"
#include "lift3d/error.hpp"

namespace lift3d {
namespace {

using namespace io;
namespace fs = std::filesystem;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::StartsWith;

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "lift3d_json_stream_XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  std::string file(const std::string& name, const std::string& text) const {
    const std::string path = (fs::path(path_) / name).string();
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

 private:
  std::string path_;
};

// Every field of a Detections2D, floats by their bits (NaN included), or the error it threw.
std::string describe(const std::function<Detections2D()>& read) {
  try {
    const Detections2D d = read();
    std::ostringstream out;
    out << d.format << '|' << d.layout << '|' << d.joints << '|' << d.image_width << 'x' << d.image_height << '|'
        << d.fps << '|' << d.has_track_ids << '|' << d.frames_are_ranks << '|' << static_cast<int>(d.coordinates)
        << "|frames";
    for (long long frame : d.frames) out << ' ' << frame;
    out << "|detections";
    for (const Detection& detection : d.detections) {
      std::uint64_t score_bits = 0;
      std::memcpy(&score_bits, &detection.score, sizeof score_bits);
      out << ' ' << detection.frame << ':' << score_bits << ':' << (detection.track_id ? *detection.track_id : -999);
    }
    out << "|keypoints";
    for (float value : d.keypoints) {
      std::uint32_t bits = 0;
      std::memcpy(&bits, &value, sizeof bits);
      out << ' ' << bits;
    }
    return out.str();
  } catch (const UsageError& e) {
    return std::string("usage error: ") + e.what();
  } catch (const Error& e) {
    return std::string("error: ") + e.what();
  }
}

// The readers on the whole parsed document, as before streaming.
Detections2D read_whole(const std::string& path, const DetectionReadOptions& options = {}) {
  const nlohmann::json document = read_json_file(path);
  switch (detect_keypoint_json_format(document, path)) {
    case KeypointFileFormat::Lift3dJson: return lift3d_keypoints_detections(document, path, options);
    case KeypointFileFormat::OpenPoseJson: return openpose_frame_detections(document, path, options);
    case KeypointFileFormat::CocoResultsJson: return coco_results_detections(document, path, options);
    case KeypointFileFormat::AlphaPoseJson: return alphapose_detections(document, path, options);
    case KeypointFileFormat::MMPoseJson: return mmpose_detections(document, path, options);
    case KeypointFileFormat::MMPose0xJson: return mmpose0x_detections(document, path, options);
    case KeypointFileFormat::MediaPipeJson: return mediapipe_detections(document, path, options);
    default: throw InternalError("not a json format");
  }
}

Detections2D read_streamed(const std::string& path, const DetectionReadOptions& options = {}) {
  return read_detections(path, options).at(0);
}

void expect_same(const std::string& path, const DetectionReadOptions& options = {}) {
  const std::string whole = describe([&] { return read_whole(path, options); });
  const std::string streamed = describe([&] { return read_streamed(path, options); });
  EXPECT_EQ(streamed, whole) << path;
}

// 17 COCO keypoints of frame `i`, flat x, y, score.
std::string coco_keypoints(int i) {
  std::string text;
  for (int j = 0; j < 17; ++j)
    text += (j ? ", " : "") + std::to_string(100 + 3 * j + i) + ".5, " + std::to_string(200 + 7 * j) + ".25, 0.9";
  return text;
}

std::string coco_record(int i) {
  return "{\"image_id\": " + std::to_string(i) + ", \"category_id\": 1, \"keypoints\": [" + coco_keypoints(i) +
         "], \"score\": 0.8}";
}

std::string coco_list(int count) {
  std::string text = "[";
  for (int i = 0; i < count; ++i) text += (i ? ",\n" : "\n") + coco_record(i);
  return text + "\n]\n";
}

std::string lift3d_document(int frames, const std::string& extra = "") {
  std::string text = "{\"format\": \"lift3d-keypoints-2d\", \"version\": 1, \"layout\": \"coco\", \"image_width\": 640, "
                     "\"image_height\": 480" + extra + ", \"keypoints\": [";
  for (int f = 0; f < frames; ++f) {
    text += f ? ",\n[" : "\n[";
    for (int j = 0; j < 17; ++j)
      text += (j ? ", " : "") + (j == 3 && f % 5 == 0 ? std::string("null")
                                                      : "[" + std::to_string(10 * j + f) + ".5, 20.25, 0.75]");
    text += "]";
  }
  return text + "]}\n";
}

TEST(JsonStream, EveryJsonFixtureReadsAsTheWholeDocumentDoes) {
  int files = 0;
  for (const char* folder : {"formats", "hostile", "real/alphapose/motionbert_halpe26",
                             "real/alphapose/motionbert_halpe26_frames100-149_no_idx", "real/mmpose/mmpose0x_truncated"}) {
    const fs::path dir = fs::path(LIFT3D_FIXTURES_DIR) / folder;
    if (!fs::is_directory(dir)) continue;
    for (const fs::directory_entry& entry : fs::directory_iterator(dir)) {
      if (entry.path().extension() != ".json" || !entry.is_regular_file()) continue;
      expect_same(entry.path().string());
      expect_same(entry.path().string(), {"h36m"});  // a layout the file may contradict
      ++files;
    }
  }
  EXPECT_GE(files, 10);
}

TEST(JsonStream, GeneratedFilesOfEachStreamedFormatReadAsTheWholeDocumentDoes) {
  TempDir dir;
  expect_same(dir.file("coco.json", coco_list(50)));
  expect_same(dir.file("lift3d.json", lift3d_document(40, ", \"fps\": 25")));
  std::string alphapose = "[", mmpose = "[", tracked = "[";
  for (int i = 0; i < 30; ++i) {
    const std::string keypoints = coco_keypoints(i);
    alphapose += std::string(i ? ",\n" : "\n") + "{\"image_id\": \"frame_" + std::to_string(i) +
                 ".jpg\", \"category_id\": 1, \"keypoints\": [" + keypoints + "], \"score\": 2.5, \"box\": [1, 2, 3, 4], \"idx\": [[0.0], [1.0]]}";
    tracked += std::string(i ? ",\n" : "\n") + "{\"image_id\": \"" + std::to_string(i / 2) + ".jpg\", \"keypoints\": [" +
               keypoints + "], \"score\": 1.5, \"idx\": " + std::to_string(i % 2) + "}";
    std::string points, scores;
    for (int j = 0; j < 17; ++j) {
      points += (j ? ", [" : "[") + std::to_string(j + i) + ".5, " + std::to_string(2 * j) + "]";
      scores += (j ? ", " : "") + std::string(j % 4 ? "0.5" : "0.25");
    }
    mmpose += std::string(i ? ",\n" : "\n") + "{\"frame_id\": " + std::to_string(i) + ", \"instances\": [{\"keypoints\": [" +
              points + "], \"keypoint_scores\": [" + scores + "], \"track_id\": " + std::to_string(i % 3) + "}]}";
  }
  expect_same(dir.file("alphapose.json", alphapose + "]"));
  expect_same(dir.file("alphapose_tracked.json", tracked + "]"));
  expect_same(dir.file("mmpose.json", mmpose + "]"));
  // AlphaPose images out of order, or names without numbers: read whole, still the same result.
  expect_same(dir.file("alphapose_unordered.json",
                       "[{\"image_id\": \"b2.jpg\", \"keypoints\": [" + coco_keypoints(0) + "], \"score\": 1},"
                       " {\"image_id\": \"a1.jpg\", \"keypoints\": [" + coco_keypoints(1) + "], \"score\": 1}]"));
  expect_same(dir.file("alphapose_names.json",
                       "[{\"image_id\": \"x.jpg\", \"keypoints\": [" + coco_keypoints(0) + "], \"score\": 1},"
                       " {\"image_id\": \"y.jpg\", \"keypoints\": [" + coco_keypoints(1) + "], \"score\": 1}]"));
  // MMPose frame numbers that go back, and one that repeats (the message names the second).
  expect_same(dir.file("mmpose_back.json", "[{\"frame_id\": 5, \"instances\": []}, {\"frame_id\": 2, \"instances\": "
                                           "[{\"keypoints\": [[1, 2]], \"keypoint_scores\": [1]}]}]"));
  expect_same(dir.file("mmpose_repeat.json", "[{\"frame_id\": 5, \"instances\": []}, {\"frame_id\": 2, \"instances\": []}, "
                                             "{\"frame_id\": 5, \"instances\": []}]"));
}

TEST(JsonStream, ARecordCutOffMidFileIsInvalidJsonNamingTheFile) {
  TempDir dir;
  const std::string whole = coco_list(20);
  const std::string path = dir.file("cut.json", whole.substr(0, whole.size() / 2));
  EXPECT_THAT([&] { read_streamed(path); },
              ::testing::ThrowsMessage<InputError>(AllOf(StartsWith(path + ": invalid json: "), HasSubstr("line"))));
  expect_same(path);
  const std::string lift3d = lift3d_document(20);
  const std::string cut = dir.file("cut.lift3d.json", lift3d.substr(0, lift3d.size() - 40));
  EXPECT_THAT([&] { read_streamed(cut); }, ::testing::ThrowsMessage<InputError>(StartsWith(cut + ": invalid json: ")));
}

TEST(JsonStream, ASyntaxErrorAfterABadRecordIsStillTheErrorReported) {
  TempDir dir;
  std::string text = coco_list(10);
  const std::size_t third = text.find("\"keypoints\": [", text.find("\"image_id\": 3,"));
  text.replace(third, std::strlen("\"keypoints\": ["), "\"keypoints\": [\"x\", ");
  const std::string bad_record = dir.file("bad_record.json", text);
  EXPECT_THAT([&] { read_streamed(bad_record); },
              ::testing::ThrowsMessage<InputError>(HasSubstr(bad_record + ": [3].keypoints")));
  expect_same(bad_record);
  const std::string also_cut = dir.file("bad_then_cut.json", text.substr(0, text.size() - 10));
  EXPECT_THAT([&] { read_streamed(also_cut); }, ::testing::ThrowsMessage<InputError>(HasSubstr("invalid json")));
}

TEST(JsonStream, ADuplicateKeyInsideAStreamedRecordIsRefused) {
  TempDir dir;
  std::string text = coco_list(10);
  const std::size_t fifth = text.find("\"score\": 0.8}", text.find("\"image_id\": 5,"));
  text.replace(fifth, std::strlen("\"score\": 0.8}"), "\"score\": 0.8, \"score\": 0.1}");
  const std::string path = dir.file("duplicate.json", text);
  EXPECT_THAT([&] { read_streamed(path); },
              ::testing::ThrowsMessage<InputError>(HasSubstr(path + ": duplicate key 'score' in one object")));
  expect_same(path);
  // In a lift3d frame's header, and a header key after the streamed frames.
  const std::string header = dir.file("header.json", lift3d_document(5, ", \"fps\": 25, \"fps\": 50"));
  EXPECT_THAT([&] { read_streamed(header); }, ::testing::ThrowsMessage<InputError>(HasSubstr("duplicate key 'fps'")));
  std::string after = lift3d_document(5);
  after.insert(after.size() - 2, ", \"layout\": \"coco\"");
  const std::string late = dir.file("late.json", after);
  EXPECT_THAT([&] { read_streamed(late); }, ::testing::ThrowsMessage<InputError>(HasSubstr("duplicate key 'layout'")));
}

TEST(JsonStream, Lift3dHeaderErrorsComeBeforeFrameErrorsWhereverTheKeysAre) {
  TempDir dir;
  std::string text = lift3d_document(6);
  text.replace(text.find("[60.5") + 1, 4, "\"x\"");  // a bad frame (frame 5, joint 6)...
  text.insert(text.size() - 2, ", \"colour\": 1");  // ...and an unknown key after the frames
  const std::string path = dir.file("unknown_after.json", text);
  EXPECT_THAT([&] { read_streamed(path); }, ::testing::ThrowsMessage<InputError>(HasSubstr("unknown key 'colour'")));
  expect_same(path);
  const std::string frame_only = dir.file("frame_only.json", text.substr(0, text.size() - 2 - std::strlen(", \"colour\": 1")) + "}\n");
  EXPECT_THAT([&] { read_streamed(frame_only); }, ::testing::ThrowsMessage<InputError>(HasSubstr("keypoints[")));
  expect_same(frame_only);
  expect_same(frame_only, {"h36m"});  // a layout option the file contradicts: a usage error first
}

TEST(JsonStream, AHugeNumberOfTinyRecordsIsRead) {
  TempDir dir;
  // 200000 records that are not people (other categories) around three people.
  std::string text = "[" + coco_record(0);
  for (int i = 1; i <= 200000; ++i) {
    text += ",{\"image_id\":" + std::to_string(i) + ",\"category_id\":2,\"keypoints\":[]}";
    if (i == 100000) text += "," + coco_record(100000);
  }
  text += "," + coco_record(200001) + "]";
  const std::string path = dir.file("tiny.json", text);
  const Detections2D read = read_streamed(path);
  EXPECT_EQ(read.count(), 3u);
  EXPECT_EQ(read.frames, (std::vector<long long>{0, 100000, 200001}));
  EXPECT_EQ(read.joints, 17);
  EXPECT_FLOAT_EQ(read.keypoints_of(1)[0], 100100.5f);
  // (Not compared with the whole-document reader here: its parse takes time quadratic in the
  // number of objects in one list, about half a minute for these.)
  // As many empty lift3d frames would be refused (17 joints per frame), each with its path.
  std::string empties = "{\"format\": \"lift3d-keypoints-2d\", \"version\": 1, \"layout\": \"coco\", \"keypoints\": [";
  for (int f = 0; f < 200000; ++f) empties += f ? ",[]" : "[]";
  const std::string empty_frames = dir.file("empty_frames.json", empties + "]}");
  EXPECT_THAT([&] { read_streamed(empty_frames); },
              ::testing::ThrowsMessage<InputError>(HasSubstr(empty_frames + ": keypoints[0]: 0 joints")));
}

TEST(JsonStream, AFormatALaterRecordSettlesIsReadAsTheWholeDocumentDecides) {
  TempDir dir;
  // MMPose-looking frames, then a frame with MediaPipe landmarks: the list is MediaPipe's.
  std::string landmarks;
  for (int j = 0; j < 33; ++j) landmarks += (j ? ", " : "") + std::string("{\"x\": 0.5, \"y\": 0.25, \"visibility\": 0.9}");
  const std::string path = dir.file("later.json", "[{\"frame_id\": 0, \"instances\": []}, {\"landmarks\": [" + landmarks + "]}]");
  expect_same(path);
  // The MediaPipe reader's word on the first frame, which has no landmarks.
  EXPECT_THAT(describe([&] { return read_streamed(path); }), HasSubstr("[0]: no landmarks, pose_landmarks or keypoints"));
}

TEST(JsonStream, FilesThatAreNotRegularAreRefusedAsBefore) {
  TempDir dir;
  const std::string fifo = (fs::path(dir.file("x", "")).parent_path() / "pipe.json").string();
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  // Refused without waiting for a writer.
  EXPECT_THAT([&] { read_streamed(fifo); }, ::testing::ThrowsMessage<InputError>(HasSubstr(fifo + ": is a pipe (FIFO)")));
  const std::string missing = (fs::path(fifo).parent_path() / "missing.json").string();
  EXPECT_THAT([&] { read_streamed(missing); }, ::testing::ThrowsMessage<InputError>(StartsWith(missing + ": cannot open")));
}

}  // namespace
}  // namespace lift3d
