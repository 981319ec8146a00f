#include "io/pickle_objects.hpp"

#include "io/pickle_data_error.hpp"
#include "io/pickle_literals.hpp"

namespace lift3d::io::pickling {

using Kind = Value::Kind;

const std::vector<Value*>& tuple_items(const Value* value, const char* what) {
  if (!value->is(Kind::Tuple)) fail(std::string(what) + ": expected a tuple, got a " + value->describe());
  return value->items;
}

std::int64_t int_arg(const Value* value, const std::string& what) {
  if (value->is(Kind::Bool)) return value->boolean ? 1 : 0;
  if (!value->is(Kind::Int) || !value->text.empty()) fail(what + ": expected an integer, got a " + value->describe());
  return value->integer;
}

std::vector<std::int64_t> int_tuple(const Value* value, const std::string& what) {
  if (!value->is(Kind::Tuple) && !value->is(Kind::List)) {
    fail(what + ": expected a tuple of integers, got a " + value->describe());
  }
  std::vector<std::int64_t> result;
  for (const Value* item : value->items) result.push_back(int_arg(item, what));
  return result;
}

Value* ObjectRebuilder::load_global(const std::string& raw_module, const std::string& name) {
  const std::string full = python3_module(raw_module) + "." + name;
  const bool allowed = whitelisted(full).has_value() || torch_storage_dtype(full).has_value();
  if (!allowed && is_denied(raw_module, name)) fail("refusing to load global " + quoted(raw_module + "." + name));
  return values_.text(allowed ? Kind::Global : Kind::Opaque, full);
}

Value* ObjectRebuilder::call(Value* callable, const std::vector<Value*>& args, const char* what) {
  if (callable->is(Kind::Opaque)) return values_.opaque(callable->text);
  if (!callable->is(Kind::Global)) fail(std::string(what) + ": cannot call a " + callable->describe());
  const std::string& name = callable->text;
  const std::optional<Callable> callee = whitelisted(name);
  if (!callee) return values_.opaque(name);  // e.g. calling a storage class
  const Call call{name, args, what};
  switch (*callee) {
    case Callable::Set:
    case Callable::List:
    case Callable::FrozenSet:
    case Callable::Tuple:
    case Callable::TorchSize:
      return call_sequence(call, *callee);
    case Callable::Dict:
    case Callable::OrderedDict:
      return call_dict(call);
    case Callable::Bytes:
    case Callable::ByteArray:
      return call_bytes(call);
    case Callable::CodecsEncode:
      return call_codecs_encode(call);
    case Callable::Reconstructor:  // copyreg._reconstructor(cls, base, state): protocol 0/1 objects
      expect_arg_count(call, 3, 3);
      return construct(args[0], {}, what);
    case Callable::NewObj:
      return call_newobj(call);
    case Callable::NewObjEx:
      return call_newobj_ex(call);
    case Callable::RebuildTensor:
    case Callable::RebuildTensorV2:
      return rebuild_tensor(call);
    case Callable::RebuildParameter:
    case Callable::RebuildParameterWithState:
      return rebuild_parameter(call);
    case Callable::NumpyReconstruct:
      return numpy_reconstruct(call);
    case Callable::NumpyDType:
      return numpy_dtype(call);
    case Callable::NumpyScalar:
      return numpy_scalar(call);
    case Callable::NumpyFromBuffer:
      return numpy_frombuffer(call);
    case Callable::Object:
    case Callable::NumpyNDArray:
    case Callable::TorchStorage:
      return values_.opaque(name);
  }
  return values_.opaque(name);
}

Value* ObjectRebuilder::construct(Value* cls, const std::vector<Value*>& args, const char* what) {
  if (cls->is(Kind::Opaque)) return values_.opaque(cls->text);
  if (!cls->is(Kind::Global)) fail(std::string(what) + ": expected a class, got a " + cls->describe());
  const std::optional<Callable> callee = whitelisted(cls->text);
  if (!callee) return values_.opaque(cls->text);
  if (!is_class(*callee)) fail(std::string(what) + ": " + quoted(cls->text) + " is not a class");
  switch (*callee) {
    case Callable::Dict:
    case Callable::OrderedDict:
      return values_.make(Kind::Dict);
    case Callable::List:
    case Callable::Set:
      return values_.make(Kind::List);
    case Callable::ByteArray:
      return values_.text(Kind::Bytes, "");
    default:
      return call(cls, args, what);
  }
}

Value* ObjectRebuilder::instantiate(Value* cls, const std::vector<Value*>& args, const char* what) {
  if (args.empty() && cls->is(Kind::Global)) {
    const std::optional<Callable> callee = whitelisted(cls->text);
    if (callee && is_class(*callee)) return construct(cls, args, what);
  }
  return call(cls, args, what);
}

void ObjectRebuilder::build(Value* target, Value* state) {
  switch (target->kind) {
    case Kind::Array:
      build_array(target, *state);
      return;
    case Kind::DTypeSpec:
      build_dtype(target, *state);
      return;
    case Kind::Dict:    // OrderedDict attributes such as a state_dict's _metadata
    case Kind::List:    // attributes of a list subclass
    case Kind::Tensor:  // tensor attributes
      return;
    case Kind::Opaque:  // an object we do not rebuild: its state is kept aside for callers that know the
                        // class (a NumPy RandomState in a training checkpoint)
      target->state = state;
      return;
    default:
      fail("BUILD on a " + target->describe());
  }
}

// ---------------------------------------------------------------------------------------------
// Argument checks

void ObjectRebuilder::expect_arg_count(const Call& call, std::size_t low, std::size_t high) {
  if (call.args.size() < low || call.args.size() > high) {
    fail(quoted(call.name) + " called with " + std::to_string(call.args.size()) + " arguments");
  }
}

std::vector<Value*> ObjectRebuilder::iterable_items(const Call& call, const Value* source) {
  if (source->is(Kind::List) || source->is(Kind::Tuple)) return source->items;
  if (source->is(Kind::Dict)) {
    std::vector<Value*> keys;
    for (const auto& entry : source->entries) keys.push_back(entry.first);
    return keys;
  }
  fail(quoted(call.name) + ": cannot iterate a " + source->describe());
}

// ---------------------------------------------------------------------------------------------
// builtins, collections, _codecs

// set and list become Lists, frozenset, tuple and torch.Size Tuples.
Value* ObjectRebuilder::call_sequence(const Call& call, Callable kind) {
  expect_arg_count(call, 0, 1);
  const bool mutable_kind = kind == Callable::Set || kind == Callable::List;
  return values_.sequence(mutable_kind ? Kind::List : Kind::Tuple,
                          call.args.empty() ? std::vector<Value*>{} : iterable_items(call, call.args[0]));
}

// dict(), dict(mapping) or dict(iterable of (key, value) pairs).
Value* ObjectRebuilder::call_dict(const Call& call) {
  expect_arg_count(call, 0, 1);
  Value* dict = values_.make(Kind::Dict);
  if (call.args.empty()) return dict;
  if (call.args[0]->is(Kind::Dict)) {
    for (const auto& [key, value] : call.args[0]->entries) values_.dict_set(dict, key, value);
    return dict;
  }
  for (const Value* pair : iterable_items(call, call.args[0])) {
    if (!(pair->is(Kind::Tuple) || pair->is(Kind::List)) || pair->items.size() != 2) {
      fail(quoted(call.name) + ": expected (key, value) pairs, got a " + pair->describe());
    }
    values_.dict_set(dict, pair->items[0], pair->items[1]);
  }
  return dict;
}

// bytes(), bytes(bytes), bytes(str, encoding[, errors]) or bytes(iterable of ints).
Value* ObjectRebuilder::call_bytes(const Call& call) {
  expect_arg_count(call, 0, 3);
  const std::vector<Value*>& args = call.args;
  if (args.empty()) return values_.text(Kind::Bytes, "");
  const Value* source = args[0];
  if (source->is(Kind::Bytes)) return values_.text(Kind::Bytes, source->text);
  if (source->is(Kind::Str)) {
    if (args.size() < 2 || !args[1]->is(Kind::Str)) fail(quoted(call.name) + ": string argument without an encoding");
    return values_.text(Kind::Bytes, encode_str(source->text, args[1]->text, call.what));
  }
  if (source->is(Kind::List) || source->is(Kind::Tuple)) {
    std::string bytes;
    for (const Value* item : source->items) {
      const std::int64_t byte = int_arg(item, call.name);
      if (byte < 0 || byte > 255) fail(quoted(call.name) + ": byte value out of range");
      bytes += static_cast<char>(byte);
    }
    return values_.text(Kind::Bytes, bytes);
  }
  fail(quoted(call.name) + ": unsupported argument, a " + source->describe());
}

// _codecs.encode(str[, encoding[, errors]]): how protocols 0-2 carry bytes objects.
Value* ObjectRebuilder::call_codecs_encode(const Call& call) {
  expect_arg_count(call, 1, 3);
  const std::vector<Value*>& args = call.args;
  if (!args[0]->is(Kind::Str)) fail(quoted(call.name) + ": expected a str, got a " + args[0]->describe());
  std::string encoding = "utf-8";
  if (args.size() >= 2) {
    if (!args[1]->is(Kind::Str)) fail(quoted(call.name) + ": encoding is a " + args[1]->describe());
    encoding = args[1]->text;
  }
  return values_.text(Kind::Bytes, encode_str(args[0]->text, encoding, call.what));
}

// ---------------------------------------------------------------------------------------------
// copyreg

// copyreg.__newobj__(cls, *args): what NEWOBJ does, at protocols 0 and 1.
Value* ObjectRebuilder::call_newobj(const Call& call) {
  if (call.args.empty()) fail(quoted(call.name) + " called without a class");
  return construct(call.args[0], std::vector<Value*>(call.args.begin() + 1, call.args.end()), call.what);
}

// copyreg.__newobj_ex__(cls, args, kwargs)
Value* ObjectRebuilder::call_newobj_ex(const Call& call) {
  expect_arg_count(call, 3, 3);
  return construct(call.args[0], tuple_items(call.args[1], "copyreg.__newobj_ex__ arguments"), call.what);
}

// ---------------------------------------------------------------------------------------------
// torch

// torch._utils._rebuild_tensor[_v2](storage, storage_offset, size, stride, ...): a view of a storage.
Value* ObjectRebuilder::rebuild_tensor(const Call& call) {
  const std::vector<Value*>& args = call.args;
  const std::string& name = call.name;
  if (args.size() < 4) fail(quoted(name) + " expects at least 4 arguments, got " + std::to_string(args.size()));
  const Value* storage = args[0];
  if (storage->is(Kind::Opaque)) return values_.opaque(storage->text);  // e.g. a storage type we cannot read
  if (!storage->is(Kind::Storage)) fail(quoted(name) + ": expected a storage, got a " + storage->describe());
  Value* tensor = values_.make(Kind::Tensor);
  TensorRef& ref = tensor->tensor;
  ref.storage = storage->storage;
  ref.storage_offset = int_arg(args[1], name + " storage offset");
  ref.shape = int_tuple(args[2], name + " size");
  ref.strides = int_tuple(args[3], name + " stride");
  if (ref.storage_offset < 0) fail(quoted(name) + ": negative storage offset");
  if (ref.shape.size() != ref.strides.size()) {
    fail(quoted(name) + ": size " + shape_string(ref.shape) + " and stride " + shape_string(ref.strides) +
         " differ in length");
  }
  for (std::size_t d = 0; d < ref.shape.size(); ++d) {
    if (ref.shape[d] < 0 || ref.strides[d] < 0) fail(quoted(name) + ": negative size or stride");
  }
  return tensor;
}

// torch._utils._rebuild_parameter[_with_state](data, requires_grad, backward_hooks[, state]): the
// tensor itself, for reading a Parameter is its data.
Value* ObjectRebuilder::rebuild_parameter(const Call& call) {
  expect_arg_count(call, 1, 4);
  Value* data = call.args[0];
  if (!data->is(Kind::Tensor) && !data->is(Kind::Opaque)) {
    fail(quoted(call.name) + ": expected a tensor, got a " + data->describe());
  }
  return data;
}

}  // namespace lift3d::io::pickling
