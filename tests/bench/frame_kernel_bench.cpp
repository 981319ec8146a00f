// One streamed frame's weight products: the frame kernel (core/frame_kernel.hpp) against OpenBLAS
// on the same weights, for all the matrices of a model in turn (as a frame goes through its layers):
//   kernel_2col   the frame and its mirrored copy in one pass over the packed weights (lift3d stream)
//   kernel_1col   one column (no flip TTA)
//   kernel_1col_x2  the two columns as two separate passes (what one pass saves)
//   sgemm_2col    cblas_sgemm with N = 2 on the column-major taps (Eigen's product with EIGEN_USE_BLAS)
//   sgemv_x2      cblas_sgemv twice
//   read_floor    a plain streaming sum over the packed weights (one stream)
//   sdot_floor    cblas_sdot of the packed weights' two halves (the same bytes as two streams)
// Models: 81f (256 channels, 3.2 MB of weights) and 243f (1024 channels, 67.6 MB). Reports bytes
// of weights read per second.
//   build/tests/bench/frame_kernel_bench --benchmark_repetitions=3 --benchmark_report_aggregates_only
#include <benchmark/benchmark.h>
#ifdef LIFT3D_HAVE_CBLAS_H
#include <cblas.h>
#endif

#include <map>
#include <memory>
#include <random>
#include <vector>

#include "core/frame_kernel.hpp"

namespace {

using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic>;

struct Layer {
  std::vector<Matrix> taps;
  lift3d::core::PackedWeights packed;
  Matrix stacked;  // out x (kernel * in): the taps side by side, column-major, for BLAS
};

struct Model {
  std::vector<Layer> layers;
  std::size_t bytes = 0;
  Eigen::Index widest = 0;
};

// Expand (34 inputs, kernel 3), then per block a kernel-3 and a 1x1 convolution.
const Model& model(int blocks, int channels) {
  static std::map<int, std::unique_ptr<Model>> cache;
  auto& slot = cache[channels];
  if (slot) return *slot;
  slot = std::make_unique<Model>();
  std::mt19937 rng(1);
  std::normal_distribution<float> value(0.0f, 0.05f);
  auto add = [&](Eigen::Index in, int kernel) {
    Layer layer;
    layer.taps.assign(kernel, Matrix(channels, in));
    for (Matrix& tap : layer.taps)
      for (Eigen::Index i = 0; i < tap.size(); ++i) tap.data()[i] = value(rng);
    layer.packed = lift3d::core::pack_taps(lift3d::core::conv_taps_from(layer.taps));
    layer.stacked.resize(channels, in * kernel);
    for (int k = 0; k < kernel; ++k) layer.stacked.middleCols(k * in, in) = layer.taps[k];
    slot->bytes += layer.stacked.size() * sizeof(float);
    slot->widest = std::max(slot->widest, layer.stacked.cols());
    slot->layers.push_back(std::move(layer));
  };
  add(34, 3);
  for (int b = 0; b < blocks; ++b) {
    add(channels, 3);
    add(channels, 1);
  }
  return *slot;
}

template <typename Step>
void run(benchmark::State& state, const Model& m, Step step) {
  std::vector<float> x(static_cast<std::size_t>(m.widest * 2), 0.01f), y(2 * 1024);
  for (auto _ : state)
    for (const Layer& layer : m.layers) {
      step(layer, x.data(), y.data());
      benchmark::DoNotOptimize(y.data());
    }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * m.bytes));
}

const Model& model_of(const benchmark::State& state) {
  return state.range(0) == 243 ? model(4, 1024) : model(3, 256);
}

void kernel_2col(benchmark::State& state) {
  run(state, model_of(state), [](const Layer& l, const float* x, float* y) {
    lift3d::core::multiply_packed(l.packed, x, 2, y);
  });
}

void kernel_1col(benchmark::State& state) {
  run(state, model_of(state), [](const Layer& l, const float* x, float* y) {
    lift3d::core::multiply_packed(l.packed, x, 1, y);
  });
}

void kernel_1col_x2(benchmark::State& state) {
  run(state, model_of(state), [](const Layer& l, const float* x, float* y) {
    lift3d::core::multiply_packed(l.packed, x, 1, y);
    lift3d::core::multiply_packed(l.packed, x + l.packed.cols, 1, y + l.packed.rows);
  });
}

#ifdef LIFT3D_HAVE_CBLAS_H
void sgemm_2col(benchmark::State& state) {
  run(state, model_of(state), [](const Layer& l, const float* x, float* y) {
    const int m = static_cast<int>(l.stacked.rows()), k = static_cast<int>(l.stacked.cols());
    cblas_sgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, m, 2, k, 1.0f, l.stacked.data(), m, x, k, 0.0f, y, m);
  });
}

void sgemv_x2(benchmark::State& state) {
  run(state, model_of(state), [](const Layer& l, const float* x, float* y) {
    const int m = static_cast<int>(l.stacked.rows()), k = static_cast<int>(l.stacked.cols());
    cblas_sgemv(CblasColMajor, CblasNoTrans, m, k, 1.0f, l.stacked.data(), m, x, 1, 0.0f, y, 1);
    cblas_sgemv(CblasColMajor, CblasNoTrans, m, k, 1.0f, l.stacked.data(), m, x + k, 1, 0.0f, y + m, 1);
  });
}

#endif

void read_floor(benchmark::State& state) {
  run(state, model_of(state), [](const Layer& l, const float*, float* y) {
    float sums[8] = {};
    const float* w = l.packed.panels.data();
    const std::size_t n = l.packed.panels.size() / 8 * 8;
    for (std::size_t i = 0; i < n; i += 8)
      for (int j = 0; j < 8; ++j) sums[j] += w[i + j];
    y[0] = sums[0] + sums[1] + sums[2] + sums[3] + sums[4] + sums[5] + sums[6] + sums[7];
  });
}

#ifdef LIFT3D_HAVE_CBLAS_H
// OpenBLAS's dot product of the packed weights' two halves: the same bytes read as two streams.
void sdot_floor(benchmark::State& state) {
  run(state, model_of(state), [](const Layer& l, const float*, float* y) {
    const int half = static_cast<int>(l.packed.panels.size() / 2);
    y[0] = cblas_sdot(half, l.packed.panels.data(), 1, l.packed.panels.data() + half, 1);
  });
}

#endif

void sizes(benchmark::internal::Benchmark* b) { b->Arg(81)->Arg(243)->Unit(benchmark::kMillisecond); }

BENCHMARK(kernel_2col)->Apply(sizes);
BENCHMARK(kernel_1col)->Apply(sizes);
BENCHMARK(kernel_1col_x2)->Apply(sizes);
BENCHMARK(read_floor)->Apply(sizes);
#ifdef LIFT3D_HAVE_CBLAS_H
BENCHMARK(sgemm_2col)->Apply(sizes);
BENCHMARK(sgemv_x2)->Apply(sizes);
BENCHMARK(sdot_floor)->Apply(sizes);
#endif

}  // namespace

BENCHMARK_MAIN();
