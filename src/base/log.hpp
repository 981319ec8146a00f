// Messages that are not errors (notes on what was done to an input, warnings, details) go through
// one spdlog logger named "lift3d" that writes to stderr, never stdout. The executable sets its
// level and format (--quiet, --verbose, --log-format); a program that embeds lift3d can replace it
// in spdlog's registry. Errors are not logged: they are thrown, and main prints them.
#pragma once

#include <spdlog/spdlog.h>

namespace lift3d {

// The "lift3d" logger, created on first use (stderr, level info).
spdlog::logger& logger();

}  // namespace lift3d
