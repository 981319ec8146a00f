#include "core/model_config.hpp"

#include <sstream>

#include "base/text.hpp"
#include "lift3d/error.hpp"

namespace lift3d::core {

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

std::string ModelConfig::architecture_string() const { return join(filter_widths, ","); }

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

}  // namespace lift3d::core
