// People in real multi-person exports (tests/fixtures/real) and the choices read_people_2d makes:
// the default person is followed without jumping from one person to another, --person all gives
// every person long enough to lift over its own frames, tracker ids name the people, and the
// notes and warnings say what was chosen.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include "base/log.hpp"
#include "core/person_selection.hpp"
#include "core/person_tracking.hpp"
#include "io/keypoint_files.hpp"
#include "lift3d/error.hpp"
#include "pipeline/keypoint_input.hpp"

namespace lift3d {
namespace {

using namespace pipeline;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::ThrowsMessage;
namespace fs = std::filesystem;

std::string real(const std::string& name) { return std::string(LIFT3D_FIXTURES_DIR) + "/real/" + name; }
std::string formats(const std::string& name) { return std::string(LIFT3D_FIXTURES_DIR) + "/formats/" + name; }

// Pose2Sim writes BODY_25B; this branch reads its 25 joints as BODY_25. Tracking does not depend on
// the joints' meaning, so the tests read them in the file's own order without mapping.
const std::string kPose2Sim = real("openpose/pose2sim_multiperson_cam01_json/cam01.*.json");
const std::string kRaga = real("openpose/raga_seated_musicians_3people_body25");
const std::string kMotionBert =
    real("alphapose/motionbert_halpe26_frames100-149_no_idx/frames100-149_alphapose-results.json");

KeypointReadOptions as_read(PersonChoice people, const std::string& source_layout = "") {
  KeypointReadOptions options;
  options.people = people;
  options.target_layout = "";  // the file's own joints
  options.source_layout = source_layout;
  options.fill_gaps = false;   // missing frames stay visible (score 0)
  return options;
}

// Everything logged while the object lives, at every level, instead of stderr.
class LogCapture {
 public:
  LogCapture() : saved_sinks_(logger().sinks()), saved_level_(logger().level()) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(text_);
    sink->set_pattern("%l: %v");
    logger().sinks() = {sink};
    logger().set_level(spdlog::level::debug);
  }
  ~LogCapture() {
    logger().sinks() = saved_sinks_;
    logger().set_level(saved_level_);
  }
  std::string text() const { return text_.str(); }

 private:
  std::ostringstream text_;
  std::vector<spdlog::sink_ptr> saved_sinks_;
  spdlog::level::level_enum saved_level_;
};

struct Box {
  double cx = 0, cy = 0, size = 0;
};

// The box of the keypoints scoring 0.2 or more in each frame; nullopt where the person is missing.
std::vector<std::optional<Box>> boxes(const KeypointSequence& seq) {
  std::vector<std::optional<Box>> result(seq.frames);
  for (int f = 0; f < seq.frames; ++f) {
    double left = 1e30, right = -1e30, top = 1e30, bottom = -1e30;
    int used = 0;
    for (int j = 0; j < seq.joints; ++j) {
      if (seq.at(f, j, 2) < 0.2f) continue;
      left = std::min(left, double(seq.at(f, j, 0)));
      right = std::max(right, double(seq.at(f, j, 0)));
      top = std::min(top, double(seq.at(f, j, 1)));
      bottom = std::max(bottom, double(seq.at(f, j, 1)));
      ++used;
    }
    if (used >= 2) result[f] = Box{(left + right) / 2, (top + bottom) / 2, std::max(right - left, bottom - top)};
  }
  return result;
}

// The largest move of the box centre between consecutive frames where the person is present, in
// person sizes per frame: a switch to someone else shows as a jump of about the distance between them.
double largest_jump(const KeypointSequence& seq) {
  const std::vector<std::optional<Box>> b = boxes(seq);
  double largest = 0;
  int last = -1;
  for (int f = 0; f < seq.frames; ++f) {
    if (!b[f]) continue;
    if (last >= 0) {
      const double size = std::max(b[f]->size, b[last]->size);
      largest = std::max(largest, std::hypot(b[f]->cx - b[last]->cx, b[f]->cy - b[last]->cy) / size / (f - last));
    }
    last = f;
  }
  return largest;
}

int frames_present(const KeypointSequence& seq) {
  int present = 0;
  for (const std::optional<Box>& box : boxes(seq)) present += box.has_value();
  return present;
}

std::vector<std::string> names(const std::vector<Keypoints2D>& people) {
  std::vector<std::string> result;
  for (const Keypoints2D& person : people) result.push_back(person.name);
  return result;
}

// The rows of `part` equal rows first.. of `whole`.
void expect_rows_equal(const KeypointSequence& whole, long long first, const KeypointSequence& part) {
  ASSERT_LE(first + part.frames, whole.frames);
  ASSERT_EQ(whole.joints, part.joints);
  for (int f = 0; f < part.frames; ++f)
    for (int j = 0; j < part.joints; ++j)
      for (int k = 0; k < 3; ++k) ASSERT_EQ(whole.at(int(first) + f, j, k), part.at(f, j, k)) << "frame " << f;
}

// --- Pose2Sim: a participant walking in, a static pasted-in figure, a static low-score detection --

TEST(RealPeople, Pose2SimFollowsTheParticipantWhoWalksIn) {
  LogCapture log;
  const std::vector<Keypoints2D> best = read_people_2d(kPose2Sim, as_read(PersonChoice::Best, "body25"));
  ASSERT_EQ(best.size(), 1u);
  const KeypointSequence& seq = best[0].seq;
  EXPECT_EQ(best[0].name, "");
  EXPECT_EQ(best[0].first_frame, 0);
  ASSERT_EQ(seq.frames, 50);
  // The participant enters at frame 2 and is the largest person (about 750 px of 1920).
  EXPECT_EQ(frames_present(seq), 48);
  EXPECT_FALSE(boxes(seq)[0].has_value());
  EXPECT_GT(boxes(seq)[10]->size, 600);
  EXPECT_LT(largest_jump(seq), 0.3);
  // The pasted-in figure (all scores 1.0) comes close and is named in a warning.
  EXPECT_THAT(log.text(), HasSubstr("lifting person 1, the most prominent of 4 people tracked: in 48 of 50 frames"));
  EXPECT_THAT(log.text(), HasSubstr("warning: " + kPose2Sim + ": the person to lift is ambiguous: person 1"));
  EXPECT_THAT(log.text(), HasSubstr("choose one with --track 1 or --track 2, or lift everybody with --person all"));
}

TEST(RealPeople, Pose2SimEveryPersonLongEnough) {
  LogCapture log;
  const std::vector<Keypoints2D> all = read_people_2d(kPose2Sim, as_read(PersonChoice::All, "body25"));
  ASSERT_THAT(names(all), ElementsAre("person_1", "person_2", "person_3"));
  EXPECT_EQ(all[0].first_frame, 2);
  EXPECT_EQ(all[0].seq.frames, 48);
  EXPECT_EQ(all[1].first_frame, 0);
  EXPECT_EQ(all[1].seq.frames, 50);
  EXPECT_EQ(all[2].seq.frames, 50);
  for (const Keypoints2D& person : all) {
    EXPECT_EQ(frames_present(person.seq), person.seq.frames) << person.name;  // present throughout their span
    EXPECT_LT(largest_jump(person.seq), 0.3) << person.name;
  }
  // Frame 37 splits the participant in two: the half not followed is a one-frame track, skipped.
  EXPECT_THAT(log.text(), HasSubstr("skipped 1 of 4 people present in fewer than 10 frames: person 4 (1 frame(s))"));
  // --person all's person_1 is the default person, over its own frames.
  const Keypoints2D best = read_keypoints_2d(kPose2Sim, as_read(PersonChoice::Best, "body25"));
  expect_rows_equal(best.seq, all[0].first_frame, all[0].seq);
}

TEST(RealPeople, Pose2SimTracks) {
  io::DetectionReadOptions read;
  read.layout = "body25";
  const std::vector<Detections2D> videos = io::read_detections(kPose2Sim, read);
  ASSERT_EQ(videos.size(), 1u);
  const core::PeopleTracks people = core::track_people(videos[0]);
  EXPECT_FALSE(people.ids_from_file);  // person_id is always [-1]
  ASSERT_EQ(people.tracks.size(), 4u);
  EXPECT_EQ(people.detections_left_out, 0u);  // frame 1's empty person is no detection at all
  const core::DefaultPerson choice = core::default_person(people);
  EXPECT_EQ(choice.chosen->id, 1);
  EXPECT_EQ(choice.chosen->first_frame, 2);
  EXPECT_TRUE(choice.ambiguous);
  EXPECT_EQ(choice.runner_up->id, 2);
  EXPECT_NEAR(choice.runner_up->mean_score, 21.0 / 25, 1e-6);  // the pasted-in figure
}

// --- three seated musicians ---------------------------------------------------------------------

TEST(RealPeople, RagaMusiciansAreThreeTracksOverEveryFrame) {
  LogCapture log;
  const std::vector<Keypoints2D> all = read_people_2d(kRaga, as_read(PersonChoice::All));
  ASSERT_THAT(names(all), ElementsAre("person_1", "person_2", "person_3"));
  for (const Keypoints2D& person : all) {
    EXPECT_EQ(person.first_frame, 0);
    EXPECT_EQ(person.seq.frames, 40);
    EXPECT_EQ(frames_present(person.seq), 40) << person.name;
  }
  // Seated musicians barely move; the third, small and faint, jitters more.
  EXPECT_LT(largest_jump(all[0].seq), 0.05);
  EXPECT_LT(largest_jump(all[1].seq), 0.3);
  EXPECT_LT(largest_jump(all[2].seq), 0.5);
  // The two performers are far apart: nobody is confused with anybody.
  const double apart = std::abs(boxes(all[0].seq)[0]->cx - boxes(all[1].seq)[0]->cx);
  EXPECT_GT(apart, 0.5 * boxes(all[0].seq)[0]->size);
  // The default: person 1, clearly (the second performer scores lower), so no warning.
  const Keypoints2D best = read_keypoints_2d(kRaga, as_read(PersonChoice::Best));
  expect_rows_equal(best.seq, 0, all[0].seq);
  EXPECT_THAT(log.text(), Not(HasSubstr("ambiguous")));
}

// --- one person, plus a duplicate detection in one frame -----------------------------------------

TEST(RealPeople, MotionBertDuplicateDetectionIsNotAPerson) {
  LogCapture log;
  const std::vector<Keypoints2D> all = read_people_2d(kMotionBert, as_read(PersonChoice::All));
  ASSERT_THAT(names(all), ElementsAre("person_1"));
  EXPECT_EQ(all[0].seq.frames, 50);
  EXPECT_EQ(frames_present(all[0].seq), 50);
  EXPECT_THAT(log.text(), HasSubstr("skipped 1 of 2 people present in fewer than 10 frames: person 2 (1 frame(s))"));
  const Keypoints2D best = read_keypoints_2d(kMotionBert, as_read(PersonChoice::Best));
  expect_rows_equal(best.seq, 0, all[0].seq);
  EXPECT_LT(largest_jump(best.seq), 0.3);
}

// --- tracker ids --------------------------------------------------------------------------------

TEST(TrackerIds, NameThePeopleOfEveryPerson) {
  // The format fixtures' main person and distractor: MMPose track_id 0 / 1, OpenPose person_id
  // 3 / 4, AlphaPose idx 1 / 2; files without ids get lift3d's numbers by prominence.
  const std::vector<std::pair<std::string, std::vector<std::string>>> cases = {
      {"mmpose.json", {"person_0", "person_1"}},
      {"openpose_coco18", {"person_3", "person_4"}},
      {"alphapose_halpe26.json", {"person_1", "person_2"}},
      {"coco_results.json", {"person_1", "person_2"}},
      {"openpose_body25", {"person_1", "person_2"}}};
  for (const auto& [input, expected] : cases) {
    const std::vector<Keypoints2D> all = read_people_2d(formats(input), as_read(PersonChoice::All));
    EXPECT_EQ(names(all), expected) << input;
    // The first is the main person: what the default lifts.
    const Keypoints2D best = read_keypoints_2d(formats(input), as_read(PersonChoice::Best));
    expect_rows_equal(best.seq, 0, all.at(0).seq);
  }
}

// --- choices on a synthetic file ----------------------------------------------------------------

// COCO results: A in frames 0-29, B in 5-24, C in 10-12 (too short), each with spread keypoints.
std::string three_people_file(const fs::path& dir) {
  auto entry = [](int image, double x, double height, double score) {
    std::string values;
    for (int j = 0; j < 17; ++j)
      values += std::string(j ? "," : "") + std::to_string(x + (j % 2) * height / 3) + "," +
                std::to_string(100 + j * height / 16) + ",0.9";
    return R"({"image_id": )" + std::to_string(image) + R"(, "category_id": 1, "keypoints": [)" + values +
           R"(], "score": )" + std::to_string(score) + "}";
  };
  std::string text = "[";
  for (int f = 0; f < 30; ++f) {
    text += (f ? "," : "") + entry(f, 100 + f, 300, 0.5);
    if (f >= 5 && f < 25) text += "," + entry(f, 700 - f, 200, 0.99);
    if (f >= 10 && f < 13) text += "," + entry(f, 1200, 250, 0.99);
  }
  const std::string path = (dir / "three.json").string();
  std::ofstream(path) << text << "]";
  return path;
}

class ThreePeople : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("lift3d_people_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    path_ = three_people_file(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
  std::string path_;
};

TEST_F(ThreePeople, AllGivesEachPersonOverItsOwnFrames) {
  const std::vector<Keypoints2D> all = read_people_2d(path_, as_read(PersonChoice::All));
  ASSERT_THAT(names(all), ElementsAre("person_1", "person_2"));
  EXPECT_EQ(all[0].first_frame, 0);
  EXPECT_EQ(all[0].seq.frames, 30);
  EXPECT_EQ(all[1].first_frame, 5);
  EXPECT_EQ(all[1].seq.frames, 20);
  EXPECT_FLOAT_EQ(all[1].seq.at(0, 0, 0), 695.0f);  // B's first frame is frame 5
}

TEST_F(ThreePeople, BestFollowsTheMostProminentOverTheWholeVideo) {
  // B scores higher as a detection in every frame it is in; A is larger and there throughout.
  const Keypoints2D best = read_keypoints_2d(path_, as_read(PersonChoice::Best));
  ASSERT_EQ(best.seq.frames, 30);
  for (int f = 0; f < 30; ++f) EXPECT_FLOAT_EQ(best.seq.at(f, 0, 0), 100.0f + f);
}

TEST_F(ThreePeople, TrackNumbersPickAPersonOverTheWholeVideo) {
  KeypointReadOptions options = as_read(PersonChoice::Best);
  options.track_id = 2;
  const Keypoints2D b = read_keypoints_2d(path_, options);
  ASSERT_EQ(b.seq.frames, 30);  // frames without B are missing: held or interpolated later
  EXPECT_EQ(b.seq.at(4, 0, 2), 0.0f);
  EXPECT_FLOAT_EQ(b.seq.at(5, 0, 0), 695.0f);
  EXPECT_EQ(b.seq.at(25, 0, 2), 0.0f);
  options.track_id = 3;  // C: too short for --person all, but asked for by number
  LogCapture log;
  EXPECT_EQ(frames_present(read_keypoints_2d(path_, options).seq), 3);
  EXPECT_THAT(log.text(), HasSubstr("warning: " + path_ + ": person 3 is present in only 3 of 30 frames"));
  options.track_id = 4;
  EXPECT_THAT([&] { read_keypoints_2d(path_, options); },
              ThrowsMessage<InputError>(AllOf(HasSubstr("three.json: no person with track id 4"),
                                              HasSubstr("ids present: 1, 2, 3"))));
}

TEST_F(ThreePeople, DenseFramesCountFirstFramesInVideoFrames) {
  // Image ids 0..29 are video frames already: the same first frames.
  KeypointReadOptions options = as_read(PersonChoice::All);
  options.dense_frames = true;
  const std::vector<Keypoints2D> all = read_people_2d(path_, options);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[1].first_frame, 5);
}

TEST_F(ThreePeople, TrackAndAllExcludeEachOther) {
  KeypointReadOptions options = as_read(PersonChoice::All);
  options.track_id = 1;
  EXPECT_THAT([&] { read_people_2d(path_, options); },
              ThrowsMessage<UsageError>(HasSubstr("--track follows one person and --person all lifts every person")));
}

TEST(People, AllRefusesAVideoWhereNobodyLastsLongEnough) {
  // 20 frames, and the people never in more than 3 of them (far apart, each for 3 frames).
  const fs::path dir = fs::temp_directory_path() / ("lift3d_people_short_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::string text = "[";
  for (int f = 0; f < 20; ++f) {
    std::string values;
    for (int j = 0; j < 17; ++j)
      values += std::string(j ? "," : "") + std::to_string(100 * (f / 3) + (j % 2) * 30) + "," + std::to_string(j * 10) + ",0.9";
    text += std::string(f ? "," : "") + R"({"image_id": )" + std::to_string(f) +
            R"(, "category_id": 1, "keypoints": [)" + values + R"(], "score": 0.9})";
    text += R"(,{"image_id": )" + std::to_string(f) + R"(, "category_id": 1, "keypoints": [)" + values +
            R"(], "score": 0.1})";  // a duplicate: two detections per frame, so tracking runs
  }
  const std::string path = (dir / "short.json").string();
  std::ofstream(path) << text << "]";
  EXPECT_THAT([&] { read_people_2d(path, as_read(PersonChoice::All)); },
              ThrowsMessage<InputError>(AllOf(HasSubstr("short.json: no person is present in 10 or more frames"),
                                              HasSubstr("the longest in 3)"), HasSubstr("--person best"))));
  fs::remove_all(dir);
}

TEST(People, TheSkippedNoteNamesTheFirstFiveAndCountsTheRest) {
  // One person in all 20 frames, and 7 others far apart, each in 2 frames.
  const fs::path dir = fs::temp_directory_path() / ("lift3d_people_many_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  auto entry = [](int image, double x) {
    std::string values;
    for (int j = 0; j < 17; ++j)
      values += std::string(j ? "," : "") + std::to_string(x + (j % 2) * 40) + "," + std::to_string(j * 10) + ",0.9";
    return R"({"image_id": )" + std::to_string(image) + R"(, "category_id": 1, "keypoints": [)" + values +
           R"(], "score": 0.9})";
  };
  std::string text = "[";
  for (int f = 0; f < 20; ++f) {
    text += (f ? "," : "") + entry(f, 0);
    if (f < 14) text += "," + entry(f, 1000 + 1000 * (f / 2));
  }
  const std::string path = (dir / "many.json").string();
  std::ofstream(path) << text << "]";
  LogCapture log;
  EXPECT_EQ(read_people_2d(path, as_read(PersonChoice::All)).size(), 1u);
  EXPECT_THAT(log.text(), HasSubstr("many.json: skipped 7 of 8 people present in fewer than 10 frames: person 2 (2 "
                                    "frame(s)), person 3 (2 frame(s)), person 4 (2 frame(s)), person 5 (2 frame(s)), "
                                    "person 6 (2 frame(s)) and 2 more"));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace lift3d
