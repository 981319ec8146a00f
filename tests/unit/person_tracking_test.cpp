// Following people across frames (core/person_tracking) and choosing among them
// (core/person_selection) on synthetic scenes: crossings, occlusions, re-entries, far detections,
// tracker ids, statistics, the default person and the sequences a track becomes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <optional>

#include "core/person_selection.hpp"
#include "core/person_tracking.hpp"
#include "lift3d/error.hpp"

namespace lift3d::core {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

// A standing person in COCO-17 order, in units of body height, origin near the box centre: the
// box spans 0.97 heights (eyes to ankles) by 0.32 (wrist to wrist).
constexpr std::array<std::array<double, 2>, 17> kStanding = {{
    {0.0, -0.475}, {-0.02, -0.495}, {0.02, -0.495}, {-0.05, -0.485}, {0.05, -0.485},  // face
    {-0.12, -0.345}, {0.12, -0.345}, {-0.15, -0.175}, {0.15, -0.175},                  // shoulders, elbows
    {-0.16, -0.025}, {0.16, -0.025}, {-0.08, -0.005}, {0.08, -0.005},                  // wrists, hips
    {-0.08, 0.225}, {0.08, 0.225}, {-0.08, 0.475}, {0.08, 0.475},                      // knees, ankles
}};

struct Person {
  double x = 0, y = 0;    // box centre, pixels
  double height = 200;    // pixels
  float score = 0.9f;     // every keypoint's score
  std::optional<long long> id;
  int keypoints = 17;     // the first this many are detected, the others have score 0
};

// One Detections2D with frames 0..n-1 (numbers `first_frame` on), the people of each frame in order.
Detections2D scene(const std::vector<std::vector<Person>>& frames, long long first_frame = 0) {
  Detections2D d;
  d.source = "scene.json";
  d.format = "test";
  d.layout = "coco";
  d.joints = 17;
  for (std::size_t f = 0; f < frames.size(); ++f) {
    const long long number = first_frame + static_cast<long long>(f);
    d.frames.push_back(number);
    for (const Person& p : frames[f]) {
      d.detections.push_back({number, p.score, p.id});
      d.has_track_ids = d.has_track_ids || p.id.has_value();
      for (int j = 0; j < 17; ++j) {
        const bool seen = j < p.keypoints;
        d.keypoints.push_back(seen ? static_cast<float>(p.x + kStanding[j][0] * p.height) : 0.0f);
        d.keypoints.push_back(seen ? static_cast<float>(p.y + kStanding[j][1] * p.height) : 0.0f);
        d.keypoints.push_back(seen ? p.score : 0.0f);
      }
    }
  }
  return d;
}

// The x of the box centre of each detection a track holds, in frame order.
std::vector<double> track_xs(const Detections2D& d, const PersonTrack& track) {
  std::vector<double> xs;
  for (std::size_t detection : track.detections) {
    const float* k = d.keypoints_of(detection);
    xs.push_back((k[9 * 3] + k[10 * 3]) / 2);  // mid-wrists: the box centre's x
  }
  return xs;
}

const PersonTrack& track_holding(const PeopleTracks& people, std::size_t detection) {
  for (const PersonTrack& track : people.tracks)
    if (std::find(track.detections.begin(), track.detections.end(), detection) != track.detections.end()) return track;
  throw std::runtime_error("no track holds detection " + std::to_string(detection));
}

TEST(PersonTracking, CrossingPeopleKeepTheirTracks) {
  // A walks right, B walks left, alike in size and pose: at frame 10 they coincide exactly, so only
  // their motion tells them apart afterwards. The file lists them in a different order every
  // other frame.
  std::vector<std::vector<Person>> frames;
  for (int f = 0; f <= 20; ++f) {
    const Person a{100.0 + 20 * f, 300, 200};
    const Person b{500.0 - 20 * f, 300, 200};
    frames.push_back(f % 2 ? std::vector<Person>{b, a} : std::vector<Person>{a, b});
  }
  const Detections2D d = scene(frames);
  const PeopleTracks people = track_people(d);
  ASSERT_EQ(people.tracks.size(), 2u);
  for (const PersonTrack& track : people.tracks) {
    EXPECT_EQ(track.frames_present(), 21u);
    const std::vector<double> xs = track_xs(d, track);
    const bool rightwards = xs.back() > xs.front();
    for (std::size_t i = 1; i < xs.size(); ++i)
      EXPECT_NEAR(xs[i] - xs[i - 1], rightwards ? 20.0 : -20.0, 1e-3) << "frame " << i;
  }
  EXPECT_FALSE(people.ids_from_file);
  EXPECT_EQ(people.detections_left_out, 0u);
}

TEST(PersonTracking, ATrackSurvivesAShortOcclusionAndIsMatchedAgain) {
  // A walks right at 10 px per frame and is hidden in frames 8-12; B stands still nearby.
  std::vector<std::vector<Person>> frames;
  for (int f = 0; f <= 20; ++f) {
    std::vector<Person> people{{400, 300, 200}};
    if (f < 8 || f > 12) people.push_back({100.0 + 10 * f, 300, 200});
    frames.push_back(people);
  }
  const Detections2D d = scene(frames);
  const PeopleTracks people = track_people(d);
  ASSERT_EQ(people.tracks.size(), 2u);
  const PersonTrack& walker = track_holding(people, 1);  // frame 0's second detection
  EXPECT_EQ(walker.frames_present(), 16u);
  EXPECT_EQ(walker.first_frame, 0);
  EXPECT_EQ(walker.last_frame, 20);
  EXPECT_EQ(track_holding(people, 0).frames_present(), 21u);
}

TEST(PersonTracking, ATrackEndsAfterALongAbsence) {
  // Hidden for 20 frames (more than max_gap_frames): the return is someone new to the tracker.
  std::vector<std::vector<Person>> frames;
  for (int f = 0; f < 30; ++f) {
    std::vector<Person> people{{600, 300, 200}};
    if (f < 5 || f >= 25) people.push_back({200, 300, 200});
    frames.push_back(people);
  }
  const PeopleTracks people = track_people(scene(frames));
  ASSERT_EQ(people.tracks.size(), 3u);
  EXPECT_EQ(people.tracks[0].frames_present(), 30u);
  EXPECT_EQ(people.tracks[1].frames_present(), 5u);
  EXPECT_EQ(people.tracks[2].frames_present(), 5u);
  // ...unless the tracker is told to wait that long.
  TrackingOptions patient;
  patient.max_gap_frames = 25;
  EXPECT_EQ(track_people(scene(frames), patient).tracks.size(), 2u);
}

TEST(PersonTracking, AFarDetectionStartsANewTrackInsteadOfTakingAMissedOne) {
  // A is missed in frame 5, where someone appears far away (across the image); A comes back.
  std::vector<std::vector<Person>> frames;
  for (int f = 0; f < 10; ++f) {
    std::vector<Person> people{{900, 300, 200}};  // someone else throughout
    if (f == 5) people.push_back({1500, 300, 200});
    else people.push_back({100.0 + 5 * f, 300, 200});
    frames.push_back(people);
  }
  const Detections2D d = scene(frames);
  const PeopleTracks people = track_people(d);
  ASSERT_EQ(people.tracks.size(), 3u);
  const PersonTrack& a = track_holding(people, 1);
  EXPECT_EQ(a.frames_present(), 9u);
  EXPECT_THAT(track_xs(d, a), ::testing::Each(::testing::Lt(200.0)));
  EXPECT_EQ(track_holding(people, 11).frames_present(), 1u);  // frame 5's far detection
}

TEST(PersonTracking, AReEntryFromTheOtherSideIsSomeoneNew) {
  // A leaves on the left at frame 9; two frames later someone enters on the right.
  std::vector<std::vector<Person>> frames;
  for (int f = 0; f < 20; ++f) {
    std::vector<Person> people{{640, 500, 200}};
    if (f < 10) people.push_back({100.0 - 10 * f, 300, 200});
    if (f >= 12) people.push_back({1200.0 - 10 * (f - 12), 300, 200});
    frames.push_back(people);
  }
  const Detections2D d = scene(frames);
  const PeopleTracks people = track_people(d);
  ASSERT_EQ(people.tracks.size(), 3u);
  EXPECT_EQ(track_holding(people, 1).frames_present(), 10u);
  EXPECT_EQ(track_holding(people, d.count() - 1).frames_present(), 8u);
}

TEST(PersonTracking, ASpectatorFarSmallerIsNotTakenForAMissedPlayer) {
  // The player (300 px) is missed in frame 3, where a 60 px spectator stands just behind them.
  std::vector<std::vector<Person>> frames;
  for (int f = 0; f < 8; ++f) {
    std::vector<Person> people{{900, 400, 300}};
    if (f == 3) people.push_back({300, 380, 60});
    else people.push_back({300.0 + 4 * f, 400, 300});
    frames.push_back(people);
  }
  const PeopleTracks people = track_people(scene(frames));
  ASSERT_EQ(people.tracks.size(), 3u);
  EXPECT_EQ(track_holding(people, 1).frames_present(), 7u);
}

TEST(PersonTracking, TheFilesTrackerIdsAreTheTracks) {
  // Ids 7 and 3 swap places in frame 2: a position tracker would not follow, the file's ids say so.
  std::vector<std::vector<Person>> frames;
  for (int f = 0; f < 4; ++f) {
    const bool swapped = f >= 2;
    frames.push_back({{swapped ? 600.0 : 100.0, 300, 150, 0.9f, 7}, {swapped ? 100.0 : 600.0, 300, 250, 0.9f, 3}});
  }
  const Detections2D d = scene(frames);
  const PeopleTracks people = track_people(d);
  EXPECT_TRUE(people.ids_from_file);
  EXPECT_FALSE(people.ids_ignored);
  ASSERT_EQ(people.tracks.size(), 2u);
  EXPECT_EQ(people.tracks[0].id, 3);  // the larger person first
  EXPECT_EQ(people.tracks[1].id, 7);
  EXPECT_THAT(track_xs(d, people.tracks[1]), ElementsAre(100.0, 100.0, 600.0, 600.0));
  EXPECT_EQ(track_id_list(people), "3, 7");
}

TEST(PersonTracking, IdsRepeatedWithinAFrameAreNotATrackersIds) {
  // Untracked AlphaPose writes idx 0 for everybody.
  std::vector<std::vector<Person>> frames(3, std::vector<Person>{{100, 300, 200, 0.9f, 0}, {600, 300, 150, 0.9f, 0}});
  const PeopleTracks people = track_people(scene(frames));
  EXPECT_TRUE(people.ids_ignored);
  EXPECT_FALSE(people.ids_from_file);
  ASSERT_EQ(people.tracks.size(), 2u);
  EXPECT_EQ(people.tracks[0].id, 1);  // lift3d's numbers
  EXPECT_EQ(people.tracks[1].id, 2);
}

TEST(PersonTracking, DetectionsWithoutAnIdInAFileWithIdsAreLeftOut) {
  std::vector<std::vector<Person>> frames(3, std::vector<Person>{{100, 300, 200, 0.9f, 4}, {600, 300, 150}});
  const PeopleTracks people = track_people(scene(frames));
  EXPECT_TRUE(people.ids_from_file);
  ASSERT_EQ(people.tracks.size(), 1u);
  EXPECT_EQ(people.tracks[0].id, 4);
  EXPECT_EQ(people.detections_left_out, 3u);
}

TEST(PersonTracking, DetectionsTooSparseToPlaceAreLeftOut) {
  Person ghost{500, 300, 200};
  ghost.keypoints = 1;  // the nose only
  std::vector<std::vector<Person>> frames(4, std::vector<Person>{{100, 300, 200}, ghost});
  const PeopleTracks people = track_people(scene(frames));
  ASSERT_EQ(people.tracks.size(), 1u);
  EXPECT_EQ(people.tracks[0].frames_present(), 4u);
  EXPECT_EQ(people.detections_left_out, 4u);
}

TEST(PersonTracking, ASinglePersonIsOneTrackWhateverItsJumps) {
  // One detection per frame: nobody to confuse it with (a wrong detection, a camera cut).
  const PeopleTracks people = track_people(scene({{{100, 300, 200}}, {{900, 300, 60}}, {}, {{120, 300, 200}}}));
  ASSERT_EQ(people.tracks.size(), 1u);
  EXPECT_EQ(people.tracks[0].frames_present(), 3u);
  EXPECT_EQ(people.tracks[0].id, 1);
}

TEST(PersonTracking, NoPlaceableDetectionGivesNoTracks) {
  Person ghost{500, 300, 200};
  ghost.keypoints = 0;
  EXPECT_TRUE(track_people(scene({{ghost}, {}})).tracks.empty());
}

TEST(PersonTracking, StatisticsAreOverTheFramesPresent) {
  // 200 px tall: the box is 194 x 64 px; keypoint scores 0.5, and 0.5 x 15/17 with two undetected.
  Person half{300, 300, 200, 0.5f};
  Person partly = half;
  partly.keypoints = 15;  // ankles undetected: the box ends at the knees, 144 px tall
  std::vector<std::vector<Person>> frames{{half}, {}, {half}, {half}, {partly}};
  const PeopleTracks people = track_people(scene(frames, 10));
  ASSERT_EQ(people.tracks.size(), 1u);
  const PersonTrack& track = people.tracks[0];
  EXPECT_EQ(track.frames_present(), 4u);
  EXPECT_EQ(track.first_frame, 10);
  EXPECT_EQ(track.last_frame, 14);
  EXPECT_THAT(track.frame_indices, ElementsAre(0u, 2u, 3u, 4u));
  const double partly_score = 0.5 * 15 / 17;
  EXPECT_NEAR(track.mean_size, (3 * 194.0 + 144.0) / 4, 1e-3);
  EXPECT_NEAR(track.mean_box_area, (3 * 194.0 * 64 + 144.0 * 64) / 4, 0.1);
  EXPECT_NEAR(track.mean_score, (3 * 0.5 + partly_score) / 4, 1e-6);
  EXPECT_NEAR(track.prominence, 3 * 194.0 * 0.5 + 144.0 * partly_score, 1e-3);
}

TEST(PersonTracking, NumbersFollowProminenceNotAppearance) {
  // A small person first, a large one from frame 1 on, a medium one throughout.
  std::vector<std::vector<Person>> frames;
  for (int f = 0; f < 6; ++f) {
    std::vector<Person> people{{100, 300, 80}, {400, 300, 150}};
    if (f >= 1) people.push_back({800, 300, 400});
    frames.push_back(people);
  }
  const Detections2D d = scene(frames);
  const PeopleTracks people = track_people(d);
  ASSERT_EQ(people.tracks.size(), 3u);
  EXPECT_EQ(track_holding(people, 4).id, 1);  // the large person (frame 1's third), though it appears last
  EXPECT_EQ(track_holding(people, 1).id, 2);
  EXPECT_EQ(track_holding(people, 0).id, 3);
  for (std::size_t t = 1; t < people.tracks.size(); ++t)
    EXPECT_GT(people.tracks[t - 1].prominence, people.tracks[t].prominence);
}

TEST(PersonTracking, IsDeterministic) {
  std::vector<std::vector<Person>> frames;
  for (int f = 0; f < 12; ++f)
    frames.push_back({{300.0 + 7 * f, 300, 200}, {310.0 - 6 * f, 305, 200}, {700, 300, 100}});
  const Detections2D d = scene(frames);
  const PeopleTracks first = track_people(d);
  for (int run = 0; run < 3; ++run) {
    const PeopleTracks again = track_people(d);
    ASSERT_EQ(again.tracks.size(), first.tracks.size());
    for (std::size_t t = 0; t < first.tracks.size(); ++t) {
      EXPECT_EQ(again.tracks[t].id, first.tracks[t].id);
      EXPECT_EQ(again.tracks[t].detections, first.tracks[t].detections);
    }
  }
}

// --- choosing (person_selection) ----------------------------------------------------------------

PeopleTracks with_prominences(const std::vector<double>& prominences) {
  PeopleTracks people;
  for (std::size_t t = 0; t < prominences.size(); ++t) {
    PersonTrack track;
    track.id = static_cast<long long>(t) + 1;
    track.prominence = prominences[t];
    people.tracks.push_back(track);
  }
  return people;
}

TEST(PersonSelection, TheDefaultIsTheMostProminentAndCloseRunnersUpAreAmbiguous) {
  const PeopleTracks clear = with_prominences({1000, 799});
  DefaultPerson choice = default_person(clear);
  EXPECT_EQ(choice.chosen, &clear.tracks[0]);
  EXPECT_EQ(choice.runner_up, &clear.tracks[1]);
  EXPECT_FALSE(choice.ambiguous);
  const PeopleTracks close = with_prominences({1000, 800, 10});
  EXPECT_TRUE(default_person(close).ambiguous);
  const PeopleTracks alone = with_prominences({5});
  choice = default_person(alone);
  EXPECT_EQ(choice.chosen, &alone.tracks[0]);
  EXPECT_EQ(choice.runner_up, nullptr);
  EXPECT_FALSE(choice.ambiguous);
  EXPECT_EQ(default_person(PeopleTracks{}).chosen, nullptr);
}

TEST(PersonSelection, UnknownTrackIdNamesTheIdsPresent) {
  const Detections2D d = scene({{{100, 300, 200}, {500, 300, 150}}});
  const PeopleTracks people = track_people(d);
  EXPECT_EQ(track_with_id(d, people, 2).id, 2);
  EXPECT_THAT([&] { track_with_id(d, people, 9); },
              ThrowsMessage<InputError>(AllOf(HasSubstr("scene.json: no person with track id 9"),
                                              HasSubstr("ids present: 1, 2"))));
}

TEST(PersonSelection, ShortTracksAreNotLiftedUnlessTheVideoIsShortToo) {
  PersonTrack track;
  track.detections.assign(kMinTrackFrames - 1, 0);
  Detections2D long_video;
  long_video.frames.resize(100);
  EXPECT_FALSE(long_enough_to_lift(track, long_video));
  track.detections.push_back(0);
  EXPECT_TRUE(long_enough_to_lift(track, long_video));
  Detections2D single_image;
  single_image.frames = {0};
  track.detections.assign(1, 0);
  EXPECT_TRUE(long_enough_to_lift(track, single_image));
}

TEST(PersonSelection, ATrackBecomesASequenceOverTheVideoOrOverItsOwnFrames) {
  // Frames 0..5; the person from frame 2 to 4, missed in frame 3.
  const Detections2D d = scene({{{700, 300, 200}}, {{700, 300, 200}}, {{100, 300, 200, 0.7f}, {700, 300, 200}},
                                {{700, 300, 200}}, {{120, 300, 200, 0.7f}, {700, 300, 200}}, {{700, 300, 200}}});
  const PeopleTracks people = track_people(d);
  ASSERT_EQ(people.tracks.size(), 2u);
  const PersonTrack& visitor = people.tracks[1];
  const FrameRows rows = frame_rows(d, false);
  const PersonSequence whole = track_sequence(d, visitor, rows, SequenceSpan::AllRows);
  EXPECT_EQ(whole.first_row, 0);
  ASSERT_EQ(whole.keypoints.frames, 6);
  EXPECT_EQ(whole.keypoints.joints, 17);
  EXPECT_EQ(whole.keypoints.at(0, 0, 2), 0.0f);  // before it: missing
  EXPECT_EQ(whole.keypoints.at(2, 0, 0), 100.0f);
  EXPECT_EQ(whole.keypoints.at(2, 0, 2), 0.7f);
  EXPECT_EQ(whole.keypoints.at(3, 0, 2), 0.0f);  // missed
  EXPECT_EQ(whole.keypoints.at(4, 0, 0), 120.0f);
  EXPECT_EQ(whole.keypoints.at(5, 0, 2), 0.0f);
  const PersonSequence own = track_sequence(d, visitor, rows, SequenceSpan::TrackRows);
  EXPECT_EQ(own.first_row, 2);
  ASSERT_EQ(own.keypoints.frames, 3);
  EXPECT_EQ(own.keypoints.at(0, 0, 0), 100.0f);
  EXPECT_EQ(own.keypoints.at(1, 0, 2), 0.0f);
  EXPECT_EQ(own.keypoints.at(2, 0, 0), 120.0f);
}

TEST(PersonSelection, DenseFramesCountVideoFrames) {
  // Frame numbers 3 and 6 only: rows 0..6 with --dense-frames, 0..1 without.
  Detections2D d = scene({{{100, 300, 200}}, {{110, 300, 200}}});
  d.frames = {3, 6};
  d.detections[0].frame = 3;
  d.detections[1].frame = 6;
  const PeopleTracks people = track_people(d);
  ASSERT_EQ(people.tracks.size(), 1u);
  const FrameRows dense = frame_rows(d, true);
  EXPECT_EQ(dense.count, 7);
  EXPECT_THAT(dense.row_of_frame, ElementsAre(3, 6));
  const PersonSequence own = track_sequence(d, people.tracks[0], dense, SequenceSpan::TrackRows);
  EXPECT_EQ(own.first_row, 3);
  EXPECT_EQ(own.keypoints.frames, 4);
  EXPECT_EQ(track_sequence(d, people.tracks[0], dense, SequenceSpan::AllRows).keypoints.frames, 7);
  EXPECT_EQ(frame_rows(d, false).count, 2);
  d.frames_are_ranks = true;
  EXPECT_THROW(frame_rows(d, true), UsageError);
}

}  // namespace
}  // namespace lift3d::core
