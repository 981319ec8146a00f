// Matrix products with one or two columns, for a stream that advances one frame at a time: each
// layer then multiplies its weights by a single new column (two under flip test-time augmentation:
// the frame and its mirrored copy). Such a product is bound by reading the weights from memory, so
// the weights are packed once into the order the kernel reads them (one contiguous stream), and the
// two columns are computed in the same pass, so that each weight is read once per frame.
//
// A convolution of kernel K over `in` channels is one matrix of out x (K * in): column k * in + i
// holds tap k's input channel i, so its input is the K tap columns stacked into one vector.
#pragma once

#include <Eigen/Core>
#include <vector>

#include "core/conv_taps.hpp"

namespace lift3d::core {

struct PackedWeights {
  Eigen::Index rows = 0;  // output channels
  Eigen::Index cols = 0;  // kernel * input channels
  // Panels of a few output rows (frame_kernel.cpp), each panel's input columns one after another,
  // the last panel zero-padded.
  std::vector<float> panels;
  bool empty() const { return rows == 0; }
};

// Packs the taps of a convolution (taps[k](o, i) is W[o][i][k]).
PackedWeights pack_taps(const ConvTaps& taps);

// y.col(s) = W * x.col(s) for s < columns, x being w.cols x columns and y w.rows x columns (both
// column-major, contiguous). Columns go through in pairs: each pair reads the weights once.
void multiply_packed(const PackedWeights& w, const float* x, Eigen::Index columns, float* y);

// The instruction set multiply_packed runs with on this CPU ("avx2+fma" or "portable").
const char* frame_kernel_isa();

}  // namespace lift3d::core
