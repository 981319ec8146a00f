// The weights of one convolution as the matrix products use them: tap k is W_k (out x in), the
// weights applied to the input k * dilation frames after the window's start, so that a
// convolution is sum_k W_k * X_k. Each tap is stored row-major, W_k(o, i) at o * in + i: that is
// PyTorch's own layout of a 1x1 convolution ([out][in][1]), so a checkpoint's pointwise weights
// are used in the buffer they were read into; a wider kernel needs one pass that separates the
// taps, which torch keeps side by side ([out][in][kernel]).
#pragma once

#include <Eigen/Core>
#include <utility>
#include <vector>

namespace lift3d::core {

using RowMajorMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

class ConvTaps {
 public:
  ConvTaps() = default;
  // Takes each tap's out * in values, row-major.
  ConvTaps(Eigen::Index out, Eigen::Index in, std::vector<std::vector<float>> taps)
      : rows_(out), cols_(in), taps_(std::move(taps)) {}

  std::size_t size() const { return taps_.size(); }
  bool empty() const { return taps_.empty(); }
  Eigen::Index rows() const { return rows_; }  // output channels
  Eigen::Index cols() const { return cols_; }  // input channels
  Eigen::Map<const RowMajorMatrix> operator[](std::size_t k) const { return {taps_[k].data(), rows_, cols_}; }

 private:
  Eigen::Index rows_ = 0, cols_ = 0;
  std::vector<std::vector<float>> taps_;
};

// Taps copied from matrices of any storage order (tests and benchmarks build them this way).
template <typename Matrix>
ConvTaps conv_taps_from(const std::vector<Matrix>& matrices) {
  std::vector<std::vector<float>> taps;
  for (const Matrix& m : matrices) {
    std::vector<float>& tap = taps.emplace_back(static_cast<std::size_t>(m.size()));
    Eigen::Map<RowMajorMatrix>(tap.data(), m.rows(), m.cols()) = m;
  }
  return {matrices.empty() ? 0 : matrices[0].rows(), matrices.empty() ? 0 : matrices[0].cols(), std::move(taps)};
}

}  // namespace lift3d::core
