#include "core/model_weights.hpp"

#include <string>

#include "lift3d/error.hpp"

namespace lift3d::core {
namespace {

void check_conv(const ConvWeights& conv, int out, int in, int kernel, bool has_bias, const std::string& what,
                const std::string& name) {
  const bool fits = conv.out_channels == out && conv.in_channels == in && conv.kernel == kernel &&
                    conv.weight.size() == static_cast<std::size_t>(out) * in * kernel &&
                    conv.bias.size() == (has_bias ? static_cast<std::size_t>(out) : 0u);
  if (!fits)
    throw ModelError(what + ": " + name + " is [" + std::to_string(conv.out_channels) + ", " +
                     std::to_string(conv.in_channels) + ", " + std::to_string(conv.kernel) + "], expected [" +
                     std::to_string(out) + ", " + std::to_string(in) + ", " + std::to_string(kernel) + "]" +
                     (has_bias ? " with a bias" : " without a bias"));
}

void check_bn(const BatchNormWeights& bn, int channels, const std::string& what, const std::string& name) {
  const auto n = static_cast<std::size_t>(channels);
  if (bn.weight.size() != n || bn.bias.size() != n || bn.running_mean.size() != n || bn.running_var.size() != n)
    throw ModelError(what + ": " + name + " does not hold " + std::to_string(channels) + " channels");
}

}  // namespace

void check_weights_fit(const ModelConfig& config, const ModelWeights& weights, const std::string& what) {
  const int c = config.channels;
  check_conv(weights.expand, c, config.input_channels, config.filter_widths[0], false, what, "expand_conv");
  check_bn(weights.expand_bn, c, what, "expand_bn");
  if (static_cast<int>(weights.blocks.size()) != config.blocks())
    throw ModelError(what + ": " + std::to_string(weights.blocks.size()) + " residual blocks, expected " +
                     std::to_string(config.blocks()));
  for (int b = 0; b < config.blocks(); ++b) {
    const BlockWeights& block = weights.blocks[b];
    const std::string index = std::to_string(b);
    check_conv(block.dilated, c, c, config.block_kernel(b), false, what, "block " + index + " dilated conv");
    check_bn(block.dilated_bn, c, what, "block " + index + " dilated bn");
    check_conv(block.pointwise, c, c, 1, false, what, "block " + index + " pointwise conv");
    check_bn(block.pointwise_bn, c, what, "block " + index + " pointwise bn");
  }
  check_conv(weights.shrink, 3 * config.joints_out, c, 1, true, what, "shrink");
}

}  // namespace lift3d::core
