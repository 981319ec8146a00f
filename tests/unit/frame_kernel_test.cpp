// The frame kernel (core/frame_kernel.hpp) against a plain double-precision product: one and two
// columns (a frame alone, and with its mirrored copy under flip TTA), three (a pair then one),
// output rows that cut the last 32-row panel short, odd input lengths, one tap and several.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "core/frame_kernel.hpp"

namespace lift3d {
namespace {

using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic>;

struct Shape {
  Eigen::Index out, in;
  int kernel;
};

std::vector<Matrix> random_taps(const Shape& shape, std::mt19937& rng) {
  std::normal_distribution<float> value(0.0f, 1.0f);
  std::vector<Matrix> taps(shape.kernel, Matrix(shape.out, shape.in));
  for (Matrix& tap : taps)
    for (Eigen::Index i = 0; i < tap.size(); ++i) tap.data()[i] = value(rng);
  return taps;
}

// y(o, s) = sum_k sum_i taps[k](o, i) * x(k * in + i, s), in double.
std::vector<double> reference(const std::vector<Matrix>& taps, const std::vector<float>& x, Eigen::Index columns) {
  const Eigen::Index out = taps[0].rows(), in = taps[0].cols(), cols = in * static_cast<Eigen::Index>(taps.size());
  std::vector<double> y(static_cast<std::size_t>(out * columns), 0.0);
  for (Eigen::Index s = 0; s < columns; ++s)
    for (std::size_t k = 0; k < taps.size(); ++k)
      for (Eigen::Index i = 0; i < in; ++i)
        for (Eigen::Index o = 0; o < out; ++o)
          y[s * out + o] += static_cast<double>(taps[k](o, i)) * x[s * cols + static_cast<Eigen::Index>(k) * in + i];
  return y;
}

TEST(FrameKernel, EqualsThePlainProductForEveryShapeAndColumnCount) {
  std::mt19937 rng(17);
  std::normal_distribution<float> value(0.0f, 1.0f);
  const Shape shapes[] = {{32, 34, 3}, {37, 13, 3}, {1, 5, 1}, {64, 64, 1}, {70, 33, 5}, {256, 256, 3}, {33, 1, 1}};
  for (const Shape& shape : shapes) {
    const std::vector<Matrix> taps = random_taps(shape, rng);
    const core::PackedWeights packed = core::pack_taps(core::conv_taps_from(taps));
    ASSERT_EQ(packed.rows, shape.out);
    ASSERT_EQ(packed.cols, shape.in * shape.kernel);
    for (Eigen::Index columns : {1, 2, 3}) {
      std::vector<float> x(static_cast<std::size_t>(packed.cols * columns));
      for (float& v : x) v = value(rng);
      // One extra row after y: the kernel must not write past its output.
      std::vector<float> y(static_cast<std::size_t>(shape.out * columns + 1), -7.0f);
      core::multiply_packed(packed, x.data(), columns, y.data());
      const std::vector<double> expected = reference(taps, x, columns);
      // float32 round-off of a sum of `cols` products of unit normals: about sqrt(cols) * 2^-24 * a few.
      const double tolerance = 1e-5 * std::sqrt(static_cast<double>(packed.cols));
      for (std::size_t q = 0; q < expected.size(); ++q)
        ASSERT_NEAR(y[q], expected[q], tolerance)
            << shape.out << "x" << shape.in << "x" << shape.kernel << " columns " << columns << " value " << q;
      EXPECT_EQ(y.back(), -7.0f) << "wrote past the output";
    }
  }
}

// The two columns of a pair come out as each would alone: the mirrored copy shares the weight
// reads, never the sums.
TEST(FrameKernel, APairEqualsEachColumnAlone) {
  std::mt19937 rng(5);
  std::normal_distribution<float> value(0.0f, 1.0f);
  const std::vector<Matrix> taps = random_taps({45, 29, 3}, rng);
  const core::PackedWeights packed = core::pack_taps(core::conv_taps_from(taps));
  std::vector<float> x(static_cast<std::size_t>(packed.cols * 2));
  for (float& v : x) v = value(rng);
  std::vector<float> pair(90), first(45), second(45);
  core::multiply_packed(packed, x.data(), 2, pair.data());
  core::multiply_packed(packed, x.data(), 1, first.data());
  core::multiply_packed(packed, x.data() + packed.cols, 1, second.data());
  for (int o = 0; o < 45; ++o) {
    EXPECT_NEAR(pair[o], first[o], 1e-5f) << o;
    EXPECT_NEAR(pair[45 + o], second[o], 1e-5f) << o;
  }
}

TEST(FrameKernel, NamesItsInstructionSet) {
  const std::string isa = core::frame_kernel_isa();
  EXPECT_TRUE(isa == "avx2+fma" || isa == "portable") << isa;
}

}  // namespace
}  // namespace lift3d
