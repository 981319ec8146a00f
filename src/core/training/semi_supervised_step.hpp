// run.py's semi-supervised training step (the back-projection of the VideoPose3D paper), forward and
// backward through the pose and the trajectory model: the labelled batch and (after the warm-up) the
// unlabelled one run through both models together (one set of BatchNorm statistics); the pose MPJPE
// and the trajectory's 1/z-weighted MPJPE on the labelled part, on the unlabelled part the reprojection
// loss (unless switched off) and over both parts the bone-length term (unless switched off). Both
// models' gradients come from the sum of these losses.
//
// Data-parallel training: each process passes its share of the labelled batch and its share of the
// unlabelled one (ChunkedBatches::set_share on both generators); the models, given the same Collective,
// see the batch a single process sees (the labelled part, then the unlabelled part, each the processes'
// shares in order). Every loss is a mean over the whole batch's count, the bone-length term's length
// sums are added up across the processes, and the models sum the gradients: every process ends with
// the whole batch's gradients, the same bits on each.
#pragma once

#include <vector>

#include "core/training/chunked_batches.hpp"
#include "core/training/collective.hpp"
#include "core/training/training_model.hpp"

namespace lift3d::core::training {

struct SemiSupervisedTerms {
  bool warming_up = false;         // labelled examples only (run.py's first --warmup epochs)
  bool projection_loss = true;     // false: --no-proj (the reprojection loss is computed, not trained on)
  bool bone_length_loss = true;    // false: --no-bone-length
  bool linear_projection = false;  // project without the distortion
};

// The whole batch's losses (the same on every process), each the float32 value PyTorch's mean gives.
struct SemiSupervisedLosses {
  double pose = 0;          // the labelled part's pose MPJPE (metres)
  double trajectory = 0;    // the labelled part's weighted trajectory MPJPE
  double reprojection = 0;  // the unlabelled part's 2D MPJPE (normalised screen units); 0 in the warm-up
  double bone_length = 0;   // 0 in the warm-up or without the term
};

// One step's forward and backward passes: both models' parameters hold the whole batch's gradients
// afterwards (the caller steps the optimisers). `labelled` needs 3D, `unlabelled` cameras; `parents`
// the skeleton's. `pose_output` / `trajectory_output`, when given, receive the models' outputs
// (this process's columns: its labelled share, then its unlabelled share).
SemiSupervisedLosses semi_supervised_pass(const Batch& labelled, const Batch& unlabelled, const SemiSupervisedTerms& terms,
                                          const std::vector<int>& parents, TrainingModel& pose_model,
                                          TrainingModel& trajectory_model, Collective& group,
                                          Matrix* pose_output = nullptr, Matrix* trajectory_output = nullptr);

}  // namespace lift3d::core::training
