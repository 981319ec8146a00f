#include "core/training/semi_losses.hpp"

#include <algorithm>
#include <cmath>

#include "lift3d/error.hpp"

namespace lift3d::core::training {
namespace {

struct Intrinsics {
  float fx, fy, cx, cy, k1, k2, k3, p1, p2;
};

Intrinsics intrinsics_of(const Matrix& cameras, Eigen::Index example) {
  const auto c = cameras.col(example);
  return {c(0), c(1), c(2), c(3), c(4), c(5), c(6), c(7), c(8)};
}

// One point's projection and what its backward pass needs, float32 in the reference's order of
// operations (ratio, clamp, r2, radial, tangential, distortion, f * . + c).
struct Projection {
  float raw_x = 0, raw_y = 0;  // x/z, y/z before the clamp
  float x = 0, y = 0;          // clamped
  float r2 = 0, radial = 0, tangential = 0;
  float u = 0, v = 0;
};

Projection project_point(float px, float py, float pz, const Intrinsics& k, bool linear) {
  Projection p;
  p.raw_x = px / pz;
  p.raw_y = py / pz;
  p.x = std::clamp(p.raw_x, -1.0f, 1.0f);
  p.y = std::clamp(p.raw_y, -1.0f, 1.0f);
  if (linear) {
    p.u = k.fx * p.x + k.cx;
    p.v = k.fy * p.y + k.cy;
    return p;
  }
  p.r2 = p.x * p.x + p.y * p.y;
  p.radial = 1.0f + (k.k1 * p.r2 + k.k2 * (p.r2 * p.r2) + k.k3 * (p.r2 * p.r2 * p.r2));
  p.tangential = k.p1 * p.x + k.p2 * p.y;
  const float scale = p.radial + p.tangential;
  p.u = k.fx * (p.x * scale + k.p1 * p.r2) + k.cx;
  p.v = k.fy * (p.y * scale + k.p2 * p.r2) + k.cy;
  return p;
}

// d(loss)/d(clamped ratios) from d(loss)/d(u, v): the chain rule through f * distorted + c.
std::pair<float, float> ratio_gradient(const Projection& p, const Intrinsics& k, float grad_u, float grad_v,
                                       bool linear) {
  const float grad_xd = grad_u * k.fx, grad_yd = grad_v * k.fy;
  if (linear) return {grad_xd, grad_yd};
  const float scale = p.radial + p.tangential;
  const float radial_slope = k.k1 + 2.0f * k.k2 * p.r2 + 3.0f * k.k3 * p.r2 * p.r2;  // d(radial)/d(r2)
  const float grad_scale = grad_xd * p.x + grad_yd * p.y;
  const float grad_r2 = grad_xd * k.p1 + grad_yd * k.p2 + grad_scale * radial_slope;
  return {grad_xd * scale + grad_scale * k.p1 + grad_r2 * 2.0f * p.x,
          grad_yd * scale + grad_scale * k.p2 + grad_r2 * 2.0f * p.y};
}

bool inside(float ratio) { return ratio >= -1.0f && ratio <= 1.0f; }  // where the clamp passes gradient

// The reprojection loss over `examples` columns that are part of a batch of `batch_examples`: the sum
// of the distances over the batch's joints x examples, and the gradient of that mean; the loss rounded
// to float32 (PyTorch's mean) only when `round`.
ReprojectionLoss reprojection_mean(const Matrix& pose, const Matrix& trajectory, const Matrix& cameras,
                                   const Matrix& target, bool linear, double batch_examples, bool round) {
  const Eigen::Index examples = pose.cols(), joints = pose.rows() / 3;
  if (pose.rows() % 3 != 0 || trajectory.rows() != 3 || trajectory.cols() != examples || cameras.rows() != 9 ||
      cameras.cols() != examples || target.rows() != 2 * joints || target.cols() != examples)
    throw InternalError("reprojection loss: pose, trajectory, cameras and target shapes differ");
  const double count = static_cast<double>(joints) * batch_examples;
  const float mean_grad = static_cast<float>(1.0 / count);
  ReprojectionLoss result;
  result.pose_gradient.resize(pose.rows(), examples);
  result.trajectory_gradient = Matrix::Zero(3, examples);
  double sum = 0;
  for (Eigen::Index e = 0; e < examples; ++e) {
    const Intrinsics k = intrinsics_of(cameras, e);
    for (Eigen::Index j = 0; j < joints; ++j) {
      // The trajectory is added to every joint (run.py: predicted pose + predicted trajectory).
      const float px = pose(3 * j, e) + trajectory(0, e);
      const float py = pose(3 * j + 1, e) + trajectory(1, e);
      const float pz = pose(3 * j + 2, e) + trajectory(2, e);
      const Projection p = project_point(px, py, pz, k, linear);
      const float du = p.u - target(2 * j, e), dv = p.v - target(2 * j + 1, e);
      const float distance = std::sqrt(du * du + dv * dv);
      sum += static_cast<double>(distance);
      const float scale = distance == 0.0f ? 0.0f : mean_grad / distance;
      auto [grad_x, grad_y] = ratio_gradient(p, k, du * scale, dv * scale, linear);
      if (!inside(p.raw_x)) grad_x = 0.0f;
      if (!inside(p.raw_y)) grad_y = 0.0f;
      // ratio = point / z: d/dpoint = 1/z, d/dz = -point / z^2 (summed over x and y).
      const float gx = grad_x / pz, gy = grad_y / pz;
      const float gz = -(grad_x * px / (pz * pz)) - grad_y * py / (pz * pz);
      result.pose_gradient(3 * j, e) = gx;
      result.pose_gradient(3 * j + 1, e) = gy;
      result.pose_gradient(3 * j + 2, e) = gz;
      result.trajectory_gradient(0, e) += gx;
      result.trajectory_gradient(1, e) += gy;
      result.trajectory_gradient(2, e) += gz;
    }
  }
  result.loss = round ? static_cast<double>(static_cast<float>(sum / count)) : sum / count;
  return result;
}

}  // namespace

ReprojectionLoss reprojection_mpjpe(const Matrix& pose, const Matrix& trajectory, const Matrix& cameras,
                                    const Matrix& target, bool linear) {
  return reprojection_mean(pose, trajectory, cameras, target, linear, static_cast<double>(pose.cols()), true);
}

ReprojectionLoss reprojection_mpjpe_share(const Matrix& pose, const Matrix& trajectory, const Matrix& cameras,
                                          const Matrix& target, bool linear, long long batch_examples) {
  return reprojection_mean(pose, trajectory, cameras, target, linear, static_cast<double>(batch_examples), false);
}

BoneLengthLoss bone_length_penalty(const Matrix& pose, int labelled, const std::vector<int>& parents,
                                   Collective& group) {
  const Eigen::Index examples = pose.cols(), joints = pose.rows() / 3;
  if (pose.rows() % 3 != 0 || static_cast<Eigen::Index>(parents.size()) != joints || joints < 2)
    throw InternalError("bone-length term: pose and skeleton differ");
  if (labelled < 0 || labelled > examples) throw InternalError("bone-length term: labelled examples out of range");
  const Eigen::Index bones = joints - 1;
  // Lengths per (bone, example).
  Matrix lengths(bones, examples);
  for (Eigen::Index e = 0; e < examples; ++e)
    for (Eigen::Index b = 0; b < bones; ++b) {
      const Eigen::Index j = b + 1, parent = parents[j];
      float squared = 0;
      for (int d = 0; d < 3; ++d) {
        const float delta = pose(3 * j + d, e) - pose(3 * parent + d, e);
        squared += delta * delta;
      }
      lengths(b, e) = std::sqrt(squared);
    }
  // Per bone the sums of the lengths on each side (double, each side's mean rounded once as PyTorch's
  // float32 mean), then the two counts: summed over the processes, so that every process forms the
  // whole batch's means (the same bits on each).
  std::vector<double> sums(2 * static_cast<std::size_t>(bones) + 2, 0.0);
  for (Eigen::Index b = 0; b < bones; ++b) {
    for (Eigen::Index e = 0; e < labelled; ++e) sums[b] += lengths(b, e);
    for (Eigen::Index e = labelled; e < examples; ++e) sums[bones + b] += lengths(b, e);
  }
  sums[2 * bones] = labelled;
  sums[2 * bones + 1] = static_cast<double>(examples - labelled);
  group.sum(sums.data(), sums.size());
  const double labelled_count = sums[2 * bones], unlabelled_count = sums[2 * bones + 1];
  if (labelled_count < 1 || unlabelled_count < 1)
    throw InternalError("bone-length term: needs labelled and unlabelled examples");
  BoneLengthLoss result;
  result.gradient = Matrix::Zero(pose.rows(), examples);
  double sum = 0;
  const float inverse_bones = static_cast<float>(1.0 / static_cast<double>(bones));
  for (Eigen::Index b = 0; b < bones; ++b) {
    const float difference =
        static_cast<float>(sums[b] / labelled_count) - static_cast<float>(sums[bones + b] / unlabelled_count);
    sum += std::abs(difference);
    const float sign = difference > 0 ? 1.0f : (difference < 0 ? -1.0f : 0.0f);
    // d/d(length of example e): +sign / (bones * labelled) on the labelled side, -sign / (bones *
    // unlabelled) on the other (the whole batch's counts); then through the norm to the bone's two joints.
    const float labelled_grad = sign * inverse_bones / static_cast<float>(labelled_count);
    const float unlabelled_grad = -sign * inverse_bones / static_cast<float>(unlabelled_count);
    const Eigen::Index j = b + 1, parent = parents[j];
    for (Eigen::Index e = 0; e < examples; ++e) {
      const float length = lengths(b, e);
      if (length == 0.0f) continue;
      const float scale = (e < labelled ? labelled_grad : unlabelled_grad) / length;
      for (int d = 0; d < 3; ++d) {
        const float g = (pose(3 * j + d, e) - pose(3 * parent + d, e)) * scale;
        result.gradient(3 * j + d, e) += g;
        result.gradient(3 * parent + d, e) -= g;
      }
    }
  }
  result.loss = static_cast<double>(static_cast<float>(sum / static_cast<double>(bones)));
  return result;
}

}  // namespace lift3d::core::training
