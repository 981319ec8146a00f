// Inference for VideoPose3D's TemporalModel (the reference's common/model.py) in Eigen, float32.
//
// Activations are channels x frames matrices (column-major, one frame's channels contiguous), so
// a dilated convolution is a sum of `kernel` matrix products over shifted column blocks:
//   out.noalias() += taps[k] * in.middleCols(k * dilation, frames_out),   taps[k](o, i) == torch W[o][i][k].
// BatchNorm (eps 1e-5) is folded into the preceding bias-free convolution at load time.
//
// The model runs as a stream: each layer keeps the last `span` columns of its input between calls,
// so a sequence of any length is processed in chunks with memory bounded by the chunk size and
// with exactly the arithmetic of a single pass. Several streams that advance in lockstep (a
// sequence and its mirrored copy for flip test-time augmentation) share every matrix product.
#pragma once

#include <Eigen/Core>
#include <vector>

#include "core/frame_kernel.hpp"
#include "core/model_config.hpp"
#include "core/model_weights.hpp"
#include "core/winograd.hpp"

namespace lift3d::core {

using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic>;
using Vector = Eigen::Matrix<float, Eigen::Dynamic, 1>;

// One convolution with its BatchNorm folded in: out = sum_k W_k * in[:, t + k*dilation] + bias.
// Kernel-3 convolutions of the residual blocks run as Winograd tiles (see winograd.hpp): a tile of
// `tile_outputs` outputs d frames apart costs tile_outputs + 2 matrix products instead of
// 3 * tile_outputs; the transformed weights are formed from the taps as the products need them.
struct FoldedConv {
  ConvTaps taps;  // W_k, out_channels x in_channels each
  Vector bias;
  int kernel = 1;
  int dilation = 1;
  int tile_outputs = 1;  // 1: direct; 2: F(2,3); 4: F(4,3)
  // The taps again, packed for one-column-per-stream products (TemporalModel::pack_for_frames);
  // empty unless packed.
  PackedWeights packed;
  bool winograd() const { return tile_outputs > 1; }
  int span() const { return (kernel - 1) * dilation; }  // frames consumed
};

class TemporalModel {
 public:
  // Folds BatchNorm into the convolutions. Throws ModelError when the weights do not fit `config`.
  TemporalModel(const ModelConfig& config, const ModelWeights& weights);
  // Same, consuming `weights`: each convolution is freed as soon as it is folded, so loading a
  // large checkpoint never holds its weights twice.
  TemporalModel(const ModelConfig& config, ModelWeights&& weights);

  const ModelConfig& config() const { return config_; }

  // Packs every convolution's weights for a Stream fed one frame at a time: a push that computes
  // one new column per stream in a layer then reads that layer's weights once, in one contiguous
  // pass, for every stream together (frame_kernel.hpp), instead of going through a matrix product
  // or Winograd tiles. Holds the weights twice (the taps stay for forward() and longer pushes).
  void pack_for_frames();
  bool packed_for_frames() const { return !expand_.packed.empty(); }

  // Whole-input evaluation: input is input_channels x frames (frames >= receptive field), the
  // result is 3*joints_out x (frames - receptive_field + 1). Output column t sees input columns
  // [t, t + receptive_field).
  Matrix forward(const Matrix& input) const;

  // Per-layer activations of forward(): after the expand block, then after each residual block.
  std::vector<Matrix> forward_layers(const Matrix& input) const;

  // A set of `streams` sequences fed in lockstep. Each push() takes the next `n` input frames of
  // every stream (columns [s*n, (s+1)*n) belong to stream s) and returns the newly emitted
  // outputs of every stream (same layout, m columns per stream; a few outputs may be held back
  // until a later push). Over a whole sequence the outputs equal forward() of the concatenated
  // inputs, whatever the chunk sizes.
  class Stream {
   public:
    // `first_output`: the position in the whole sequence of the first output (non-zero when a
    // sequence is split into segments), so that every output is computed the same way.
    Stream(const TemporalModel& model, int streams, long long first_output = 0);
    // `last`: no more input follows, so every output still held back is emitted.
    Matrix push(const Matrix& input, bool last);
    int streams() const { return streams_; }

   private:
    struct LayerHistory {
      std::vector<float> columns;  // in_channels x (streams * kept), column-major
      int kept = 0;                // columns kept per stream (< span until the stream has warmed up)
      long long produced = 0;      // outputs per stream so far
    };
    // A layer's input or output within one push: `per_stream` columns of every stream side by
    // side (stream s at columns [s * per_stream, (s + 1) * per_stream)), `rows` channels,
    // column-major. per_stream == 0: the layer emitted nothing, so the push stops there.
    struct Columns {
      const float* data = nullptr;
      Eigen::Index rows = 0;
      Eigen::Index per_stream = 0;
    };
    // One layer's share of a push, settled before any arithmetic (see begin_layer).
    struct LayerStep {
      Eigen::Index rows = 0;        // input channels
      Eigen::Index width = 0;       // gathered input columns per stream: the kept history, then the new ones
      Eigen::Index emitted = 0;     // outputs per stream emitted by this push
      Eigen::Index lo = 0, hi = 0;  // the emitted outputs computed; the others are copies of lo or hi - 1
      long long position = 0;       // position in the whole sequence of this push's first output
      Eigen::Index computed() const { return hi - lo; }
    };

    // The steps of push(), in order; each is documented in the .cpp.
    Columns expand(const Columns& in, bool last);
    Columns residual_block(std::size_t b, const Columns& in, bool last);
    Matrix shrink(const Columns& in) const;
    // Common to the expand convolution and every block.
    LayerStep begin_layer(const FoldedConv& conv, LayerHistory& history, const Columns& in, bool last);
    Eigen::Index gather(const LayerHistory& history, const Columns& in);
    void keep_history(LayerHistory& history, Eigen::Index rows, Eigen::Index width, Eigen::Index emitted) const;
    void convolve_streams(const FoldedConv& conv, const LayerStep& step, Eigen::Map<Matrix>& product);
    Eigen::Map<const Matrix> tap_input(const LayerStep& step, Eigen::Index shift);
    // The frame kernel's path, for a layer that computes one output per stream (see pack_for_frames).
    bool one_frame(const FoldedConv& conv, const LayerStep& step) const;
    void convolve_frame(const FoldedConv& conv, const LayerStep& step, Eigen::Map<Matrix>& product);
    // A residual block's two convolutions.
    Eigen::Map<Matrix> dilated_conv(const FoldedConv& conv, const LayerStep& step);
    Columns pointwise_with_residual(std::size_t b, const LayerStep& step, const Eigen::Map<Matrix>& mid);

    const TemporalModel& model_;
    int streams_;
    long long first_output_;
    std::vector<LayerHistory> history_;  // expand conv, then one per residual block
    // Scratch reused across layers and calls (grown, never shrunk): a layer's input with history,
    // one tap's columns of every stream packed together, the dilated convolution's output and the
    // pointwise one (both compact: only the columns that need computing), and the layer output.
    std::vector<float> gathered_, packed_, middle_, product_, output_;
    TilePlan tiles_;  // which outputs share Winograd products in the current block
  };

 private:
  struct Block {
    FoldedConv dilated;  // kernel fw (or dense kernel), BN folded
    FoldedConv pointwise;  // 1x1, BN folded
    int pad = 0;
    int causal_shift = 0;
  };

  ModelConfig config_;
  FoldedConv expand_;
  std::vector<Block> blocks_;
  FoldedConv shrink_;  // 1x1 with its own bias, no BatchNorm, no activation
};

}  // namespace lift3d::core
