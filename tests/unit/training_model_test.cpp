// The training model, its losses and Adam against PyTorch autograd (fixtures written by
// tools/make_training_fixtures.py): the forward output in training mode, every parameter's gradient,
// and after three full training steps (Adam with AMSGrad, learning-rate decay, run.py's BatchNorm
// momentum schedule) every parameter and running statistic.
//
// Tolerances. lift3d and PyTorch do the same float32 arithmetic in a different summation order
// (OpenBLAS versus torch's own convolution kernels), so each value differs by float32 round-off
// accumulated over the sums that make it: relative 1e-7 per term, a few hundred terms, amplified by
// BatchNorm's division by the batch standard deviation. Each tensor is compared as a whole:
// max |lift3d - torch| <= 2e-5 * max |torch| (+ 1e-9 for tensors that are all zero). Parameters after
// the Adam steps are compared absolutely: each update moves a parameter by at most about lr (1e-3),
// and round-off in the gradient changes an update by that relative amount, so 1e-6 absolute is a
// thousand times an update's round-off and a thousandth of one update.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "core/training/adam.hpp"
#include "core/training/losses.hpp"
#include "core/training/training_model.hpp"
#include "support/training_comparisons.hpp"
#include "io/npy.hpp"

namespace training = lift3d::core::training;
using training::Matrix;

namespace {

struct Case {
  lift3d::io::NpzFile file;
  lift3d::core::ModelConfig config;
  double dropout = 0;
  int steps = 0, batch = 0;
  bool trajectory = false;

  explicit Case(const std::string& name) : file(std::string(LIFT3D_FIXTURES_DIR) + "/training/" + name + ".npz") {
    const std::vector<std::int64_t> c = array("config").to_int64();
    for (std::int64_t w : array("architecture").to_int64()) config.filter_widths.push_back(static_cast<int>(w));
    config.input_channels = static_cast<int>(c[0] * c[1]);
    config.joints_out = static_cast<int>(c[2]);
    config.channels = static_cast<int>(c[3]);
    config.causal = c[4] != 0;
    steps = static_cast<int>(c[5]);
    batch = static_cast<int>(c[6]);
    trajectory = c[7] != 0;
    dropout = array("dropout").to_double()[0];
  }
  lift3d::io::Array array(const std::string& key) const { return *file.read(key).array; }
  std::vector<float> floats(const std::string& key) const { return array(key).to_float(); }
  double scalar(const std::string& key) const { return array(key).to_double()[0]; }

  // (rows x cols) matrix holding the array's elements in memory order: the C-order (B, T, J, F) input
  // and (B, 1, J, 3) outputs are already channels x frames column-major.
  Matrix matrix(const std::string& key, Eigen::Index rows) const {
    const std::vector<float> v = floats(key);
    return Eigen::Map<const Matrix>(v.data(), rows, static_cast<Eigen::Index>(v.size()) / rows);
  }
  // torch's (B, C, L) mask as C x (B * L), column b * L + l.
  std::vector<Matrix> masks(int step, const training::TrainingModel& model) const {
    std::vector<Matrix> result;
    if (dropout == 0) return result;
    for (int u = 0; u < model.units(); ++u) {
      const lift3d::io::Array a = array("mask." + std::to_string(step) + "." + std::to_string(u));
      const std::vector<float> v = a.to_float();
      const Eigen::Index b = a.shape[0], channels = a.shape[1], frames = a.shape[2];
      Matrix m(channels, b * frames);
      for (Eigen::Index e = 0; e < b; ++e)
        for (Eigen::Index c = 0; c < channels; ++c)
          for (Eigen::Index t = 0; t < frames; ++t) m(c, e * frames + t) = v[(e * channels + c) * frames + t];
      result.push_back(m);
    }
    return result;
  }

  training::TrainingModel initial_model() const {
    training::TrainingModel model(config, dropout);
    for (const training::NamedTensor* entry : model.state_dict()) {
      training::NamedTensor* target = model.find(entry->name);
      target->values = floats("init." + entry->name);
    }
    return model;
  }
};

using lift3d::testing::absolute_error;
using lift3d::testing::relative_error;
using lift3d::testing::values;

training::LossWithGradient loss_of(const Case& c, const Matrix& predicted, const Matrix& target) {
  if (!c.trajectory) return training::mpjpe(predicted, target);
  Eigen::VectorXf weights(target.cols());
  for (Eigen::Index t = 0; t < target.cols(); ++t) weights[t] = 1.0f / target(2, t);
  return training::weighted_mpjpe(predicted, target, weights);
}

constexpr double kGradientTolerance = 2e-5;  // relative to the tensor's largest element
constexpr double kStepTolerance = 1e-6;      // absolute, parameters and running statistics after the steps

class TrainingFixture : public ::testing::TestWithParam<const char*> {};

TEST_P(TrainingFixture, OutputLossAndEveryGradientMatchAutograd) {
  const Case c(GetParam());
  training::TrainingModel model = c.initial_model();
  const Matrix input = c.matrix("input.0", c.config.input_channels);
  const std::vector<Matrix> masks = c.masks(0, model);
  const Matrix output = model.forward(input, c.batch, masks.empty() ? nullptr : &masks);
  EXPECT_LE(relative_error(values(output), c.floats("output.0")), kGradientTolerance);
  const training::LossWithGradient loss = loss_of(c, output, c.matrix("target.0", 3 * c.config.joints_out));
  EXPECT_NEAR(loss.loss, c.array("loss").to_double()[0], 1e-6 * c.array("loss").to_double()[0]);
  model.backward(loss.gradient);
  double worst = 0;
  for (const training::NamedTensor& p : model.parameters()) {
    const double error = relative_error(p.grad, c.floats("grad." + p.name));
    EXPECT_LE(error, kGradientTolerance) << p.name;
    worst = std::max(worst, error);
  }
  std::printf("%s: largest gradient error %.2g of the tensor's largest element\n", GetParam(), worst);
  EXPECT_EQ(model.batches_tracked(), 1);
}

TEST_P(TrainingFixture, ThreeAdamStepsMatchTorch) {
  const Case c(GetParam());
  training::TrainingModel model = c.initial_model();
  training::Adam adam(c.scalar("lr.0"));
  for (int s = 0; s < c.steps; ++s) {
    const std::string step = std::to_string(s);
    adam.set_lr(c.scalar("lr." + step));
    model.set_bn_momentum(c.scalar("momentum." + step));
    const std::vector<Matrix> masks = c.masks(s, model);
    const Matrix output =
        model.forward(c.matrix("input." + step, c.config.input_channels), c.batch, masks.empty() ? nullptr : &masks);
    EXPECT_LE(relative_error(values(output), c.floats("output." + step)), kGradientTolerance) << "step " << s;
    const training::LossWithGradient loss = loss_of(c, output, c.matrix("target." + step, 3 * c.config.joints_out));
    EXPECT_NEAR(loss.loss, c.array("loss").to_double()[s], 1e-6 * c.array("loss").to_double()[s]) << "step " << s;
    model.backward(loss.gradient);
    adam.step(model.parameters());
  }
  double worst = 0;
  for (const training::NamedTensor* entry : model.state_dict()) {
    const double error = absolute_error(entry->values, c.floats("final." + entry->name));
    EXPECT_LE(error, kStepTolerance) << entry->name;
    worst = std::max(worst, error);
  }
  std::printf("%s: largest difference after %d steps %.2g\n", GetParam(), c.steps, worst);
  EXPECT_EQ(model.batches_tracked(), c.steps);
  EXPECT_EQ(c.array("final.expand_bn.num_batches_tracked").to_int64()[0], c.steps);
}

INSTANTIATE_TEST_SUITE_P(Torch, TrainingFixture,
                         ::testing::Values("pose_arc33_c64_dropout", "pose_arc353_c16_causal", "traj_arc33_c16_dropout"));

TEST(Losses, MpjpeIsTheMeanDistanceAndZeroDistanceHasNoGradient) {
  Matrix predicted(6, 1), target(6, 1);
  predicted << 3, 4, 0, 1, 1, 1;
  target << 0, 0, 0, 1, 1, 1;
  const training::LossWithGradient loss = training::mpjpe(predicted, target);
  EXPECT_DOUBLE_EQ(loss.loss, 2.5);  // (5 + 0) / 2
  EXPECT_FLOAT_EQ(loss.gradient(0, 0), 0.5f * 3 / 5);
  EXPECT_FLOAT_EQ(loss.gradient(1, 0), 0.5f * 4 / 5);
  for (int r = 3; r < 6; ++r) EXPECT_EQ(loss.gradient(r, 0), 0.0f);
}

TEST(Adam, FirstStepMovesEachParameterByLrAgainstItsGradientSign) {
  training::NamedTensor p{"w", {3}, {1.0f, 1.0f, 1.0f}, {0.5f, -2.0f, 0.0f}};
  std::vector<training::NamedTensor> params{p};
  training::Adam adam(0.01);
  adam.step(params);
  // Step 1: exp_avg / sqrt(exp_avg_sq) after bias correction is sign(g) (eps aside).
  EXPECT_NEAR(params[0].values[0], 0.99f, 1e-6);
  EXPECT_NEAR(params[0].values[1], 1.01f, 1e-6);
  EXPECT_EQ(params[0].values[2], 1.0f);
  EXPECT_EQ(adam.slots()[0].step, 1);
}

}  // namespace
