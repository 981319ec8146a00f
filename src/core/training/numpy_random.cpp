#include "core/training/numpy_random.hpp"

#include "lift3d/error.hpp"

namespace lift3d::core::training {
namespace {

constexpr int kShift = 397;  // MT19937's middle word offset
constexpr std::uint32_t kMatrixA = 0x9908b0dfU;
constexpr std::uint32_t kUpperMask = 0x80000000U, kLowerMask = 0x7fffffffU;

}  // namespace

NumpyRandomState::NumpyRandomState(std::uint32_t seed) {
  key_[0] = seed;
  for (int i = 1; i < kStateWords; ++i)
    key_[i] = 1812433253U * (key_[i - 1] ^ (key_[i - 1] >> 30)) + static_cast<std::uint32_t>(i);
  position_ = kStateWords;
}

void NumpyRandomState::regenerate() {
  for (int i = 0; i < kStateWords; ++i) {
    const std::uint32_t y = (key_[i] & kUpperMask) | (key_[(i + 1) % kStateWords] & kLowerMask);
    key_[i] = key_[(i + kShift) % kStateWords] ^ (y >> 1) ^ ((y & 1U) ? kMatrixA : 0U);
  }
  position_ = 0;
}

std::uint32_t NumpyRandomState::next_uint32() {
  if (position_ >= kStateWords) regenerate();
  std::uint32_t y = key_[position_++];
  y ^= y >> 11;
  y ^= (y << 7) & 0x9d2c5680U;
  y ^= (y << 15) & 0xefc60000U;
  y ^= y >> 18;
  return y;
}

std::uint64_t NumpyRandomState::interval(std::uint64_t max) {
  if (max == 0) return 0;
  std::uint64_t mask = max;
  for (int shift = 1; shift <= 32; shift *= 2) mask |= mask >> shift;
  std::uint64_t value;
  if (max <= 0xffffffffULL) {
    while ((value = (next_uint32() & mask)) > max) {
    }
  } else {
    // NumPy's 64-bit draw from MT19937: two 32-bit outputs, the first one high.
    while ((value = (((static_cast<std::uint64_t>(next_uint32()) << 32) | next_uint32()) & mask)) > max) {
    }
  }
  return value;
}

void NumpyRandomState::set_state(const std::array<std::uint32_t, kStateWords>& key, int position, bool has_gauss,
                                 double cached_gaussian) {
  if (position < 0 || position > kStateWords) throw InternalError("MT19937 state position outside [0, 624]");
  key_ = key;
  position_ = position;
  has_gauss_ = has_gauss;
  cached_gaussian_ = cached_gaussian;
}

}  // namespace lift3d::core::training
