// Training batches as the reference's ChunkedGenerator (common/generators.py) makes them, for one
// output frame per example (run.py's default --stride 1, the strided training model's case):
//  - the example list: every frame of every video, in video order, each video's frames followed
//    by the same frames flipped when augmenting;
//  - each epoch, the list in the order numpy.random.RandomState(seed).permutation gives it;
//  - consecutive runs of batch_size examples (the last one shorter);
//  - an example's 2D window: receptive-field frames around its frame (causal models: ending at it),
//    edge-padded at the video's borders; its 3D target: the frame's joints, the root zeroed;
//  - flipped examples: x negated and the left/right keypoints (2D) and joints (3D) swapped.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <vector>

#include "core/training/numpy_random.hpp"
#include "lift3d/sequence.hpp"

namespace lift3d::core::training {

using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic>;

// One training example: (video, output frame, flipped), run.py's (seq_idx, start, end = start + 1, flip).
struct Example {
  int video = 0;
  int frame = 0;
  bool flip = false;
};

struct FlipLists {
  std::vector<int> kps_left, kps_right;      // the 2D file's keypoints_symmetry
  std::vector<int> joints_left, joints_right;  // the skeleton's
};

struct Batch {
  int examples = 0;
  Matrix input;       // input_channels x (examples * receptive field), the training model's layout
  Matrix target;      // 3 * joints x examples, root joint (0) zeroed
  Matrix trajectory;  // 3 x examples: the target's root before zeroing (the trajectory model's target)
};

class ChunkedBatches {
 public:
  // `keypoints` (normalised) and `poses` (camera space, joint 0 absolute) are one per video, of equal
  // lengths, kept by reference. `pad` frames each side (receptive field = 2 pad + 1).
  ChunkedBatches(const std::vector<KeypointSequence>& keypoints, const std::vector<PoseSequence>& poses,
                 int batch_size, int pad, bool causal, bool augment, FlipLists flip, std::uint32_t seed = 1234);

  // The examples in ChunkedGenerator's unshuffled order.
  const std::vector<Example>& examples() const { return examples_; }
  int batches_per_epoch() const;
  // Starts an epoch: shuffles (a copy of) the example list with the generator.
  void start_epoch();
  // The epoch's batch b (0 <= b < batches_per_epoch()).
  Batch batch(int b) const;
  const std::vector<Example>& epoch_order() const { return order_; }

  NumpyRandomState& random_state() { return random_; }
  const NumpyRandomState& random_state() const { return random_; }

 private:
  void fill_example(const Example& example, Batch& batch, int slot) const;

  const std::vector<KeypointSequence>& keypoints_;
  const std::vector<PoseSequence>& poses_;
  int batch_size_, pad_;
  bool causal_;
  FlipLists flip_;
  NumpyRandomState random_;
  std::vector<Example> examples_;
  std::vector<Example> order_;
};

}  // namespace lift3d::core::training
