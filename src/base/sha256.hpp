// SHA-256 (FIPS 180-4) of a byte string: run.py picks its --subset windows from the digest of a
// video's length written as text, so lift3d needs the same digest to pick the same frames.
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace lift3d {

std::array<std::uint8_t, 32> sha256(const std::string& bytes);

}  // namespace lift3d
