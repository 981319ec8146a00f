#include "core/temporal_model.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <tuple>
#include <utility>

#include "base/memory_pages.hpp"
#include "lift3d/error.hpp"

namespace lift3d::core {
namespace {

constexpr double kBatchNormEps = 1e-5;  // PyTorch's BatchNorm1d default, used by the reference

// Winograd tiles of m outputs span (m + 2) d frames, and a stream holds back up to m d - 1 frames per
// layer so that no tile is cut between chunks. The tiles cut at a segment's ends are computed
// whole, up to 3 d outputs' worth of products wasted at either end of every segment. The 243-frame
// model's last block (d = 81) would still be cheaper in Winograd form (measured: CPU time 4-10%
// lower from 300 to 100,000 frames), but its held-back frames widen every buffer of the stream:
// at T = 100,000 with two threads the peak memory rose from 135 to 161 MiB, above the 150 MiB the
// long-sequence budget allows. So blocks beyond d = 27 stay direct.
constexpr int kMaxWinogradDilation = 27;
// Outputs per Winograd tile: F(4,3), six products for four outputs (three products per output direct).
constexpr int kWinogradTileOutputs = 4;

// Folds eval-mode BatchNorm into a Conv1d's weights w [out][in][kernel] and separates the taps:
// taps[k](o, i) = w[o][i][k] * scale[o] (no scale: the weights as they are). Each product is
// computed in double and rounded once, which keeps the result within float32 round-off of the
// reference's two-step evaluation. `w` is consumed and becomes tap 0: row o of tap 0 is written
// over w's own storage once w's row o has been copied aside, and it ends before w's row o + 1
// begins, so no weight is overwritten unread; the pages w no longer needs are returned. Loading thus
// never holds a model's weights twice, and a 1x1 convolution's are folded where they were read.
ConvTaps fold_into_taps(std::vector<float>&& w, int out, int in, int kernel, const std::vector<double>& scale) {
  const std::size_t tap_size = static_cast<std::size_t>(out) * in, row_length = static_cast<std::size_t>(in) * kernel;
  std::vector<std::vector<float>> taps(static_cast<std::size_t>(kernel));
  for (int k = 1; k < kernel; ++k) resize_on_huge_pages(taps[k], tap_size);
  std::vector<float> row(kernel > 1 ? row_length : 0);
  for (int o = 0; o < out; ++o) {
    const double s = scale.empty() ? 1.0 : scale[o];
    float* w_row = w.data() + o * row_length;
    if (kernel == 1) {  // already the tap's row: scaled in place, one vectorised pass
      for (std::size_t i = 0; i < row_length; ++i) w_row[i] = static_cast<float>(static_cast<double>(w_row[i]) * s);
      continue;
    }
    std::copy_n(w_row, row_length, row.data());
    for (int k = 0; k < kernel; ++k) {
      float* tap_row = (k == 0 ? w.data() : taps[k].data()) + static_cast<std::size_t>(o) * in;
      for (int i = 0; i < in; ++i) tap_row[i] = static_cast<float>(static_cast<double>(row[i * kernel + k]) * s);
    }
  }
  w.resize(tap_size);
  return_unused_capacity(w);
  taps[0] = std::move(w);
  return ConvTaps(out, in, std::move(taps));
}

// Conv1d weight [out, in, kernel] followed by eval-mode BatchNorm, folded into one affine conv:
// BN(W*x) = scale * (W*x) + (bias - mean * scale), scale = gamma / sqrt(var + eps).
FoldedConv fold_conv_bn(ConvWeights&& conv, const BatchNormWeights& bn, int dilation, int tile_outputs = 1) {
  const int out = conv.out_channels;
  FoldedConv folded;
  folded.kernel = conv.kernel;
  folded.dilation = dilation;
  folded.tile_outputs = conv.kernel == 3 ? tile_outputs : 1;
  folded.bias.resize(out);
  std::vector<double> scale(static_cast<std::size_t>(out));
  for (int o = 0; o < out; ++o) {
    scale[o] = bn.weight[o] / std::sqrt(bn.running_var[o] + kBatchNormEps);
    folded.bias[o] = static_cast<float>(bn.bias[o] - bn.running_mean[o] * scale[o]);
  }
  folded.taps = fold_into_taps(std::move(conv.weight), out, conv.in_channels, conv.kernel, scale);
  return folded;
}

FoldedConv plain_conv(ConvWeights&& conv) {
  FoldedConv result;
  result.kernel = conv.kernel;
  result.bias = Eigen::Map<const Vector>(conv.bias.data(), conv.out_channels);
  result.taps = fold_into_taps(std::move(conv.weight), conv.out_channels, conv.in_channels, conv.kernel, {});
  return result;
}

// A rows x cols view of `storage`, which only ever grows: buffers are reused across layers and
// chunks instead of being reallocated. Contents are not preserved when it grows; growth is exact
// (vector::resize would double the capacity, and these buffers are megabytes).
Eigen::Map<Matrix> view(std::vector<float>& storage, Eigen::Index rows, Eigen::Index cols) {
  const auto needed = static_cast<std::size_t>(rows * cols);
  if (storage.size() < needed) std::vector<float>(needed).swap(storage);
  return Eigen::Map<Matrix>(storage.data(), rows, cols);
}

// out = sum_k taps[k] * in[:, k*d : k*d + m] for the m = in.cols() - span output columns (`out`
// must already have m columns). The bias is left to the epilogue so that it is fused with the
// activation in one pass over the output.
void convolve(const FoldedConv& conv, const Eigen::Ref<const Matrix>& in, Eigen::Ref<Matrix> out) {
  const Eigen::Index m = in.cols() - conv.span();
  if (out.cols() != m || out.rows() != conv.taps[0].rows()) throw InternalError("convolution output has the wrong size");
  if (conv.winograd()) {
    TilePlan plan;
    plan_tiles(1, in.cols(), 0, m, conv.dilation, conv.tile_outputs, 0, plan);
    const Matrix contiguous = in;
    std::vector<float> transformed, products;
    winograd_convolve(conv.taps, winograd_transform(conv.tile_outputs), conv.dilation, contiguous.data(), in.rows(),
                      plan, transformed, products, out);
    return;
  }
  out.noalias() = conv.taps[0] * in.leftCols(m);
  for (std::size_t k = 1; k < conv.taps.size(); ++k)
    out.noalias() += conv.taps[k] * in.middleCols(static_cast<Eigen::Index>(k) * conv.dilation, m);
}

void bias_relu(Eigen::Ref<Matrix> out, const Vector& bias) {
  for (Eigen::Index j = 0; j < out.cols(); ++j) out.col(j) = (out.col(j) + bias).cwiseMax(0.0f);
}

void bias_relu_add(Eigen::Ref<Matrix> out, const Vector& bias, const Eigen::Ref<const Matrix>& residual) {
  for (Eigen::Index j = 0; j < out.cols(); ++j)
    out.col(j) = (out.col(j) + bias).cwiseMax(0.0f) + residual.col(j);
}

// How many of the `computable` outputs of a layer (those whose whole window is in) a push emits,
// `position` being the absolute position of the first. All of them, except that a Winograd layer
// stops at the last boundary of its tile blocks (m * d outputs) until the final push, so that no
// tile is cut between two pushes. This is for speed only: a cut tile is computed whole, so it
// costs as many products as a whole one for fewer outputs.
Eigen::Index outputs_to_emit(const FoldedConv& conv, Eigen::Index computable, long long position, bool last) {
  if (computable <= 0) return 0;
  if (last || !conv.winograd()) return computable;
  const long long block = static_cast<long long>(conv.tile_outputs) * conv.dilation;
  return static_cast<Eigen::Index>(std::max<long long>(0, (position + computable) / block * block - position));
}

bool same_columns(const float* data, Eigen::Index rows, Eigen::Index a, Eigen::Index b) {
  return std::memcmp(data + a * rows, data + b * rows, rows * sizeof(float)) == 0;
}

// The runs of identical columns at either end of columns [first, first + width) of `data`
// (rows x ..., column-major). Both are at least 1; leading == width when every column is the same
// (trailing is then left at 1).
struct EdgeRuns {
  Eigen::Index leading = 1, trailing = 1;
};

EdgeRuns edge_runs(const float* data, Eigen::Index rows, Eigen::Index first, Eigen::Index width) {
  EdgeRuns runs;
  while (runs.leading < width && same_columns(data, rows, first + runs.leading, first)) ++runs.leading;
  if (runs.leading == width) return runs;
  // Stops before reaching `first`: some column differs from the last one.
  const Eigen::Index last = first + width - 1;
  while (same_columns(data, rows, last - runs.trailing, last)) ++runs.trailing;
  return runs;
}

// Which of the `emitted` (>= 1) outputs of a convolution of `span` over `gathered` (rows x
// streams * width: each stream's window side by side) must be computed: [lo, hi), the same range
// in every stream so that one product per tap serves them all. The outputs before lo equal output
// lo and those from hi on equal output hi - 1, in every stream, because their whole windows lie in
// a run of identical columns (edge padding). The runs are found in the data itself, so the result
// is exactly the full computation's however the sequence is chunked.
std::pair<Eigen::Index, Eigen::Index> outputs_to_compute(const float* gathered, Eigen::Index rows, int streams,
                                                         Eigen::Index width, Eigen::Index span, Eigen::Index emitted) {
  const Eigen::Index computable = width - span;
  Eigen::Index lo = emitted, hi = 0;
  for (int s = 0; s < streams; ++s) {
    const EdgeRuns runs = edge_runs(gathered, rows, s * width, width);
    if (runs.leading == width) {  // the whole window is one column repeated: so is the output
      lo = std::min<Eigen::Index>(lo, 0);
      hi = std::max<Eigen::Index>(hi, 1);
      continue;
    }
    // Outputs j with j + span < leading all see the same columns; likewise j >= width - trailing.
    lo = std::min(lo, std::clamp<Eigen::Index>(runs.leading - span - 1, 0, emitted - 1));
    hi = std::max(hi, std::clamp<Eigen::Index>(computable - std::max<Eigen::Index>(0, runs.trailing - span - 1), 1,
                                               emitted));
  }
  // lo >= hi: in every stream, the two equal runs cover all emitted outputs, which are all equal.
  if (lo >= hi) return {0, 1};
  return {lo, hi};
}

// `out` holds `emitted` columns per stream of which [lo, hi) are computed: fills the others with
// the nearest computed one, which they equal (see outputs_to_compute).
void copy_into_skipped(Eigen::Map<Matrix>& out, int streams, Eigen::Index emitted, Eigen::Index lo, Eigen::Index hi) {
  for (int s = 0; s < streams; ++s) {
    const Eigen::Index first = s * emitted;
    for (Eigen::Index j = 0; j < lo; ++j) out.col(first + j) = out.col(first + lo);
    for (Eigen::Index j = hi; j < emitted; ++j) out.col(first + j) = out.col(first + hi - 1);
  }
}

}  // namespace

TemporalModel::TemporalModel(const ModelConfig& config, const ModelWeights& weights)
    : TemporalModel(config, ModelWeights(weights)) {}

TemporalModel::TemporalModel(const ModelConfig& config, ModelWeights&& weights) : config_(config) {
  check_weights_fit(config, weights, "temporal model");
  expand_ = fold_conv_bn(std::move(weights.expand), weights.expand_bn, 1);
  for (int b = 0; b < config_.blocks(); ++b) {
    BlockWeights& source = weights.blocks[b];
    Block block;
    block.dilated = fold_conv_bn(std::move(source.dilated), source.dilated_bn, config_.block_dilation(b),
                                 config_.block_dilation(b) <= kMaxWinogradDilation ? kWinogradTileOutputs : 1);
    block.pointwise = fold_conv_bn(std::move(source.pointwise), source.pointwise_bn, 1);
    block.pad = config_.block_pad(b);
    block.causal_shift = config_.block_causal_shift(b);
    if (block.dilated.span() != 2 * block.pad) throw InternalError("block span does not match its padding");
    blocks_.push_back(std::move(block));
  }
  shrink_ = plain_conv(std::move(weights.shrink));
}

void TemporalModel::pack_for_frames() {
  expand_.packed = pack_taps(expand_.taps);
  for (Block& block : blocks_) {
    block.dilated.packed = pack_taps(block.dilated.taps);
    block.pointwise.packed = pack_taps(block.pointwise.taps);
  }
}

std::vector<Matrix> TemporalModel::forward_layers(const Matrix& input) const {
  if (input.rows() != config_.input_channels)
    throw InternalError("model input has " + std::to_string(input.rows()) + " channels, expected " +
                        std::to_string(config_.input_channels));
  if (input.cols() < config_.receptive_field())
    throw InternalError("model input shorter than the receptive field");
  std::vector<Matrix> layers;
  Matrix h(config_.channels, input.cols() - expand_.span());
  convolve(expand_, input, h);
  bias_relu(h, expand_.bias);
  layers.push_back(h);
  for (const Block& block : blocks_) {
    Matrix mid(config_.channels, h.cols() - block.dilated.span());
    convolve(block.dilated, h, mid);
    bias_relu(mid, block.dilated.bias);
    Matrix out(config_.channels, mid.cols());
    convolve(block.pointwise, mid, out);
    bias_relu_add(out, block.pointwise.bias, h.middleCols(block.pad + block.causal_shift, out.cols()));
    h.swap(out);
    layers.push_back(h);
  }
  return layers;
}

Matrix TemporalModel::forward(const Matrix& input) const {
  Stream stream(*this, 1);
  return stream.push(input, /*last=*/true);
}

TemporalModel::Stream::Stream(const TemporalModel& model, int streams, long long first_output)
    : model_(model), streams_(streams), first_output_(first_output), history_(1 + model.blocks_.size()) {
  if (streams < 1) throw InternalError("a stream set needs at least one stream");
}

// push() runs each layer in turn over the new columns of every stream:
//   begin_layer: gather [kept history | new columns] per stream, decide how many outputs to emit,
//                keep the history the next push needs, and find which emitted outputs to compute;
//   the convolution(s) over the computed outputs only, every stream in one product per tap;
//   the epilogue (bias, ReLU, residual), spread over all emitted outputs.
// The output of one layer (in output_) is the next one's input; a layer that emits nothing ends the
// push early, its input then waiting in its history.
//
// Why the results never depend on the chunking: a layer's kept history is exactly the input
// columns of its outputs not yet emitted, so every output sees the same window as in one pass; the
// Winograd tiles are fixed by absolute position (TilePlan); and the skipped outputs of edge
// padding are detected from the data (outputs_to_compute).
Matrix TemporalModel::Stream::push(const Matrix& input, bool last) {
  if (input.cols() % streams_ != 0) throw InternalError("stream input is not a whole number of columns per stream");
  Columns x{input.data(), input.rows(), input.cols() / streams_};
  x = expand(x, last);
  for (std::size_t b = 0; b < model_.blocks_.size() && x.per_stream > 0; ++b) x = residual_block(b, x, last);
  if (x.per_stream == 0) return Matrix(3 * model_.config_.joints_out, 0);
  return shrink(x);
}

// The layer's input with its history, its outputs for this push, and the history for the next
// one. Must come first in a layer: `in` may live in output_, which is free once gathered.
TemporalModel::Stream::LayerStep TemporalModel::Stream::begin_layer(const FoldedConv& conv, LayerHistory& history,
                                                                    const Columns& in, bool last) {
  LayerStep step;
  step.rows = in.rows;
  step.width = gather(history, in);
  step.position = first_output_ + history.produced;
  step.emitted = outputs_to_emit(conv, step.width - conv.span(), step.position, last);
  keep_history(history, step.rows, step.width, step.emitted);
  if (step.emitted > 0)
    std::tie(step.lo, step.hi) =
        outputs_to_compute(gathered_.data(), step.rows, streams_, step.width, conv.span(), step.emitted);
  return step;
}

// Lays out [history | new columns] per stream in gathered_, stream after stream, so that each
// stream's windows are contiguous and no output straddles two streams. Returns the width per stream.
Eigen::Index TemporalModel::Stream::gather(const LayerHistory& history, const Columns& in) {
  const Eigen::Index rows = in.rows, n = in.per_stream;
  const Eigen::Index width = history.kept + n;
  Eigen::Map<Matrix> buffer = view(gathered_, rows, width * streams_);
  for (int s = 0; s < streams_; ++s) {
    if (history.kept > 0)
      buffer.middleCols(s * width, history.kept) =
          Eigen::Map<const Matrix>(history.columns.data() + s * history.kept * rows, rows, history.kept);
    buffer.middleCols(s * width + history.kept, n) = Eigen::Map<const Matrix>(in.data + s * n * rows, rows, n);
  }
  return width;
}

// Keeps the input columns of every output not yet emitted: the last width - emitted columns per
// stream (the span plus any held-back outputs; all of them while the stream warms up), so that the
// next push resumes exactly where this one stops.
void TemporalModel::Stream::keep_history(LayerHistory& history, Eigen::Index rows, Eigen::Index width,
                                         Eigen::Index emitted) const {
  const Eigen::Index keep = width - emitted;
  const Eigen::Map<const Matrix> buffer(gathered_.data(), rows, width * streams_);
  Eigen::Map<Matrix> kept = view(history.columns, rows, keep * streams_);
  for (int s = 0; s < streams_; ++s) kept.middleCols(s * keep, keep) = buffer.middleCols(s * width + width - keep, keep);
  history.kept = static_cast<int>(keep);
  history.produced += emitted;
}

// One tap's input for the computed outputs of every stream, side by side: columns
// [shift, shift + computed) of each stream's window, shift being the tap's offset k * dilation
// plus lo. One stream's are contiguous in gathered_ already; several streams' are packed into
// packed_, so that the tap is still one matrix product.
Eigen::Map<const Matrix> TemporalModel::Stream::tap_input(const LayerStep& step, Eigen::Index shift) {
  const Eigen::Index c = step.computed();
  if (streams_ == 1) return Eigen::Map<const Matrix>(gathered_.data() + shift * step.rows, step.rows, c);
  const Eigen::Map<const Matrix> in(gathered_.data(), step.rows, step.width * streams_);
  Eigen::Map<Matrix> packed = view(packed_, step.rows, c * streams_);
  for (int s = 0; s < streams_; ++s) packed.middleCols(s * c, c) = in.middleCols(s * step.width + shift, c);
  return Eigen::Map<const Matrix>(packed_.data(), step.rows, c * streams_);
}

// A layer of a stream fed frame by frame computes one new output per stream: the frame kernel's
// case, when the model is packed for it.
bool TemporalModel::Stream::one_frame(const FoldedConv& conv, const LayerStep& step) const {
  return !conv.packed.empty() && step.computed() == 1;
}

// The one computed output of every stream (column s of product): each stream's tap columns
// stacked into one input vector (kernel x rows, in packed_), then every stream in one pass over
// the packed weights.
void TemporalModel::Stream::convolve_frame(const FoldedConv& conv, const LayerStep& step,
                                           Eigen::Map<Matrix>& product) {
  const Eigen::Index rows = step.rows, kernel = conv.kernel;
  float* stacked = view(packed_, rows * kernel, streams_).data();
  for (int s = 0; s < streams_; ++s)
    for (Eigen::Index k = 0; k < kernel; ++k) {
      const float* column = gathered_.data() + (s * step.width + step.lo + k * conv.dilation) * rows;
      std::memcpy(stacked + (s * kernel + k) * rows, column, static_cast<std::size_t>(rows) * sizeof(float));
    }
  multiply_packed(conv.packed, stacked, streams_, product.data());
}

// product (out_channels x streams * computed, compact in stream order) = the convolution's
// computed outputs of every stream, bias not added: one matrix product per tap.
void TemporalModel::Stream::convolve_streams(const FoldedConv& conv, const LayerStep& step,
                                             Eigen::Map<Matrix>& product) {
  if (one_frame(conv, step)) return convolve_frame(conv, step, product);
  for (std::size_t k = 0; k < conv.taps.size(); ++k) {
    const Eigen::Map<const Matrix> x = tap_input(step, static_cast<Eigen::Index>(k) * conv.dilation + step.lo);
    if (k == 0) product.noalias() = conv.taps[k] * x;
    else product.noalias() += conv.taps[k] * x;
  }
}

// Expand convolution, then bias and ReLU; the result (the first block's input) goes to output_.
TemporalModel::Stream::Columns TemporalModel::Stream::expand(const Columns& in, bool last) {
  const FoldedConv& conv = model_.expand_;
  const LayerStep step = begin_layer(conv, history_[0], in, last);
  if (step.emitted == 0) return {};
  const Eigen::Index out_rows = conv.taps[0].rows(), c = step.computed(), m = step.emitted;
  Eigen::Map<Matrix> product = view(product_, out_rows, c * streams_);
  convolve_streams(conv, step, product);
  Eigen::Map<Matrix> out = view(output_, out_rows, m * streams_);
  for (int s = 0; s < streams_; ++s)
    for (Eigen::Index j = step.lo; j < step.hi; ++j)
      out.col(s * m + j) = (product.col(s * c + j - step.lo) + conv.bias).cwiseMax(0.0f);
  copy_into_skipped(out, streams_, m, step.lo, step.hi);
  return {output_.data(), out_rows, m};
}

// Residual block b: dilated convolution (compact, in middle_) with bias and ReLU, pointwise
// convolution (compact, in product_), then bias, ReLU and the residual into output_.
TemporalModel::Stream::Columns TemporalModel::Stream::residual_block(std::size_t b, const Columns& in, bool last) {
  const Block& block = model_.blocks_[b];
  const LayerStep step = begin_layer(block.dilated, history_[b + 1], in, last);
  if (step.emitted == 0) return {};
  Eigen::Map<Matrix> mid = dilated_conv(block.dilated, step);
  bias_relu(mid, block.dilated.bias);
  return pointwise_with_residual(b, step, mid);
}

// The dilated convolution's computed outputs of every stream, bias not added, into middle_ in
// stream order (column s * computed + j - lo).
Eigen::Map<Matrix> TemporalModel::Stream::dilated_conv(const FoldedConv& conv, const LayerStep& step) {
  Eigen::Map<Matrix> mid = view(middle_, step.rows, step.computed() * streams_);
  if (!conv.winograd() || one_frame(conv, step)) {  // one column: Winograd tiles would save nothing
    convolve_streams(conv, step, mid);
    return mid;
  }
  plan_tiles(streams_, step.width, step.lo, step.computed(), conv.dilation, conv.tile_outputs, step.position + step.lo,
             tiles_);
  // output_ and product_ are free until the block's end: they hold the transformed inputs and products.
  winograd_convolve(conv.taps, winograd_transform(conv.tile_outputs), conv.dilation, gathered_.data(), step.rows,
                    tiles_, output_, product_, mid);
  return mid;
}

// The pointwise convolution of the dilated one's output `mid` (in stream order), then bias,
// ReLU and the residual, spread to every emitted output of every stream in output_. The residual
// of output j is the block input at the centre of its window (or at the causal model's shifted
// position): gathered column pad + causal_shift + j of its stream.
TemporalModel::Stream::Columns TemporalModel::Stream::pointwise_with_residual(std::size_t b, const LayerStep& step,
                                                                              const Eigen::Map<Matrix>& mid) {
  const Block& block = model_.blocks_[b];
  const Eigen::Index rows = step.rows, width = step.width, c = step.computed(), m = step.emitted;
  Eigen::Map<Matrix> product = view(product_, rows, mid.cols());
  if (one_frame(block.pointwise, step)) multiply_packed(block.pointwise.packed, mid.data(), mid.cols(), product.data());
  else product.noalias() = block.pointwise.taps[0] * mid;
  Eigen::Map<Matrix> out = view(output_, rows, m * streams_);
  const Eigen::Map<const Matrix> in(gathered_.data(), rows, width * streams_);
  const Eigen::Index residual_offset = block.pad + block.causal_shift;
  for (int s = 0; s < streams_; ++s)
    for (Eigen::Index j = step.lo; j < step.hi; ++j) {
      const Eigen::Index q = s * c + j - step.lo;
      out.col(s * m + j) = (product.col(q) + block.pointwise.bias).cwiseMax(0.0f) +
                           in.col(s * width + residual_offset + j);
    }
  copy_into_skipped(out, streams_, m, step.lo, step.hi);
  return {output_.data(), rows, m};
}

// The shrink convolution (1x1, its own bias, no activation) of the last block's output.
Matrix TemporalModel::Stream::shrink(const Columns& in) const {
  const Eigen::Index columns = in.per_stream * streams_;
  Matrix out(3 * model_.config_.joints_out, columns);
  convolve(model_.shrink_, Eigen::Map<const Matrix>(in.data, in.rows, columns), out);
  out.colwise() += model_.shrink_.bias;
  return out;
}

}  // namespace lift3d::core
