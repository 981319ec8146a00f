// From normalised 2D keypoints to camera-space 3D, the way the reference evaluates one video
// (run.py's evaluate() and its in-the-wild export): edge padding (causal models: all on the left), optional flip
// test-time augmentation, the pose model, and optionally the trajectory model added on top.
// Sequences of any length stream through the model in chunks, so memory stays bounded.
#pragma once

#include <optional>
#include <vector>

#include "lift3d/sequence.hpp"
#include "core/temporal_model.hpp"

namespace lift3d::core {

// Which indices trade places when the image is mirrored: the 2D input's keypoints and the 3D
// skeleton's joints (the reference uses the input file's keypoints_symmetry and the dataset's
// skeleton lists).
struct FlipPairs {
  std::vector<int> kps_left, kps_right;
  std::vector<int> joints_left, joints_right;
};

struct LiftOptions {
  bool flip_tta = true;
  // Input frames per model call, shared by the plain and mirrored copies under flip TTA and by
  // the time segments running at once; bounds memory, changes results by float32 round-off at most.
  int chunk_frames = 512;
  // Threads across time: a long sequence is cut into this many segments, each streamed on its own
  // thread (the caller should then keep the BLAS back-end single-threaded). Never changes results.
  int threads = 1;
};

// How many time segments run_model uses for a sequence of `frames` with `threads` threads (1 when
// the sequence is too short for splitting to pay off).
int time_segments(const ModelConfig& config, int frames, int threads);

// Runs one model over a whole normalised sequence; returns frames x joints_out x 3.
// `flip` is required when options.flip_tta is set. For a trajectory model (joints_out == 1) the
// flipped copy is only mirrored in x, never joint-swapped, as in the reference.
PoseSequence run_model(const TemporalModel& model, const KeypointSequence& normalised, const FlipPairs* flip,
                       const LiftOptions& options);

// The models of one checkpoint.
struct Lifter {
  TemporalModel pose;
  std::optional<TemporalModel> trajectory;
};

// Pose prediction, plus the trajectory (the root's camera-space position, broadcast to every joint)
// when `add_trajectory` and the checkpoint has a trajectory model.
PoseSequence lift(const Lifter& lifter, const KeypointSequence& normalised, const FlipPairs& flip,
                  const LiftOptions& options, bool add_trajectory);

// The same poses, for a caller that has no use for the input afterwards: the input frames are
// handed back to the system as the models have read them (both models reading each chunk in one
// pass when they can), so a long sequence's input and output are not held whole at once. The
// input's values are empty afterwards (frames, joints and features are kept).
PoseSequence lift_consuming(const Lifter& lifter, KeypointSequence&& normalised, const FlipPairs& flip,
                            const LiftOptions& options, bool add_trajectory);

}  // namespace lift3d::core
