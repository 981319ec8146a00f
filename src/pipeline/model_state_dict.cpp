#include "pipeline/model_state_dict.hpp"

#include <map>

#include "base/text.hpp"
#include "lift3d/error.hpp"

namespace lift3d::pipeline {
namespace {

// Where the weights' values come from: a state_dict's arrays already read (each freed once
// converted), or the checkpoint itself, each tensor read straight into the float buffer the model
// keeps.
class TensorValues {
 public:
  explicit TensorValues(io::StateDict& state, const io::TorchCheckpoint* checkpoint = nullptr)
      : checkpoint_(checkpoint) {
    for (auto& named : state) tensors_[named.name] = &named;
  }
  std::vector<float> floats(const std::string& name) {
    io::NamedTensor& named = find(name);
    if (checkpoint_) return checkpoint_->read_tensor_floats(*named.source);
    std::vector<float> values = named.array.to_float();
    std::vector<std::uint8_t>().swap(named.array.bytes);
    return values;
  }
  const std::vector<std::int64_t>& shape(const std::string& name) { return find(name).array.shape; }
  std::vector<double> doubles(const std::string& name) {
    io::NamedTensor& named = find(name);
    return checkpoint_ ? checkpoint_->read_tensor(*named.source).to_double() : named.array.to_double();
  }

 private:
  io::NamedTensor& find(const std::string& name) {
    auto found = tensors_.find(name);
    if (found == tensors_.end()) throw InternalError("tensor '" + name + "' vanished after architecture check");
    if (checkpoint_ && !found->second->source) throw InternalError("tensor '" + name + "' has no source in the checkpoint");
    return *found->second;
  }
  const io::TorchCheckpoint* checkpoint_;
  std::map<std::string, io::NamedTensor*> tensors_;
};

core::ConvWeights take_conv(TensorValues& values, const std::string& name, bool has_bias) {
  const std::vector<std::int64_t>& shape = values.shape(name + ".weight");
  core::ConvWeights conv;
  conv.out_channels = static_cast<int>(shape[0]);
  conv.in_channels = static_cast<int>(shape[1]);
  conv.kernel = static_cast<int>(shape[2]);
  conv.weight = values.floats(name + ".weight");
  if (has_bias) conv.bias = values.floats(name + ".bias");
  return conv;
}

core::BatchNormWeights take_bn(TensorValues& values, const std::string& name) {
  return {values.doubles(name + ".weight"), values.doubles(name + ".bias"), values.doubles(name + ".running_mean"),
          values.doubles(name + ".running_var")};
}

core::ModelWeights take_weights(TensorValues& values, const core::ModelConfig& config) {
  return core::weights_by_name(
      config, [&](const std::string& name, bool has_bias) { return take_conv(values, name, has_bias); },
      [&](const std::string& name) { return take_bn(values, name); });
}

}  // namespace

namespace {

// The tensors of a state_dict by name, each looked up with its shape checked for plausibility.
class ShapeTable {
 public:
  ShapeTable(const io::StateDict& state, std::string what) : what_(std::move(what)) {
    for (const auto& named : state) tensors_[named.name] = &named.array;
  }
  bool has(const std::string& name) const { return tensors_.count(name) != 0; }
  const std::string& what() const { return what_; }

  // Dimensions are claims of the file: far beyond any real model, they are refused before they are
  // used as sizes.
  const io::Array& require(const std::string& name) const {
    constexpr std::int64_t kMaxDimension = 1 << 20;
    auto found = tensors_.find(name);
    if (found == tensors_.end()) throw ModelError(what_ + ": missing tensor '" + name + "'");
    for (std::int64_t size : found->second->shape)
      if (size > kMaxDimension)
        throw ModelError(what_ + ": tensor '" + name + "' has shape " + io::shape_string(found->second->shape) +
                         ", too large for a VideoPose3D model");
    return *found->second;
  }

 private:
  std::string what_;
  std::map<std::string, const io::Array*> tensors_;
};

std::string conv_name(int index) { return "layers_conv." + std::to_string(index) + ".weight"; }

// Channels, input width, output joints and the first filter width, from the first and last layers.
core::ModelConfig outer_layers(const ShapeTable& tensors) {
  const std::string& what = tensors.what();
  const io::Array& expand = tensors.require("expand_conv.weight");
  if (expand.shape.size() != 3 || expand.shape[0] < 1 || expand.shape[1] < 1 || expand.shape[2] < 1)
    throw ModelError(what + ": tensor 'expand_conv.weight' has shape " + io::shape_string(expand.shape) +
                     ", expected [channels, joints_in * features, filter_width]");
  const io::Array& shrink = tensors.require("shrink.weight");
  if (shrink.shape.size() != 3 || shrink.shape[0] % 3 != 0 || shrink.shape[0] == 0 || shrink.shape[2] != 1)
    throw ModelError(what + ": tensor 'shrink.weight' has shape " + io::shape_string(shrink.shape) +
                     ", expected [3 * joints_out, channels, 1]");
  core::ModelConfig config;
  config.channels = static_cast<int>(expand.shape[0]);
  config.input_channels = static_cast<int>(expand.shape[1]);
  config.joints_out = static_cast<int>(shrink.shape[0] / 3);
  config.filter_widths.push_back(static_cast<int>(expand.shape[2]));
  if (config.filter_widths[0] % 2 == 0)
    throw ModelError(what + ": 'expand_conv.weight' has an even filter width " + std::to_string(config.filter_widths[0]));
  return config;
}

// The kernel of each residual block's dilated convolution, in block order.
std::vector<int> block_kernels(const ShapeTable& tensors) {
  std::vector<int> kernels;
  for (int b = 0; tensors.has(conv_name(2 * b)); ++b) {
    const io::Array& conv = tensors.require(conv_name(2 * b));
    if (conv.shape.size() != 3) throw ModelError(tensors.what() + ": tensor '" + conv_name(2 * b) + "' is not 3-d");
    kernels.push_back(static_cast<int>(conv.shape[2]));
  }
  return kernels;
}

// Dilated: block kernel = filter width. Dense: kernel = (fw - 1) * D + 1 with D the product of the
// earlier widths. Shapes alone cannot always tell them apart (dilated 3,7 = dense 3,3), and every
// kernel can be read as a dilated width; hence: dilated unless the user says dense.
void add_block_widths(core::ModelConfig& config, const std::vector<int>& kernels, const std::string& what) {
  int dilation = config.filter_widths[0];
  for (std::size_t b = 0; b < kernels.size(); ++b) {
    int width = kernels[b];
    if (config.dense) {
      if ((kernels[b] - 1) % dilation != 0)
        throw ModelError(what + ": block " + std::to_string(b + 1) + " kernel " + std::to_string(kernels[b]) +
                         " does not fit a dense model (expected (width - 1) * " + std::to_string(dilation) + " + 1)");
      width = (kernels[b] - 1) / dilation + 1;
    }
    if (width % 2 == 0 || width < 1)
      throw ModelError(what + ": tensor '" + conv_name(2 * static_cast<int>(b)) + "' has an even kernel " +
                       std::to_string(kernels[b]));
    config.filter_widths.push_back(width);
    dilation *= width;
  }
}

void check_hints(const core::ModelConfig& config, const ArchitectureHints& hints, const std::string& what) {
  if (hints.filter_widths && *hints.filter_widths != config.filter_widths)
    throw ModelError(what + ": holds architecture " + config.architecture_string() + (config.dense ? " (dense)" : "") +
                     ", not the requested " + join(*hints.filter_widths, ","));
  if (hints.channels && *hints.channels != config.channels)
    throw ModelError(what + ": holds " + std::to_string(config.channels) + " channels, not the requested " +
                     std::to_string(*hints.channels));
}

// Every tensor the reference's TemporalModel of `config` has, with its exact shape.
std::map<std::string, std::vector<std::int64_t>> expected_shapes(const core::ModelConfig& config) {
  const std::int64_t c = config.channels;
  std::map<std::string, std::vector<std::int64_t>> expected;
  auto add_bn = [&](const std::string& prefix) {
    for (const char* field : {"weight", "bias", "running_mean", "running_var"}) expected[prefix + "." + field] = {c};
  };
  expected["expand_conv.weight"] = {c, config.input_channels, config.filter_widths[0]};
  add_bn("expand_bn");
  for (int b = 0; b < config.blocks(); ++b) {
    expected[conv_name(2 * b)] = {c, c, config.block_kernel(b)};
    expected[conv_name(2 * b + 1)] = {c, c, 1};
    add_bn("layers_bn." + std::to_string(2 * b));
    add_bn("layers_bn." + std::to_string(2 * b + 1));
  }
  expected["shrink.weight"] = {3LL * config.joints_out, c, 1};
  expected["shrink.bias"] = {3LL * config.joints_out};
  return expected;
}

bool is_float(io::DType dtype) {
  return dtype == io::DType::Float32 || dtype == io::DType::Float64 || dtype == io::DType::Float16 ||
         dtype == io::DType::BFloat16;
}

// BatchNorm's step counter, which evaluation does not use.
bool is_bn_counter(const std::string& name, const std::map<std::string, std::vector<std::int64_t>>& expected) {
  const std::string suffix = ".num_batches_tracked";
  return name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0 &&
         expected.count(name.substr(0, name.size() - suffix.size()) + ".weight");
}

// Every expected tensor present with its exact shape and a float dtype; nothing else.
void check_every_tensor(const io::StateDict& state, const ShapeTable& tensors, const core::ModelConfig& config) {
  const std::string& what = tensors.what();
  const auto expected = expected_shapes(config);
  for (const auto& [name, shape] : expected) {
    const io::Array& tensor = tensors.require(name);
    if (tensor.shape != shape)
      throw ModelError(what + ": tensor '" + name + "' has shape " + io::shape_string(tensor.shape) + ", expected " +
                       io::shape_string(shape) + " for architecture " + config.architecture_string());
    if (!is_float(tensor.dtype))
      throw ModelError(what + ": tensor '" + name + "' has dtype " + io::dtype_name(tensor.dtype) + ", expected a float type");
  }
  for (const auto& named : state)
    if (!expected.count(named.name) && !is_bn_counter(named.name, expected))
      throw ModelError(what + ": unexpected tensor '" + named.name + "' for architecture " + config.architecture_string() +
                       " (is this a VideoPose3D TemporalModel?)");
}

}  // namespace

core::ModelConfig infer_architecture(const io::StateDict& state, const ArchitectureHints& hints, const std::string& what) {
  const ShapeTable tensors(state, what);
  core::ModelConfig config = outer_layers(tensors);
  config.causal = hints.causal;
  config.dense = hints.dense.value_or(false);
  add_block_widths(config, block_kernels(tensors), what);
  check_hints(config, hints, what);
  check_every_tensor(state, tensors, config);
  return config;
}

core::ModelWeights model_weights_from_state_dict(io::StateDict&& state, const core::ModelConfig& config) {
  TensorValues values(state);
  return take_weights(values, config);
}

core::ModelWeights model_weights_from_checkpoint(const io::TorchCheckpoint& checkpoint, io::StateDict& state,
                                                 const core::ModelConfig& config) {
  TensorValues values(state, &checkpoint);
  return take_weights(values, config);
}

}  // namespace lift3d::pipeline
