// A VideoPose3D checkpoint turned into runnable models: reads model_pos (and model_traj when the
// file has one), recovers and checks the architecture, folds BatchNorm. The file is opened once.
#pragma once

#include <optional>
#include <string>

#include "core/lifter.hpp"
#include "core/model_config.hpp"
#include "pipeline/model_state_dict.hpp"

namespace lift3d::pipeline {

struct CheckpointInfo {
  std::string path;
  std::string format;  // "legacy" or "zip"
  core::ModelConfig pose;
  std::optional<core::ModelConfig> trajectory;
  std::optional<long long> epoch;
  std::optional<double> lr;
};

struct LoadedModel {
  CheckpointInfo info;
  core::Lifter lifter;
};

// Reads only what inspection needs (shapes, epoch, lr); no weights are folded.
CheckpointInfo inspect_checkpoint(const std::string& path, const ArchitectureHints& hints);
// Throws ModelError naming the file when it is not a usable VideoPose3D checkpoint.
LoadedModel load_model(const std::string& path, const ArchitectureHints& hints);

}  // namespace lift3d::pipeline
