// The training model's state as the evaluation model's weights: run.py loads model_pos_train's
// state_dict into the TemporalModel it evaluates with (same names and shapes).
#pragma once

#include "core/model_weights.hpp"
#include "core/training/training_model.hpp"

namespace lift3d::core::training {

// The config is the training model's, dilated (never dense).
ModelWeights to_model_weights(const TrainingModel& model);

}  // namespace lift3d::core::training
