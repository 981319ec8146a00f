// What a pickle's globals make: loading a global (whitelisted, refused, or kept as an Opaque
// name), calling it (REDUCE), making an instance of it (NEWOBJ, NEWOBJ_EX, INST, OBJ) and setting
// an object's state (BUILD). Only whitelisted globals do anything, and only what is written here:
// containers, bytes, torch tensors, numpy arrays, dtypes and scalars (pickle_numpy.cpp).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "io/array.hpp"
#include "io/pickle.hpp"
#include "io/pickle_builder.hpp"
#include "io/pickle_globals.hpp"

namespace lift3d::io::pickling {

// Argument checks shared by the calls; `what` names the argument in messages.
const std::vector<Value*>& tuple_items(const Value* value, const char* what);
std::int64_t int_arg(const Value* value, const std::string& what);  // an int or a bool
std::vector<std::int64_t> int_tuple(const Value* value, const std::string& what);

class ObjectRebuilder {
 public:
  explicit ObjectRebuilder(ValueBuilder& values) : values_(values) {}

  // GLOBAL / STACK_GLOBAL / INST: a Global when whitelisted, an Opaque otherwise.
  Value* load_global(const std::string& module, const std::string& name);
  // callable(*args); `what` names the opcode in messages.
  Value* call(Value* callable, const std::vector<Value*>& args, const char* what);
  // cls.__new__(cls, *args) for NEWOBJ / NEWOBJ_EX / copyreg._reconstructor.
  Value* construct(Value* cls, const std::vector<Value*>& args, const char* what);
  // INST / OBJ: Python calls cls(*args), or cls.__new__(cls) for a class without arguments.
  Value* instantiate(Value* cls, const std::vector<Value*>& args, const char* what);
  // BUILD: sets `target`'s state.
  void build(Value* target, Value* state);

 private:
  // One call of a whitelisted global: its name, the arguments and the opcode that makes it.
  struct Call {
    const std::string& name;
    const std::vector<Value*>& args;
    const char* what;
  };
  void expect_arg_count(const Call& call, std::size_t low, std::size_t high);
  // What iterating `source` yields: a list's or tuple's items, a dict's keys.
  std::vector<Value*> iterable_items(const Call& call, const Value* source);

  // builtins and collections
  Value* call_sequence(const Call& call, Callable kind);  // set, list, frozenset, tuple, torch.Size
  Value* call_dict(const Call& call);                     // dict, OrderedDict
  Value* call_bytes(const Call& call);                    // bytes, bytearray
  Value* call_codecs_encode(const Call& call);
  // copyreg: the protocol 0 and 1 spellings of NEWOBJ and NEWOBJ_EX
  Value* call_newobj(const Call& call);
  Value* call_newobj_ex(const Call& call);
  // torch
  Value* rebuild_tensor(const Call& call);
  Value* rebuild_parameter(const Call& call);

  // numpy (pickle_numpy.cpp)
  Value* numpy_reconstruct(const Call& call);
  Value* numpy_dtype(const Call& call);
  Value* numpy_scalar(const Call& call);
  Value* numpy_frombuffer(const Call& call);
  // An Array of `shape` from raw element bytes, converted to native byte order and C order.
  Value* numpy_array(DType dtype, bool big_endian, std::vector<std::int64_t> shape, const std::string& bytes,
                     bool fortran, const char* what);
  void build_array(Value* target, const Value& state);
  void build_dtype(Value* target, const Value& state);

  ValueBuilder& values_;
};

}  // namespace lift3d::io::pickling
