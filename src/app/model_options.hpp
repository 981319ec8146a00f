// The checkpoint options `inspect`, `infer` and `eval` share, declared once so that their names
// and help texts cannot drift apart.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "pipeline/model_state_dict.hpp"

namespace lift3d::app {

struct ModelOptions {
  bool causal = false;
  bool dense = false;
  std::string architecture;
  int channels = 0;
};

// --causal and --dense (all commands); with `checks`, also --architecture and --channels.
void add_model_options(CLI::App& command, ModelOptions& options, bool checks = true);

// The hints the options give. Throws UsageError for a malformed --architecture.
pipeline::ArchitectureHints architecture_hints(const ModelOptions& options);

}  // namespace lift3d::app
