// The semi-supervised losses against PyTorch autograd (tests/fixtures/training/semi_losses.npz, written by
// tools/make_semi_fixtures.py): the reprojection loss with Human3.6M's distortion and the linear one
// (one example pushed beyond |x/z| = 1, where the clamp stops the gradient of x), and the bone-length
// term over a concatenated batch, each loss and the gradient of every input.
//
// Tolerances: both sides compute in float32 in the same order of operations for the values; the
// gradients come from the same chain rule grouped differently (lift3d's closed form against autograd's
// node by node), so they differ by a few float32 roundings of the largest terms: each gradient tensor
// within 1e-5 of its largest element, each loss within 1e-6 relative.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "core/training/semi_losses.hpp"
#include "io/npy.hpp"

namespace training = lift3d::core::training;
using training::Matrix;

namespace {

const lift3d::io::NpzFile& fixture() {
  static const lift3d::io::NpzFile file(std::string(LIFT3D_FIXTURES_DIR) + "/training/semi_losses.npz");
  return file;
}

std::vector<float> floats(const std::string& key) { return fixture().read(key).array->to_float(); }
double scalar(const std::string& key) { return fixture().read(key).array->to_double()[0]; }

// C-order (B, 1, J, D) arrays are D*J x B column-major matrices as they are.
Matrix matrix(const std::string& key, Eigen::Index rows) {
  const std::vector<float> v = floats(key);
  return Eigen::Map<const Matrix>(v.data(), rows, static_cast<Eigen::Index>(v.size()) / rows);
}

double relative_error(const Matrix& ours, const std::vector<float>& torch) {
  EXPECT_EQ(static_cast<std::size_t>(ours.size()), torch.size());
  double diff = 0, scale = 0;
  for (std::size_t i = 0; i < torch.size() && i < static_cast<std::size_t>(ours.size()); ++i) {
    diff = std::max(diff, std::abs(static_cast<double>(ours.data()[i]) - torch[i]));
    scale = std::max(scale, std::abs(static_cast<double>(torch[i])));
  }
  return diff / (scale + 1e-12);
}

constexpr double kGradientTolerance = 1e-5;  // relative to the tensor's largest element
constexpr double kLossTolerance = 1e-6;      // relative

class Reprojection : public ::testing::TestWithParam<const char*> {};

TEST_P(Reprojection, LossAndGradientsMatchAutograd) {
  const std::string kind = GetParam();
  const Matrix pose = matrix("pose", 51), trajectory = matrix("trajectory", 3), cameras = matrix("cameras", 9);
  const Matrix target = matrix("target", 34);
  const training::ReprojectionLoss loss =
      training::reprojection_mpjpe(pose, trajectory, cameras, target, kind == "linear");
  const double expected = scalar(kind + ".loss");
  EXPECT_NEAR(loss.loss, expected, kLossTolerance * expected);
  const double pose_error = relative_error(loss.pose_gradient, floats(kind + ".grad_pose"));
  const double trajectory_error = relative_error(loss.trajectory_gradient, floats(kind + ".grad_trajectory"));
  EXPECT_LE(pose_error, kGradientTolerance);
  EXPECT_LE(trajectory_error, kGradientTolerance);
  std::printf("%s: loss %.9g (torch %.9g), gradient errors pose %.3g trajectory %.3g\n", kind.c_str(), loss.loss,
              expected, pose_error, trajectory_error);
  // The clamped example (x/z > 1 for every joint) passes no gradient through x.
  for (Eigen::Index j = 0; j < 17; ++j) EXPECT_EQ(loss.pose_gradient(3 * j, 2), 0.0f) << "joint " << j;
  EXPECT_EQ(loss.trajectory_gradient(0, 2), 0.0f);
}

INSTANTIATE_TEST_SUITE_P(SemiLosses, Reprojection, ::testing::Values("distorted", "linear"));

TEST(SemiLosses, BoneLengthTermMatchesAutograd) {
  const Matrix pose = matrix("bone.pose", 51);
  const int split = static_cast<int>(scalar("bone.split"));
  std::vector<int> parents;
  for (std::int64_t p : fixture().read("bone.parents").array->to_int64()) parents.push_back(static_cast<int>(p));
  const training::BoneLengthLoss loss = training::bone_length_penalty(pose, split, parents);
  const double expected = scalar("bone.loss");
  EXPECT_NEAR(loss.loss, expected, kLossTolerance * expected);
  const double error = relative_error(loss.gradient, floats("bone.grad"));
  EXPECT_LE(error, kGradientTolerance);
  std::printf("bone length: loss %.9g (torch %.9g), gradient error %.3g\n", loss.loss, expected, error);
}

TEST(SemiLosses, ProjectionOfAPointOnTheAxisIsTheCentre) {
  // A point straight ahead projects to the principal point whatever the distortion, and a 2D target
  // there gives zero loss and zero gradient.
  Matrix pose = Matrix::Zero(3, 1), trajectory(3, 1), cameras(9, 1), target(2, 1);
  trajectory << 0, 0, 4;
  cameras << 2.29f, 2.28f, 0.025f, 0.029f, -0.2f, 0.24f, -0.003f, -0.001f, -0.0014f;
  target << 0.025f, 0.029f;
  for (bool linear : {false, true}) {
    const training::ReprojectionLoss loss = training::reprojection_mpjpe(pose, trajectory, cameras, target, linear);
    EXPECT_EQ(loss.loss, 0.0);
    EXPECT_EQ(loss.pose_gradient.cwiseAbs().maxCoeff(), 0.0f);
  }
}

}  // namespace
