// NumPy's legacy numpy.random.RandomState, as far as run.py's training uses it: the MT19937 generator
// seeded with an integer, and shuffle() / permutation(), reproduced bit for bit so that lift3d visits
// the training examples in the very order run.py does (ChunkedGenerator shuffles its example list with
// RandomState(1234).permutation once per epoch).
#pragma once

#include <array>
#include <cstdint>
#include <utility>
#include <vector>

namespace lift3d::core::training {

class NumpyRandomState {
 public:
  static constexpr int kStateWords = 624;

  // RandomState(seed) for 0 <= seed < 2^32: MT19937's init_genrand.
  explicit NumpyRandomState(std::uint32_t seed = 1234);

  // The next 32-bit output of MT19937 (genrand_int32).
  std::uint32_t next_uint32();
  // A uniform integer in [0, max], as NumPy's random_interval: draws masked to the smallest
  // all-ones mask >= max, rejecting values above max (64-bit draws when max >= 2^32).
  std::uint64_t interval(std::uint64_t max);

  // RandomState.shuffle of n items: for i = n-1 down to 1, swap item i with item interval(i).
  // permutation(x) of a list or array is the same draws applied to a copy (or to an index array).
  template <typename T>
  void shuffle(std::vector<T>& items) {
    for (std::size_t i = items.size(); i-- > 1;) {
      const std::size_t j = static_cast<std::size_t>(interval(i));
      if (i != j) std::swap(items[i], items[j]);
    }
  }

  // The state as RandomState.get_state() gives it: ('MT19937', key[624], pos, has_gauss, cached_gaussian).
  const std::array<std::uint32_t, kStateWords>& key() const { return key_; }
  int position() const { return position_; }
  bool has_gauss() const { return has_gauss_; }
  double cached_gaussian() const { return cached_gaussian_; }
  // set_state(); throws InternalError for a position outside [0, 624].
  void set_state(const std::array<std::uint32_t, kStateWords>& key, int position, bool has_gauss = false,
                 double cached_gaussian = 0.0);

 private:
  void regenerate();
  std::array<std::uint32_t, kStateWords> key_{};
  int position_ = kStateWords;
  bool has_gauss_ = false;
  double cached_gaussian_ = 0.0;
};

}  // namespace lift3d::core::training
