// The hyper-parameters of a VideoPose3D TemporalModel and the quantities derived from them
// (the reference's common/model.py).
#pragma once

#include <string>
#include <vector>

namespace lift3d::core {

struct ModelConfig {
  std::vector<int> filter_widths;  // -arc, e.g. {3, 3, 3, 3, 3}
  int channels = 1024;             // -ch
  int input_channels = 34;         // joints_in * features, flattened joint-major
  int joints_out = 17;             // 1 for a trajectory model
  bool dense = false;
  bool causal = false;

  int blocks() const { return static_cast<int>(filter_widths.size()) - 1; }
  int receptive_field() const;  // product of the filter widths
  int pad() const { return (receptive_field() - 1) / 2; }
  // Frames of edge padding before / after a sequence so that output frame t is input frame t.
  int pad_left() const { return causal ? 2 * pad() : pad(); }
  int pad_right() const { return causal ? 0 : pad(); }
  // Per residual block b = 0..blocks()-1 (block i = b + 1 in the reference's numbering).
  int block_dilation(int b) const;  // 1 for dense models
  int block_kernel(int b) const;    // filter width, or 2 * block_pad + 1 for dense models
  int block_pad(int b) const;       // (fw - 1) * D / 2
  int block_causal_shift(int b) const { return causal ? block_pad(b) : 0; }
  long long parameter_count() const;  // trainable parameters, as run.py prints them
  std::string architecture_string() const;  // "3,3,3,3,3"
};

// Parses "3,3,3,3,3"; throws UsageError for anything else (even widths, empty, non-numbers).
std::vector<int> parse_filter_widths(const std::string& text);

}  // namespace lift3d::core
