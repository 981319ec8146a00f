// The lift3d executable: parses the command line and turns every error into one line on stderr and
// a non-zero exit code (see lift3d/app/commands.hpp for the codes). The line is written by the
// logger in the format --log-format asks for (app/logging.hpp): `lift3d: error: <what>`, or one
// JSON object with "level":"error".
#include <malloc.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <new>

#include "app/commands.hpp"
#include "app/logging.hpp"
#include "app/option_suggestions.hpp"
#include "lift3d/error.hpp"
#include "lift3d/version.hpp"
#include "io/file.hpp"

int main(int argc, char** argv) {
  using namespace lift3d;
  // Large buffers (weights, sequences, scratch) always come from mmap and go back to the system when
  // freed; glibc's default adaptive threshold would otherwise keep freed buffers of one phase
  // (loading) resident through the next (lifting), inflating peak memory.
  mallopt(M_MMAP_THRESHOLD, 1 << 20);
  io::handle_termination_signals();
  CLI::App cli{"lift3d: 2D keypoint sequences to 3D poses with VideoPose3D temporal models, and their evaluation",
               "lift3d"};
  cli.set_version_flag("--version", "lift3d " + version() + " (commit " + commit() + ")");
  cli.require_subcommand(1);
  cli.fallthrough();  // the subcommands inherit it: global options also after the subcommand
  app::LogOptions log_options;
  app::add_log_options(cli, log_options);
  // Runs once the whole command line is parsed, before the subcommand's callback does the work.
  cli.parse_complete_callback([&log_options] {
    app::configure_logging(log_options);
    app::check_log_options(log_options);
  });
  int exit_code = app::kSuccess;
  app::add_inspect_command(cli, exit_code);
  app::add_infer_command(cli, exit_code);
  app::add_eval_command(cli, exit_code);
  app::add_stream_command(cli, exit_code);
  app::add_train_command(cli, exit_code);

  auto fail = [](const std::string& message, int code) {
    app::log_error(message);
    return code;
  };
  if (argc == 1) {  // bare `lift3d`: what it can do, and a usage failure
    std::cerr << cli.help();
    return app::kUsageFailure;
  }
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return cli.exit(e);  // --help, --version
    app::configure_logging(app::log_options_as_given(cli));  // the values may not be stored yet
    // A misspelt option often shows first as a missing required one: name the typo instead.
    return fail(app::unexpected_arguments(cli).value_or(e.what()), app::kUsageFailure);
  } catch (const UsageError& e) {
    return fail(e.what(), app::kUsageFailure);
  } catch (const InternalError& e) {
    return fail(std::string("internal error (please report): ") + e.what(), app::kInternalFailure);
  } catch (const Error& e) {
    return fail(e.what(), app::kInputFailure);
  } catch (const std::bad_alloc&) {
    return fail("out of memory", app::kInputFailure);
  } catch (const std::exception& e) {
    return fail(std::string("internal error (please report): ") + e.what(), app::kInternalFailure);
  }
  return exit_code;
}
