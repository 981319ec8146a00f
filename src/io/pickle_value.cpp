// The decoded values: Value's lookups and descriptions, and the document that owns them.
#include "io/pickle.hpp"

namespace lift3d::io {
namespace {
using Kind = Value::Kind;
}  // namespace

const Value* Value::find(const std::string& key) const {
  if (kind != Kind::Dict) return nullptr;
  for (const auto& [k, v] : entries) {
    if ((k->kind == Kind::Str || k->kind == Kind::Bytes) && k->text == key) return v;
  }
  return nullptr;
}

std::string Value::describe() const {
  switch (kind) {
    case Kind::None:
      return "none";
    case Kind::Bool:
      return "bool";
    case Kind::Int:
      return "int";
    case Kind::Float:
      return "float";
    case Kind::Str:
      return "str";
    case Kind::Bytes:
      return "bytes";
    case Kind::List:
      return "list";
    case Kind::Tuple:
      return "tuple";
    case Kind::Dict:
      return "dict";
    case Kind::Global:
      return "global " + text;
    case Kind::Storage:
      return "storage";
    case Kind::Tensor:
      return "tensor";
    case Kind::Array:
      return "array";
    case Kind::DTypeSpec:
      return "dtype";
    case Kind::Opaque:
      return "opaque " + text;
  }
  return "value";
}

Value* PickleDocument::make(Value::Kind kind) {
  arena_.push_back(std::make_unique<Value>());
  arena_.back()->kind = kind;
  return arena_.back().get();
}

}  // namespace lift3d::io
