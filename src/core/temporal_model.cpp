#include "core/temporal_model.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <utility>

#include "lift3d/error.hpp"

namespace lift3d::core {
namespace {

constexpr double kBatchNormEps = 1e-5;  // PyTorch's BatchNorm1d default, used by the reference

// Winograd pairs span 2d frames, and a stream holds back up to 2d - 1 frames per layer so that no
// pair is cut between chunks. Beyond this dilation (the 243-frame model's last block, d = 81) that
// history and the fourth weight matrix cost more memory than the long-sequence bound allows, so
// such blocks stay direct.
constexpr int kMaxWinogradDilation = 27;

// Conv1d weight [out, in, kernel] followed by eval-mode BatchNorm, folded into one affine conv:
// BN(W*x) = scale * (W*x) + (bias - mean * scale), scale = gamma / sqrt(var + eps). The fold is
// computed in double and rounded once, which keeps the result within float32 round-off of the
// reference's two-step evaluation. The convolution's weights are freed once folded, so loading
// never holds a model's weights twice (the peak stays near one copy plus one layer).
FoldedConv fold_conv_bn(ConvWeights&& conv, const BatchNormWeights& bn, int dilation, bool winograd_form = false) {
  const int out = conv.out_channels, in = conv.in_channels, kernel = conv.kernel;
  const std::vector<float> w = std::move(conv.weight);
  FoldedConv folded;
  folded.kernel = kernel;
  folded.dilation = dilation;
  folded.winograd = winograd_form && kernel == 3;
  folded.taps.assign(folded.winograd ? 4 : kernel, Matrix(out, in));
  folded.bias.resize(out);
  std::vector<double> scale(out);
  for (int o = 0; o < out; ++o) {
    scale[o] = bn.weight[o] / std::sqrt(bn.running_var[o] + kBatchNormEps);
    folded.bias[o] = static_cast<float>(bn.bias[o] - bn.running_mean[o] * scale[o]);
  }
  // torch's [out][in][kernel] into column-major taps: a block of rows at a time, so that both the
  // reads (one stream per row) and the writes (a run of each column) stay in cache.
  // The Winograd taps are formed in double from the scaled weights and rounded once.
  constexpr int kRowBlock = 16;
  const auto scaled = [&](int o, int i, int k) {
    return static_cast<double>(w[(static_cast<std::size_t>(o) * in + i) * kernel + k]) * scale[o];
  };
  for (int first = 0; first < out; first += kRowBlock) {
    const int last = std::min(out, first + kRowBlock);
    for (int i = 0; i < in; ++i) {
      if (folded.winograd) {
        for (int o = first; o < last; ++o) {
          const double w0 = scaled(o, i, 0), w1 = scaled(o, i, 1), w2 = scaled(o, i, 2);
          folded.taps[0](o, i) = static_cast<float>(w0);
          folded.taps[1](o, i) = static_cast<float>((w0 + w1 + w2) / 2);
          folded.taps[2](o, i) = static_cast<float>((w0 - w1 + w2) / 2);
          folded.taps[3](o, i) = static_cast<float>(w2);
        }
        continue;
      }
      for (int k = 0; k < kernel; ++k) {
        float* column = folded.taps[k].col(i).data();
        for (int o = first; o < last; ++o) column[o] = static_cast<float>(scaled(o, i, k));
      }
    }
  }
  return folded;
}

FoldedConv plain_conv(ConvWeights&& conv) {
  const int out = conv.out_channels, in = conv.in_channels;
  const std::vector<float> w = std::move(conv.weight);
  FoldedConv result;
  result.taps.assign(1, Matrix(out, in));
  result.kernel = 1;
  result.bias = Eigen::Map<const Vector>(conv.bias.data(), out);
  for (int o = 0; o < out; ++o)
    for (int i = 0; i < in; ++i) result.taps[0](o, i) = w[static_cast<std::size_t>(o) * in + i];
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

// Plans the outputs [0, c) of each of `streams` inputs; stream s's output t reads input columns
// s*width + lo + t + k*d.
void plan_pairs(Eigen::Index streams, Eigen::Index width, Eigen::Index lo, Eigen::Index c, Eigen::Index d,
                long long origin, PairPlan& plan) {
  enum Role { kFirstOnly, kFull, kSecondOnly, kCovered };
  const auto role = [&](Eigen::Index t) {
    if (((origin + t) / d) % 2 == 0) return t + d < c ? kFull : kFirstOnly;
    return t >= d ? kCovered : kSecondOnly;
  };
  Eigen::Index count[3] = {0, 0, 0};
  for (Eigen::Index t = 0; t < c; ++t)
    if (const Role r = role(t); r != kCovered) ++count[r];
  plan.first_only = count[kFirstOnly] * streams;
  plan.full = count[kFull] * streams;
  plan.second_only = count[kSecondOnly] * streams;
  plan.starts.resize(static_cast<std::size_t>(plan.pairs()));
  plan.source.resize(static_cast<std::size_t>(streams * c));
  Eigen::Index next[3] = {0, plan.first_only, plan.first_only + plan.full};
  for (Eigen::Index s = 0; s < streams; ++s)
    for (Eigen::Index t = 0; t < c; ++t) {
      const Role r = role(t);
      if (r == kCovered) continue;
      const Eigen::Index p = next[r]++;
      const Eigen::Index first_output = r == kSecondOnly ? t - d : t;  // the pair's y_t (may precede the range)
      plan.starts[static_cast<std::size_t>(p)] = s * width + lo + first_output;
      // y_{t+d} of pair p lives at firsts() + (p - first_only).
      const Eigen::Index second_column = plan.firsts() + p - plan.first_only;
      if (r == kFirstOnly) plan.source[static_cast<std::size_t>(s * c + t)] = p;
      if (r == kFull) {
        plan.source[static_cast<std::size_t>(s * c + t)] = p;
        plan.source[static_cast<std::size_t>(s * c + t + d)] = second_column;
      }
      if (r == kSecondOnly) plan.source[static_cast<std::size_t>(s * c + t)] = second_column;
    }
}

// Winograd F(2,3) for a dilated kernel-3 convolution in Winograd form. Outputs t and t + d share
// four products instead of six:
//   y_t     = W0 x_t + W1 x_{t+d} + W2 x_{t+2d}      = M0 + M1 + M2
//   y_{t+d} = W0 x_{t+d} + W1 x_{t+2d} + W2 x_{t+3d} = M1 - M2 - M3
// with M0 = W0 (x_t - x_{t+2d}), M1 = G1 (x_{t+d} + x_{t+2d}), M2 = G2 (x_{t+2d} - x_{t+d}) and
// M3 = W2 (x_{t+d} - x_{t+3d}). `in` is column-major with `rows` rows. Writes the plan's outputs
// (see PairPlan) to `out`, bias not added; every output takes the same steps whatever its pair.
void winograd_products(const FoldedConv& conv, const float* in, Eigen::Index rows, const PairPlan& plan,
                       std::vector<float>& transformed, std::vector<float>& scratch, Eigen::Map<Matrix>& out) {
  const Eigen::Index pairs = plan.pairs(), d = conv.dilation;
  const Eigen::Index with_first = plan.firsts(), second_from = plan.first_only;  // pair ranges
  const auto x = [&](Eigen::Index column) { return Eigen::Map<const Vector>(in + column * rows, rows); };
  const auto start = [&](Eigen::Index p) { return plan.starts[static_cast<std::size_t>(p)]; };
  Eigen::Map<Matrix> u = view(transformed, rows, pairs);
  Eigen::Map<Matrix> m = view(scratch, out.rows(), pairs);
  auto first = out.leftCols(with_first);
  auto second = out.middleCols(with_first, plan.seconds());
  for (Eigen::Index p = 0; p < pairs; ++p) u.col(p) = x(start(p) + d) + x(start(p) + 2 * d);
  m.noalias() = conv.taps[1] * u;  // M1
  first = m.leftCols(with_first);
  second = m.rightCols(plan.seconds());
  for (Eigen::Index p = 0; p < pairs; ++p) u.col(p) = x(start(p) + 2 * d) - x(start(p) + d);
  m.noalias() = conv.taps[2] * u;  // M2
  first += m.leftCols(with_first);
  second -= m.rightCols(plan.seconds());
  for (Eigen::Index p = 0; p < with_first; ++p) u.col(p) = x(start(p)) - x(start(p) + 2 * d);
  first.noalias() += conv.taps[0] * u.leftCols(with_first);  // M0
  for (Eigen::Index p = second_from; p < pairs; ++p) u.col(p) = x(start(p) + d) - x(start(p) + 3 * d);
  second.noalias() -= conv.taps[3] * u.rightCols(plan.seconds());  // M3
}

// out = sum_k taps[k] * in[:, k*d : k*d + m] for the m = in.cols() - span output columns (`out`
// must already have m columns). The bias is left to the epilogue so that it is fused with the
// activation in one pass over the output.
void convolve(const FoldedConv& conv, const Eigen::Ref<const Matrix>& in, Eigen::Ref<Matrix> out) {
  const Eigen::Index m = in.cols() - conv.span();
  if (out.cols() != m || out.rows() != conv.taps[0].rows()) throw InternalError("convolution output has the wrong size");
  if (conv.winograd) {
    PairPlan plan;
    plan_pairs(1, in.cols(), 0, m, conv.dilation, 0, plan);
    const Matrix contiguous = in;
    std::vector<float> product_storage, transformed, scratch;
    Eigen::Map<Matrix> product = view(product_storage, out.rows(), plan.firsts() + plan.seconds());
    winograd_products(conv, contiguous.data(), in.rows(), plan, transformed, scratch, product);
    for (Eigen::Index t = 0; t < m; ++t) out.col(t) = product.col(plan.source[static_cast<std::size_t>(t)]);
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
                                 config_.block_dilation(b) <= kMaxWinogradDilation);
    block.pointwise = fold_conv_bn(std::move(source.pointwise), source.pointwise_bn, 1);
    block.pad = config_.block_pad(b);
    block.causal_shift = config_.block_causal_shift(b);
    if (block.dilated.span() != 2 * block.pad) throw InternalError("block span does not match its padding");
    blocks_.push_back(std::move(block));
  }
  shrink_ = plain_conv(std::move(weights.shrink));
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

// Each layer sees, per stream, [its kept history | the new columns] (gathered side by side). A
// convolution over all streams is one matrix product per tap: the tap's shifted columns of every
// stream are packed next to each other first, so no output column straddles two streams.
//
// Edge padding repeats a sequence's first and last frame RF/2 times, and every output whose input
// window lies inside such a run of identical columns is identical too. Those outputs are computed
// once and copied, which removes most of the padding's cost (about 5% of a 2000-frame sequence
// with the 243-frame model). Runs are detected from the data itself, so the result is exactly the
// full computation's whatever the chunking.
Matrix TemporalModel::Stream::push(const Matrix& input, bool last) {
  const int s_count = streams_;
  if (input.cols() % s_count != 0) throw InternalError("stream input is not a whole number of columns per stream");
  // The current layer's input: `rows` x (s_count * n) columns, stream-major, at `current`.
  const float* current = input.data();
  Eigen::Index rows = input.rows();
  Eigen::Index n = input.cols() / s_count;
  const Eigen::Index empty_rows = 3 * model_.config_.joints_out;

  // Lays out [history | new columns] per stream in gathered_. Returns the per-stream width.
  auto gather = [&](const LayerHistory& history) -> Eigen::Index {
    const Eigen::Index width = history.kept + n;
    Eigen::Map<Matrix> buffer = view(gathered_, rows, width * s_count);
    for (int s = 0; s < s_count; ++s) {
      if (history.kept > 0)
        buffer.middleCols(s * width, history.kept) =
            Eigen::Map<const Matrix>(history.columns.data() + s * history.kept * rows, rows, history.kept);
      buffer.middleCols(s * width + history.kept, n) = Eigen::Map<const Matrix>(current + s * n * rows, rows, n);
    }
    return width;
  };
  // How many of the m outputs now computable a layer emits: all of them, except that a Winograd
  // layer stops at the last boundary of its pair blocks until the final push, so that no pair is
  // cut between two pushes (a cut pair costs six products, as without Winograd).
  auto emitted = [&](const FoldedConv& conv, Eigen::Index m, const LayerHistory& history) -> Eigen::Index {
    if (m <= 0) return 0;
    if (last || !conv.winograd) return m;
    const long long position = first_output_ + history.produced, block = 2LL * conv.dilation;
    return static_cast<Eigen::Index>(std::max<long long>(0, (position + m) / block * block - position));
  };
  // Keeps the input columns of every output not yet emitted: the last width - m columns per stream.
  auto keep_history = [&](LayerHistory& history, Eigen::Index width, Eigen::Index m) {
    const Eigen::Index keep = width - m;
    const Eigen::Map<const Matrix> buffer(gathered_.data(), rows, width * s_count);
    Eigen::Map<Matrix> kept = view(history.columns, rows, keep * s_count);
    for (int s = 0; s < s_count; ++s) kept.middleCols(s * keep, keep) = buffer.middleCols(s * width + width - keep, keep);
    history.kept = static_cast<int>(keep);
    history.produced += m;
  };
  // The output columns [lo, hi) of the m emitted (m >= 1) that must be computed for a convolution
  // of `span` over the gathered input: the outputs before lo equal output lo, those from hi on
  // equal output hi - 1, in every stream.
  auto needed_outputs = [&](Eigen::Index width, Eigen::Index span, Eigen::Index m) -> std::pair<Eigen::Index, Eigen::Index> {
    const Eigen::Index computable = width - span;
    const auto same = [&](Eigen::Index a, Eigen::Index b) {
      return std::memcmp(gathered_.data() + a * rows, gathered_.data() + b * rows, rows * sizeof(float)) == 0;
    };
    Eigen::Index lo = m, hi = 0;
    for (int s = 0; s < s_count; ++s) {
      const Eigen::Index first = s * width, last = first + width - 1;
      Eigen::Index leading = 1, trailing = 1;  // lengths of the runs of identical columns at each end
      while (leading < width && same(first + leading, first)) ++leading;
      if (leading == width) {  // the whole window is one column repeated: so is the output
        lo = std::min<Eigen::Index>(lo, 0);
        hi = std::max<Eigen::Index>(hi, 1);
        continue;
      }
      while (same(last - trailing, last)) ++trailing;
      // Outputs j with j + span < leading all see the same columns; likewise j >= width - trailing.
      lo = std::min(lo, std::clamp<Eigen::Index>(leading - span - 1, 0, m - 1));
      hi = std::max(hi, std::clamp<Eigen::Index>(computable - std::max<Eigen::Index>(0, trailing - span - 1), 1, m));
    }
    // lo >= hi: in every stream, the two equal runs cover all emitted outputs, which are all equal.
    if (lo >= hi) return {0, 1};
    return {lo, hi};
  };
  // product (out_rows x s_count*(hi-lo), compact) = the convolution's outputs [lo, hi) of every
  // stream over the gathered input (rows x s_count*width), bias not added.
  auto convolve_streams = [&](const FoldedConv& conv, Eigen::Index width, Eigen::Index lo, Eigen::Index hi,
                              Eigen::Map<Matrix>& product) {
    const Eigen::Map<const Matrix> in(gathered_.data(), rows, width * s_count);
    const Eigen::Index c = hi - lo;
    for (std::size_t k = 0; k < conv.taps.size(); ++k) {
      const Eigen::Index shift = static_cast<Eigen::Index>(k) * conv.dilation + lo;
      if (s_count == 1) {
        if (k == 0) product.noalias() = conv.taps[k] * in.middleCols(shift, c);
        else product.noalias() += conv.taps[k] * in.middleCols(shift, c);
        continue;
      }
      Eigen::Map<Matrix> packed = view(packed_, rows, c * s_count);
      for (int s = 0; s < s_count; ++s) packed.middleCols(s * c, c) = in.middleCols(s * width + shift, c);
      if (k == 0) product.noalias() = conv.taps[k] * packed;
      else product.noalias() += conv.taps[k] * packed;
    }
  };
  // Spreads compact per-stream columns [lo, hi) of `product` to the m columns per stream of `out`,
  // applying `epilogue(out column, product column, stream, j)` to the computed ones and copying
  // the nearest computed column into the skipped ends.
  // `source` (when not null) maps output s*c + (j - lo) to its product column (Winograd order).
  auto spread = [&](const Eigen::Map<Matrix>& product, Eigen::Map<Matrix>& out, Eigen::Index m, Eigen::Index lo,
                    Eigen::Index hi, const Eigen::Index* source, auto&& epilogue) {
    const Eigen::Index c = hi - lo;
    for (int s = 0; s < s_count; ++s) {
      for (Eigen::Index j = lo; j < hi; ++j) {
        const Eigen::Index q = s * c + j - lo;
        epilogue(out.col(s * m + j), product.col(source ? source[q] : q), s, j);
      }
      for (Eigen::Index j = 0; j < lo; ++j) out.col(s * m + j) = out.col(s * m + lo);
      for (Eigen::Index j = hi; j < m; ++j) out.col(s * m + j) = out.col(s * m + hi - 1);
    }
  };

  // Expand convolution, into output_ (the first block's input).
  {
    const FoldedConv& conv = model_.expand_;
    const Eigen::Index width = gather(history_[0]);
    const Eigen::Index m = emitted(conv, width - conv.span(), history_[0]);
    keep_history(history_[0], width, m);
    if (m == 0) return Matrix(empty_rows, 0);
    const auto [lo, hi] = needed_outputs(width, conv.span(), m);
    const Eigen::Index out_rows = conv.taps[0].rows();
    Eigen::Map<Matrix> product = view(product_, out_rows, (hi - lo) * s_count);
    convolve_streams(conv, width, lo, hi, product);
    Eigen::Map<Matrix> out = view(output_, out_rows, m * s_count);
    spread(product, out, m, lo, hi, nullptr, [&](auto out_col, const auto& col, int, Eigen::Index) {
      out_col = (col + conv.bias).cwiseMax(0.0f);
    });
    rows = out_rows;
    current = output_.data();
    n = m;
  }
  // Residual blocks: dilated conv (compact, in middle_), pointwise conv (compact, in product_),
  // then bias, ReLU and the residual into output_.
  for (std::size_t b = 0; b < model_.blocks_.size(); ++b) {
    const Block& block = model_.blocks_[b];
    LayerHistory& history = history_[b + 1];
    const Eigen::Index width = gather(history);
    const long long position = first_output_ + history.produced;  // of this push's first output
    const Eigen::Index m = emitted(block.dilated, width - block.dilated.span(), history);
    keep_history(history, width, m);
    if (m == 0) return Matrix(empty_rows, 0);
    const auto [lo, hi] = needed_outputs(width, block.dilated.span(), m);
    const Eigen::Index c = hi - lo;
    Eigen::Index columns = c * s_count;  // of the dilated convolution's compact output
    const Eigen::Index* source = nullptr;
    if (block.dilated.winograd) {
      plan_pairs(s_count, width, lo, c, block.dilated.dilation, position + lo, pairs_);
      columns = pairs_.firsts() + pairs_.seconds();
      source = pairs_.source.data();
    }
    Eigen::Map<Matrix> mid = view(middle_, rows, columns);
    if (block.dilated.winograd)
      // output_ and product_ are free until the block's end: they hold the transformed inputs and M1, M2.
      winograd_products(block.dilated, gathered_.data(), rows, pairs_, output_, product_, mid);
    else
      convolve_streams(block.dilated, width, lo, hi, mid);
    bias_relu(mid, block.dilated.bias);
    Eigen::Map<Matrix> product = view(product_, rows, columns);
    product.noalias() = block.pointwise.taps[0] * mid;
    Eigen::Map<Matrix> out = view(output_, rows, m * s_count);
    const Eigen::Map<const Matrix> in(gathered_.data(), rows, width * s_count);
    const Eigen::Index residual_offset = block.pad + block.causal_shift;
    spread(product, out, m, lo, hi, source, [&](auto out_col, const auto& col, int s, Eigen::Index j) {
      out_col = (col + block.pointwise.bias).cwiseMax(0.0f) + in.col(s * width + residual_offset + j);
    });
    current = output_.data();
    n = m;
  }
  Matrix out(empty_rows, n * s_count);
  convolve(model_.shrink_, Eigen::Map<const Matrix>(current, rows, n * s_count), out);
  out.colwise() += model_.shrink_.bias;
  return out;
}

}  // namespace lift3d::core
