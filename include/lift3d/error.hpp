// Error types thrown by the library; a program that embeds lift3d catches them (lift3d::Error catches
// all). The command-line front end turns them into messages and exit codes. Messages are single-line, lowercase, without a trailing period, and name the
// file they are about ("model.bin: tensor 'shrink.weight' has shape [51, 64, 1], expected ...").
#pragma once

#include <stdexcept>
#include <string>

#include "lift3d/export.hpp"

namespace lift3d {

struct LIFT3D_API Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A data file (keypoints, npz, npy, json, ground truth) is unreadable, malformed or inconsistent.
struct LIFT3D_API InputError : Error {
  using Error::Error;
};

// A checkpoint is unreadable, malformed, or does not describe a supported model.
struct LIFT3D_API ModelError : Error {
  using Error::Error;
};

// Options that are individually valid but do not fit together or do not fit the data.
struct LIFT3D_API UsageError : Error {
  using Error::Error;
};

// A broken invariant inside lift3d: a bug, never the user's fault.
struct LIFT3D_API InternalError : Error {
  using Error::Error;
};

// Re-throws the exception `e` (of the same type) with "context: " in front of its message.
// Used where a low-level parser that knows no file name is called by a reader that does.
template <typename E>
[[noreturn]] void rethrow_with_context(const E& e, const std::string& context) {
  throw E(context + ": " + e.what());
}

}  // namespace lift3d
