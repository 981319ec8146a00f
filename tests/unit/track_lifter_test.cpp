// The live lifter of one track against core::lift on the whole sequence: equal to float32 round-off
// for causal and symmetric models, with and without flip TTA, with a trajectory model; --max-delay
// equal to lifting the sequence cut where the frame was given; the causal gap rule.
#include <gtest/gtest.h>

#include <memory>
#include <random>

#include "base/joint_sets.hpp"
#include "core/lifter.hpp"
#include "core/normalization.hpp"
#include "lift3d/error.hpp"
#include "pipeline/keypoint_input.hpp"
#include "pipeline/track_lifter.hpp"
#include "support/synthetic_model.hpp"

using namespace lift3d;
using lift3d::testing::make_config;
using lift3d::testing::synthetic_weights;

namespace {

constexpr int kWidth = 1000, kHeight = 800;

// A person-like random walk of 17 COCO keypoints in pixels, score 1.
KeypointSequence walk(int frames, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> step(0.0f, 3.0f);
  KeypointSequence seq;
  seq.frames = frames;
  seq.joints = 17;
  seq.features = 3;
  seq.values.resize(static_cast<std::size_t>(frames) * 17 * 3);
  std::vector<float> xy(34);
  for (int j = 0; j < 17; ++j) {
    xy[j * 2] = 450.0f + 5.0f * j;
    xy[j * 2 + 1] = 200.0f + 20.0f * j;
  }
  for (int t = 0; t < frames; ++t)
    for (int j = 0; j < 17; ++j) {
      xy[j * 2] += step(rng);
      xy[j * 2 + 1] += step(rng);
      seq.at(t, j, 0) = xy[j * 2];
      seq.at(t, j, 1) = xy[j * 2 + 1];
      seq.at(t, j, 2) = 1.0f;
    }
  return seq;
}

KeypointSequence frame_of(const KeypointSequence& seq, int t) {
  KeypointSequence one;
  one.frames = 1;
  one.joints = seq.joints;
  one.features = seq.features;
  const std::size_t n = static_cast<std::size_t>(seq.joints) * seq.features;
  one.values.assign(seq.values.begin() + t * n, seq.values.begin() + (t + 1) * n);
  return one;
}

KeypointSequence first_frames(const KeypointSequence& seq, int frames) {
  KeypointSequence cut = seq;
  cut.frames = frames;
  cut.values.resize(static_cast<std::size_t>(frames) * seq.joints * seq.features);
  return cut;
}

struct Fixture {
  core::Lifter lifter;
  pipeline::StreamModel shared;
};

// On the heap: shared.lifter points into it.
// `packed`: the models packed for the frame kernel, as lift3d stream loads them.
std::unique_ptr<Fixture> make(const core::ModelConfig& config, bool tta, bool trajectory, bool packed = false) {
  std::optional<core::TemporalModel> traj;
  if (trajectory) {
    core::ModelConfig traj_config = config;
    traj_config.joints_out = 1;
    traj.emplace(traj_config, synthetic_weights(traj_config, 99));
  }
  auto made = std::make_unique<Fixture>(
      Fixture{core::Lifter{core::TemporalModel(config, synthetic_weights(config, 7)), std::move(traj)}, {}});
  Fixture& fixture = *made;
  if (packed) {
    fixture.lifter.pose.pack_for_frames();
    if (fixture.lifter.trajectory) fixture.lifter.trajectory->pack_for_frames();
  }
  fixture.shared.lifter = &fixture.lifter;
  fixture.shared.flip_tta = tta;
  fixture.shared.layout = "coco";
  fixture.shared.width = kWidth;
  fixture.shared.height = kHeight;
  fixture.shared.flip.kps_left = keypoint_layout("coco").left;
  fixture.shared.flip.kps_right = keypoint_layout("coco").right;
  fixture.shared.flip.joints_left = skeleton("h36m").joints_left;
  fixture.shared.flip.joints_right = skeleton("h36m").joints_right;
  return made;
}

// What infer computes for the whole (pixel) sequence.
PoseSequence infer_like(const Fixture& fixture, const KeypointSequence& pixels) {
  core::LiftOptions options;
  options.flip_tta = fixture.shared.flip_tta;
  const KeypointSequence normalised =
      core::normalize_screen_coordinates(pipeline::xy_only(pixels), kWidth, kHeight);
  return core::lift(fixture.lifter, normalised, fixture.shared.flip, options, fixture.shared.add_trajectory);
}

// Streams every frame, recording when each output came (the newest frame index then).
std::vector<pipeline::LiftedFrame> stream_all(pipeline::TrackLifter& track, const KeypointSequence& pixels,
                                              std::vector<int>* emitted_at = nullptr) {
  std::vector<pipeline::LiftedFrame> out;
  for (int t = 0; t < pixels.frames; ++t)
    for (pipeline::LiftedFrame& f : track.push(100 + t, frame_of(pixels, t))) {
      if (emitted_at) emitted_at->push_back(t);
      out.push_back(std::move(f));
    }
  for (pipeline::LiftedFrame& f : track.finish()) {
    if (emitted_at) emitted_at->push_back(pixels.frames);
    out.push_back(std::move(f));
  }
  return out;
}

float max_difference(const pipeline::LiftedFrame& frame, const PoseSequence& poses, int t) {
  float worst = 0.0f;
  for (int j = 0; j < poses.joints; ++j)
    for (int d = 0; d < 3; ++d) worst = std::max(worst, std::abs(frame.positions[j * 3 + d] - poses.at(t, j, d)));
  return worst;
}

struct Case {
  const char* name;
  core::ModelConfig config;
  bool tta;
  bool trajectory;
  bool packed = false;
};

class StreamEqualsInfer : public ::testing::TestWithParam<Case> {};

TEST_P(StreamEqualsInfer, EveryFrameToRoundOff) {
  const Case& c = GetParam();
  const auto owned = make(c.config, c.tta, c.trajectory, c.packed);
  const Fixture& fixture = *owned;
  const KeypointSequence pixels = walk(150, 3);
  const PoseSequence expected = infer_like(fixture, pixels);
  pipeline::TrackLifter track(fixture.shared, "test");
  std::vector<int> emitted_at;
  const auto lifted = stream_all(track, pixels, &emitted_at);
  ASSERT_EQ(static_cast<int>(lifted.size()), pixels.frames);
  const int pad_right = c.config.pad_right();
  for (int t = 0; t < pixels.frames; ++t) {
    EXPECT_EQ(lifted[t].frame, 100 + t);
    EXPECT_LE(max_difference(lifted[t], expected, t), 1e-5f) << c.name << " frame " << t;
    // Latency: a frame comes as soon as its future context is in (at the end: at finish()).
    const int due = std::min(t + pad_right, pixels.frames);
    EXPECT_EQ(emitted_at[t], due) << c.name << " frame " << t;
    EXPECT_EQ(lifted[t].delay_frames, std::min(pad_right, pixels.frames - 1 - t));
    EXPECT_EQ(lifted[t].padded_frames, std::max(0, t + pad_right - (pixels.frames - 1)));
    EXPECT_TRUE(lifted[t].filled.empty());
  }
}

INSTANTIATE_TEST_SUITE_P(
    Models, StreamEqualsInfer,
    ::testing::Values(Case{"symmetric_tta", make_config({3, 3, 3}, 32), true, false},
                      Case{"symmetric_notta", make_config({3, 3, 3}, 32), false, false},
                      Case{"symmetric_trajectory_tta", make_config({3, 3, 3}, 32), true, true},
                      Case{"causal_tta", make_config({3, 3, 3}, 32, 17, /*causal=*/true), true, false},
                      Case{"causal_notta_trajectory", make_config({3, 3, 3}, 32, 17, true), false, true},
                      Case{"wide_first_layer", make_config({5, 3, 3}, 16), true, false},
                      Case{"dense", make_config({3, 3, 3}, 16, 17, false, /*dense=*/true), true, false},
                      // The frame kernel: 2 columns (flip TTA) and 1, panels cut short (37 and 70
                      // channels are not multiples of its 32-row panels), odd input lengths.
                      Case{"packed_symmetric_tta", make_config({3, 3, 3}, 32), true, false, true},
                      Case{"packed_symmetric_notta", make_config({3, 3, 3}, 32), false, false, true},
                      Case{"packed_odd_channels_tta_trajectory", make_config({3, 3, 3}, 37), true, true, true},
                      Case{"packed_odd_channels_notta", make_config({3, 3}, 37), false, false, true},
                      Case{"packed_causal_tta", make_config({3, 3, 3}, 70, 17, true), true, false, true},
                      Case{"packed_wide_first_layer", make_config({5, 3, 3}, 16), true, false, true},
                      Case{"packed_dense", make_config({3, 3, 3}, 16, 17, false, true), true, false, true}),
    [](const ::testing::TestParamInfo<Case>& info) { return info.param.name; });

TEST(TrackLifter, MaxDelayEqualsLiftingTheSequenceCutThere) {
  for (int max_delay : {0, 5}) for (bool packed : {false, true}) {
    const auto owned = make(make_config({3, 3, 3}, 24), true, true, packed);
    Fixture& fixture = *owned;
    fixture.shared.max_delay = max_delay;
    const KeypointSequence pixels = walk(60, 11);
    const PoseSequence whole = infer_like(fixture, pixels);
    pipeline::TrackLifter track(fixture.shared, "test");
    std::vector<int> emitted_at;
    const auto lifted = stream_all(track, pixels, &emitted_at);
    ASSERT_EQ(lifted.size(), 60u);
    for (int t = 0; t < 60; ++t) {
      const int seen = std::min(60, t + max_delay + 1);  // frames in when frame t was given
      const PoseSequence cut = infer_like(fixture, first_frames(pixels, seen));
      EXPECT_LE(max_difference(lifted[t], cut, t), 1e-5f) << "max delay " << max_delay << " packed " << packed << " frame " << t;
      EXPECT_EQ(emitted_at[t], t + max_delay < 60 ? t + max_delay : 60);
      EXPECT_EQ(lifted[t].padded_frames, std::max(0, t + 13 - (seen - 1)));
      if (seen == 60) EXPECT_LE(max_difference(lifted[t], whole, t), 1e-5f);  // saw the real end: as infer
    }
  }
}

TEST(TrackLifter, MissingKeypointsHoldTheirLastPosition) {
  const auto owned = make(make_config({3, 3}, 16), false, false);
  const Fixture& fixture = *owned;
  KeypointSequence pixels = walk(30, 5);
  KeypointSequence held = pixels;
  for (int t = 10; t < 14; ++t) {
    pixels.at(t, 9, 2) = 0.0f;  // left wrist not detected
    pixels.at(t, 9, 0) = 0.0f;
    pixels.at(t, 9, 1) = 0.0f;
    held.at(t, 9, 0) = held.at(9, 9, 0);
    held.at(t, 9, 1) = held.at(9, 9, 1);
  }
  pipeline::TrackLifter track(fixture.shared, "test");
  const auto lifted = stream_all(track, pixels);
  const PoseSequence expected = infer_like(fixture, held);
  ASSERT_EQ(lifted.size(), 30u);
  for (int t = 0; t < 30; ++t) {
    EXPECT_LE(max_difference(lifted[t], expected, t), 1e-5f) << t;
    EXPECT_EQ(lifted[t].filled, (t >= 10 && t < 14 ? std::vector<int>{9} : std::vector<int>{})) << t;
  }
}

TEST(TrackLifter, NeverSeenJointsComeFromTheBodyModelAndEmptyFirstFramesAreRefused) {
  const auto owned = make(make_config({3, 3}, 16), false, false);
  const Fixture& fixture = *owned;
  KeypointSequence pixels = walk(12, 8);
  pipeline::TrackLifter track(fixture.shared, "cam: track 1");
  KeypointSequence nothing = frame_of(pixels, 0);
  for (int j = 0; j < 17; ++j) nothing.at(0, j, 2) = 0.0f;
  try {
    track.push(1, nothing);
    FAIL() << "a first frame with nothing usable was lifted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("cam: track 1: no usable keypoint"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(track.started());
  KeypointSequence no_ankle = frame_of(pixels, 0);
  no_ankle.at(0, 16, 2) = 0.0f;
  track.push(2, no_ankle);
  EXPECT_TRUE(track.started());
  for (int t = 1; t < 12; ++t) track.push(2 + t, frame_of(pixels, t));
  const auto rest = track.finish();
  ASSERT_FALSE(rest.empty());
}

TEST(TrackLifter, ARefusedFrameLeavesTheTrackAsItWas) {
  const auto owned = make(make_config({3, 3}, 16), true, false);
  const Fixture& fixture = *owned;
  const KeypointSequence pixels = walk(40, 9);
  const PoseSequence expected = infer_like(fixture, pixels);
  pipeline::TrackLifter track(fixture.shared, "test");
  std::vector<pipeline::LiftedFrame> lifted;
  for (int t = 0; t < 40; ++t) {
    if (t == 20) {
      KeypointSequence off = frame_of(pixels, t);
      for (int j = 0; j < 17; ++j) off.at(0, j, 0) += 5000.0f;  // all far off the image: refused
      EXPECT_THROW(track.push(100 + t, off), InputError);
    }
    for (auto& f : track.push(100 + t, frame_of(pixels, t))) lifted.push_back(std::move(f));
  }
  for (auto& f : track.finish()) lifted.push_back(std::move(f));
  ASSERT_EQ(lifted.size(), 40u);
  for (int t = 0; t < 40; ++t) EXPECT_LE(max_difference(lifted[t], expected, t), 1e-5f) << t;
}

}  // namespace
