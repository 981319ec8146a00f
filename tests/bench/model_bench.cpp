// Forward-pass throughput of the Eigen TemporalModel through the full lifter (padding, flip TTA,
// chunked streaming): 27/81/243-frame models with 1024 channels, T = 2000 and 10000 frames, 1 and
// 2 threads, with and without flip TTA. Reports output frames/s, the achieved GFLOP/s counting the
// multiply-adds of the direct convolution over the padded sequence (flipped copy included; can
// exceed the host's product rate, since Winograd does fewer), and `product GFLOP/s`, the rate of
// the products lift3d actually runs (Winograd F(4,3) blocks at 1.5 instead of 3 products per output).
// BM_Sgemm gives the host's limit: one thread's rate on the products a 256- or 1024-channel layer
// runs (channels x channels by channels x 1024, the flip-TTA pair of a 512-frame chunk).
// BM_LoadCheckpoint: reading and folding a checkpoint torch.save's zip layout holds (written here
// with random weights: 27f, 243f, 1024 channels; the 243-frame one is 68 MB), CPU time, so that
// the figure holds on a busy host; scripts/bench_vs_pytorch.sh compares it with torch.load.
//   build/tests/bench/model_bench --benchmark_filter='243f|Sgemm|Load' --benchmark_repetitions=5
#include <benchmark/benchmark.h>

#include <malloc.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <random>

#include "core/lifter.hpp"
#include "core/parallel.hpp"
#include "core/temporal_model.hpp"
#include "io/pickle_writer.hpp"
#include "pipeline/checkpoint_model.hpp"
#include "support/synthetic_model.hpp"

namespace {

using lift3d::core::ModelConfig;
using lift3d::core::TemporalModel;

const TemporalModel& model_for(int blocks) {
  static std::map<int, std::unique_ptr<TemporalModel>> cache;
  auto& slot = cache[blocks];
  if (!slot) {
    const ModelConfig config = lift3d::testing::make_config(std::vector<int>(blocks + 1, 3), 1024);
    slot = std::make_unique<TemporalModel>(config, lift3d::testing::synthetic_weights(config, 7));
  }
  return *slot;
}

lift3d::KeypointSequence random_sequence(int frames) {
  lift3d::KeypointSequence seq;
  seq.frames = frames;
  seq.joints = 17;
  seq.features = 2;
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> dist(-0.8f, 0.8f);
  seq.values.resize(static_cast<std::size_t>(frames) * 34);
  for (float& v : seq.values) v = dist(rng);
  return seq;
}

// Multiply-adds x 2 per output column of every layer, summed over the padded sequence.
// `dilated_products` is the number of products per output of a kernel-3 block: 3 direct, 1.5 for
// Winograd F(4,3).
double flops_per_sequence(const ModelConfig& c, long long frames, double dilated_products = 3.0) {
  const double cc = static_cast<double>(c.channels);
  double per_column = 2.0 * cc * c.input_channels * c.filter_widths[0];
  long long columns_in = frames + c.receptive_field() - 1;
  double total = per_column * static_cast<double>(columns_in - c.filter_widths[0] + 1);
  long long length = columns_in - c.filter_widths[0] + 1;
  for (int b = 0; b < c.blocks(); ++b) {
    length -= 2 * c.block_pad(b);
    const double products = c.block_kernel(b) == 3 ? dilated_products : c.block_kernel(b);
    total += static_cast<double>(length) * (2.0 * cc * cc * products + 2.0 * cc * cc);
  }
  total += static_cast<double>(length) * 2.0 * cc * 3 * c.joints_out;
  return total;
}

void BM_Lift(benchmark::State& state) {
  const int blocks = static_cast<int>(state.range(0));
  const int frames = static_cast<int>(state.range(1));
  const int threads = static_cast<int>(state.range(2));
  const bool tta = state.range(3) != 0;
  const bool split_time = state.range(4) != 0;  // threads across time segments instead of inside BLAS
  const TemporalModel& model = model_for(blocks);
  const auto seq = random_sequence(frames);
  lift3d::core::FlipPairs flip{{1, 3, 5, 7, 9, 11, 13, 15}, {2, 4, 6, 8, 10, 12, 14, 16}, {4, 5, 6, 11, 12, 13},
                               {1, 2, 3, 14, 15, 16}};
  lift3d::core::LiftOptions options;
  options.flip_tta = tta;
  options.threads = split_time ? threads : 1;
  lift3d::core::set_blas_threads(split_time ? 1 : threads);
  lift3d::core::warm_blas(split_time ? threads : 1);
  for (auto _ : state) {
    auto poses = lift3d::core::run_model(model, seq, &flip, options);
    benchmark::DoNotOptimize(poses.values.data());
  }
  const double runs = static_cast<double>(state.iterations());
  state.counters["frames/s"] = benchmark::Counter(runs * frames, benchmark::Counter::kIsRate);
  const double copies = tta ? 2 : 1;
  state.counters["GFLOP/s"] = benchmark::Counter(runs * flops_per_sequence(model.config(), frames) * copies / 1e9,
                                                 benchmark::Counter::kIsRate);
  state.counters["product GFLOP/s"] = benchmark::Counter(
      runs * flops_per_sequence(model.config(), frames, 1.5) * copies / 1e9, benchmark::Counter::kIsRate);
  state.SetLabel(std::to_string(model.config().receptive_field()) + "f " + (tta ? "tta" : "no-tta") + " " +
                 std::to_string(threads) + "t" + (split_time ? " time-split" : " blas-threads"));
}

void Arguments(benchmark::internal::Benchmark* b) {
  for (int blocks : {2, 3, 4})
    for (int frames : {2000, 10000})
      for (int threads : {1, 2})
        for (int tta : {0, 1})
          for (int split : {0, 1})
            if (threads > 1 || split == 0) b->Args({blocks, frames, threads, tta, split});
}

// One thread's product rate: channels x channels weights by channels x 1024 activations.
void BM_Sgemm(benchmark::State& state) {
  const int channels = static_cast<int>(state.range(0));
  constexpr int kColumns = 1024;
  lift3d::core::set_blas_threads(1);
  lift3d::core::warm_blas(1);
  lift3d::core::Matrix weights = lift3d::core::Matrix::Random(channels, channels);
  lift3d::core::Matrix activations = lift3d::core::Matrix::Random(channels, kColumns);
  lift3d::core::Matrix out(channels, kColumns);
  for (auto _ : state) {
    out.noalias() = weights * activations;
    benchmark::DoNotOptimize(out.data());
  }
  const double flops = 2.0 * channels * channels * kColumns;
  state.counters["GFLOP/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * flops / 1e9, benchmark::Counter::kIsRate);
}

// A run.py-like checkpoint ({"epoch", "lr", "model_pos"}) of `blocks` blocks and 1024 channels,
// written once into the temporary folder.
std::string checkpoint_for(int blocks) {
  static std::map<int, std::string> written;
  std::string& path = written[blocks];
  if (path.empty()) {
    const ModelConfig config = lift3d::testing::make_config(std::vector<int>(blocks + 1, 3), 1024);
    lift3d::io::PyValue state = lift3d::io::PyValue::ordered_dict();
    for (auto& named : lift3d::testing::synthetic_state(config, 7))
      state.set(named.name, lift3d::io::PyValue::tensor(std::move(named.array)));
    lift3d::io::PyValue root = lift3d::io::PyValue::dict();
    root.set("epoch", lift3d::io::PyValue::of_int(80));
    root.set("lr", lift3d::io::PyValue::of_float(1e-3));
    root.set("model_pos", std::move(state));
    path = (std::filesystem::temp_directory_path() /
            ("lift3d_bench_" + std::to_string(config.receptive_field()) + "f.bin")).string();
    lift3d::io::write_torch_zip(path, "archive", root);
  }
  return path;
}

void BM_LoadCheckpoint(benchmark::State& state) {
  const std::string path = checkpoint_for(static_cast<int>(state.range(0)));
  // A process loads its model once, into memory it has never touched. glibc would otherwise keep
  // the megabytes freed by one iteration for the next (its mmap threshold rises after a large
  // free), and the page faults a real load pays would vanish from every iteration but the first.
  mallopt(M_MMAP_THRESHOLD, 128 * 1024);
  for (auto _ : state) {
    auto loaded = lift3d::pipeline::load_model(path, {});
    benchmark::DoNotOptimize(&loaded);
  }
  state.SetLabel(std::to_string(std::filesystem::file_size(path) >> 20) + " MiB checkpoint");
}

}  // namespace

BENCHMARK(BM_LoadCheckpoint)->Arg(2)->Arg(4)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_Sgemm)->Arg(256)->Arg(1024)->Unit(benchmark::kMillisecond)->MinTime(1.0);
BENCHMARK(BM_Lift)->Apply(Arguments)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(1.0);
BENCHMARK_MAIN();
