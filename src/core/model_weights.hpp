// The weights of a VideoPose3D TemporalModel as PyTorch holds them, before BatchNorm is folded
// (BatchNorm1d after every convolution but the last): what a checkpoint reader hands to the model, and what training updates.
// Plain numbers only; which file they came from is not this floor's business.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/model_config.hpp"

namespace lift3d::core {

// A Conv1d: weight [out_channels][in_channels][kernel] in PyTorch's order; bias empty when the
// convolution has none (every convolution but the last is followed by BatchNorm instead).
struct ConvWeights {
  int out_channels = 0;
  int in_channels = 0;
  int kernel = 0;
  std::vector<float> weight;
  std::vector<float> bias;
};

// A BatchNorm1d in evaluation mode. Double holds float32 and float64 checkpoints exactly.
struct BatchNormWeights {
  std::vector<double> weight, bias, running_mean, running_var;
};

// Residual block b: the dilated convolution (layers_conv.2b) with its BatchNorm (layers_bn.2b),
// then the pointwise one (layers_conv.2b+1, layers_bn.2b+1).
struct BlockWeights {
  ConvWeights dilated;
  BatchNormWeights dilated_bn;
  ConvWeights pointwise;
  BatchNormWeights pointwise_bn;
};

struct ModelWeights {
  ConvWeights expand;  // expand_conv
  BatchNormWeights expand_bn;
  std::vector<BlockWeights> blocks;  // config.blocks() of them
  ConvWeights shrink;  // 1x1 with a bias, no BatchNorm
};

// The weights of `config` gathered by the reference's state_dict names: conv(name, has_bias) gives
// the Conv1d "<name>.weight" (and "<name>.bias"), batch_norm(name) the BatchNorm1d "<name>.*"
// (expand_conv/expand_bn, layers_conv.N/layers_bn.N, shrink), whatever holds them.
template <typename Conv, typename BatchNorm>
ModelWeights weights_by_name(const ModelConfig& config, Conv&& conv, BatchNorm&& batch_norm) {
  ModelWeights weights;
  weights.expand = conv("expand_conv", false);
  weights.expand_bn = batch_norm("expand_bn");
  for (int b = 0; b < config.blocks(); ++b) {
    BlockWeights block;
    block.dilated = conv("layers_conv." + std::to_string(2 * b), false);
    block.dilated_bn = batch_norm("layers_bn." + std::to_string(2 * b));
    block.pointwise = conv("layers_conv." + std::to_string(2 * b + 1), false);
    block.pointwise_bn = batch_norm("layers_bn." + std::to_string(2 * b + 1));
    weights.blocks.push_back(std::move(block));
  }
  weights.shrink = conv("shrink", true);
  return weights;
}

// Throws ModelError("<what>: ...") naming the first tensor whose shape does not fit `config`.
void check_weights_fit(const ModelConfig& config, const ModelWeights& weights, const std::string& what);

}  // namespace lift3d::core
