// Repeated keys in one JSON object: JSON parsers keep one of them silently (nlohmann the last), so a
// file saying "score": 0.9 and later "score": 0.1 would be read as whichever the parser picks.
// Every JSON keypoint reader refuses them, naming the file and the key; repeated keys in different
// objects are fine.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "lift3d/error.hpp"
#include "pipeline/keypoint_input.hpp"

namespace lift3d {
namespace {

namespace fs = std::filesystem;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

const std::string kFormats = std::string(LIFT3D_FIXTURES_DIR) + "/formats/";

std::string text_of(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

class ScratchDir {
 public:
  ScratchDir() : path_(fs::temp_directory_path() / ("lift3d_dup_" + std::to_string(::getpid()))) {
    fs::create_directories(path_);
  }
  ~ScratchDir() { fs::remove_all(path_); }
  std::string write(const std::string& name, const std::string& text) const {
    const fs::path file = path_ / name;
    std::ofstream(file, std::ios::binary) << text;
    return file.string();
  }
  std::string path() const { return path_.string(); }

 private:
  fs::path path_;
};

// The fixture's text with `key` repeated right after its first occurrence's object opens.
std::string with_repeated_key(std::string text, const std::string& first_key_text, const std::string& repeat) {
  const auto at = text.find(first_key_text);
  if (at == std::string::npos) throw std::runtime_error("fixture lacks " + first_key_text);
  text.insert(at, repeat);
  return text;
}

pipeline::KeypointReadOptions raw() {
  pipeline::KeypointReadOptions options;
  options.fill_gaps = false;
  return options;
}

void expect_refused(const std::string& path, const std::string& key) {
  EXPECT_THAT([&] { pipeline::read_keypoints_2d(path, raw()); },
              ThrowsMessage<InputError>(AllOf(HasSubstr(path + ": "), HasSubstr("duplicate key '" + key + "'"))));
}

TEST(DuplicateKeys, AreRefusedInEveryJsonFormat) {
  ScratchDir dir;
  expect_refused(dir.write("a.json", with_repeated_key(text_of(kFormats + "sequence.lift3d.json"), "\"fps\"",
                                                       "\"fps\": 50, ")),
                 "fps");
  expect_refused(dir.write("b.json", with_repeated_key(text_of(kFormats + "coco_results.json"), "\"image_id\"",
                                                       "\"score\": 0.1, ")),
                 "score");
  expect_refused(dir.write("c.json", with_repeated_key(text_of(kFormats + "alphapose_halpe26.json"), "\"image_id\"",
                                                       "\"idx\": 7, ")),
                 "idx");
  expect_refused(dir.write("d.json", with_repeated_key(text_of(kFormats + "mmpose.json"), "\"frame_id\"",
                                                       "\"instances\": [], ")),
                 "instances");
  // One OpenPose frame file of a folder.
  fs::create_directories(dir.path() + "/openpose");
  for (const auto& entry : fs::directory_iterator(kFormats + "openpose_body25"))
    fs::copy_file(entry.path(), dir.path() + "/openpose/" + entry.path().filename().string());
  const std::string frame = dir.path() + "/openpose/clip_000000000002_keypoints.json";
  const std::string repeated = with_repeated_key(text_of(frame), "\"people\"", "\"people\": [], ");
  std::ofstream(frame, std::ios::binary) << repeated;
  EXPECT_THAT([&] { pipeline::read_keypoints_2d(dir.path() + "/openpose", raw()); },
              ThrowsMessage<InputError>(AllOf(HasSubstr(frame + ": "), HasSubstr("duplicate key 'people'"))));
}

TEST(DuplicateKeys, TheSameKeyInDifferentObjectsIsFine) {
  // Every detection of a COCO results file has "image_id", "keypoints", "score".
  EXPECT_NO_THROW(pipeline::read_keypoints_2d(kFormats + "coco_results.json", raw()));
  EXPECT_NO_THROW(pipeline::read_keypoints_2d(kFormats + "mmpose_predictions.json", raw()));
}

}  // namespace
}  // namespace lift3d
