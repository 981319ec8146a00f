// Winograd's minimal filtering for the dilated kernel-3 convolutions: a tile of m outputs
// y_t, y_{t+d}, ..., y_{t+(m-1)d} (d the dilation) is computed from the m + 2 inputs
// x_t, x_{t+d}, ..., x_{t+(m+1)d} with m + 2 matrix products instead of 3m:
//   V_i = sum_k B[i][k] x_{t+kd}      (input transform, per tile)
//   M_i = T_i V_i,  T_i = sum_k G[i][k] W_k   (one matrix product per i over all tiles)
//   y_{t+jd} = sum_i A[j][i] M_i      (output transform)
// F(2,3) (4 products per 2 outputs) and F(4,3) (6 per 4, with the interpolation points 0, +-1,
// +-1/2 and infinity, whose transforms stay small in float32) are provided.
#pragma once

#include <Eigen/Core>
#include <vector>

#include "core/conv_taps.hpp"

namespace lift3d::core {

struct WinogradTransform {
  int outputs = 0;              // m: outputs per tile
  int products = 0;             // m + 2: transformed weights and matrix products per tile
  std::vector<float> input;     // B, products x products, row-major
  std::vector<double> weight;   // G, products x 3, row-major
  std::vector<float> output;    // A, outputs x products, row-major
};

// The transform for tiles of `outputs` (2 or 4) outputs.
const WinogradTransform& winograd_transform(int outputs);

// Which outputs share a tile: output t belongs to the tile of t - (r / d) * d, where r is its
// absolute position modulo m*d (counted from the start of the sequence; `origin` is the absolute
// position of output 0). Every output is then computed by the same arithmetic however the
// sequence is chunked or split across threads, as long as its tile is whole in the range; a tile
// cut by the range's ends is still computed whole, its missing inputs read as zero (the outputs
// in range do not depend on them).
struct TilePlan {
  Eigen::Index tiles = 0;
  Eigen::Index width = 0;                  // input columns per stream
  std::vector<Eigen::Index> starts;        // input column of each tile's x_t (may lie outside its stream)
  std::vector<Eigen::Index> stream;        // each tile's stream
  std::vector<Eigen::Index> tile_of;       // output s*c + t: its tile
  std::vector<int> slot_of;                // output s*c + t: its place j in the tile
};

// Plans the outputs [0, c) of each of `streams` inputs (side by side, `width` columns each) of a
// kernel-3 convolution of dilation `d`: stream s's output t reads input columns s*width + lo + t + k*d.
void plan_tiles(Eigen::Index streams, Eigen::Index width, Eigen::Index lo, Eigen::Index c, Eigen::Index d,
                int tile_outputs, long long origin, TilePlan& plan);

// out (out_rows x streams*c, stream after stream) = the planned outputs of the convolution whose
// weights are `weights` (W_0, W_1, W_2: the T_i are formed a panel of rows at a time, never stored),
// bias not added. `in` is column-major with `rows` rows; `transformed` and `products` are scratch,
// grown as needed.
void winograd_convolve(const ConvTaps& weights,
                       const WinogradTransform& transform, Eigen::Index d, const float* in, Eigen::Index rows,
                       const TilePlan& plan, std::vector<float>& transformed, std::vector<float>& products,
                       Eigen::Ref<Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic>> out);

}  // namespace lift3d::core
