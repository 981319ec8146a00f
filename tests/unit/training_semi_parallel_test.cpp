// Data-parallel semi-supervised training in one process: "ranks" are threads joined by an in-process
// collective (tests/support/thread_collective.hpp). Each rank takes its share of every labelled batch
// and of every unlabelled batch (ChunkedBatches::set_share on both generators, the unlabelled one an
// endless stream) and runs core/training/semi_supervised_step on them with its pose and trajectory
// models; two epochs of steps (with or without a warm-up epoch, the unlabelled terms switched on and
// off) must give what one process gives on the whole batches: every step's four losses, the two
// models' outputs and dropout masks, their gradients, and after the last step both models' weights and
// running statistics, the same bits on every rank.
//
// The batches are sized so that the cases that depend on sizes all occur: 24 labelled examples (12
// frames, flipped copies) in batches of 10 give 10, 10, 4, and 16 unlabelled ones give 10, 6, so the
// unlabelled batch is shorter than the labelled one (the second step), longer (the third), and the
// unlabelled stream runs out mid-epoch and starts a new permutation (the third step, and the fifth). Split 3 ways the labelled batch of 4
// gives shares 1, 1, 2; split 9 ways some ranks have no labelled or no unlabelled example at all.
// With chunks of 3 output frames (run.py's --stride 3, both models in their full form) the same pattern
// comes from batches of 4: 10 labelled chunks give 4, 4, 2 and 6 unlabelled ones 4, 2.
//
// Tolerances (the same kind of round-off as training_parallel_test.cpp, whose bounds these are): both
// sides do the same float32 arithmetic and differ only in the order of some sums (the BatchNorm sums,
// each weight gradient, the losses' and the bone lengths' sums add the ranks' partial sums). Outputs
// within 1e-6 of the tensor's largest element at the first step (they go through double statistics
// only); later steps start from weights that already differ by round-off, so there, and for every
// gradient, 2e-5 of the tensor's largest element; the pose, trajectory and reprojection losses (means
// of positive distances, float32 values rounded from double sums: an ulp is 6e-8 relative) within 1e-6
// relative; the bone-length term, a mean of |difference of two float32 mean lengths|, within 5e-7
// absolute: each mean length (about 1 m here) carries its own rounding, an ulp of 6e-8 to 1.2e-7, which
// the difference does not scale down; weights and running statistics 1e-6 absolute after the steps.
//
// The trajectory model starts 5 m ahead of the camera (its shrink bias). Left near depth 0, as its
// random initialisation puts it, the reprojection's gradient is dominated by a few points with z near
// 0 (terms in 1/z^2 that cancel), and any change in the order of the sums moves the trajectory model's
// gradients by up to 7e-5 of their largest element: the conditioning of that starting point, not an
// error of the split.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include "base/joint_sets.hpp"
#include "core/training/adam.hpp"
#include "core/training/chunked_batches.hpp"
#include "core/training/collective.hpp"
#include "core/training/semi_supervised_step.hpp"
#include "core/training/training_model.hpp"
#include "support/thread_collective.hpp"
#include "support/training_comparisons.hpp"

namespace training = lift3d::core::training;
using training::Matrix;

namespace {

constexpr double kOutputTolerance = 1e-6;    // relative to the tensor's largest element, first step
constexpr double kDriftTolerance = 2e-5;     // relative: gradients, and outputs of later steps
constexpr double kLossTolerance = 1e-6;      // relative: pose, trajectory and reprojection losses
constexpr double kBoneLengthTolerance = 5e-7;  // absolute (metres): the bone-length term
constexpr double kStepTolerance = 1e-6;      // absolute, after the steps
constexpr int kJoints = 17, kBatchSize = 10, kChunkBatchSize = 4, kEpochs = 2;

using lift3d::testing::absolute_error;
using lift3d::testing::relative_error;
using lift3d::testing::values;

struct SemiSplit {
  int ranks = 2;
  int warmup = 1;  // epochs
  double dropout = 0;
  bool projection = true, bone_length = true, linear = false, causal = false;
  int chunk = 1;  // output frames per example; above 1 the full models
};

// One step as a model (the whole batch's, or one rank's) saw it.
struct Step {
  training::SemiSupervisedLosses losses;
  int labelled = 0, unlabelled = 0;  // this model's examples of each part (unlabelled 0 in the warm-up)
  Matrix pose, path;
  std::vector<Matrix> pose_masks;
  std::vector<std::vector<float>> gradients;  // pose model's parameters, then the trajectory model's
};

struct TrainedRun {
  std::vector<Step> steps;
  std::vector<std::vector<float>> state;  // both models' state_dicts
};

lift3d::KeypointSequence random_keypoints(int frames, std::mt19937& random) {
  std::uniform_real_distribution<float> coordinate(-0.5f, 0.5f);
  lift3d::KeypointSequence k;
  k.frames = frames;
  k.joints = kJoints;
  k.features = 2;
  k.values.resize(static_cast<std::size_t>(frames) * kJoints * 2);
  for (float& v : k.values) v = coordinate(random);
  return k;
}

// Camera space, metres: the root 4 to 6 m ahead (its depth weighs the trajectory loss), the other
// joints within 0.5 m of it, root-relative as run.py's data.
lift3d::PoseSequence random_poses(int frames, std::mt19937& random) {
  std::uniform_real_distribution<float> offset(-0.5f, 0.5f), depth(4.0f, 6.0f);
  lift3d::PoseSequence p(frames, kJoints);
  for (int t = 0; t < frames; ++t)
    for (int j = 0; j < kJoints; ++j)
      for (int d = 0; d < 3; ++d) p.at(t, j, d) = j == 0 && d == 2 ? depth(random) : offset(random);
  return p;
}

class SemiParallelTraining : public ::testing::TestWithParam<SemiSplit> {
 protected:
  void SetUp() override {
    config_.filter_widths = {3, 3};
    config_.channels = 16;
    config_.causal = GetParam().causal;
    config_.input_channels = 2 * kJoints;
    config_.joints_out = kJoints;
    std::mt19937 random(17);
    for (const int frames : {7, 5}) {
      labelled_keypoints_.push_back(random_keypoints(frames, random));
      labelled_poses_.push_back(random_poses(frames, random));
    }
    unlabelled_keypoints_.push_back(random_keypoints(8, random));
    // Human3.6M-like intrinsics in normalised screen units, distortion included.
    cameras_.push_back({2.29f, 2.29f, 0.02f, 0.01f, -0.21f, 0.25f, -0.01f, -0.001f, -0.002f});
  }

  // Trains fresh models for kEpochs on this rank's share of every batch; the whole batches when alone.
  TrainedRun train(training::Collective& group) const {
    const SemiSplit setup = GetParam();
    const int pad = (config_.receptive_field() - 1) / 2;
    const training::FlipLists flips{{4, 5, 6, 11, 12, 13}, {1, 2, 3, 14, 15, 16}, {4, 5, 6, 11, 12, 13},
                                    {1, 2, 3, 14, 15, 16}};
    const int batch_size = setup.chunk == 1 ? kBatchSize : kChunkBatchSize;
    training::ChunkedBatches labelled(labelled_keypoints_, labelled_poses_, batch_size, pad, setup.causal, true, flips,
                                      1234, {}, setup.chunk);
    training::ChunkedBatches unlabelled(unlabelled_keypoints_, no_poses_, batch_size, pad, setup.causal, true, flips,
                                        4321, cameras_, setup.chunk);
    labelled.set_share(group.rank(), group.size());
    unlabelled.set_share(group.rank(), group.size());
    training::EndlessBatches stream(unlabelled);
    const bool full = setup.chunk > 1;
    training::TrainingModel pose_model(config_, setup.dropout, 5, full), path_model(trajectory_config(), setup.dropout, 6, full);
    pose_model.set_collective(group);
    path_model.set_collective(group);
    // The trajectory starts 5 m ahead of the camera (its shrink bias), as after a warm-up: the
    // projected points lie in front of it and the reprojection is not dominated by depths near 0.
    path_model.find("shrink.bias")->values[2] = 5.0f;
    training::Adam pose_adam(0.001), path_adam(0.001);
    const std::vector<int>& parents = lift3d::skeleton("h36m").parents;
    TrainedRun run;
    for (int epoch = 0; epoch < kEpochs; ++epoch) {
      labelled.start_epoch();
      for (int b = 0; b < labelled.batches_per_epoch(); ++b) {
        const training::Batch l = labelled.batch(b), u = stream.next();
        training::SemiSupervisedTerms terms;
        terms.warming_up = epoch < setup.warmup;
        terms.projection_loss = setup.projection;
        terms.bone_length_loss = setup.bone_length;
        terms.linear_projection = setup.linear;
        Step step;
        step.losses = training::semi_supervised_pass(l, u, terms, parents, pose_model, path_model, group, &step.pose,
                                                     &step.path);
        step.labelled = l.examples;
        step.unlabelled = terms.warming_up ? 0 : u.examples;
        step.pose_masks = pose_model.last_masks();
        for (const training::NamedTensor& p : pose_model.parameters()) step.gradients.push_back(p.grad);
        for (const training::NamedTensor& p : path_model.parameters()) step.gradients.push_back(p.grad);
        run.steps.push_back(std::move(step));
        pose_adam.step(pose_model.parameters());
        path_adam.step(path_model.parameters());
      }
      const double momentum = 0.1 * std::pow(0.5, epoch + 1);
      pose_model.set_bn_momentum(momentum);
      path_model.set_bn_momentum(momentum);
    }
    for (const training::NamedTensor* entry : pose_model.state_dict()) run.state.push_back(entry->values);
    for (const training::NamedTensor* entry : path_model.state_dict()) run.state.push_back(entry->values);
    return run;
  }

  lift3d::core::ModelConfig trajectory_config() const {
    lift3d::core::ModelConfig c = config_;
    c.joints_out = 1;
    return c;
  }

  lift3d::core::ModelConfig config_;
  std::vector<lift3d::KeypointSequence> labelled_keypoints_, unlabelled_keypoints_;
  std::vector<lift3d::PoseSequence> labelled_poses_, no_poses_;
  std::vector<training::Intrinsics> cameras_;
};

// The ranks' matrices as the whole batch lays them out: every rank's labelled columns, then every
// rank's unlabelled ones; `per_example` columns per example.
Matrix whole_batch(const std::vector<TrainedRun>& ranks, std::size_t s, const Matrix Step::*part, Eigen::Index per_example) {
  std::vector<Matrix> pieces;
  for (const TrainedRun& r : ranks)
    pieces.push_back((r.steps[s].*part).leftCols(per_example * r.steps[s].labelled));
  for (const TrainedRun& r : ranks)
    pieces.push_back((r.steps[s].*part).rightCols(per_example * r.steps[s].unlabelled));
  return lift3d::testing::side_by_side(pieces);
}

void expect_loss_near(double ours, double whole, const char* name, std::size_t step) {
  EXPECT_LE(std::abs(ours - whole), kLossTolerance * std::abs(whole)) << name << " loss, step " << step;
}

TEST_P(SemiParallelTraining, SharesOfBothBatchesTrainAsTheWholeBatches) {
  const SemiSplit setup = GetParam();
  const TrainedRun whole = train(training::single_process());
  std::vector<TrainedRun> ranks(setup.ranks);
  lift3d::testing::run_ranks(setup.ranks, [&](training::Collective& group) { ranks[group.rank()] = train(group); });

  ASSERT_EQ(whole.steps.size(), 6u);  // 3 batches per epoch
  const std::vector<int> expected_labelled = setup.chunk == 1 ? std::vector<int>{10, 10, 4, 10, 10, 4}
                                                              : std::vector<int>{4, 4, 2, 4, 4, 2};
  const std::vector<int> expected_unlabelled = setup.chunk == 1 ? std::vector<int>{10, 6, 10, 6, 10, 6}
                                                                : std::vector<int>{4, 2, 4, 2, 4, 2};
  double worst_output = 0, worst_gradient = 0, worst_loss = 0, worst_bone_length = 0;
  for (std::size_t s = 0; s < whole.steps.size(); ++s) {
    const Step& one = whole.steps[s];
    const bool warming_up = static_cast<int>(s) / 3 < setup.warmup;
    EXPECT_EQ(one.labelled, expected_labelled[s]) << "step " << s;
    EXPECT_EQ(one.unlabelled, warming_up ? 0 : expected_unlabelled[s]) << "step " << s;
    int labelled = 0, unlabelled = 0;
    for (const TrainedRun& r : ranks) {
      labelled += r.steps[s].labelled;
      unlabelled += r.steps[s].unlabelled;
      // The whole batch's losses on every rank, the same bits on each.
      const training::SemiSupervisedLosses& l = r.steps[s].losses;
      expect_loss_near(l.pose, one.losses.pose, "pose", s);
      expect_loss_near(l.trajectory, one.losses.trajectory, "trajectory", s);
      expect_loss_near(l.reprojection, one.losses.reprojection, "reprojection", s);
      EXPECT_LE(std::abs(l.bone_length - one.losses.bone_length), kBoneLengthTolerance) << "bone-length loss, step " << s;
      EXPECT_EQ(l.pose, ranks.front().steps[s].losses.pose);
      EXPECT_EQ(l.bone_length, ranks.front().steps[s].losses.bone_length);
      worst_loss = std::max({worst_loss, std::abs(l.pose - one.losses.pose) / one.losses.pose,
                             std::abs(l.trajectory - one.losses.trajectory) / one.losses.trajectory});
      if (one.losses.reprojection > 0)
        worst_loss = std::max(worst_loss, std::abs(l.reprojection - one.losses.reprojection) / one.losses.reprojection);
      worst_bone_length = std::max(worst_bone_length, std::abs(l.bone_length - one.losses.bone_length));
    }
    EXPECT_EQ(labelled, one.labelled) << "step " << s;
    EXPECT_EQ(unlabelled, one.unlabelled) << "step " << s;
    // The terms are there when they should be.
    EXPECT_GT(one.losses.pose, 0);
    EXPECT_EQ(one.losses.reprojection > 0, !warming_up && setup.projection) << "step " << s;
    EXPECT_EQ(one.losses.bone_length > 0, !warming_up && setup.bone_length) << "step " << s;

    const double output_tolerance = s == 0 ? kOutputTolerance : kDriftTolerance;
    const double pose_error = relative_error(values(whole_batch(ranks, s, &Step::pose, setup.chunk)), values(one.pose));
    const double path_error = relative_error(values(whole_batch(ranks, s, &Step::path, setup.chunk)), values(one.path));
    EXPECT_LE(pose_error, output_tolerance) << "pose output, step " << s;
    EXPECT_LE(path_error, output_tolerance) << "trajectory output, step " << s;
    worst_output = std::max({worst_output, pose_error, path_error});
    for (std::size_t u = 0; u < one.pose_masks.size(); ++u) {
      if (setup.dropout == 0) {
        EXPECT_EQ(one.pose_masks[u].size(), 0);
        continue;
      }
      // The dropout masks exactly: the whole batch's, cut to each rank's labelled and unlabelled columns.
      const Eigen::Index per_example = one.pose_masks[u].cols() / (one.labelled + one.unlabelled);
      std::vector<TrainedRun> masks(ranks.size());
      for (std::size_t r = 0; r < ranks.size(); ++r) {
        masks[r].steps.resize(s + 1);
        masks[r].steps[s].pose = ranks[r].steps[s].pose_masks[u];
        masks[r].steps[s].labelled = ranks[r].steps[s].labelled;
        masks[r].steps[s].unlabelled = ranks[r].steps[s].unlabelled;
      }
      EXPECT_TRUE(whole_batch(masks, s, &Step::pose, per_example) == one.pose_masks[u]) << "unit " << u << ", step " << s;
    }
    // Every rank holds the whole batch's gradients, the same bits on each.
    for (const TrainedRun& r : ranks)
      for (std::size_t p = 0; p < one.gradients.size(); ++p) {
        const double error = relative_error(r.steps[s].gradients[p], one.gradients[p]);
        EXPECT_LE(error, kDriftTolerance) << "parameter " << p << ", step " << s;
        worst_gradient = std::max(worst_gradient, error);
        EXPECT_EQ(r.steps[s].gradients[p], ranks.front().steps[s].gradients[p]) << "parameter " << p << ", step " << s;
      }
  }
  // After the steps: the whole batches' weights and running statistics, the same bits on every rank.
  double worst_state = 0;
  for (const TrainedRun& r : ranks)
    for (std::size_t t = 0; t < whole.state.size(); ++t) {
      const double error = absolute_error(r.state[t], whole.state[t]);
      EXPECT_LE(error, kStepTolerance) << "state entry " << t;
      worst_state = std::max(worst_state, error);
      EXPECT_EQ(r.state[t], ranks.front().state[t]) << "ranks differ in state entry " << t;
    }
  std::printf("%d ranks, chunks of %d, warm-up %d, dropout %.2f%s%s%s%s: losses %.2g, outputs %.2g, gradients %.2g (relative), "
              "bone-length term %.2g, state %.2g (absolute)\n",
              setup.ranks, setup.chunk, setup.warmup, setup.dropout, setup.projection ? "" : ", no-proj",
              setup.bone_length ? "" : ", no-bone-length", setup.linear ? ", linear" : "", setup.causal ? ", causal" : "",
              worst_loss, worst_output, worst_gradient, worst_bone_length, worst_state);
}

INSTANTIATE_TEST_SUITE_P(
    Splits, SemiParallelTraining,
    ::testing::Values(SemiSplit{2, 1, 0.0}, SemiSplit{3, 1, 0.25}, SemiSplit{2, 0, 0.25, true, true, true, false},
                      SemiSplit{3, 0, 0.0, false, true, false, true}, SemiSplit{3, 0, 0.0, true, false},
                      // Ranks with no labelled or no unlabelled example (the batches of 4 and 6 split 9 ways)
                      // still join every sum.
                      SemiSplit{9, 1, 0.25},
                      // Chunks of 3 output frames, the full models: split 2 and 3 ways (shares of 1 and 2
                      // chunks), causal, and 9 ways (ranks without a chunk of one part or both).
                      SemiSplit{2, 1, 0.25, true, true, false, false, 3}, SemiSplit{3, 0, 0.0, true, true, true, true, 3},
                      SemiSplit{9, 0, 0.25, true, true, false, false, 3}));

}  // namespace
