// Makes the values of one decoded pickle in its document, within limits. Memo references let a
// few bytes copy a large value again and again (list(x), bytes(b), a dict key hashed on every
// SETITEM, an array rebuilt by BUILD): all such work is charged against a budget proportional to
// the input, and every value placed in a container counts towards the nesting limit, so no pickle
// can make decoding hang, exhaust memory or nest deeper than code walking the result can follow.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "io/pickle.hpp"
#include "io/pickle_literals.hpp"

namespace lift3d::io::pickling {

class ValueBuilder {
 public:
  // `input_size`: bytes of the pickle, which sets the budget; `max_depth`: the nesting limit.
  ValueBuilder(PickleDocument& document, std::size_t input_size, std::size_t max_depth);

  PickleDocument& document() { return document_; }
  std::size_t max_depth() const { return max_depth_; }

  // Uncharged: a fixed-size value.
  Value* make(Value::Kind kind) { return document_.make(kind); }
  // None, True, False and small ints are shared: they are immutable and pickles are full of them.
  Value* none();
  Value* boolean(bool b);
  Value* integer(std::int64_t v);
  Value* integer(const PythonInt& v);
  Value* real(double v);
  // Str, Bytes, an Int beyond int64 (its hexadecimal text), Global or Opaque (the name): charged
  // by the payload's size.
  Value* text(Value::Kind kind, std::string payload);
  Value* opaque(const std::string& name) { return text(Value::Kind::Opaque, name); }
  // A List or Tuple of `items`, each charged and counted towards the nesting limit.
  Value* sequence(Value::Kind kind, const std::vector<Value*>& items);

  void append(Value* list, Value* item);
  // dict[key] = value with Python's key equality (True == 1 == 1.0): an equal key keeps its
  // place and takes the new value.
  void dict_set(Value* dict, Value* key, Value* value);
  // APPEND / APPENDS / ADDITEMS and SETITEM / SETITEMS on `target`; `what` names the opcode.
  // An Opaque target (a subclass we do not rebuild) drops the items.
  void append_to(Value* target, const std::vector<Value*>& items, const char* what);
  void set_items(Value* target, const std::vector<Value*>& items, const char* what);

  // Charges work done outside the methods above (copying array bytes, for instance).
  void charge(std::uint64_t units);

 private:
  // Records that `child` now sits inside `parent`, enforcing the nesting limit.
  void adopt(Value* parent, const Value* child);
  // Python's key -> entry index for `dict`, built from its entries the first time it is needed.
  std::unordered_map<std::string, std::size_t>& key_index(const Value* dict);

  PickleDocument& document_;
  std::size_t input_size_;
  std::size_t max_depth_;
  std::uint64_t work_ = 0;
  std::uint64_t budget_;
  std::unordered_map<const Value*, std::size_t> depth_;
  // Per dict: hashable key -> entry index, so SETITEM replaces like Python and stays O(1).
  std::unordered_map<const Value*, std::unordered_map<std::string, std::size_t>> dict_keys_;
  Value* none_ = nullptr;
  Value* true_ = nullptr;
  Value* false_ = nullptr;
  Value* small_ints_[264] = {};
};

}  // namespace lift3d::io::pickling
