#include "lift3d/core/model_config.hpp"

#include <map>
#include <sstream>

#include "lift3d/error.hpp"

namespace lift3d::core {
namespace {

std::string join(const std::vector<int>& values) {
  std::string text;
  for (int v : values) text += (text.empty() ? "" : ",") + std::to_string(v);
  return text;
}

std::string shape_text(const std::vector<std::int64_t>& shape) { return io::shape_string(shape); }

}  // namespace

int ModelConfig::receptive_field() const {
  int field = 1;
  for (int width : filter_widths) field *= width;
  return field;
}

int ModelConfig::block_dilation(int b) const {
  if (dense) return 1;
  int dilation = 1;
  for (int i = 0; i <= b; ++i) dilation *= filter_widths[i];
  return dilation;
}

int ModelConfig::block_pad(int b) const {
  int dilation = 1;
  for (int i = 0; i <= b; ++i) dilation *= filter_widths[i];
  return (filter_widths[b + 1] - 1) * dilation / 2;
}

int ModelConfig::block_kernel(int b) const { return dense ? 2 * block_pad(b) + 1 : filter_widths[b + 1]; }

long long ModelConfig::parameter_count() const {
  const long long c = channels;
  long long count = c * input_channels * filter_widths[0] + 2 * c;  // expand conv + expand bn
  for (int b = 0; b < blocks(); ++b) count += c * c * block_kernel(b) + c * c + 4 * c;
  count += 3LL * joints_out * c + 3LL * joints_out;  // shrink
  return count;
}

std::string ModelConfig::architecture_string() const { return join(filter_widths); }

std::vector<int> parse_filter_widths(const std::string& text) {
  std::vector<int> widths;
  if (!text.empty() && text.back() == ',')
    throw UsageError("architecture '" + text + "': filter widths must be odd positive integers like 3,3,3,3,3");
  std::stringstream stream(text);
  std::string item;
  while (std::getline(stream, item, ',')) {
    std::size_t used = 0;
    int width = 0;
    try {
      width = std::stoi(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != item.size() || width < 1 || width % 2 == 0 || width > 1001)
      throw UsageError("architecture '" + text + "': filter widths must be odd positive integers like 3,3,3,3,3");
    widths.push_back(width);
  }
  if (widths.empty() || widths.size() > 16)
    throw UsageError("architecture '" + text + "': expected 1 to 16 comma-separated filter widths");
  return widths;
}

ModelConfig infer_architecture(const io::StateDict& state, const ArchitectureHints& hints, const std::string& what) {
  std::map<std::string, const io::Array*> tensors;
  for (const auto& named : state) tensors[named.name] = &named.array;

  auto require = [&](const std::string& name) -> const io::Array& {
    auto found = tensors.find(name);
    if (found == tensors.end()) throw ModelError(what + ": missing tensor '" + name + "'");
    return *found->second;
  };

  const io::Array& expand = require("expand_conv.weight");
  if (expand.shape.size() != 3 || expand.shape[0] < 1 || expand.shape[1] < 1 || expand.shape[2] < 1)
    throw ModelError(what + ": tensor 'expand_conv.weight' has shape " + shape_text(expand.shape) +
                     ", expected [channels, joints_in * features, filter_width]");
  const io::Array& shrink = require("shrink.weight");
  if (shrink.shape.size() != 3 || shrink.shape[0] % 3 != 0 || shrink.shape[0] == 0 || shrink.shape[2] != 1)
    throw ModelError(what + ": tensor 'shrink.weight' has shape " + shape_text(shrink.shape) +
                     ", expected [3 * joints_out, channels, 1]");

  ModelConfig config;
  config.channels = static_cast<int>(expand.shape[0]);
  config.input_channels = static_cast<int>(expand.shape[1]);
  config.joints_out = static_cast<int>(shrink.shape[0] / 3);
  config.causal = hints.causal;
  config.filter_widths.push_back(static_cast<int>(expand.shape[2]));
  if (config.filter_widths[0] % 2 == 0)
    throw ModelError(what + ": 'expand_conv.weight' has an even filter width " + std::to_string(config.filter_widths[0]));

  int blocks = 0;
  while (tensors.count("layers_conv." + std::to_string(2 * blocks) + ".weight")) ++blocks;
  std::vector<int> kernels;
  for (int b = 0; b < blocks; ++b) {
    const io::Array& conv = require("layers_conv." + std::to_string(2 * b) + ".weight");
    if (conv.shape.size() != 3) throw ModelError(what + ": tensor 'layers_conv." + std::to_string(2 * b) + ".weight' is not 3-d");
    kernels.push_back(static_cast<int>(conv.shape[2]));
  }

  // Dilated: block kernel = filter width. Dense: kernel = (fw - 1) * D + 1 with D the product of
  // the earlier widths. Shapes alone cannot always tell them apart (dilated 3,7 = dense 3,3), so
  // a dense reading is used only when the user says so or when the kernels cannot be dilated
  // filter widths... which they always can; hence: dilated unless --dense.
  config.dense = hints.dense.value_or(false);
  int dilation = config.filter_widths[0];
  for (int b = 0; b < blocks; ++b) {
    int width = kernels[b];
    if (config.dense) {
      if ((kernels[b] - 1) % dilation != 0)
        throw ModelError(what + ": block " + std::to_string(b + 1) + " kernel " + std::to_string(kernels[b]) +
                         " does not fit a dense model (expected (width - 1) * " + std::to_string(dilation) + " + 1)");
      width = (kernels[b] - 1) / dilation + 1;
    }
    if (width % 2 == 0 || width < 1)
      throw ModelError(what + ": tensor 'layers_conv." + std::to_string(2 * b) + ".weight' has an even kernel " +
                       std::to_string(kernels[b]));
    config.filter_widths.push_back(width);
    dilation *= width;
  }

  if (hints.filter_widths && *hints.filter_widths != config.filter_widths)
    throw ModelError(what + ": holds architecture " + config.architecture_string() + (config.dense ? " (dense)" : "") +
                     ", not the requested " + join(*hints.filter_widths));
  if (hints.channels && *hints.channels != config.channels)
    throw ModelError(what + ": holds " + std::to_string(config.channels) + " channels, not the requested " +
                     std::to_string(*hints.channels));

  // Every expected tensor with its exact shape; nothing else.
  const std::int64_t c = config.channels;
  std::map<std::string, std::vector<std::int64_t>> expected;
  auto add_bn = [&](const std::string& prefix) {
    for (const char* field : {"weight", "bias", "running_mean", "running_var"}) expected[prefix + "." + field] = {c};
  };
  expected["expand_conv.weight"] = {c, config.input_channels, config.filter_widths[0]};
  add_bn("expand_bn");
  for (int b = 0; b < blocks; ++b) {
    expected["layers_conv." + std::to_string(2 * b) + ".weight"] = {c, c, config.block_kernel(b)};
    expected["layers_conv." + std::to_string(2 * b + 1) + ".weight"] = {c, c, 1};
    add_bn("layers_bn." + std::to_string(2 * b));
    add_bn("layers_bn." + std::to_string(2 * b + 1));
  }
  expected["shrink.weight"] = {3LL * config.joints_out, c, 1};
  expected["shrink.bias"] = {3LL * config.joints_out};

  for (const auto& [name, shape] : expected) {
    const io::Array& tensor = require(name);
    if (tensor.shape != shape)
      throw ModelError(what + ": tensor '" + name + "' has shape " + shape_text(tensor.shape) + ", expected " +
                       shape_text(shape) + " for architecture " + config.architecture_string());
    if (tensor.dtype != io::DType::Float32 && tensor.dtype != io::DType::Float64 && tensor.dtype != io::DType::Float16 &&
        tensor.dtype != io::DType::BFloat16)
      throw ModelError(what + ": tensor '" + name + "' has dtype " + io::dtype_name(tensor.dtype) + ", expected a float type");
  }
  for (const auto& named : state) {
    if (expected.count(named.name)) continue;
    const std::string suffix = ".num_batches_tracked";
    const bool is_bn_counter = named.name.size() > suffix.size() &&
                               named.name.compare(named.name.size() - suffix.size(), suffix.size(), suffix) == 0 &&
                               expected.count(named.name.substr(0, named.name.size() - suffix.size()) + ".weight");
    if (!is_bn_counter)
      throw ModelError(what + ": unexpected tensor '" + named.name + "' for architecture " + config.architecture_string() +
                       " (is this a VideoPose3D TemporalModel?)");
  }
  return config;
}

}  // namespace lift3d::core
