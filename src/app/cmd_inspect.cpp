// `lift3d inspect CHECKPOINT [--json]`: what a checkpoint holds, without running it.
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "app/commands.hpp"
#include "app/model_options.hpp"
#include "pipeline/checkpoint_model.hpp"

namespace lift3d::app {
namespace {

struct InspectOptions {
  std::string checkpoint;
  bool json = false;
  ModelOptions model;
};

nlohmann::json describe(const core::ModelConfig& config) {
  return {{"architecture", config.architecture_string()},
          {"filter_widths", config.filter_widths},
          {"channels", config.channels},
          {"input_channels", config.input_channels},
          {"joints_out", config.joints_out},
          {"dense", config.dense},
          {"causal", config.causal},
          {"receptive_field_frames", config.receptive_field()},
          {"parameters", config.parameter_count()}};
}

void run_inspect(const InspectOptions& options) {
  const pipeline::CheckpointInfo info = pipeline::inspect_checkpoint(options.checkpoint, architecture_hints(options.model));
  if (options.json) {
    nlohmann::json out = {{"path", info.path},
                          {"format", info.format},
                          {"model_pos", describe(info.pose)},
                          {"model_traj", info.trajectory ? describe(*info.trajectory) : nlohmann::json(nullptr)},
                          {"has_trajectory", info.trajectory.has_value()},
                          {"epoch", info.epoch ? nlohmann::json(*info.epoch) : nlohmann::json(nullptr)},
                          {"lr", info.lr ? nlohmann::json(*info.lr) : nlohmann::json(nullptr)}};
    std::cout << out.dump(2) << "\n";
    return;
  }
  const core::ModelConfig& pose = info.pose;
  std::cout << "checkpoint:       " << info.path << "\n"
            << "format:           " << (info.format == "zip" ? "zip (torch >= 1.6)" : "legacy (torch < 1.6)") << "\n"
            << "architecture:     " << pose.architecture_string() << (pose.dense ? " (dense)" : " (dilated)")
            << (pose.causal ? ", causal" : "") << "\n"
            << "receptive field:  " << pose.receptive_field() << " frames\n"
            << "channels:         " << pose.channels << "\n"
            << "input:            " << pose.input_channels << " values per frame\n"
            << "output joints:    " << pose.joints_out << "\n"
            << "parameters:       " << pose.parameter_count() << " (pose model)\n"
            << "trajectory model: ";
  if (info.trajectory)
    std::cout << "yes (" << info.trajectory->architecture_string() << ", " << info.trajectory->parameter_count()
              << " parameters)\n";
  else
    std::cout << "no\n";
  if (info.epoch) std::cout << "epoch:            " << *info.epoch << "\n";
  if (info.lr) std::cout << "learning rate:    " << *info.lr << "\n";
}

}  // namespace

void add_inspect_command(CLI::App& cli, int& exit_code) {
  auto options = std::make_shared<InspectOptions>();
  CLI::App* cmd = cli.add_subcommand("inspect", "Show a checkpoint's format, architecture and size");
  cmd->add_option("checkpoint", options->checkpoint, "VideoPose3D checkpoint (.bin, either torch format)")->required();
  cmd->add_flag("--json", options->json, "Print machine-readable JSON");
  add_model_options(*cmd, options->model, /*checks=*/false);
  cmd->callback([options, &exit_code] {
    run_inspect(*options);
    exit_code = kSuccess;
  });
}

}  // namespace lift3d::app
