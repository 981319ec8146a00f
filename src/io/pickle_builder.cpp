#include "io/pickle_builder.hpp"

#include <cmath>
#include <cstring>
#include <optional>

#include "io/pickle_data_error.hpp"

namespace lift3d::io::pickling {
namespace {

using Kind = Value::Kind;

// A dict key that Python would hash, as a string that is equal exactly when Python's keys are
// equal (True == 1 == 1.0); nullopt for keys we do not deduplicate.
std::optional<std::string> hash_key(const Value& key) {
  switch (key.kind) {
    case Kind::None:
      return std::string("n");
    case Kind::Bool:
      return std::string(key.boolean ? "i1" : "i0");
    case Kind::Int:
      return key.text.empty() ? "i" + std::to_string(key.integer) : "h" + key.text;
    case Kind::Float:
      if (std::isfinite(key.real) && std::floor(key.real) == key.real && std::fabs(key.real) < 9.2e18) {
        return "i" + std::to_string(static_cast<std::int64_t>(key.real));
      } else {
        std::uint64_t bits;
        std::memcpy(&bits, &key.real, sizeof bits);
        return "f" + std::to_string(bits);
      }
    case Kind::Str:
      return "s" + key.text;
    case Kind::Bytes:
      return "b" + key.text;
    default:
      return std::nullopt;
  }
}

}  // namespace

ValueBuilder::ValueBuilder(PickleDocument& document, std::size_t input_size, std::size_t max_depth)
    : document_(document),
      input_size_(input_size),
      max_depth_(max_depth),
      budget_(16 * std::uint64_t{input_size} + (1u << 26)) {}

Value* ValueBuilder::none() {
  if (none_ == nullptr) none_ = make(Kind::None);
  return none_;
}

Value* ValueBuilder::boolean(bool b) {
  Value*& slot = b ? true_ : false_;
  if (slot == nullptr) {
    slot = make(Kind::Bool);
    slot->boolean = b;
  }
  return slot;
}

Value* ValueBuilder::integer(std::int64_t v) {
  const bool cached = v >= -8 && v < 256;
  if (cached && small_ints_[v + 8] != nullptr) return small_ints_[v + 8];
  Value* value = make(Kind::Int);
  value->integer = v;
  if (cached) small_ints_[v + 8] = value;
  return value;
}

Value* ValueBuilder::integer(const PythonInt& v) {
  return v.hex.empty() ? integer(v.value) : text(Kind::Int, v.hex);
}

Value* ValueBuilder::real(double v) {
  Value* value = make(Kind::Float);
  value->real = v;
  return value;
}

Value* ValueBuilder::text(Kind kind, std::string payload) {
  charge(payload.size());
  Value* value = make(kind);
  value->text = std::move(payload);
  return value;
}

Value* ValueBuilder::sequence(Kind kind, const std::vector<Value*>& items) {
  Value* value = make(kind);
  for (Value* item : items) append(value, item);
  return value;
}

void ValueBuilder::charge(std::uint64_t units) {
  work_ += units;
  if (work_ > budget_) {
    fail("the pickle expands to more than " + std::to_string(budget_) + " bytes and items (it has " +
         std::to_string(input_size_) + " bytes)");
  }
}

void ValueBuilder::adopt(Value* parent, const Value* child) {
  auto it = depth_.find(child);
  const bool container = child->is(Kind::List) || child->is(Kind::Tuple) || child->is(Kind::Dict);
  const std::size_t depth = (it != depth_.end() ? it->second : container ? 1 : 0) + 1;
  if (depth > max_depth_) fail("nesting deeper than " + std::to_string(max_depth_) + " levels");
  std::size_t& parent_depth = depth_[parent];
  if (parent_depth < depth) parent_depth = depth;
}

void ValueBuilder::append(Value* list, Value* item) {
  charge(1);
  adopt(list, item);
  list->items.push_back(item);
}

std::unordered_map<std::string, std::size_t>& ValueBuilder::key_index(const Value* dict) {
  auto& index = dict_keys_[dict];
  if (index.empty() && !dict->entries.empty()) {  // entries added before indexing (copies)
    for (std::size_t i = 0; i < dict->entries.size(); ++i) {
      if (auto h = hash_key(*dict->entries[i].first)) index.emplace(*h, i);
    }
  }
  return index;
}

void ValueBuilder::dict_set(Value* dict, Value* key, Value* value) {
  charge(1 + key->text.size());
  adopt(dict, key);
  adopt(dict, value);
  if (auto hashed = hash_key(*key)) {
    auto [it, inserted] = key_index(dict).emplace(*hashed, dict->entries.size());
    if (!inserted) {
      dict->entries[it->second].second = value;
      return;
    }
  }
  dict->entries.emplace_back(key, value);
}

void ValueBuilder::append_to(Value* target, const std::vector<Value*>& items, const char* what) {
  if (target->is(Kind::Opaque)) return;  // a list subclass we do not rebuild: its items are dropped
  if (!target->is(Kind::List)) fail(std::string(what) + " on a " + target->describe());
  for (Value* item : items) append(target, item);
}

void ValueBuilder::set_items(Value* target, const std::vector<Value*>& items, const char* what) {
  if (items.size() % 2 != 0) fail(std::string(what) + ": odd number of items");
  if (target->is(Kind::Opaque)) return;
  if (!target->is(Kind::Dict)) fail(std::string(what) + " on a " + target->describe());
  for (std::size_t i = 0; i < items.size(); i += 2) dict_set(target, items[i], items[i + 1]);
}

}  // namespace lift3d::io::pickling
