// Data-parallel training in one process: "ranks" are threads joined by an in-process collective
// (tests/support/thread_collective.hpp). Each rank runs the training model on its share of a batch
// (synchronised BatchNorm, the whole batch's dropout masks cut to its share, gradients summed); the
// forward outputs, the loss, every gradient and the weights after three Adam steps must be those of
// one model trained on the whole batch. Both forms of the model: the strided one (one output frame
// per example) and the full one on chunks of several output frames (dilated or dense).
//
// Tolerances. Both sides do the same float32 arithmetic; only the order of some sums differs: the
// BatchNorm sums (double) add the ranks' partial sums, and each weight gradient (float32) is the sum of
// the ranks' partial products. The outputs go through double statistics only, so they may differ by a
// few float32 ulps: 1e-6 of the tensor's largest element. Gradients and the steps use the bounds of
// training_model_test.cpp (the same kind of round-off): 2e-5 of the tensor's largest element, and 1e-6
// absolute for every weight and running statistic after the steps.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "core/training/adam.hpp"
#include "core/training/collective.hpp"
#include "core/training/losses.hpp"
#include "core/training/training_model.hpp"
#include "support/training_comparisons.hpp"
#include "support/thread_collective.hpp"

namespace training = lift3d::core::training;
using training::Matrix;

namespace {

constexpr double kOutputTolerance = 1e-6;    // relative to the tensor's largest element
constexpr double kGradientTolerance = 2e-5;  // relative to the tensor's largest element
constexpr double kStepTolerance = 1e-6;      // absolute, after the steps
constexpr int kSteps = 3;

using lift3d::testing::absolute_error;
using lift3d::testing::relative_error;
using lift3d::testing::side_by_side;
using lift3d::testing::values;

struct Split {
  int ranks = 2;
  int examples = 10;  // per batch
  double dropout = 0;
  bool causal = false;
  // The full model (run.py's TemporalModel for --stride > 1, --dense, --disable-optimizations): chunks of
  // frames_out output frames per example.
  bool full = false;
  int frames_out = 1;
  bool dense = false;
};

// What one model (the whole batch, or one rank's share) gives: the first step's output, loss, masks and
// gradients, and the state after every step.
struct TrainedModel {
  Matrix output;
  double loss = 0;
  std::vector<Matrix> masks;
  std::vector<std::vector<float>> gradients;
  std::vector<std::vector<float>> state;
  std::int64_t batches_tracked = 0;
};

class ParallelTraining : public ::testing::TestWithParam<Split> {
 protected:
  void SetUp() override {
    config_.filter_widths = {3, 3};
    config_.channels = 16;
    config_.causal = GetParam().causal;
    config_.dense = GetParam().dense;
    config_.input_channels = 34;
    config_.joints_out = 17;
    std::srand(11);  // Eigen's Random draws from rand()
    const int examples = GetParam().examples, window = window_frames(), frames_out = GetParam().frames_out;
    for (int s = 0; s < kSteps; ++s) {
      inputs_.push_back(Matrix::Random(config_.input_channels, static_cast<Eigen::Index>(examples) * window));
      targets_.push_back(Matrix::Random(3 * config_.joints_out, static_cast<Eigen::Index>(examples) * frames_out) * 0.5f);
    }
  }

  // Input frames per example: the receptive field and the chunk's further output frames.
  int window_frames() const { return config_.receptive_field() + GetParam().frames_out - 1; }

  // Trains a fresh model (seed 5) for kSteps on this share of each batch; the whole batch when alone.
  TrainedModel train(training::Collective& group) const {
    training::TrainingModel model(config_, GetParam().dropout, 5, GetParam().full);
    model.set_collective(group);
    training::Adam adam(0.001);
    const int window = window_frames(), examples = GetParam().examples, frames_out = GetParam().frames_out;
    const training::Share share = training::share_of(examples, group.rank(), group.size());
    TrainedModel run;
    for (int s = 0; s < kSteps; ++s) {
      const Matrix input = inputs_[s].middleCols(static_cast<Eigen::Index>(share.first) * window,
                                                 static_cast<Eigen::Index>(share.count) * window);
      const Matrix output = model.forward(input, share.count, nullptr, frames_out);
      const training::LossWithGradient loss = training::mpjpe_share(
          output,
          targets_[s].middleCols(static_cast<Eigen::Index>(share.first) * frames_out,
                                 static_cast<Eigen::Index>(share.count) * frames_out),
          static_cast<long long>(examples) * frames_out);
      model.backward(loss.gradient);
      const double batch_loss = group.sum(loss.loss);
      if (s == 0) {
        run.output = output;
        run.loss = batch_loss;
        run.masks = model.last_masks();
        for (const training::NamedTensor& p : model.parameters()) run.gradients.push_back(p.grad);
      }
      adam.step(model.parameters());
      model.set_bn_momentum(0.1 * std::pow(0.5, s + 1));
    }
    for (const training::NamedTensor* entry : model.state_dict()) run.state.push_back(entry->values);
    run.batches_tracked = model.batches_tracked();
    return run;
  }

  lift3d::core::ModelConfig config_;
  std::vector<Matrix> inputs_, targets_;
};

TEST_P(ParallelTraining, SharesOfABatchTrainAsTheWholeBatch) {
  const Split setup = GetParam();
  const TrainedModel whole = train(training::single_process());
  std::vector<TrainedModel> ranks(setup.ranks);
  lift3d::testing::run_ranks(setup.ranks, [&](training::Collective& group) { ranks[group.rank()] = train(group); });

  // The first step: outputs side by side, the batch's loss, the dropout masks exactly.
  std::vector<Matrix> outputs;
  for (const TrainedModel& r : ranks) outputs.push_back(r.output);
  const double output_error = relative_error(values(side_by_side(outputs)), values(whole.output));
  EXPECT_LE(output_error, kOutputTolerance);
  for (const TrainedModel& r : ranks) EXPECT_NEAR(r.loss, whole.loss, 1e-6 * whole.loss);
  for (std::size_t u = 0; u < whole.masks.size(); ++u) {
    if (setup.dropout == 0) {
      EXPECT_EQ(whole.masks[u].size(), 0);
      continue;
    }
    std::vector<Matrix> parts;
    for (const TrainedModel& r : ranks) parts.push_back(r.masks[u]);
    EXPECT_TRUE(side_by_side(parts) == whole.masks[u]) << "unit " << u;
  }
  // Every rank holds the whole batch's gradients.
  double worst_gradient = 0;
  for (const TrainedModel& r : ranks)
    for (std::size_t p = 0; p < whole.gradients.size(); ++p) {
      const double error = relative_error(r.gradients[p], whole.gradients[p]);
      EXPECT_LE(error, kGradientTolerance) << "parameter " << p;
      worst_gradient = std::max(worst_gradient, error);
    }
  // After the steps: the whole batch's weights and running statistics, the same bits on every rank.
  double worst_state = 0;
  for (const TrainedModel& r : ranks) {
    EXPECT_EQ(r.batches_tracked, kSteps);
    for (std::size_t t = 0; t < whole.state.size(); ++t) {
      const double error = absolute_error(r.state[t], whole.state[t]);
      EXPECT_LE(error, kStepTolerance) << "state entry " << t;
      worst_state = std::max(worst_state, error);
      EXPECT_EQ(r.state[t], ranks.front().state[t]) << "ranks differ in state entry " << t;
    }
  }
  std::printf("%d ranks, %d examples of %d frames out, dropout %.2f%s%s: output %.2g, gradients %.2g (relative), "
              "state %.2g (absolute)\n",
              setup.ranks, setup.examples, setup.frames_out, setup.dropout, setup.causal ? ", causal" : "",
              !setup.full ? "" : setup.dense ? ", full model, dense" : ", full model", output_error, worst_gradient,
              worst_state);
}

INSTANTIATE_TEST_SUITE_P(Splits, ParallelTraining,
                         ::testing::Values(Split{2, 10, 0.0, false}, Split{2, 9, 0.25, false}, Split{3, 7, 0.0, true},
                                           // Rank 0 has no example of the batch and still joins every
                                           // sum. (Batches of 2 would be degenerate: BatchNorm over 2
                                           // values gives +-1 whatever they are, so the gradient through
                                           // it is 0 up to round-off and no tolerance is meaningful.)
                                           Split{9, 8, 0.25, false},
                                           // The full model on chunks (--stride 3 and 4, --dense,
                                           // --disable-optimizations), a process with no chunk included.
                                           Split{2, 9, 0.25, false, true, 3}, Split{3, 7, 0.0, true, true, 4},
                                           Split{2, 10, 0.25, false, true, 2, true},
                                           Split{3, 8, 0.25, true, true, 1},
                                           Split{9, 8, 0.25, false, true, 3, true}));

TEST(Share, SplitsABatchIntoContiguousNearEqualParts) {
  int next = 0;
  for (int part = 0; part < 3; ++part) {
    const training::Share share = training::share_of(10, part, 3);
    EXPECT_EQ(share.first, next);
    EXPECT_GE(share.count, 3);
    EXPECT_LE(share.count, 4);
    next += share.count;
  }
  EXPECT_EQ(next, 10);
  EXPECT_EQ(training::share_of(1, 0, 2).count, 0);
  EXPECT_EQ(training::share_of(1, 1, 2).count, 1);
}

}  // namespace
