#include "core/training/semi_supervised_step.hpp"

#include "core/training/losses.hpp"
#include "core/training/semi_losses.hpp"
#include "lift3d/error.hpp"

namespace lift3d::core::training {
namespace {

Matrix side_by_side(const Matrix& left, const Matrix& right) {
  Matrix both(left.rows(), left.cols() + right.cols());
  both << left, right;
  return both;
}

// run.py: the trajectory loss weighs each frame inversely to its root's depth.
Eigen::VectorXf inverse_depths(const Matrix& trajectory) {
  Eigen::VectorXf weights(trajectory.cols());
  for (Eigen::Index e = 0; e < trajectory.cols(); ++e) weights[e] = 1.0f / trajectory(2, e);
  return weights;
}

}  // namespace

SemiSupervisedLosses semi_supervised_pass(const Batch& labelled, const Batch& unlabelled, const SemiSupervisedTerms& terms,
                                          const std::vector<int>& parents, TrainingModel& pose_model,
                                          TrainingModel& trajectory_model, Collective& group, Matrix* pose_output,
                                          Matrix* trajectory_output) {
  // With chunks (run.py's --stride) every example gives `chunk` output frames, one column each; run.py's
  // means over examples and frames are then means over columns (every chunk has the same length).
  const int chunk = labelled.frames_per_example;
  if (unlabelled.frames_per_example != chunk)
    throw InternalError("semi-supervised step: labelled and unlabelled chunks of different lengths");
  const std::vector<int> parts = terms.warming_up ? std::vector<int>{labelled.examples}
                                                  : std::vector<int>{labelled.examples, unlabelled.examples};
  const Matrix input = terms.warming_up ? labelled.input : side_by_side(labelled.input, unlabelled.input);
  const Matrix pose = pose_model.forward_parts(input, parts, nullptr, chunk);
  const Matrix path = trajectory_model.forward_parts(input, parts, nullptr, chunk);
  const int split = labelled.examples * chunk;  // the labelled columns, then the unlabelled ones
  const long long labelled_frames = static_cast<long long>(labelled.batch_examples) * chunk;

  // Every loss is this process's part of the whole batch's mean: the parts add up across the processes.
  Matrix pose_gradient = Matrix::Zero(pose.rows(), pose.cols());
  Matrix path_gradient = Matrix::Zero(3, path.cols());
  const LossWithGradient pose_loss = mpjpe_share(pose.leftCols(split), labelled.target, labelled_frames);
  pose_gradient.leftCols(split) = pose_loss.gradient;
  const LossWithGradient path_loss = weighted_mpjpe_share(path.leftCols(split), labelled.trajectory,
                                                          inverse_depths(labelled.trajectory), labelled_frames);
  path_gradient.leftCols(split) = path_loss.gradient;
  double shares[3] = {pose_loss.loss, path_loss.loss, 0.0};
  SemiSupervisedLosses losses;
  if (!terms.warming_up) {
    const int rest = unlabelled.examples * chunk;
    if (terms.projection_loss) {
      const ReprojectionLoss reprojection = reprojection_mpjpe_share(
          pose.rightCols(rest), path.rightCols(rest), unlabelled.cameras, unlabelled.keypoints_2d,
          terms.linear_projection, static_cast<long long>(unlabelled.batch_examples) * chunk);
      pose_gradient.rightCols(rest) += reprojection.pose_gradient;
      path_gradient.rightCols(rest) += reprojection.trajectory_gradient;
      shares[2] = reprojection.loss;
    }
    if (terms.bone_length_loss) {
      const BoneLengthLoss bones = bone_length_penalty(pose, split, parents, group);
      pose_gradient += bones.gradient;
      losses.bone_length = bones.loss;
    }
  }
  pose_model.backward(pose_gradient);
  trajectory_model.backward(path_gradient);
  group.sum(shares, 3);
  // Rounded to float32 as PyTorch's mean.
  losses.pose = static_cast<float>(shares[0]);
  losses.trajectory = static_cast<float>(shares[1]);
  losses.reprojection = static_cast<float>(shares[2]);
  if (pose_output) *pose_output = pose;
  if (trajectory_output) *trajectory_output = path;
  return losses;
}

}  // namespace lift3d::core::training
