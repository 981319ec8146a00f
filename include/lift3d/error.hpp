// Error types thrown by the library. Only the command-line front end turns them into messages
// and exit codes. Messages are single-line, lowercase, without a trailing period, and name the
// file they are about ("model.bin: tensor 'shrink.weight' has shape [51, 64, 1], expected ...").
#pragma once

#include <stdexcept>
#include <string>

namespace lift3d {

struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A data file (keypoints, npz, npy, json, ground truth) is unreadable, malformed or inconsistent.
struct InputError : Error {
  using Error::Error;
};

// A checkpoint is unreadable, malformed, or does not describe a supported model.
struct ModelError : Error {
  using Error::Error;
};

// Options that are individually valid but do not fit together or do not fit the data.
struct UsageError : Error {
  using Error::Error;
};

// A broken invariant inside lift3d: a bug, never the user's fault.
struct InternalError : Error {
  using Error::Error;
};

// Re-throws the exception `e` (of the same type) with "context: " in front of its message.
// Used where a low-level parser that knows no file name is called by a reader that does.
template <typename E>
[[noreturn]] void rethrow_with_context(const E& e, const std::string& context) {
  throw E(context + ": " + e.what());
}

}  // namespace lift3d
