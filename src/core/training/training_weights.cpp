#include "core/training/training_weights.hpp"

#include <string>

#include "lift3d/error.hpp"

namespace lift3d::core::training {
namespace {

const NamedTensor& named(const TrainingModel& model, const std::string& name) {
  for (const NamedTensor* entry : model.state_dict())
    if (entry->name == name) return *entry;
  throw InternalError("training model has no tensor " + name);
}

ConvWeights conv(const TrainingModel& model, const std::string& name, bool with_bias) {
  const NamedTensor& w = named(model, name + ".weight");
  ConvWeights result;
  result.out_channels = static_cast<int>(w.shape[0]);
  result.in_channels = static_cast<int>(w.shape[1]);
  result.kernel = static_cast<int>(w.shape[2]);
  result.weight = w.values;
  if (with_bias) result.bias = named(model, name + ".bias").values;
  return result;
}

BatchNormWeights batch_norm(const TrainingModel& model, const std::string& name) {
  const auto widen = [&](const std::string& suffix) {
    const std::vector<float>& v = named(model, name + "." + suffix).values;
    return std::vector<double>(v.begin(), v.end());
  };
  return {widen("weight"), widen("bias"), widen("running_mean"), widen("running_var")};
}

}  // namespace

ModelWeights to_model_weights(const TrainingModel& model) {
  ModelWeights weights;
  weights.expand = conv(model, "expand_conv", false);
  weights.expand_bn = batch_norm(model, "expand_bn");
  for (int b = 0; b < model.config().blocks(); ++b) {
    BlockWeights block;
    block.dilated = conv(model, "layers_conv." + std::to_string(2 * b), false);
    block.dilated_bn = batch_norm(model, "layers_bn." + std::to_string(2 * b));
    block.pointwise = conv(model, "layers_conv." + std::to_string(2 * b + 1), false);
    block.pointwise_bn = batch_norm(model, "layers_bn." + std::to_string(2 * b + 1));
    weights.blocks.push_back(std::move(block));
  }
  weights.shrink = conv(model, "shrink", true);
  return weights;
}

}  // namespace lift3d::core::training
