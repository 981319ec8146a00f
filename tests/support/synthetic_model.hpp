// Seeded random VideoPose3D state_dicts (and the weights they hold) built in C++, for tests that need a model of a given
// architecture but no reference numbers (shape checks, chunking invariance).
#pragma once

#include <random>
#include <string>
#include <vector>

#include "core/model_config.hpp"
#include "core/model_weights.hpp"
#include "io/torch_checkpoint.hpp"
#include "pipeline/model_state_dict.hpp"

namespace lift3d::testing {

inline io::Array random_array(std::vector<std::int64_t> shape, std::mt19937& rng, float lo, float hi) {
  std::int64_t count = 1;
  for (auto d : shape) count *= d;
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> values(static_cast<std::size_t>(count));
  for (float& v : values) v = dist(rng);
  return io::Array::from_float(std::move(shape), values);
}

// Tensors named and shaped as the reference's TemporalModel.state_dict() for `config`.
inline io::StateDict synthetic_state(const core::ModelConfig& config, unsigned seed, bool with_counters = true) {
  std::mt19937 rng(seed);
  io::StateDict state;
  const std::int64_t c = config.channels;
  auto add_bn = [&](const std::string& prefix) {
    state.push_back({prefix + ".weight", random_array({c}, rng, 0.5f, 1.5f)});
    state.push_back({prefix + ".bias", random_array({c}, rng, -0.2f, 0.2f)});
    state.push_back({prefix + ".running_mean", random_array({c}, rng, -0.1f, 0.1f)});
    state.push_back({prefix + ".running_var", random_array({c}, rng, 0.5f, 2.0f)});
    if (with_counters) {
      io::Array counter;
      counter.dtype = io::DType::Int64;
      counter.bytes.assign(8, 0);
      state.push_back({prefix + ".num_batches_tracked", counter});
    }
  };
  const float in_scale = 1.0f / static_cast<float>(config.input_channels * config.filter_widths[0]);
  const float block_scale = 1.0f / static_cast<float>(c);
  add_bn("expand_bn");
  state.push_back({"shrink.weight", random_array({3LL * config.joints_out, c, 1}, rng, -block_scale, block_scale)});
  state.push_back({"shrink.bias", random_array({3LL * config.joints_out}, rng, -0.1f, 0.1f)});
  state.push_back({"expand_conv.weight", random_array({c, config.input_channels, config.filter_widths[0]}, rng,
                                                      -3 * in_scale, 3 * in_scale)});
  for (int b = 0; b < config.blocks(); ++b) {
    state.push_back({"layers_conv." + std::to_string(2 * b) + ".weight",
                     random_array({c, c, config.block_kernel(b)}, rng, -block_scale, block_scale)});
    state.push_back({"layers_conv." + std::to_string(2 * b + 1) + ".weight",
                     random_array({c, c, 1}, rng, -block_scale, block_scale)});
  }
  for (int b = 0; b < config.blocks(); ++b) {
    add_bn("layers_bn." + std::to_string(2 * b));
    add_bn("layers_bn." + std::to_string(2 * b + 1));
  }
  return state;
}

// The same weights as core's plain struct, as a checkpoint loader hands them to the model.
inline core::ModelWeights synthetic_weights(const core::ModelConfig& config, unsigned seed) {
  return pipeline::model_weights_from_state_dict(synthetic_state(config, seed), config);
}

inline core::ModelConfig make_config(std::vector<int> widths, int channels, int joints_out = 17, bool causal = false,
                                     bool dense = false) {
  core::ModelConfig config;
  config.filter_widths = std::move(widths);
  config.channels = channels;
  config.input_channels = 34;
  config.joints_out = joints_out;
  config.causal = causal;
  config.dense = dense;
  return config;
}

}  // namespace lift3d::testing
