// Properties of the Eigen TemporalModel that need no reference numbers: output length, streaming
// in chunks equals one pass, lockstep streams equal separate streams. Golden comparisons against
// PyTorch are in model_golden_test.cpp.
#include <gtest/gtest.h>

#include <random>

#include "core/lifter.hpp"
#include "core/temporal_model.hpp"
#include "support/synthetic_model.hpp"

using lift3d::core::Matrix;
using lift3d::core::TemporalModel;
using lift3d::testing::make_config;
using lift3d::testing::synthetic_weights;

namespace {

Matrix random_input(int channels, int frames, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  Matrix m(channels, frames);
  for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = dist(rng);
  return m;
}

Matrix push_in_chunks(const TemporalModel& model, const Matrix& input, int chunk) {
  TemporalModel::Stream stream(model, 1);
  Matrix out(3 * model.config().joints_out, 0);
  for (Eigen::Index start = 0; start < input.cols(); start += chunk) {
    const Eigen::Index n = std::min<Eigen::Index>(chunk, input.cols() - start);
    Matrix part = stream.push(input.middleCols(start, n), /*last=*/start + n == input.cols());
    Matrix joined(out.rows(), out.cols() + part.cols());
    joined << out, part;
    out.swap(joined);
  }
  return out;
}

}  // namespace

TEST(TemporalModel, OutputHasOneFramePerFullWindow) {
  for (bool causal : {false, true}) {
    auto config = make_config({3, 3, 3}, 16, 17, causal);
    TemporalModel model(config, synthetic_weights(config, 11));
    Matrix out = model.forward(random_input(34, 40, 1));
    EXPECT_EQ(out.rows(), 51);
    EXPECT_EQ(out.cols(), 40 - 27 + 1);
    EXPECT_EQ(model.forward_layers(random_input(34, 30, 2)).size(), 3u);
  }
}

TEST(TemporalModel, ChunkedStreamingEqualsOnePassForAnyChunkSize) {
  // {3, 3, 3, 3}: a block of dilation 27, whose Winograd tiles span 108 outputs.
  for (auto widths : {std::vector<int>{3, 3, 3}, std::vector<int>{3, 5, 3}, std::vector<int>{5},
                      std::vector<int>{3, 3, 3, 3}}) {
    for (bool causal : {false, true}) {
      auto config = make_config(widths, 16, 17, causal);
      TemporalModel model(config, synthetic_weights(config, 12));
      const Matrix input = random_input(34, 150, 3);
      const Matrix whole = model.forward(input);
      for (int chunk : {1, 2, 7, 26, 27, 64, 149, 1000}) {
        const Matrix chunked = push_in_chunks(model, input, chunk);
        ASSERT_EQ(chunked.cols(), whole.cols()) << "chunk " << chunk;
        EXPECT_LE((chunked - whole).cwiseAbs().maxCoeff(), 1e-6f) << "chunk " << chunk;
      }
    }
  }
}

TEST(TemporalModel, LockstepStreamsEqualSeparateStreams) {
  auto config = make_config({3, 3, 3}, 16);
  TemporalModel model(config, synthetic_weights(config, 13));
  const Matrix a = random_input(34, 90, 4), b = random_input(34, 90, 5);
  TemporalModel::Stream pair(model, 2);
  Matrix out_a(51, 0), out_b(51, 0);
  for (int start = 0; start < 90; start += 31) {
    const int n = std::min(31, 90 - start);
    Matrix input(34, 2 * n);
    input << a.middleCols(start, n), b.middleCols(start, n);
    Matrix out = pair.push(input, /*last=*/start + n == 90);
    const Eigen::Index m = out.cols() / 2;
    Matrix na(51, out_a.cols() + m), nb(51, out_b.cols() + m);
    na << out_a, out.leftCols(m);
    nb << out_b, out.rightCols(m);
    out_a.swap(na);
    out_b.swap(nb);
  }
  EXPECT_LE((out_a - model.forward(a)).cwiseAbs().maxCoeff(), 1e-6f);
  EXPECT_LE((out_b - model.forward(b)).cwiseAbs().maxCoeff(), 1e-6f);
}

// Outputs whose window lies in a run of identical input columns (edge padding) are computed once
// and copied. Streamed next to a random sequence, the same input is computed in full (the set of
// computed columns is shared by the streams), so the two must agree.
TEST(TemporalModel, RepeatedEndColumnsGiveWhatTheFullComputationGives) {
  for (auto widths : {std::vector<int>{3, 3, 3}, std::vector<int>{3, 5, 3}}) {
    for (bool causal : {false, true}) {
      auto config = make_config(widths, 16, 17, causal);
      TemporalModel model(config, synthetic_weights(config, 16));
      Matrix padded = random_input(34, 150, 7);
      for (int c = 1; c < 40; ++c) padded.col(c) = padded.col(0);
      for (int c = 100; c < 149; ++c) padded.col(c) = padded.col(149);
      Matrix constant(34, 60);
      constant.colwise() = padded.col(0);
      for (const Matrix* input : {&padded, &constant}) {
        const Eigen::Index frames = input->cols();
        TemporalModel::Stream pair(model, 2);
        Matrix both(34, 2 * frames);
        both << *input, random_input(34, static_cast<int>(frames), 8);
        const Matrix full = pair.push(both, /*last=*/true).leftCols(frames - config.receptive_field() + 1);
        const Matrix skipped = model.forward(*input);
        ASSERT_EQ(skipped.cols(), full.cols());
        EXPECT_LE((skipped - full).cwiseAbs().maxCoeff(), 1e-6f) << "frames " << frames << " causal " << causal;
        for (int chunk : {1, 9, 64}) {
          const Matrix chunked = push_in_chunks(model, *input, chunk);
          EXPECT_LE((chunked - full).cwiseAbs().maxCoeff(), 1e-6f) << "chunk " << chunk;
        }
      }
    }
  }
}

TEST(Lifter, ChunkSizeNeverChangesTheResult) {
  auto config = make_config({3, 3, 3}, 16);
  TemporalModel model(config, synthetic_weights(config, 14));
  lift3d::KeypointSequence seq;
  seq.frames = 61;
  seq.joints = 17;
  seq.features = 2;
  const Matrix values = random_input(34, 61, 6);
  seq.values.assign(values.data(), values.data() + values.size());
  lift3d::core::FlipPairs flip{{1, 3, 5}, {2, 4, 6}, {4, 5, 6}, {1, 2, 3}};
  lift3d::core::LiftOptions whole;
  whole.chunk_frames = 100000;
  const auto reference = lift3d::core::run_model(model, seq, &flip, whole);
  for (int chunk : {1, 5, 33, 87}) {
    lift3d::core::LiftOptions options;
    options.chunk_frames = chunk;
    const auto chunked = lift3d::core::run_model(model, seq, &flip, options);
    ASSERT_EQ(chunked.values.size(), reference.values.size());
    for (std::size_t i = 0; i < chunked.values.size(); ++i)
      ASSERT_NEAR(chunked.values[i], reference.values[i], 1e-6f) << "chunk " << chunk << " value " << i;
  }
}

TEST(Lifter, SplittingAcrossThreadsNeverChangesTheResult) {
  auto config = make_config({3, 3, 3}, 16);
  TemporalModel model(config, synthetic_weights(config, 15));
  lift3d::KeypointSequence seq;
  seq.frames = 1000;
  seq.joints = 17;
  seq.features = 2;
  const Matrix values = random_input(34, 1000, 7);
  seq.values.assign(values.data(), values.data() + values.size());
  lift3d::core::FlipPairs flip{{1, 3, 5}, {2, 4, 6}, {4, 5, 6}, {1, 2, 3}};
  ASSERT_EQ(lift3d::core::time_segments(config, seq.frames, 3), 3);
  lift3d::core::LiftOptions one;
  const auto reference = lift3d::core::run_model(model, seq, &flip, one);
  lift3d::core::LiftOptions three;
  three.threads = 3;
  three.chunk_frames = 100;
  const auto split = lift3d::core::run_model(model, seq, &flip, three);
  ASSERT_EQ(split.values.size(), reference.values.size());
  for (std::size_t i = 0; i < split.values.size(); ++i) ASSERT_NEAR(split.values[i], reference.values[i], 1e-6f) << i;
}
