#include "core/training/losses.hpp"

#include <cmath>

#include "lift3d/error.hpp"

namespace lift3d::core::training {
namespace {

// Shared by the losses: distance per (joint, frame) in float32, the sum of weight * distance
// accumulated in double over `count` (the batch's joints x frames; more than these frames' when they are
// a share of it), and the gradient weight / count * (predicted - target) / distance. The loss is
// rounded to float32 (PyTorch's mean returns float32) only when `round`.
LossWithGradient weighted_distance_mean(const Matrix& predicted, const Matrix& target, const float* frame_weights,
                                        double batch_frames, bool round) {
  if (predicted.rows() != target.rows() || predicted.cols() != target.cols() || predicted.rows() % 3 != 0)
    throw InternalError("loss: predicted and target shapes differ");
  const Eigen::Index joints = predicted.rows() / 3, frames = predicted.cols();
  const double count = static_cast<double>(joints) * batch_frames;
  const float mean_grad = static_cast<float>(1.0 / count);
  LossWithGradient result;
  result.gradient.resize(predicted.rows(), frames);
  double sum = 0;
  for (Eigen::Index t = 0; t < frames; ++t) {
    const float w = frame_weights ? frame_weights[t] : 1.0f;
    for (Eigen::Index j = 0; j < joints; ++j) {
      const float dx = predicted(3 * j, t) - target(3 * j, t);
      const float dy = predicted(3 * j + 1, t) - target(3 * j + 1, t);
      const float dz = predicted(3 * j + 2, t) - target(3 * j + 2, t);
      const float distance = std::sqrt(dx * dx + dy * dy + dz * dz);
      sum += static_cast<double>(frame_weights ? w * distance : distance);
      const float g = frame_weights ? mean_grad * w : mean_grad;
      const float scale = distance == 0.0f ? 0.0f : g / distance;
      result.gradient(3 * j, t) = dx * scale;
      result.gradient(3 * j + 1, t) = dy * scale;
      result.gradient(3 * j + 2, t) = dz * scale;
    }
  }
  result.loss = round ? static_cast<double>(static_cast<float>(sum / count)) : sum / count;
  return result;
}

}  // namespace

LossWithGradient mpjpe(const Matrix& predicted, const Matrix& target) {
  return weighted_distance_mean(predicted, target, nullptr, static_cast<double>(predicted.cols()), true);
}

LossWithGradient mpjpe_share(const Matrix& predicted, const Matrix& target, long long batch_frames) {
  return weighted_distance_mean(predicted, target, nullptr, static_cast<double>(batch_frames), false);
}

LossWithGradient weighted_mpjpe(const Matrix& predicted, const Matrix& target, const Eigen::VectorXf& frame_weights) {
  if (frame_weights.size() != predicted.cols()) throw InternalError("weighted loss: one weight per frame expected");
  return weighted_distance_mean(predicted, target, frame_weights.data(), static_cast<double>(predicted.cols()), true);
}

LossWithGradient weighted_mpjpe_share(const Matrix& predicted, const Matrix& target, const Eigen::VectorXf& frame_weights,
                                      long long batch_frames) {
  if (frame_weights.size() != predicted.cols()) throw InternalError("weighted loss: one weight per frame expected");
  return weighted_distance_mean(predicted, target, frame_weights.data(), static_cast<double>(batch_frames), false);
}

}  // namespace lift3d::core::training
