#include "core/training/training_model.hpp"

#include <algorithm>
#include <cmath>

#include "lift3d/error.hpp"

namespace lift3d::core::training {
namespace {

constexpr double kBatchNormEps = 1e-5;  // PyTorch's BatchNorm1d default, as the reference uses

using ConstMap = Eigen::Map<const Matrix>;

// torch's Conv1d weight [out][in][kernel] as the out x (kernel * in) matrix that multiplies the input
// seen kernel columns at a time (column kk * in + i).
Matrix weights_as_matrix(const std::vector<float>& torch_weight, int out, int in, int kernel) {
  Matrix m(out, static_cast<Eigen::Index>(kernel) * in);
  for (int o = 0; o < out; ++o)
    for (int i = 0; i < in; ++i)
      for (int k = 0; k < kernel; ++k)
        m(o, static_cast<Eigen::Index>(k) * in + i) = torch_weight[(static_cast<std::size_t>(o) * in + i) * kernel + k];
  return m;
}

void matrix_to_torch_weight(const Matrix& m, int out, int in, int kernel, std::vector<float>& torch_weight) {
  torch_weight.resize(static_cast<std::size_t>(out) * in * kernel);
  for (int o = 0; o < out; ++o)
    for (int i = 0; i < in; ++i)
      for (int k = 0; k < kernel; ++k)
        torch_weight[(static_cast<std::size_t>(o) * in + i) * kernel + k] = m(o, static_cast<Eigen::Index>(k) * in + i);
}

// Full model, convolution of stride 1: output frame t of an example reads its input frames
// t + kk * dilation (kk < kernel). Column e * frames_out + t of the result stacks those columns
// (row kk * channels + i), so the convolution is one product with the out x (kernel * in) weights.
Matrix gather_taps(const float* input, int channels, int examples, int frames_in, int kernel, int dilation) {
  const int frames_out = frames_in - (kernel - 1) * dilation;
  Matrix taps(static_cast<Eigen::Index>(kernel) * channels, static_cast<Eigen::Index>(examples) * frames_out);
  for (int e = 0; e < examples; ++e)
    for (int t = 0; t < frames_out; ++t)
      for (int kk = 0; kk < kernel; ++kk)
        std::copy_n(input + (static_cast<std::size_t>(e) * frames_in + t + kk * dilation) * channels, channels,
                    taps.col(static_cast<Eigen::Index>(e) * frames_out + t).data() + static_cast<std::size_t>(kk) * channels);
  return taps;
}

// The transpose of gather_taps: each tap's gradient added back to the input frame it was read from.
Matrix scatter_taps(const Matrix& taps_grad, int channels, int examples, int frames_in, int kernel, int dilation) {
  const int frames_out = frames_in - (kernel - 1) * dilation;
  Matrix input_grad = Matrix::Zero(channels, static_cast<Eigen::Index>(examples) * frames_in);
  for (int e = 0; e < examples; ++e)
    for (int t = 0; t < frames_out; ++t)
      for (int kk = 0; kk < kernel; ++kk)
        input_grad.col(static_cast<Eigen::Index>(e) * frames_in + t + kk * dilation) +=
            taps_grad.block(static_cast<Eigen::Index>(kk) * channels, static_cast<Eigen::Index>(e) * frames_out + t,
                            channels, 1);
  return input_grad;
}

}  // namespace

TrainingModel::TrainingModel(const ModelConfig& config, double dropout, std::uint64_t seed, bool full)
    : config_(config), full_(full), dropout_(dropout) {
  if (config.dense && !full) throw InternalError("the strided training model has no dense form");
  if (config.filter_widths.empty()) throw InternalError("training model without filter widths");
  if (!(dropout >= 0.0 && dropout < 1.0)) throw InternalError("dropout must lie in [0, 1)");
  const int channels = config.channels, blocks = config.blocks();
  units_.resize(1 + 2 * blocks);
  // Registration order of the reference: expand_bn, shrink, expand_conv, layers_conv, layers_bn.
  add_batch_norm("expand_bn", channels, units_[0]);
  shrink_weight_ = static_cast<int>(parameters_.size());
  add_parameter("shrink.weight", {3LL * config.joints_out, channels, 1});
  shrink_bias_ = static_cast<int>(parameters_.size());
  add_parameter("shrink.bias", {3LL * config.joints_out});
  units_[0].in_channels = config.input_channels;
  units_[0].out_channels = channels;
  units_[0].kernel = config.filter_widths[0];
  units_[0].conv = static_cast<int>(parameters_.size());
  add_parameter("expand_conv.weight", {channels, config.input_channels, config.filter_widths[0]});
  for (int u = 1; u < units(); ++u) {
    Unit& unit = units_[u];
    const bool pointwise = (u - 1) % 2 == 1;
    unit.in_channels = unit.out_channels = channels;
    const int block = (u - 1) / 2;
    unit.kernel = pointwise ? 1 : full ? config.block_kernel(block) : config.filter_widths[block + 1];
    unit.dilation = pointwise || !full ? 1 : config.block_dilation(block);
    unit.conv = static_cast<int>(parameters_.size());
    add_parameter("layers_conv." + std::to_string(u - 1) + ".weight", {channels, channels, unit.kernel});
  }
  for (int u = 1; u < units(); ++u) add_batch_norm("layers_bn." + std::to_string(u - 1), channels, units_[u]);
  Eigen::Index frames = config.receptive_field();
  for (Unit& unit : units_) unit.frames_out = frames /= unit.kernel;
  initialise(seed);
  generator_.seed(seed ^ 0x9e3779b97f4a7c15ULL);
}

void TrainingModel::add_parameter(const std::string& name, std::vector<std::int64_t> shape) {
  std::int64_t count = 1;
  for (std::int64_t d : shape) count *= d;
  NamedTensor tensor{name, std::move(shape), std::vector<float>(count, 0.0f), std::vector<float>(count, 0.0f)};
  parameters_.push_back(std::move(tensor));
}

void TrainingModel::add_batch_norm(const std::string& name, int channels, Unit& unit) {
  unit.bn_weight = static_cast<int>(parameters_.size());
  add_parameter(name + ".weight", {channels});
  unit.bn_bias = static_cast<int>(parameters_.size());
  add_parameter(name + ".bias", {channels});
  unit.running_mean = static_cast<int>(buffers_.size());
  buffers_.push_back({name + ".running_mean", {channels}, std::vector<float>(channels, 0.0f), {}});
  unit.running_var = static_cast<int>(buffers_.size());
  buffers_.push_back({name + ".running_var", {channels}, std::vector<float>(channels, 1.0f), {}});
}

// PyTorch's defaults: Conv1d weights and bias uniform in +-1/sqrt(fan_in) (kaiming_uniform with
// a = sqrt(5)), BatchNorm weight 1 and bias 0. The draws are lift3d's own, not torch's.
void TrainingModel::initialise(std::uint64_t seed) {
  std::mt19937_64 generator(seed);
  const auto fill_uniform = [&](std::vector<float>& values, double fan_in) {
    const double bound = 1.0 / std::sqrt(fan_in);
    std::uniform_real_distribution<double> uniform(-bound, bound);
    for (float& v : values) v = static_cast<float>(uniform(generator));
  };
  for (const Unit& unit : units_) {
    fill_uniform(parameters_[unit.conv].values, static_cast<double>(unit.in_channels) * unit.kernel);
    std::fill(parameters_[unit.bn_weight].values.begin(), parameters_[unit.bn_weight].values.end(), 1.0f);
  }
  fill_uniform(parameters_[shrink_weight_].values, config_.channels);
  fill_uniform(parameters_[shrink_bias_].values, config_.channels);
}

std::vector<const NamedTensor*> TrainingModel::state_dict() const {
  std::vector<const NamedTensor*> entries;
  const auto add_bn = [&](const Unit& unit) {
    entries.push_back(&parameters_[unit.bn_weight]);
    entries.push_back(&parameters_[unit.bn_bias]);
    entries.push_back(&buffers_[unit.running_mean]);
    entries.push_back(&buffers_[unit.running_var]);
  };
  add_bn(units_[0]);
  entries.push_back(&parameters_[shrink_weight_]);
  entries.push_back(&parameters_[shrink_bias_]);
  for (const Unit& unit : units_) entries.push_back(&parameters_[unit.conv]);
  for (std::size_t u = 1; u < units_.size(); ++u) add_bn(units_[u]);
  return entries;
}

NamedTensor* TrainingModel::find(const std::string& name) {
  for (NamedTensor& p : parameters_)
    if (p.name == name) return &p;
  for (NamedTensor& b : buffers_)
    if (b.name == name) return &b;
  return nullptr;
}

// BatchNorm in training mode over the whole batch (all processes' shares): per channel the mean, then
// the biased variance from the centred squares (two passes, as PyTorch's CPU kernel; sums in double, its
// accumulation type for float), the running statistics updated, then y = x * alpha + shift and ReLU.
void TrainingModel::batch_norm_forward(Unit& unit) {
  const int out = unit.out_channels;
  const Eigen::Index n = unit.columns_out;  // this process's columns
  const double batch_n = static_cast<double>(unit.frames_out) * batch_examples_;
  const std::vector<float>& gamma = parameters_[unit.bn_weight].values;
  const std::vector<float>& beta = parameters_[unit.bn_bias].values;
  std::vector<float>& running_mean = buffers_[unit.running_mean].values;
  std::vector<float>& running_var = buffers_[unit.running_var].values;
  // Per channel: a row of pre_norm.
  std::vector<double> sums(out, 0.0), squares(out, 0.0);
  for (int c = 0; c < out; ++c)
    for (Eigen::Index j = 0; j < n; ++j) sums[c] += unit.pre_norm(c, j);
  collective_->sum(sums.data(), sums.size());
  for (int c = 0; c < out; ++c) {
    const double mean = sums[c] / batch_n;
    for (Eigen::Index j = 0; j < n; ++j) {
      const double d = unit.pre_norm(c, j) - mean;
      squares[c] += d * d;
    }
  }
  collective_->sum(squares.data(), squares.size());
  unit.mean.assign(out, 0.0);
  unit.invstd.assign(out, 0.0);
  unit.activated.resize(out, n);
  for (int c = 0; c < out; ++c) {
    const double mean = sums[c] / batch_n;
    const double invstd = 1.0 / std::sqrt(squares[c] / batch_n + kBatchNormEps);
    unit.mean[c] = static_cast<float>(mean);
    unit.invstd[c] = static_cast<float>(invstd);
    const double unbiased = batch_n > 1 ? squares[c] / (batch_n - 1) : squares[c];
    running_mean[c] = static_cast<float>(momentum_ * mean + (1 - momentum_) * running_mean[c]);
    running_var[c] = static_cast<float>(momentum_ * unbiased + (1 - momentum_) * running_var[c]);
    // y = x * alpha + shift with alpha = invstd * gamma, shift = beta - mean * alpha (float32), then ReLU.
    const float alpha = static_cast<float>(unit.invstd[c] * static_cast<double>(gamma[c]));
    const float shift = static_cast<float>(beta[c] - unit.mean[c] * static_cast<double>(alpha));
    for (Eigen::Index j = 0; j < n; ++j) unit.activated(c, j) = std::max(unit.pre_norm(c, j) * alpha + shift, 0.0f);
  }
}

// The 0/1 keep mask of this process's share, drawn as a single process draws the whole batch's (in
// memory order, channel fastest) and cut to the share's columns (one run per part, in batch order), so
// that the processes together drop what one process would.
void TrainingModel::draw_mask(const Unit& unit, Matrix& mask) {
  std::bernoulli_distribution keep(1.0 - dropout_);
  mask.resize(unit.out_channels, unit.columns_out);
  const Eigen::Index per_example = unit.out_channels * unit.frames_out;
  const Eigen::Index total = per_example * batch_examples_;
  Eigen::Index drawn = 0, filled = 0;
  for (const Segment& segment : segments_) {
    for (const Eigen::Index begin = per_example * segment.first; drawn < begin; ++drawn) keep(generator_);
    for (Eigen::Index i = 0; i < per_example * segment.count; ++i, ++drawn) mask.data()[filled++] = keep(generator_) ? 1.0f : 0.0f;
  }
  for (; drawn < total; ++drawn) keep(generator_);
}

// One unit's forward: convolution of kernel k and stride k as one product, BatchNorm with the batch's
// statistics (and the running statistics updated), ReLU, dropout.
void TrainingModel::run_unit(Unit& unit, const float* input, Eigen::Index columns_in, const Matrix* mask,
                             Matrix& mask_used) {
  const int k = unit.kernel, out = unit.out_channels;
  unit.input = input;
  unit.weights = weights_as_matrix(parameters_[unit.conv].values, out, unit.in_channels, k);
  if (full_) {
    unit.frames_in = static_cast<int>(frames_in_);
    unit.windows = gather_taps(input, unit.in_channels, examples_, unit.frames_in, k, unit.dilation);
    unit.columns_out = unit.windows.cols();
    unit.frames_out = unit.frames_in - static_cast<Eigen::Index>(k - 1) * unit.dilation;
    frames_in_ = unit.frames_out;
    unit.pre_norm.resize(out, unit.columns_out);
    unit.pre_norm.noalias() = unit.weights * unit.windows;
  } else {
    unit.columns_out = columns_in / k;
    const ConstMap windows(input, static_cast<Eigen::Index>(k) * unit.in_channels, unit.columns_out);
    unit.pre_norm.resize(out, unit.columns_out);
    unit.pre_norm.noalias() = unit.weights * windows;
  }
  batch_norm_forward(unit);

  if (dropout_ == 0.0) {
    mask_used.resize(0, 0);
    unit.output = unit.activated;
    return;
  }
  if (mask) {
    if (mask->rows() != out || mask->cols() != unit.columns_out) throw InternalError("dropout mask of the wrong shape");
    mask_used = *mask;
  } else {
    draw_mask(unit, mask_used);
  }
  const float scale = static_cast<float>(1.0 / (1.0 - dropout_));
  unit.output = unit.activated.cwiseProduct(mask_used) * scale;
}

Eigen::Index TrainingModel::residual_column(int block, Eigen::Index j, int frames_in, int frames_out) const {
  // The reference's x[:, :, pad + shift : frames - pad + shift] of the block's input.
  const Eigen::Index example = j / frames_out, t = j % frames_out;
  return example * frames_in + t + config_.block_pad(block) + config_.block_causal_shift(block);
}

// Where this process's shares lie in the whole batch: every process adds its example count of each part
// at its own place, so the sum tells each the counts of all; part p of the batch is every process's share
// of it in process order, after all of part p - 1.
void TrainingModel::locate_share(const std::vector<int>& part_examples) {
  const int parts = static_cast<int>(part_examples.size()), size = collective_->size(), rank = collective_->rank();
  std::vector<double> counts(static_cast<std::size_t>(parts) * size, 0.0);  // part p of rank r at p * size + r
  for (int p = 0; p < parts; ++p) counts[static_cast<std::size_t>(p) * size + rank] = part_examples[p];
  if (!collective_->alone()) collective_->sum(counts.data(), counts.size());
  batch_examples_ = 0;
  segments_.assign(parts, Segment());
  for (int p = 0; p < parts; ++p)
    for (int r = 0; r < size; ++r) {
      const int count = static_cast<int>(counts[static_cast<std::size_t>(p) * size + r]);
      if (r == rank) segments_[p] = {batch_examples_, count};
      batch_examples_ += count;
    }
}

Matrix TrainingModel::forward(const Matrix& input, int examples, const std::vector<Matrix>* masks, int frames_out) {
  return forward_parts(input, {examples}, masks, frames_out);
}

Matrix TrainingModel::forward_parts(const Matrix& input, const std::vector<int>& part_examples,
                                    const std::vector<Matrix>* masks, int frames_out) {
  if (part_examples.empty() || std::any_of(part_examples.begin(), part_examples.end(), [](int n) { return n < 0; }))
    throw InternalError("training batch: no parts, or a part of fewer than 0 examples");
  int examples = 0;
  for (const int n : part_examples) examples += n;
  const int rf = config_.receptive_field();
  if (!full_ && frames_out != 1) throw InternalError("the strided training model gives one frame per example");
  if (input.rows() != config_.input_channels ||
      input.cols() != static_cast<Eigen::Index>(examples) * (rf + frames_out - 1))
    throw InternalError("training input is not input_channels x examples * (receptive field + frames out - 1)");
  if (masks && static_cast<int>(masks->size()) != units()) throw InternalError("one dropout mask per unit expected");
  examples_ = examples;
  frames_in_ = rf + frames_out - 1;  // per example, before the first unit (the full model's units advance it)
  locate_share(part_examples);
  masks_.assign(units_.size(), Matrix());
  const auto mask_of = [&](int u) { return masks ? &(*masks)[u] : nullptr; };

  input_ = input;  // backward needs it; a copy is small beside the activations
  run_unit(units_[0], input_.data(), input_.cols(), mask_of(0), masks_[0]);
  block_outputs_.assign(config_.blocks(), Matrix());
  const Matrix* h = &units_[0].output;
  for (int b = 0; b < config_.blocks(); ++b) {
    Unit& first = units_[1 + 2 * b];
    Unit& second = units_[2 + 2 * b];
    run_unit(first, h->data(), h->cols(), mask_of(1 + 2 * b), masks_[1 + 2 * b]);
    run_unit(second, first.output.data(), first.output.cols(), mask_of(2 + 2 * b), masks_[2 + 2 * b]);
    Matrix& out = block_outputs_[b];
    out = second.output;
    if (full_) {
      // Frames per example from the unit (not columns / examples: a process's share may be empty).
      const int in_frames = first.frames_in, out_frames = static_cast<int>(second.frames_out);
      for (Eigen::Index j = 0; j < out.cols(); ++j) out.col(j) += h->col(residual_column(b, j, in_frames, out_frames));
    } else {
      // Residual: the centre frame of each group of fw frames (causal: the group's last frame).
      const int fw = first.kernel;
      const int offset = fw / 2 + (config_.causal ? fw / 2 : 0);
      for (Eigen::Index j = 0; j < out.cols(); ++j) out.col(j) += h->col(j * fw + offset);
    }
    h = &out;
  }
  ++batches_tracked_;

  const NamedTensor& shrink_w = parameters_[shrink_weight_];
  Matrix shrink(3 * config_.joints_out, config_.channels);
  for (int o = 0; o < shrink.rows(); ++o)
    for (int i = 0; i < shrink.cols(); ++i) shrink(o, i) = shrink_w.values[static_cast<std::size_t>(o) * shrink.cols() + i];
  Matrix output(shrink.rows(), h->cols());
  output.noalias() = shrink * *h;
  output.colwise() += Eigen::Map<const Eigen::VectorXf>(parameters_[shrink_bias_].values.data(), shrink.rows());
  return output;
}

// Through BatchNorm (training mode, as PyTorch's CPU kernel): with s = sum(dy), d = sum(dy * (x - mean))
// over the whole batch, dx = (dy - s / n - (x - mean) * invstd^2 * d / n) * invstd * gamma,
// dgamma = d * invstd, dbeta = s. The parameter gradients are this process's part (sum_gradients() adds
// the parts); dx needs the whole batch's s and d.
void TrainingModel::batch_norm_backward(Unit& unit, Matrix& grad) {
  const int out = unit.out_channels;
  const Eigen::Index n = unit.columns_out;
  const double batch_n = static_cast<double>(unit.frames_out) * batch_examples_;
  std::vector<float>& gamma_grad = parameters_[unit.bn_weight].grad;
  std::vector<float>& beta_grad = parameters_[unit.bn_bias].grad;
  const std::vector<float>& gamma = parameters_[unit.bn_weight].values;
  std::vector<double> sums(2 * static_cast<std::size_t>(out), 0.0);  // s of channel c at 2c, d at 2c + 1
  for (int c = 0; c < out; ++c) {
    const double mean = unit.mean[c];
    double sum = 0, dot = 0;
    for (Eigen::Index j = 0; j < n; ++j) {
      sum += grad(c, j);
      dot += grad(c, j) * (unit.pre_norm(c, j) - mean);
    }
    gamma_grad[c] = static_cast<float>(dot * unit.invstd[c]);
    beta_grad[c] = static_cast<float>(sum);
    sums[2 * c] = sum;
    sums[2 * c + 1] = dot;
  }
  collective_->sum(sums.data(), sums.size());
  for (int c = 0; c < out; ++c) {
    const double invstd = unit.invstd[c], sum = sums[2 * c], dot = sums[2 * c + 1];
    const float grad_mean = static_cast<float>(sum / batch_n);
    const float projection = static_cast<float>(dot * invstd * invstd / batch_n);
    const float scale = static_cast<float>(invstd * gamma[c]);
    const float mean_f = static_cast<float>(unit.mean[c]);
    for (Eigen::Index j = 0; j < n; ++j)
      grad(c, j) = (grad(c, j) - grad_mean - (unit.pre_norm(c, j) - mean_f) * projection) * scale;
  }
}

// Several processes: every parameter's gradient summed over them, in one exchange.
void TrainingModel::sum_gradients() {
  if (collective_->alone()) return;
  std::size_t total = 0;
  for (const NamedTensor& p : parameters_) total += p.grad.size();
  std::vector<float> all;
  all.reserve(total);
  for (const NamedTensor& p : parameters_) all.insert(all.end(), p.grad.begin(), p.grad.end());
  collective_->sum(all.data(), all.size());
  auto next = all.begin();
  for (NamedTensor& p : parameters_) {
    std::copy_n(next, p.grad.size(), p.grad.begin());
    next += static_cast<std::ptrdiff_t>(p.grad.size());
  }
}

Matrix TrainingModel::unit_backward(Unit& unit, const Matrix& output_grad, const Matrix& mask) {
  const int out = unit.out_channels, k = unit.kernel;
  const Eigen::Index n = unit.columns_out;
  // Through dropout and ReLU: d(activated) = d(output) * mask / (1 - p), zero where ReLU was off.
  Matrix grad = output_grad;
  if (dropout_ != 0.0) grad = grad.cwiseProduct(mask) * static_cast<float>(1.0 / (1.0 - dropout_));
  for (Eigen::Index j = 0; j < grad.size(); ++j)
    if (!(unit.activated.data()[j] > 0.0f)) grad.data()[j] = 0.0f;

  batch_norm_backward(unit, grad);

  if (full_) {
    // Through the dilated convolution: dW = dZ * taps^T, d(taps) = W^T * dZ, added back to their frames.
    Matrix weight_grad(out, unit.windows.rows());
    weight_grad.noalias() = grad * unit.windows.transpose();
    matrix_to_torch_weight(weight_grad, out, unit.in_channels, k, parameters_[unit.conv].grad);
    Matrix taps_grad(unit.windows.rows(), n);
    taps_grad.noalias() = unit.weights.transpose() * grad;
    return scatter_taps(taps_grad, unit.in_channels, examples_, unit.frames_in, k, unit.dilation);
  }
  // Through the strided convolution: dW = dZ * windows^T, d(windows) = W^T * dZ.
  const ConstMap windows(unit.input, static_cast<Eigen::Index>(k) * unit.in_channels, n);
  Matrix weight_grad(out, windows.rows());
  weight_grad.noalias() = grad * windows.transpose();
  matrix_to_torch_weight(weight_grad, out, unit.in_channels, k, parameters_[unit.conv].grad);
  Matrix input_grad(windows.rows(), n);
  input_grad.noalias() = unit.weights.transpose() * grad;
  // Same memory as in_channels x (n * k): the gradient of the unit's input columns.
  input_grad.resize(unit.in_channels, n * k);
  return input_grad;
}

void TrainingModel::backward(const Matrix& output_grad) {
  const Matrix* last = config_.blocks() > 0 ? &block_outputs_.back() : &units_[0].output;
  if (output_grad.rows() != 3 * config_.joints_out || output_grad.cols() != last->cols())
    throw InternalError("output gradient does not match the last forward pass");
  // shrink: y = W h + b.
  NamedTensor& shrink_w = parameters_[shrink_weight_];
  Matrix shrink(3 * config_.joints_out, config_.channels);
  for (int o = 0; o < shrink.rows(); ++o)
    for (int i = 0; i < shrink.cols(); ++i) shrink(o, i) = shrink_w.values[static_cast<std::size_t>(o) * shrink.cols() + i];
  Matrix shrink_grad(shrink.rows(), shrink.cols());
  shrink_grad.noalias() = output_grad * last->transpose();
  for (int o = 0; o < shrink.rows(); ++o)
    for (int i = 0; i < shrink.cols(); ++i) shrink_w.grad[static_cast<std::size_t>(o) * shrink.cols() + i] = shrink_grad(o, i);
  std::vector<float>& bias_grad = parameters_[shrink_bias_].grad;
  for (int o = 0; o < shrink.rows(); ++o) {
    double sum = 0;
    for (Eigen::Index j = 0; j < output_grad.cols(); ++j) sum += output_grad(o, j);
    bias_grad[o] = static_cast<float>(sum);
  }
  Matrix grad(config_.channels, last->cols());
  grad.noalias() = shrink.transpose() * output_grad;

  for (int b = config_.blocks() - 1; b >= 0; --b) {
    Unit& first = units_[1 + 2 * b];
    Unit& second = units_[2 + 2 * b];
    const Matrix middle_grad = unit_backward(second, grad, masks_[2 + 2 * b]);
    Matrix input_grad = unit_backward(first, middle_grad, masks_[1 + 2 * b]);
    if (full_) {
      const int in_frames = first.frames_in, out_frames = static_cast<int>(second.frames_out);
      for (Eigen::Index j = 0; j < grad.cols(); ++j)
        input_grad.col(residual_column(b, j, in_frames, out_frames)) += grad.col(j);
    } else {
      const int fw = first.kernel;
      const int offset = fw / 2 + (config_.causal ? fw / 2 : 0);
      for (Eigen::Index j = 0; j < grad.cols(); ++j) input_grad.col(j * fw + offset) += grad.col(j);
    }
    grad.swap(input_grad);
  }
  unit_backward(units_[0], grad, masks_[0]);
  sum_gradients();
}

}  // namespace lift3d::core::training
