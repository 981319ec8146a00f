// How the parts of the unpickler report malformed data. They throw PickleDataError saying what is
// wrong; the opcode loop (pickle.cpp) turns it into an InputError that also says at which byte
// the offending opcode starts, so no part needs to know the reading position.
#pragma once

#include <string>
#include <utility>

#include "lift3d/error.hpp"

namespace lift3d::io::pickling {

struct PickleDataError : InputError {
  explicit PickleDataError(std::string text) : InputError(text), message(std::move(text)) {}
  // The whole message, to which the loop appends the offset: messages quote bytes from the file,
  // which may hold a NUL, and what() would stop there.
  std::string message;
};

[[noreturn]] inline void fail(const std::string& message) { throw PickleDataError(message); }

}  // namespace lift3d::io::pickling
