// The training losses of the reference's common/loss.py with their gradients, over predictions laid
// out as the training model gives them: 3 * joints x frames matrices (row 3j + d, d = x, y, z).
#pragma once

#include <Eigen/Core>

namespace lift3d::core::training {

using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic>;

struct LossWithGradient {
  double loss = 0;  // the float32 loss PyTorch returns, widened (what run.py's loss.item() gives)
  Matrix gradient;  // d(loss)/d(predicted), same layout as `predicted`
};

// MPJPE: the mean over frames and joints of the Euclidean distance between predicted and target joints.
// A joint predicted exactly at its target has gradient 0 (as PyTorch's norm).
LossWithGradient mpjpe(const Matrix& predicted, const Matrix& target);

// MPJPE of one process's share of a batch of `batch_frames` frames split across processes: this share's
// part of the batch's mean (the sum over frames and joints divided by batch_frames x joints), not
// rounded, and its gradient; the shares' losses and gradients add up to the batch's.
LossWithGradient mpjpe_share(const Matrix& predicted, const Matrix& target, long long batch_frames);

// The trajectory model's loss: the mean over frames and joints of weight * distance, one weight per
// frame (run.py: 1 / target depth of the root).
LossWithGradient weighted_mpjpe(const Matrix& predicted, const Matrix& target, const Eigen::VectorXf& frame_weights);

// The weighted MPJPE of one process's share of a batch of `batch_frames` frames, as mpjpe_share.
LossWithGradient weighted_mpjpe_share(const Matrix& predicted, const Matrix& target, const Eigen::VectorXf& frame_weights,
                                      long long batch_frames);

}  // namespace lift3d::core::training
