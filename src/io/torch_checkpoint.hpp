// PyTorch checkpoints as written by torch.save: the legacy stream format (before torch 1.6: magic
// number, protocol, sys info, the object pickle, the storage keys, then raw storages) and the zip
// format (torch >= 1.6: <prefix>/data.pkl and <prefix>/data/<key>; the prefix is usually the
// file's stem or "archive"). Decoded with the restricted unpickler; tensor data are read lazily,
// one tensor at a time, so a large checkpoint with optimizer state loads only what the model uses.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <memory>
#include <string>
#include <vector>

#include "io/array.hpp"
#include "io/pickle.hpp"

namespace lift3d::io {

class TorchCheckpoint {
 public:
  // Reads the structure (not the tensor data). Throws ModelError naming the path.
  explicit TorchCheckpoint(const std::string& path);
  ~TorchCheckpoint();
  TorchCheckpoint(TorchCheckpoint&&) noexcept;

  const std::string& path() const { return path_; }
  // "legacy" or "zip".
  const std::string& format() const { return format_; }
  // The unpickled top-level object (for VideoPose3D checkpoints a dict with epoch, lr,
  // model_pos, model_traj, optimizer, random_state, ...).
  const Value& root() const { return *document_->root(); }

  // Copies the tensor's elements in logical (C) order, honouring offset and strides, in the
  // storage's own dtype (Array::to_float() etc. convert). Reads only the bytes the tensor spans.
  // Throws ModelError when the storage is missing, damaged or too small for the tensor.
  Array read_tensor(const TensorRef& tensor) const;
  // The tensor's elements converted to float32, in C order. A contiguous float32 tensor (what
  // torch.save writes for a model) is read straight into the result, without an intermediate copy.
  std::vector<float> read_tensor_floats(const TensorRef& tensor) const;
  // The checks of read_tensor without the reading: the storage exists, is intact and holds the
  // tensor. Throws ModelError as read_tensor does.
  void check_tensor(const TensorRef& tensor) const;

 private:
  struct Storage;  // format-specific locator of one storage's bytes
  // Where a checked tensor's elements lie: storage elements [first, first + last] (in the
  // storage's dtype); numel 0 for an empty tensor.
  struct TensorSpan {
    const Storage* storage;
    std::int64_t first, last, numel;
  };
  TensorSpan locate_tensor(const TensorRef& tensor) const;
  // Reads `bytes` bytes of the located tensor's storage, from its first element, into `out`.
  void read_span(const TensorSpan& located, const std::string& key, void* out, std::size_t bytes) const;
  std::string path_;
  std::string format_;
  std::shared_ptr<PickleDocument> document_;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A state_dict with its tensors read: name -> array, in the checkpoint's order.
struct NamedTensor {
  std::string name;
  Array array;
  const TensorRef* source = nullptr;  // where it lies in the checkpoint (valid while that is open)
};
using StateDict = std::vector<NamedTensor>;

// Whether read_state_dict reads the tensors' elements or only their dtypes and shapes (arrays
// with empty bytes, every tensor still checked against its storage: what inspecting needs).
enum class TensorData { Read, ShapesOnly };

// Reads the state_dict stored under `key` (e.g. "model_pos"). Returns an empty optional when the
// key is absent or holds None; throws ModelError when it holds something other than a dict of
// tensors.
std::optional<StateDict> read_state_dict(const TorchCheckpoint& checkpoint, const std::string& key,
                                         TensorData data = TensorData::Read);

}  // namespace lift3d::io
