// A restricted unpickler: decodes Python pickles (protocols 0-5) into a tree of plain values
// without ever running code from the file. Only a fixed whitelist of globals is rebuilt
// (containers, numbers, strings, bytes, torch tensors and storages, numpy arrays, dtypes and
// scalars, OrderedDict, _codecs.encode); globals known to be dangerous (os.system, builtins.eval,
// subprocess.Popen, ...) are rejected with an error naming them; any other global becomes an
// Opaque placeholder that carries only its name.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "lift3d/io/array.hpp"

namespace lift3d::io {

// Where a torch tensor's data live: a storage, addressed by its key in the checkpoint
// (the persistent id's key; the file name under data/ in zip checkpoints).
struct StorageRef {
  std::string key;
  DType dtype = DType::Float32;
  std::int64_t numel = 0;  // as the file claims; checked against the real data when read
};

struct TensorRef {
  StorageRef storage;
  std::int64_t storage_offset = 0;  // in elements
  std::vector<std::int64_t> shape;
  std::vector<std::int64_t> strides;  // in elements
};

struct Value {
  enum class Kind {
    None, Bool, Int, Float, Str, Bytes, List, Tuple, Dict,
    Global,   // a whitelisted class or function reference before it is called (e.g. torch.FloatStorage)
    Storage,  // a torch storage (from a persistent id)
    Tensor,   // a torch tensor (rebuilt by torch._utils._rebuild_tensor[_v2] / _rebuild_parameter)
    Array,    // a numpy ndarray (numpy.core.multiarray._reconstruct + BUILD) or numpy scalar
    DTypeSpec,// a numpy.dtype object
    Opaque    // an instance of a non-whitelisted class; only its class name is kept
  };
  Kind kind = Kind::None;

  bool boolean = false;
  std::int64_t integer = 0;
  double real = 0.0;
  std::string text;  // Str and Bytes payloads; "module.name" for Global and Opaque
  std::vector<Value*> items;                        // List, Tuple
  std::vector<std::pair<Value*, Value*>> entries;   // Dict, in insertion order
  StorageRef storage;  // Storage
  TensorRef tensor;    // Tensor
  Array array;         // Array
  DType dtype = DType::Float32;  // DTypeSpec

  bool is(Kind k) const { return kind == k; }
  // Dict lookup by string key; nullptr when absent or when this is not a Dict.
  const Value* find(const std::string& key) const;
  // Short human-readable kind name for error messages ("dict", "tensor", "opaque torch.optim.Adam").
  std::string describe() const;
};

// Owns every Value of one decoded pickle. Values refer to each other by raw pointer, so shared
// and even cyclic references (possible through the memo) are neither leaked nor freed twice.
class PickleDocument {
 public:
  const Value* root() const { return root_; }

  // Used by the unpickler.
  Value* make(Value::Kind kind);
  void set_root(Value* root) { root_ = root; }

 private:
  std::vector<std::unique_ptr<Value>> arena_;
  Value* root_ = nullptr;
};

struct UnpickleOptions {
  // Called for PERSID/BINPERSID with the persistent id value (torch: a tuple
  // ('storage', <Global torch.FloatStorage>, key, location, numel[, view metadata])). Must return a
  // value allocated in `doc`. Without it, a persistent id is an error.
  std::function<Value*(PickleDocument& doc, const Value& pid)> persistent_load;
  std::size_t max_depth = 1000;  // nesting of containers / marks
};

// Decodes one pickle starting at data[0]. Stops at STOP; `consumed` (if given) receives the
// number of bytes read, so callers can decode several pickles back to back (legacy torch files).
// Throws InputError with a message that says what is wrong and at which byte offset; callers add
// the file name.
PickleDocument unpickle(const std::uint8_t* data, std::size_t size, const UnpickleOptions& options = {},
                        std::size_t* consumed = nullptr);

}  // namespace lift3d::io
