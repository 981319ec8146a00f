// The semi-supervised terms of the reference's run.py (the back-projection of the VideoPose3D paper),
// with their gradients, over the training model's output layout (3 * joints x examples, row 3j + d,
// one output frame per example):
//  - the reprojection loss: the predicted pose plus the predicted trajectory (the root's position in
//    camera space, added to every joint) projected to normalised screen coordinates with the example's
//    camera intrinsics, and its 2D MPJPE against the input's keypoints;
//  - the bone-length term: the mean over bones of |mean length over the labelled examples - mean
//    length over the unlabelled ones|, lengths of the predicted poses.
#pragma once

#include <Eigen/Core>
#include <vector>

#include "core/training/collective.hpp"

namespace lift3d::core::training {

using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic>;

struct ReprojectionLoss {
  double loss = 0;          // the float32 loss PyTorch returns, widened
  Matrix pose_gradient;     // d(loss)/d(pose), 3 * joints x examples
  Matrix trajectory_gradient;  // d(loss)/d(trajectory), 3 x examples (the sum over the joints)
};

// `pose` 3J x B (root-relative, metres), `trajectory` 3 x B (camera space, metres), `cameras` 9 x B
// ([fx, fy, cx, cy, k1, k2, k3, p1, p2] in normalised screen units, the flipped examples' cx and p1
// already negated), `target` 2J x B (row 2j + d). x/z and y/z are clamped to [-1, 1] (no gradient
// through a clamped ratio), then distorted with k1..k3 and p1, p2 (Human3.6M's model) unless `linear`,
// then scaled by f and shifted by c.
ReprojectionLoss reprojection_mpjpe(const Matrix& pose, const Matrix& trajectory, const Matrix& cameras,
                                    const Matrix& target, bool linear);

// The reprojection loss of one process's share of a batch of `batch_examples` examples split across
// processes: this share's part of the batch's mean (its distances summed, divided by batch_examples x
// joints), not rounded, and its gradients; the shares' losses and gradients add up to the batch's.
ReprojectionLoss reprojection_mpjpe_share(const Matrix& pose, const Matrix& trajectory, const Matrix& cameras,
                                          const Matrix& target, bool linear, long long batch_examples);

struct BoneLengthLoss {
  double loss = 0;
  Matrix gradient;  // d(loss)/d(pose), 3J x B
};

// `pose` 3J x B: the first `labelled` examples against the rest. Bones join joint j to parents[j] for
// j >= 1. A bone of length 0, or whose two means are equal, passes no gradient (as PyTorch's norm and
// abs). With several processes, `pose` is this process's share of each side (either may be empty): the
// per-bone length sums and the counts are summed over `group` before the means are formed, so every
// process gets the whole batch's loss and the gradient of its own columns; both sides must be non-empty
// over the whole batch.
BoneLengthLoss bone_length_penalty(const Matrix& pose, int labelled, const std::vector<int>& parents,
                                   Collective& group = single_process());

}  // namespace lift3d::core::training
