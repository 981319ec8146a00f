// Winograd F(2,3) and F(4,3) tiles against the direct dilated convolution computed in double:
// every dilation the models use, ranges shorter than a tile, odd lengths, ranges that start
// inside a tile (segment and chunk boundaries, skipped edge outputs), several streams side by side.
#include <gtest/gtest.h>

#include <random>

#include "core/winograd.hpp"

namespace {

using lift3d::core::TilePlan;
using lift3d::core::WinogradTransform;
using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic>;
using MatrixD = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic>;

Matrix random_matrix(Eigen::Index rows, Eigen::Index cols, unsigned seed, float scale) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-scale, scale);
  Matrix m(rows, cols);
  for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = dist(rng);
  return m;
}

struct Conv {
  std::vector<Matrix> weights;  // W_0, W_1, W_2 (out x in)
};

Conv make_conv(int channels, unsigned seed) {
  Conv conv;
  // He-like scale, as in trained models: outputs stay of the inputs' order of magnitude.
  const float scale = std::sqrt(3.0f / (3.0f * static_cast<float>(channels)));
  for (int k = 0; k < 3; ++k) conv.weights.push_back(random_matrix(channels, channels, seed + k, scale));
  return conv;
}

// Stream s's outputs [0, c) of columns [s*width + lo, ...), directly in double.
MatrixD direct(const Conv& conv, const Matrix& in, Eigen::Index streams, Eigen::Index width, Eigen::Index lo,
               Eigen::Index c, Eigen::Index d) {
  MatrixD out = MatrixD::Zero(conv.weights[0].rows(), streams * c);
  for (Eigen::Index s = 0; s < streams; ++s)
    for (int k = 0; k < 3; ++k)
      out.middleCols(s * c, c) +=
          conv.weights[k].cast<double>() * in.middleCols(s * width + lo + k * d, c).cast<double>();
  return out;
}

// Largest |winograd - direct| over the planned outputs.
double max_error(const Conv& conv, int tile_outputs, const Matrix& in, Eigen::Index streams, Eigen::Index width,
                 Eigen::Index lo, Eigen::Index c, Eigen::Index d, long long origin) {
  TilePlan plan;
  lift3d::core::plan_tiles(streams, width, lo, c, d, tile_outputs, origin, plan);
  Matrix out(conv.weights[0].rows(), streams * c);
  std::vector<float> transformed, products;
  lift3d::core::winograd_convolve(lift3d::core::conv_taps_from(conv.weights), lift3d::core::winograd_transform(tile_outputs), d, in.data(), in.rows(),
                                  plan, transformed, products, out);
  return (out.cast<double>() - direct(conv, in, streams, width, lo, c, d)).cwiseAbs().maxCoeff();
}

}  // namespace

TEST(Winograd, TransformsComputeTheCorrelationExactly) {
  // With integer inputs and weights whose products are exact, the transforms' round-off is zero
  // for F(2,3) and F(4,3) alike (every coefficient is a small dyadic or a sixth applied in double).
  for (int m : {2, 4}) {
    const WinogradTransform& f = lift3d::core::winograd_transform(m);
    ASSERT_EQ(f.products, m + 2);
    for (int trial = 0; trial < 20; ++trial) {
      std::mt19937 rng(trial);
      std::uniform_int_distribution<int> small(-4, 4);
      double g[3], x[6];
      for (double& v : g) v = small(rng);
      for (int k = 0; k < f.products; ++k) x[k] = small(rng);
      for (int j = 0; j < m; ++j) {
        double y = 0;
        for (int i = 0; i < f.products; ++i) {
          double u = 0, w = 0;
          for (int k = 0; k < f.products; ++k) u += f.input[i * f.products + k] * x[k];
          for (int k = 0; k < 3; ++k) w += f.weight[i * 3 + k] * g[k];
          y += f.output[j * f.products + i] * u * w;
        }
        EXPECT_NEAR(y, g[0] * x[j] + g[1] * x[j + 1] + g[2] * x[j + 2], 1e-12) << "F(" << m << ",3) output " << j;
      }
    }
  }
}

TEST(Winograd, TilesMatchTheDirectConvolutionAtEveryDilation) {
  const int channels = 64;
  for (int m : {2, 4}) {
    const Conv conv = make_conv(channels, 21);
    for (Eigen::Index d : {1, 2, 3, 9, 27, 81}) {
      for (Eigen::Index c : {Eigen::Index{1}, d, m * d - 1, m * d, m * d + 1, 3 * m * d + 5}) {
        for (Eigen::Index origin : {Eigen::Index{0}, Eigen::Index{1}, d - 1, d + 1, 2 * d + 3, 1000 * m * d + 7}) {
          const Eigen::Index lo = 3, width = lo + c + 2 * d + 2;
          const Matrix in = random_matrix(channels, 2 * width, static_cast<unsigned>(c + d), 1.0f);
          for (Eigen::Index streams : {1, 2})
            EXPECT_LE(max_error(conv, m, in, streams, width, lo, c, d, origin), 2e-5)
                << "F(" << m << ",3) d " << d << " outputs " << c << " origin " << origin << " streams " << streams;
        }
      }
    }
  }
}

TEST(Winograd, TilesOfAFullSizeLayerStayWithinFloatRoundOff) {
  // 1024 channels, as in the 243-frame model, and more output rows than one weight panel.
  const int channels = 1024;
  for (int m : {2, 4}) {
    const Conv conv = make_conv(channels, 31);
    const Eigen::Index d = 27, c = 300, width = c + 2 * d;
    const Matrix in = random_matrix(channels, width, 5, 1.0f);
    EXPECT_LE(max_error(conv, m, in, 1, width, 0, c, d, 13), 2e-5) << "F(" << m << ",3)";
  }
}

TEST(Winograd, EachOutputBelongsToTheTileItsAbsolutePositionGives) {
  TilePlan plan;
  // d = 3, m = 4: blocks of 12 outputs; output 0 sits at absolute position 10, slot (10 % 12) / 3 = 3.
  lift3d::core::plan_tiles(1, 40, 0, 20, 3, 4, 10, plan);
  EXPECT_EQ(plan.slot_of[0], 3);
  EXPECT_EQ(plan.starts[static_cast<std::size_t>(plan.tile_of[0])], -9);  // its x_t lies before the range
  EXPECT_EQ(plan.slot_of[2], 0);                                          // position 12: a new block
  EXPECT_EQ(plan.tile_of[5], plan.tile_of[2]);                            // position 15 shares it
  EXPECT_EQ(plan.slot_of[5], 1);
  // Positions 10..29: the tiles based at 1 and 2 (one output each), the three of block 12..23 and the
  // three of block 24..35 (two outputs each).
  EXPECT_EQ(plan.tiles, 2 + 3 + 3);
}
