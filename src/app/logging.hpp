// How the lift3d executable talks on stderr. Every message it writes there, errors included, goes
// through the "lift3d" logger (base/log.hpp), set up here from the global options:
//   --quiet        errors only (notes and warnings about doubtful input are hidden)
//   (default)      notes (info: what was decided about an input), warnings and errors
//   --verbose      also debug detail (checkpoint, inputs, thread plan, outputs)
//   --log-format text  `lift3d: <level>: <message>` (info is written "note")
//   --log-format json  {"level":"<level>","message":"<message>","time":"<UTC, ISO 8601, ms>"}
// One record is always one line: text mode escapes control characters in messages (\n, \t,
// \xNN); json mode escapes what JSON requires and replaces bytes that are not UTF-8 by U+FFFD.
// Errors keep their contract in both formats: one line (text `lift3d: error: <what>`, or one json
// object with "level":"error") and the exit code; no option hides them. stdout carries results only.
//
// The progress line (progress_line.hpp) draws through the same sink, which erases it before a log
// line and redraws it after, so that the two never share a line. It is drawn only in text mode,
// without --quiet, when stderr is a terminal.
#pragma once

#include <spdlog/formatter.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <string_view>

namespace lift3d::app {

enum class LogFormat { Text, Json };

struct LogOptions {
  bool quiet = false;
  bool verbose = false;
  std::string format = "text";  // "text" or "json"
};

// Adds --quiet, --verbose and --log-format to the top-level app. Subcommands created after
// cli.fallthrough() also accept them after their name.
void add_log_options(CLI::App& cli, LogOptions& options);

// The options as the command line gave them, read from the raw arguments: after a parse error the
// values may not have been stored yet, but an error must still come out in the format asked for.
LogOptions log_options_as_given(CLI::App& cli);

// Sets the logger's level, its formatter and the stderr sink shared with the progress line.
void configure_logging(const LogOptions& options);
// Throws UsageError for options that contradict each other (--quiet with --verbose). Called after
// configure_logging, so that the error comes out in the format asked for.
void check_log_options(const LogOptions& options);

// The fatal error of the run, in the configured format (never hidden).
void log_error(std::string_view message);

// Logs `message` at `level` whatever the logger's level: output the user asked for (--timing).
void log_regardless_of_level(spdlog::level::level_enum level, std::string_view message);

// The formatter of one format: one line per record, ending in '\n'.
std::unique_ptr<spdlog::formatter> make_log_formatter(LogFormat format);

// The status (progress) line on stderr, drawn through the logging sink. show_status replaces the
// current status text in place; clear_status erases it. status_line_allowed() says whether the
// logging options leave room for one (text format, not quiet); whether stderr is a terminal is the
// caller's business.
bool status_line_allowed();
void show_status(const std::string& text);
void clear_status();

}  // namespace lift3d::app
