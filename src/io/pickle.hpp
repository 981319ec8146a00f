// A restricted unpickler: decodes Python pickles (protocols 0-5) into a tree of plain values
// without ever running code from the file. Only a fixed whitelist of globals is rebuilt
// (containers, numbers, strings, bytes, torch tensors and storages, numpy arrays, dtypes and
// scalars, OrderedDict, _codecs.encode); globals known to be dangerous (os.system, builtins.eval,
// subprocess.Popen, ...) are rejected with an error naming them; any other global becomes an
// Opaque placeholder that carries only its name.
//
// The parts: pickle.cpp (the opcode machine and unpickle()), pickle_value.cpp (Value and
// PickleDocument), pickle_builder (making values within the budget and nesting limits),
// pickle_literals (numbers and strings spelled out inline), pickle_globals (the whitelist and the
// deny list), pickle_objects and pickle_numpy (what whitelisted globals make).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "lift3d/error.hpp"
#include "io/array.hpp"

namespace lift3d::io {

// Thrown (instead of a plain InputError) when the data end before the pickle's STOP opcode, so a
// caller that reads a file piecewise can retry with more bytes.
struct TruncatedPickleError : InputError {
  using InputError::InputError;
};

// Where a torch tensor's data live: a storage, addressed by its key in the checkpoint
// (the persistent id's key; the file name under data/ in zip checkpoints).
struct StorageRef {
  std::string key;
  DType dtype = DType::Float32;
  std::int64_t numel = 0;  // as the file claims; checked against the real data when read
  // Legacy torch files could save a view of a storage: the view starts `view_offset` elements
  // into the storage named by `key` and holds `numel` elements.
  std::int64_t view_offset = 0;
};

struct TensorRef {
  StorageRef storage;
  std::int64_t storage_offset = 0;  // in elements
  std::vector<std::int64_t> shape;
  std::vector<std::int64_t> strides;  // in elements
};

// How Python objects map onto values:
//  - int: Int; a value outside int64 keeps `integer` = 0 and has `text` = its hexadecimal value
//    ("0x1950a86a20f9469cfc6c", "-0x8000000000000001"); `text` is empty for every int64 value.
//  - str: Str (UTF-8); bytes and bytearray: Bytes; Python 2 strings (STRING, BINSTRING,
//    SHORT_BINSTRING opcodes) are raw bytes, so they become Bytes too.
//  - set: List, frozenset: Tuple (in the file's order); dict and OrderedDict: Dict.
//  - numpy arrays and numpy scalars of a numeric dtype: Array (scalars are 0-d); an object array
//    (dtype 'O') becomes a List of its elements in C order with its shape in `array.shape`;
//    arrays of other dtypes (strings, structured, datetime) become Opaque "numpy.ndarray".
//  - numpy.dtype: DTypeSpec with `text` = numpy's type code as pickled ("f8", "O8", "U5"),
//    `dtype` set when the code is numeric, `boolean` = true when the byte order is big endian.
struct Value {
  enum class Kind {
    None, Bool, Int, Float, Str, Bytes, List, Tuple, Dict,
    Global,   // a whitelisted class or function reference before it is called (e.g. torch.FloatStorage)
    Storage,  // a torch storage (from a persistent id)
    Tensor,   // a torch tensor (rebuilt by torch._utils._rebuild_tensor[_v2] / _rebuild_parameter)
    Array,    // a numpy ndarray (numpy.core.multiarray._reconstruct + BUILD) or numpy scalar
    DTypeSpec,// a numpy.dtype object
    Opaque    // an instance of a non-whitelisted class: its class name, and the state BUILD gave it (if any)
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
  // Opaque: the state BUILD gave the object (nullptr when none), for callers that know the class
  // (a numpy.random.RandomState in a training checkpoint). Never rebuilt into anything.
  const Value* state = nullptr;
  DType dtype = DType::Float32;  // DTypeSpec

  bool is(Kind k) const { return kind == k; }
  // Dict lookup by string key (Str or Bytes); nullptr when absent or when this is not a Dict.
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

// The element type of a torch storage class ("torch.FloatStorage", "torch.cuda.LongStorage", ...);
// nullopt for anything else.
std::optional<DType> torch_storage_dtype(const std::string& class_name);

// Decodes one pickle starting at data[0]. Stops at STOP; `consumed` (if given) receives the
// number of bytes read, so callers can decode several pickles back to back (legacy torch files).
// Throws InputError with a message that says what is wrong and at which byte offset (callers add
// the file name); TruncatedPickleError when the data end before STOP.
PickleDocument unpickle(const std::uint8_t* data, std::size_t size, const UnpickleOptions& options = {},
                        std::size_t* consumed = nullptr);

}  // namespace lift3d::io
