// Training checkpoints in the layout run.py's torch.save writes (spec: epoch, lr, random_state,
// optimizer, model_pos, model_traj, random_state_semi), in torch's zip format: torch.load and
// run.py --resume / --evaluate read what lift3d writes, and lift3d resumes from what either writes.
#pragma once

#include <string>

#include "core/training/adam.hpp"
#include "core/training/numpy_random.hpp"
#include "core/training/training_model.hpp"

namespace lift3d::pipeline {

// What semi-supervised training adds to a checkpoint: the trajectory model (model_traj), its Adam
// moments (the optimizer's parameters after model_pos's, run.py's single Adam over both models) and
// the unlabelled examples' generator (random_state_semi).
struct TrajectoryTraining {
  core::training::TrainingModel* model = nullptr;
  core::training::Adam* adam = nullptr;
  core::training::NumpyRandomState* shuffle = nullptr;
};

// Writes <path> (atomically): epoch (completed epochs), lr (the rate of the next epoch), the
// shuffling generator as a numpy.random.RandomState, Adam's state_dict (torch's keys, step as a
// float32 tensor, param_groups as torch.optim.Adam(amsgrad=True) has them), model_pos (the
// state_dict, num_batches_tracked included); model_traj and random_state_semi from `semi`, or None.
void write_training_checkpoint(const std::string& path, int epoch, double lr, const core::training::TrainingModel& model,
                               const core::training::Adam& adam, const core::training::NumpyRandomState& shuffle,
                               const TrajectoryTraining* semi = nullptr);

struct ResumedTraining {
  int epoch = 0;
  double lr = 0;
  bool optimizer = false;  // the file had an optimizer state (and a random_state), now loaded
};

// Loads model_pos into `model` (every tensor by name and shape), and, when the file holds an optimizer
// state, Adam's moments and steps and the shuffling generator's state, as run.py --resume does. With
// `semi`, also model_traj and random_state_semi (whether or not there is an optimizer state, as run.py)
// and the trajectory model's Adam moments. Throws ModelError naming the file for anything that does not
// fit the models given by the options (a supervised checkpoint for a semi-supervised run and the other
// way round among them: run.py fails on both).
ResumedTraining read_training_checkpoint(const std::string& path, core::training::TrainingModel& model,
                                         core::training::Adam& adam, core::training::NumpyRandomState& shuffle,
                                         const TrajectoryTraining* semi = nullptr);

}  // namespace lift3d::pipeline
