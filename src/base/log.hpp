// Messages that are not errors (notes on what was done to an input, warnings, details) go through
// one spdlog logger named "lift3d" that writes to stderr, never stdout. Levels: warn for what the
// user should know about their input or run (e.g. joints filled by interpolation); info for one line
// per step naming its file (checkpoint loaded, input read, output written); debug for finer detail
// (per sequence, thread plan). The library never mentions command-line options in them. The
// executable sets the level and format (--quiet, --verbose, --log-format: src/app/logging.hpp); a
// program that embeds lift3d can register its own "lift3d" logger in spdlog's registry before the
// first message. Errors are not logged here: they are thrown, and their catcher reports them.
#pragma once

#include <spdlog/spdlog.h>

namespace lift3d {

// The "lift3d" logger, created on first use unless registered (stderr, level warn: info and debug
// detail only when asked for).
spdlog::logger& logger();

}  // namespace lift3d
