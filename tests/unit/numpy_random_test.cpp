// NumpyRandomState against NumPy itself (tests/fixtures/training/numpy_shuffle.npz, written by
// tools/make_training_fixtures.py with numpy.random.RandomState(1234)): the permutations must be
// identical, element for element, and so must the generator state afterwards.
#include <gtest/gtest.h>

#include <array>
#include <numeric>
#include <string>
#include <vector>

#include "core/training/numpy_random.hpp"
#include "io/npy.hpp"

using lift3d::core::training::NumpyRandomState;

namespace {

lift3d::io::NpzFile fixture() { return lift3d::io::NpzFile(std::string(LIFT3D_FIXTURES_DIR) + "/training/numpy_shuffle.npz"); }

std::vector<std::int64_t> ints(const lift3d::io::NpzFile& file, const std::string& key) {
  return file.read(key).array->to_int64();
}

TEST(NumpyRandomState, FirstOutputsOfSeed1234AreMersenneTwisters) {
  NumpyRandomState random(1234);
  EXPECT_EQ(random.next_uint32(), 822569775U);
  EXPECT_EQ(random.next_uint32(), 2137449171U);
}

TEST(NumpyRandomState, PermutationsAndEpochShufflesEqualNumpys) {
  const lift3d::io::NpzFile file = fixture();
  NumpyRandomState random(1234);
  const std::vector<std::int64_t> sizes = ints(file, "sizes");
  for (std::size_t k = 0; k < sizes.size(); ++k) {
    std::vector<std::int64_t> items(sizes[k]);
    std::iota(items.begin(), items.end(), 0);
    random.shuffle(items);
    EXPECT_EQ(items, ints(file, "perm." + std::to_string(k))) << "size " << sizes[k];
  }
  // run.py's ChunkedGenerator: permutation() of its (sequence, start, end, flip) list each epoch.
  std::vector<std::int64_t> lengths = ints(file, "lengths");
  std::vector<std::array<std::int64_t, 4>> pairs;
  for (std::size_t i = 0; i < lengths.size(); ++i) {
    for (std::int64_t t = 0; t < lengths[i]; ++t) pairs.push_back({static_cast<std::int64_t>(i), t, t + 1, 0});
    for (std::int64_t t = 0; t < lengths[i]; ++t) pairs.push_back({static_cast<std::int64_t>(i), t, t + 1, 1});
  }
  for (int epoch = 0; epoch < 3; ++epoch) {
    std::vector<std::array<std::int64_t, 4>> shuffled = pairs;
    random.shuffle(shuffled);
    std::vector<std::int64_t> flat;
    for (const auto& p : shuffled) flat.insert(flat.end(), p.begin(), p.end());
    EXPECT_EQ(flat, ints(file, "epoch." + std::to_string(epoch))) << "epoch " << epoch;
  }
  const std::vector<std::int64_t> key = ints(file, "state.key");
  ASSERT_EQ(key.size(), 624u);
  for (int i = 0; i < 624; ++i) EXPECT_EQ(random.key()[i], static_cast<std::uint32_t>(key[i])) << i;
  EXPECT_EQ(random.position(), ints(file, "state.pos")[0]);
  for (std::int64_t next : ints(file, "next")) EXPECT_EQ(random.next_uint32(), static_cast<std::uint32_t>(next));
}

TEST(NumpyRandomState, SetStateResumesTheSequence) {
  NumpyRandomState a(7);
  for (int i = 0; i < 1000; ++i) a.next_uint32();
  NumpyRandomState b(0);
  b.set_state(a.key(), a.position());
  for (int i = 0; i < 700; ++i) EXPECT_EQ(a.next_uint32(), b.next_uint32());
}

TEST(NumpyRandomState, IntervalStaysInRange) {
  NumpyRandomState random(1);
  for (std::uint64_t max : {1ULL, 2ULL, 5ULL, 1000ULL, 0xffffffffULL, 0x1ffffffffULL})
    for (int i = 0; i < 50; ++i) EXPECT_LE(random.interval(max), max);
  EXPECT_EQ(random.interval(0), 0u);
}

}  // namespace
