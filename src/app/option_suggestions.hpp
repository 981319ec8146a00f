// "did you mean" for a misspelt option: the closest option name of the subcommand being run (or of
// the top level), when it is close enough to be a likely typo.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

namespace lift3d::app {

// The option of `command` (and of its parents, whose options it inherits) nearest to `typed` by edit
// distance, when that distance is at most a third of its length (at least 1, at most 3).
std::optional<std::string> closest_option(const CLI::App& command, const std::string& typed);

// When the command line holds arguments no option or subcommand took, one message naming them,
// each with the nearest option or subcommand when it is a likely typo:
// "unknown option --outptu (did you mean --output?)". nullopt when every argument was taken.
// CLI11 may report a missing required option before the unknown ones that explain it; this message
// comes first.
std::optional<std::string> unexpected_arguments(const CLI::App& cli);

}  // namespace lift3d::app
