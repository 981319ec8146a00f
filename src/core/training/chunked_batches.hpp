// Training batches as the reference's ChunkedGenerator (common/generators.py) makes them, for chunks
// of one output frame (run.py's default --stride 1, the strided training model's case) or more:
//  - the example list: every chunk of every video, in video order, each video's chunks followed
//    by the same chunks flipped when augmenting;
//  - each epoch, the list in the order numpy.random.RandomState(seed).permutation gives it;
//  - consecutive runs of batch_size examples (the last one shorter);
//  - an example's 2D window: receptive-field frames around its frame (causal models: ending at it),
//    edge-padded at the video's borders; its 3D target: the frame's joints, the root zeroed;
//  - flipped examples: x negated and the left/right keypoints (2D) and joints (3D) swapped, and the
//    camera's cx and p1 negated;
//  - unlabelled videos (semi-supervision) have no 3D, only 2D and the camera.
#pragma once

#include <Eigen/Core>
#include <array>
#include <cstdint>
#include <vector>

#include "core/training/collective.hpp"
#include "core/training/numpy_random.hpp"
#include "lift3d/sequence.hpp"

namespace lift3d::core::training {

using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic>;

// One training example: (video, first output frame, flipped), run.py's (seq_idx, start, end = start +
// chunk length, flip). With chunks longer than one frame, `frame` may lie before the video's start
// (run.py centres the chunks on the video; frames outside it repeat its first or last frame).
struct Example {
  int video = 0;
  int frame = 0;
  bool flip = false;
};

struct FlipLists {
  std::vector<int> kps_left, kps_right;      // the 2D file's keypoints_symmetry
  std::vector<int> joints_left, joints_right;  // the skeleton's
};

using Intrinsics = std::array<float, 9>;  // [fx, fy, cx, cy, k1, k2, k3, p1, p2], normalised screen units

struct Batch {
  int examples = 0;        // this process's share of the batch (all of it in a single process)
  int batch_examples = 0;  // the whole batch's, over all processes
  int frames_per_example = 1;  // the chunk length
  // input_channels x (examples * (chunk length + receptive field - 1)), the training model's layout
  Matrix input;
  Matrix target;      // 3 * joints x (examples * chunk length), root joint (0) zeroed (empty without 3D)
  Matrix trajectory;  // 3 x (examples * chunk length): the target's root before zeroing (the trajectory model's target)
  // 9 x (examples * chunk length): each output frame's camera, flipped examples' cx and p1 negated
  // (empty without cameras)
  Matrix cameras;
  // 2 * keypoints x (examples * chunk length): x, y of the window's frames from index pad on (run.py's
  // inputs_2d[:, pad:-pad, :, :2]: the output frames, or for causal models the frames pad before
  // them), what the reprojected pose is compared with.
  Matrix keypoints_2d;
};

class ChunkedBatches {
 public:
  // `keypoints` (normalised) and `poses` (camera space, joint 0 absolute) are one per video, of equal
  // lengths, kept by reference; `poses` empty for unlabelled videos. `cameras` one per video, or empty.
  // `pad` frames each side (receptive field = 2 pad + 1). `chunk_length`: output frames per example
  // (run.py's --stride); a video of n frames gives ceil(n / chunk_length) chunks, centred on it.
  ChunkedBatches(const std::vector<KeypointSequence>& keypoints, const std::vector<PoseSequence>& poses,
                 int batch_size, int pad, bool causal, bool augment, FlipLists flip, std::uint32_t seed = 1234,
                 std::vector<Intrinsics> cameras = {}, int chunk_length = 1);

  // The examples in ChunkedGenerator's unshuffled order.
  const std::vector<Example>& examples() const { return examples_; }
  int batches_per_epoch() const;
  // Starts an epoch: shuffles (a copy of) the example list with the generator.
  void start_epoch();
  // The epoch's batch b (0 <= b < batches_per_epoch()), or with a share set this process's part of it.
  Batch batch(int b) const;
  // Data-parallel training: batch() returns only share_of(batch, part, parts) of each batch's examples;
  // the example order and the shuffling stay those of the whole batches.
  void set_share(int part, int parts);
  const std::vector<Example>& epoch_order() const { return order_; }

  NumpyRandomState& random_state() { return random_; }
  const NumpyRandomState& random_state() const { return random_; }

 private:
  void fill_example(const Example& example, Batch& batch, int slot) const;

  const std::vector<KeypointSequence>& keypoints_;
  const std::vector<PoseSequence>& poses_;
  std::vector<Intrinsics> cameras_;
  int batch_size_, pad_, chunk_length_ = 1;
  int part_ = 0, parts_ = 1;
  bool causal_;
  FlipLists flip_;
  NumpyRandomState random_;
  std::vector<Example> examples_;
  std::vector<Example> order_;
};

// run.py's endless generator (the unlabelled examples of semi-supervised training): its batches follow
// one another across epochs, and a new permutation is drawn only when the next batch is asked for after
// the last one is used up. A fresh stream (also after a resume, which restores only the generator's
// RandomState) starts with a new permutation.
class EndlessBatches {
 public:
  explicit EndlessBatches(ChunkedBatches& batches) : batches_(batches) {}
  Batch next();

 private:
  ChunkedBatches& batches_;
  int next_ = -1;  // the next batch of the current permutation; -1 before the first
};

}  // namespace lift3d::core::training
