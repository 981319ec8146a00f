// A VideoPose3D TemporalModel's state_dict, PyTorch names and shapes, turned into core's plain
// config and weights. Checkpoints store no hyper-parameters, so the architecture is recovered from
// the tensor shapes and every expected tensor is checked by name and shape (unknown names, wrong
// shapes and missing tensors are refused, naming them); what shapes cannot tell (causal; dense
// versus dilated when both fit) comes from the user.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/model_config.hpp"
#include "core/model_weights.hpp"
#include "io/torch_checkpoint.hpp"

namespace lift3d::pipeline {

// What the user may state to check or complete the inferred architecture.
struct ArchitectureHints {
  std::optional<std::vector<int>> filter_widths;  // --architecture
  std::optional<int> channels;                    // --channels
  std::optional<bool> dense;                      // --dense
  bool causal = false;                            // --causal
};

// Recovers the architecture of a pose (or trajectory) state_dict from its tensor shapes and checks
// it is complete and consistent: every expected tensor present with the expected shape and a float
// dtype, no unexpected tensor (BatchNorm's num_batches_tracked aside). Throws ModelError("<what>:
// ...") naming the offending tensor and what the file holds; `what` is e.g. "model.bin: model_pos".
core::ModelConfig infer_architecture(const io::StateDict& state, const ArchitectureHints& hints, const std::string& what);

// The weights of a state_dict already checked by infer_architecture, consumed tensor by tensor (each
// tensor's bytes are freed once converted, so loading never holds a checkpoint's weights twice).
core::ModelWeights model_weights_from_state_dict(io::StateDict&& state, const core::ModelConfig& config);

// The same weights read from `checkpoint` as they are needed, `state` being its state_dict read
// with TensorData::ShapesOnly and checked by infer_architecture: each convolution's weights go
// straight from the file into the buffer the model folds (no intermediate copy of the bytes).
core::ModelWeights model_weights_from_checkpoint(const io::TorchCheckpoint& checkpoint, io::StateDict& state,
                                                 const core::ModelConfig& config);

}  // namespace lift3d::pipeline
