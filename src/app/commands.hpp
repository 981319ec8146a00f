// The subcommands of the lift3d executable, one file each (src/app/cmd_*.cpp). Each registers
// itself on the top-level CLI11 app; its callback does the work and leaves the process exit code
// in `exit_code` (errors are thrown and turned into messages by main).
#pragma once

#include <CLI/CLI.hpp>

namespace lift3d::app {

// Exit codes that scripts can rely on.
enum ExitCode : int {
  kSuccess = 0,
  kInputFailure = 1,     // a file could not be read or is not what it should be
  kUsageFailure = 2,     // options that do not make sense together or for the data
  kThresholdExceeded = 3,  // eval --max-mpjpe: the model is worse than the gate
  kSomeFailed = 4,       // batch --keep-going: at least one input failed, the rest completed
  kInternalFailure = 70  // a bug in lift3d
};

void add_inspect_command(CLI::App& cli, int& exit_code);
void add_infer_command(CLI::App& cli, int& exit_code);
void add_eval_command(CLI::App& cli, int& exit_code);
void add_stream_command(CLI::App& cli, int& exit_code);
void add_train_command(CLI::App& cli, int& exit_code);

}  // namespace lift3d::app
