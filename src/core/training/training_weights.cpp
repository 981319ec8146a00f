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
  return weights_by_name(
      model.config(), [&](const std::string& name, bool has_bias) { return conv(model, name, has_bias); },
      [&](const std::string& name) { return batch_norm(model, name); });
}

}  // namespace lift3d::core::training
