#include "app/model_options.hpp"

#include "app/option_checks.hpp"

namespace lift3d::app {

void add_model_options(CLI::App& command, ModelOptions& options, bool checks) {
  command.add_flag("--causal", options.causal, "The checkpoint is a causal model (not stored in checkpoints)");
  command.add_flag("--dense", options.dense, "The checkpoint is a dense (non-dilated) model");
  if (!checks) return;
  command.add_option("--architecture", options.architecture,
                     "Check the checkpoint has these filter widths, e.g. 3,3,3,3,3");
  command.add_option("--channels", options.channels, "Check the checkpoint has this many channels")
      ->check(whole_number(1, 1 << 16));
}

pipeline::ArchitectureHints architecture_hints(const ModelOptions& options) {
  pipeline::ArchitectureHints hints;
  hints.causal = options.causal;
  if (options.dense) hints.dense = true;
  if (!options.architecture.empty()) hints.filter_widths = core::parse_filter_widths(options.architecture);
  if (options.channels > 0) hints.channels = options.channels;
  return hints;
}

}  // namespace lift3d::app
