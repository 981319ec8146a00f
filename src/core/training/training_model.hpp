// The model run.py trains: VideoPose3D's TemporalModelOptimized1f (the reference's common/model.py),
// or for --stride > 1, --dense and --disable-optimizations its TemporalModel itself (`full`: below),
// with its forward pass in training mode and the backward pass that gives every parameter's gradient.
//
// Full model: every convolution has stride 1 and its dilation (dense: dilation 1 and a kernel spanning
// the dilated one); each example is a window of frames_out + receptive_field - 1 frames giving
// frames_out outputs; a convolution gathers its kernel taps into a (kernel * in) x columns matrix and
// is one product; a block's residual is the slice [pad + shift, frames - pad + shift) of its input.
//
// Each training example is one window of exactly receptive_field() input frames and gives one output
// frame. With every window that long, a dilated convolution of kernel k only ever meets its input at
// multiples of k, so it becomes a convolution of kernel k and stride k: the expand convolution has
// stride fw_0 and block b's first convolution stride fw_b, without dilation. The residual of a block is
// the centre frame of each group of fw_b frames (the last one for a causal model). Its weights are
// those of the evaluation model (same names and shapes).
//
// Activations are channels x (examples * frames) matrices, column-major, so that one example's frames
// are adjacent columns. A convolution of kernel k and stride k then reads k adjacent columns per output:
// the input seen as a (k * in_channels) x (columns / k) matrix, so each convolution is one matrix product
// (and its backward two), with weights laid out as out x (k * in): column kk * in + i is torch's
// W[o][i][kk].
//
// BatchNorm runs in training mode: batch mean and biased variance per channel (accumulated in double,
// as PyTorch's CPU kernel does), and the running statistics updated with the current momentum and the
// unbiased variance. Dropout multiplies by mask / (1 - p) (PyTorch's inverted dropout); masks are drawn
// from the model's generator, or given (tests compare with PyTorch under the same masks).
//
// Data-parallel training: with a Collective of several processes, each runs forward() and backward()
// on its share of the batch (the shares in process order make the batch), and the model adds up across
// them what couples the examples: the BatchNorm statistics (per channel the sum of x, then of
// (x - mean)^2, in the forward; the sums of dy and dy * (x - mean) in the backward: synchronised
// BatchNorm) and, at the end of backward(), every parameter's gradient. Each process draws the whole
// batch's dropout masks and keeps its share's, so the result is the single process's within float32
// round-off (only the order of the sums differs). A batch of several parts (semi-supervised training:
// labelled, then unlabelled examples) is split part by part: forward_parts().
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "core/model_config.hpp"
#include "core/training/collective.hpp"

namespace lift3d::core::training {

using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic>;

// One tensor of a PyTorch state_dict: its name, shape and float32 values in C order. Parameters carry
// their gradient (same size) after backward().
struct NamedTensor {
  std::string name;
  std::vector<std::int64_t> shape;
  std::vector<float> values;
  std::vector<float> grad;  // parameters only; empty for buffers
};

// The first and second convolution of a residual block, and the expand convolution, are "units":
// convolution (no bias), BatchNorm, ReLU, dropout. Units are numbered in forward order: 0 the expand
// convolution, then 1 + 2b and 2 + 2b for block b.
class TrainingModel {
 public:
  // `config` must have filter widths. Parameters start at PyTorch's default initialisation (uniform in
  // +-1/sqrt(fan_in) for the convolutions and the shrink bias, BatchNorm weight 1 and bias 0), drawn
  // from `seed`. `full`: the reference's TemporalModel itself rather than its Optimized1f (run.py
  // trains that one for --stride > 1, --dense and --disable-optimizations): dilated (or dense)
  // convolutions of stride 1 over windows of frames_out + receptive_field - 1 frames, each example
  // giving frames_out output frames. A dense config needs `full` (Optimized1f has no dense form).
  TrainingModel(const ModelConfig& config, double dropout, std::uint64_t seed = 0, bool full = false);
  bool full() const { return full_; }

  const ModelConfig& config() const { return config_; }
  double dropout() const { return dropout_; }
  int units() const { return 1 + 2 * config_.blocks(); }

  // Parameters in PyTorch's registration order (model.parameters(): expand_bn.weight,
  // expand_bn.bias, shrink.weight, shrink.bias, expand_conv.weight, layers_conv.*.weight,
  // layers_bn.*.weight/bias): the order of the optimizer's state.
  std::vector<NamedTensor>& parameters() { return parameters_; }
  const std::vector<NamedTensor>& parameters() const { return parameters_; }
  // BatchNorm buffers: <bn>.running_mean, <bn>.running_var (float32) for expand_bn then layers_bn.*.
  std::vector<NamedTensor>& buffers() { return buffers_; }
  const std::vector<NamedTensor>& buffers() const { return buffers_; }
  // num_batches_tracked of every BatchNorm (they all count the same batches).
  std::int64_t batches_tracked() const { return batches_tracked_; }
  void set_batches_tracked(std::int64_t count) { batches_tracked_ = count; }
  // The whole state_dict in PyTorch's order (expand_bn.*, shrink.*, expand_conv.weight,
  // layers_conv.*, layers_bn.*; num_batches_tracked left out: see batches_tracked()).
  std::vector<const NamedTensor*> state_dict() const;
  // Finds a parameter or buffer by its state_dict name; nullptr when absent.
  NamedTensor* find(const std::string& name);

  void set_bn_momentum(double momentum) { momentum_ = momentum; }
  double bn_momentum() const { return momentum_; }
  void reseed_dropout(std::uint64_t seed) { generator_.seed(seed); }
  // The processes training this model together (kept by reference; a single process by default).
  void set_collective(Collective& collective) { collective_ = &collective; }

  // Forward pass in training mode over `examples` windows (this process's share of the batch; with
  // several processes every one must call it, also with a share of 0 examples). `input` is input_channels x (examples *
  // receptive_field) (column e * RF + t is frame t of example e, channels joint-major, x before y).
  // Returns 3 * joints_out x examples (row 3j + d). Updates the
  // running statistics and the batch count. `masks`, when given, holds one 0/1 matrix per unit of that
  // unit's output shape (channels x examples * frames after it); otherwise masks are drawn.
  // A full model takes input_channels x (examples * (frames_out + receptive_field - 1)) and returns
  // 3 * joints_out x (examples * frames_out) (column e * frames_out + t).
  Matrix forward(const Matrix& input, int examples, const std::vector<Matrix>* masks = nullptr, int frames_out = 1);
  // forward() over a batch made of parts side by side (semi-supervised training: the labelled examples,
  // then the unlabelled ones), each part split across the processes: this process's input holds its
  // share of each part, in part order (`part_examples` the share sizes). The batch a single process
  // sees is every process's share of part 0, then of part 1...: BatchNorm runs over all of it, and the
  // dropout masks are that batch's, cut to this process's columns.
  Matrix forward_parts(const Matrix& input, const std::vector<int>& part_examples,
                       const std::vector<Matrix>* masks = nullptr, int frames_out = 1);
  // Sets every parameter's gradient to d(loss)/d(parameter) given d(loss)/d(output) of the last
  // forward(), in that output's layout. Gradients are overwritten, not accumulated; with several
  // processes they are the whole batch's (summed over the processes).
  void backward(const Matrix& output_grad);

  // The 0/1 dropout masks the last forward() used (empty matrices when dropout is 0).
  const std::vector<Matrix>& last_masks() const { return masks_; }

 private:
  struct Unit {
    int in_channels = 0, out_channels = 0, kernel = 1;  // Optimized1f: stride == kernel
    int dilation = 1;                                    // full model: stride 1, this dilation
    int frames_in = 0;                                   // full model: frames per example in
    Eigen::Index frames_out = 0;                         // output columns per example
    Matrix windows;  // full model: the (kernel * in) x columns_out matrix of the input's taps
    int conv = -1, bn_weight = -1, bn_bias = -1;        // indices into parameters_
    int running_mean = -1, running_var = -1;            // indices into buffers_
    // Saved by forward for backward.
    const float* input = nullptr;  // in_channels x columns_in: the model's copy of the input, or the previous unit's output
    Eigen::Index columns_out = 0;
    Matrix weights;    // out x (kernel * in), from the parameter
    Matrix pre_norm;   // convolution output
    std::vector<double> mean, invstd;  // batch statistics
    Matrix activated;  // after BatchNorm and ReLU, before dropout
    Matrix output;     // after dropout (the next unit's input)
  };

  void add_parameter(const std::string& name, std::vector<std::int64_t> shape);
  void add_batch_norm(const std::string& name, int channels, Unit& unit);
  void initialise(std::uint64_t seed);
  void locate_share(const std::vector<int>& part_examples);
  void batch_norm_forward(Unit& unit);
  void draw_mask(const Unit& unit, Matrix& mask);
  void batch_norm_backward(Unit& unit, Matrix& grad);
  void sum_gradients();
  void run_unit(Unit& unit, const float* input, Eigen::Index columns_in, const Matrix* mask, Matrix& mask_used);
  // Returns d(loss)/d(unit input) given d(loss)/d(unit output); sets the unit's parameter gradients.
  Matrix unit_backward(Unit& unit, const Matrix& output_grad, const Matrix& mask);
  // Full model: the column of a block's input that the residual adds to output column j.
  Eigen::Index residual_column(int block, Eigen::Index j, int frames_in, int frames_out) const;

  ModelConfig config_;
  bool full_ = false;
  double dropout_ = 0.0;
  double momentum_ = 0.1;
  std::int64_t batches_tracked_ = 0;
  std::vector<NamedTensor> parameters_;
  std::vector<NamedTensor> buffers_;
  std::vector<Unit> units_;
  int shrink_weight_ = -1, shrink_bias_ = -1;
  std::mt19937_64 generator_;
  Collective* collective_ = &single_process();
  // The whole batch of the last forward(), over all processes, and where this process's share of each
  // of its parts lies in it.
  struct Segment {
    int first = 0, count = 0;  // examples [first, first + count) of the whole batch
  };
  int batch_examples_ = 0;
  std::vector<Segment> segments_;
  Eigen::Index frames_in_ = 0;  // forward(): frames per example entering the next full-model unit
  std::vector<Matrix> masks_;
  // Saved by forward for backward.
  Matrix input_;                        // the last forward()'s input
  std::vector<Matrix> block_outputs_;  // the output of each block (expand unit's output is units_[0].output)
  int examples_ = 0;
};

}  // namespace lift3d::core::training
