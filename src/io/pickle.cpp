// The unpickler proper: reads the opcodes and keeps the stack, the marks and the memo. Values are
// made by ValueBuilder (which enforces the limits), globals are handled by ObjectRebuilder, the
// inline literals decoded by pickle_literals; this file is the machine that strings them together,
// one handler per opcode family.
#include "io/pickle.hpp"

#include <charconv>
#include <cstring>
#include <unordered_map>

#include "io/pickle_builder.hpp"
#include "io/pickle_data_error.hpp"
#include "io/pickle_literals.hpp"
#include "io/pickle_objects.hpp"

namespace lift3d::io {
namespace {

using pickling::fail;
using Kind = Value::Kind;

// Opcodes of pickle protocols 0-5 (names as in Python's pickletools).
namespace op {
constexpr std::uint8_t kMark = '(', kStop = '.', kPop = '0', kPopMark = '1', kDup = '2', kFloat = 'F',
                       kInt = 'I', kBinInt = 'J', kBinInt1 = 'K', kLong = 'L', kBinInt2 = 'M', kNone = 'N',
                       kPersId = 'P', kBinPersId = 'Q', kReduce = 'R', kString = 'S', kBinString = 'T',
                       kShortBinString = 'U', kUnicode = 'V', kBinUnicode = 'X', kAppend = 'a', kBuild = 'b',
                       kGlobal = 'c', kDict = 'd', kEmptyDict = '}', kAppends = 'e', kGet = 'g',
                       kBinGet = 'h', kInst = 'i', kLongBinGet = 'j', kList = 'l', kEmptyList = ']',
                       kObj = 'o', kPut = 'p', kBinPut = 'q', kLongBinPut = 'r', kSetItem = 's', kTuple = 't',
                       kEmptyTuple = ')', kSetItems = 'u', kBinFloat = 'G', kBinBytes = 'B',
                       kShortBinBytes = 'C';
constexpr std::uint8_t kProto = 0x80, kNewObj = 0x81, kExt1 = 0x82, kExt2 = 0x83, kExt4 = 0x84,
                       kTuple1 = 0x85, kTuple2 = 0x86, kTuple3 = 0x87, kNewTrue = 0x88, kNewFalse = 0x89,
                       kLong1 = 0x8a, kLong4 = 0x8b, kShortBinUnicode = 0x8c, kBinUnicode8 = 0x8d,
                       kBinBytes8 = 0x8e, kEmptySet = 0x8f, kAddItems = 0x90, kFrozenSet = 0x91,
                       kNewObjEx = 0x92, kStackGlobal = 0x93, kMemoize = 0x94, kFrame = 0x95,
                       kByteArray8 = 0x96, kNextBuffer = 0x97, kReadonlyBuffer = 0x98;
}  // namespace op

constexpr std::uint64_t kMaxMemoIndex = 0xffffffffULL;

// The opcodes whose payload is a little-endian length of `width` bytes followed by that many bytes.
struct CountedPayload {
  const char* name;
  std::size_t width;
};

CountedPayload counted_payload(std::uint8_t code) {
  switch (code) {
    case op::kShortBinString: return {"SHORT_BINSTRING", 1};
    case op::kShortBinBytes: return {"SHORT_BINBYTES", 1};
    case op::kBinBytes: return {"BINBYTES", 4};
    case op::kBinBytes8: return {"BINBYTES8", 8};
    case op::kByteArray8: return {"BYTEARRAY8", 8};
    case op::kShortBinUnicode: return {"SHORT_BINUNICODE", 1};
    case op::kBinUnicode: return {"BINUNICODE", 4};
    case op::kBinUnicode8:
    default: return {"BINUNICODE8", 8};
  }
}

class Unpickler {
 public:
  Unpickler(const std::uint8_t* data, std::size_t size, const UnpickleOptions& options, PickleDocument& doc)
      : data_(data), size_(size), options_(options), values_(doc, size, options.max_depth), objects_(values_) {}

  // Decodes up to and including STOP; returns the value STOP pops.
  Value* run();
  std::size_t position() const { return pos_; }

 private:
  // --- reading the input; every read is checked against the end of the data
  [[noreturn]] void fail_truncated(const std::string& what) const {
    throw TruncatedPickleError("truncated pickle: " + what + " runs past the end of the data (byte offset " +
                               std::to_string(op_start_) + ")");
  }
  const std::uint8_t* take(std::uint64_t count, const char* what) {
    if (count > size_ - pos_) fail_truncated(what);
    const std::uint8_t* p = data_ + pos_;
    pos_ += static_cast<std::size_t>(count);
    return p;
  }
  std::uint64_t read_le(std::size_t bytes, const char* what) {
    const std::uint8_t* p = take(bytes, what);
    std::uint64_t value = 0;
    for (std::size_t i = bytes; i-- > 0;) value = (value << 8) | p[i];
    return value;
  }
  std::string read_counted(std::size_t width, const char* what) {
    const std::uint64_t n = read_le(width, what);
    const std::uint8_t* p = take(n, what);
    return std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n));
  }
  std::string read_line(const char* what) {
    const void* end = std::memchr(data_ + pos_, '\n', size_ - pos_);
    if (end == nullptr) fail_truncated(what);
    const std::size_t length = static_cast<const std::uint8_t*>(end) - (data_ + pos_);
    std::string line(reinterpret_cast<const char*>(data_ + pos_), length);
    pos_ += length + 1;
    return line;
  }
  std::uint64_t read_decimal_index(const char* what) {
    const std::string line = read_line(what);
    std::uint64_t value = 0;
    auto [end, ec] = std::from_chars(line.data(), line.data() + line.size(), value);
    if (ec != std::errc() || end != line.data() + line.size() || line.empty()) {
      fail(std::string(what) + ": bad memo index " + pickling::quoted(line));
    }
    return value;
  }

  // --- the stack; values below the innermost mark are out of reach until it is popped
  std::size_t fence() const { return marks_.empty() ? 0 : marks_.back(); }
  void push(Value* value) { stack_.push_back(value); }
  Value* pop(const char* what) {
    if (stack_.size() <= fence()) fail(std::string(what) + ": stack underflow");
    Value* value = stack_.back();
    stack_.pop_back();
    return value;
  }
  Value* top(const char* what) {
    if (stack_.size() <= fence()) fail(std::string(what) + ": stack underflow");
    return stack_.back();
  }
  std::vector<Value*> pop_to_mark(const char* what) {
    if (marks_.empty()) fail(std::string(what) + ": no MARK on the stack");
    const std::size_t mark = marks_.back();
    marks_.pop_back();
    std::vector<Value*> items(stack_.begin() + static_cast<std::ptrdiff_t>(mark), stack_.end());
    stack_.resize(mark);
    return items;
  }

  // --- the opcodes, by family
  void execute(std::uint8_t code);
  void on_framing(std::uint8_t code);          // PROTO FRAME
  void on_stack(std::uint8_t code);            // MARK POP POP_MARK DUP
  void on_none_or_bool(std::uint8_t code);     // NONE NEWTRUE NEWFALSE
  void on_integer(std::uint8_t code);          // INT BININT BININT1 BININT2 LONG LONG1 LONG4
  void on_float(std::uint8_t code);            // FLOAT BINFLOAT
  void on_bytes(std::uint8_t code);            // STRING BINSTRING SHORT_BINSTRING (SHORT_)BINBYTES(8) BYTEARRAY8
  void on_str(std::uint8_t code);              // UNICODE (SHORT_)BINUNICODE(8)
  void on_new_container(std::uint8_t code);    // EMPTY_* LIST TUPLE TUPLE1-3 FROZENSET DICT
  void on_add_to_container(std::uint8_t code); // APPEND APPENDS ADDITEMS SETITEM SETITEMS
  void on_memo_put(std::uint8_t code);         // PUT BINPUT LONG_BINPUT MEMOIZE
  void on_memo_get(std::uint8_t code);         // GET BINGET LONG_BINGET
  void on_global(std::uint8_t code);           // GLOBAL STACK_GLOBAL
  void on_call(std::uint8_t code);             // REDUCE NEWOBJ NEWOBJ_EX
  void on_instantiate(std::uint8_t code);      // INST OBJ
  void on_build();                             // BUILD
  void on_persistent_id(std::uint8_t code);    // PERSID BINPERSID
  [[noreturn]] void on_unsupported(std::uint8_t code);  // EXT1/2/4, out-of-band buffers, unknown

  const std::uint8_t* data_;
  std::size_t size_;
  const UnpickleOptions& options_;
  pickling::ValueBuilder values_;
  pickling::ObjectRebuilder objects_;
  std::size_t pos_ = 0;
  std::size_t op_start_ = 0;  // where the opcode being decoded starts, for messages

  std::vector<Value*> stack_;
  std::vector<std::size_t> marks_;
  std::unordered_map<std::uint64_t, Value*> memo_;
};

Value* Unpickler::run() {
  for (;;) {
    if (pos_ >= size_) {
      op_start_ = pos_;
      fail_truncated("the pickle (no STOP opcode)");
    }
    op_start_ = pos_;
    const std::uint8_t code = data_[pos_++];
    try {
      if (code == op::kStop) return pop("STOP");
      execute(code);
    } catch (const pickling::PickleDataError& e) {
      throw InputError(e.message + " (byte offset " + std::to_string(op_start_) + ")");
    }
  }
}

void Unpickler::execute(std::uint8_t code) {
  switch (code) {
    case op::kProto: case op::kFrame:
      return on_framing(code);
    case op::kMark: case op::kPop: case op::kPopMark: case op::kDup:
      return on_stack(code);
    case op::kNone: case op::kNewTrue: case op::kNewFalse:
      return on_none_or_bool(code);
    case op::kInt: case op::kBinInt: case op::kBinInt1: case op::kBinInt2:
    case op::kLong: case op::kLong1: case op::kLong4:
      return on_integer(code);
    case op::kFloat: case op::kBinFloat:
      return on_float(code);
    case op::kString: case op::kBinString: case op::kShortBinString: case op::kShortBinBytes:
    case op::kBinBytes: case op::kBinBytes8: case op::kByteArray8:
      return on_bytes(code);
    case op::kUnicode: case op::kShortBinUnicode: case op::kBinUnicode: case op::kBinUnicode8:
      return on_str(code);
    case op::kEmptyList: case op::kEmptyTuple: case op::kEmptyDict: case op::kEmptySet:
    case op::kList: case op::kTuple: case op::kFrozenSet: case op::kTuple1: case op::kTuple2:
    case op::kTuple3: case op::kDict:
      return on_new_container(code);
    case op::kAppend: case op::kAppends: case op::kAddItems: case op::kSetItem: case op::kSetItems:
      return on_add_to_container(code);
    case op::kPut: case op::kBinPut: case op::kLongBinPut: case op::kMemoize:
      return on_memo_put(code);
    case op::kGet: case op::kBinGet: case op::kLongBinGet:
      return on_memo_get(code);
    case op::kGlobal: case op::kStackGlobal:
      return on_global(code);
    case op::kReduce: case op::kNewObj: case op::kNewObjEx:
      return on_call(code);
    case op::kInst: case op::kObj:
      return on_instantiate(code);
    case op::kBuild:
      return on_build();
    case op::kPersId: case op::kBinPersId:
      return on_persistent_id(code);
    default:
      on_unsupported(code);
  }
}

void Unpickler::on_framing(std::uint8_t code) {
  if (code == op::kProto) {
    const std::uint8_t version = *take(1, "PROTO");
    if (version > 5) fail("unsupported pickle protocol " + std::to_string(version));
    return;
  }
  // Frames only group opcodes for buffered reading; the data are all in memory already.
  const std::uint64_t length = read_le(8, "FRAME");
  if (length > size_ - pos_) fail_truncated("FRAME");
}

void Unpickler::on_stack(std::uint8_t code) {
  switch (code) {
    case op::kMark:
      if (marks_.size() >= options_.max_depth) {
        fail("nesting deeper than " + std::to_string(options_.max_depth) + " levels");
      }
      marks_.push_back(stack_.size());
      return;
    case op::kPop:
      // Python's rule: a POP with nothing above the last mark removes the mark.
      if (!marks_.empty() && marks_.back() == stack_.size())
        marks_.pop_back();
      else
        pop("POP");
      return;
    case op::kPopMark:
      pop_to_mark("POP_MARK");
      return;
    default:  // DUP
      push(top("DUP"));
  }
}

void Unpickler::on_none_or_bool(std::uint8_t code) {
  if (code == op::kNone)
    push(values_.none());
  else
    push(values_.boolean(code == op::kNewTrue));
}

void Unpickler::on_integer(std::uint8_t code) {
  switch (code) {
    case op::kInt: {  // protocol 0 spells the booleans as INT 00 and 01
      const std::string line = read_line("INT");
      if (line == "00" || line == "01") return push(values_.boolean(line == "01"));
      return push(values_.integer(pickling::int_from_decimal(line, "INT")));
    }
    case op::kBinInt:
      return push(values_.integer(static_cast<std::int32_t>(read_le(4, "BININT"))));
    case op::kBinInt1:
      return push(values_.integer(static_cast<std::int64_t>(read_le(1, "BININT1"))));
    case op::kBinInt2:
      return push(values_.integer(static_cast<std::int64_t>(read_le(2, "BININT2"))));
    case op::kLong: {
      std::string line = read_line("LONG");
      if (!line.empty() && line.back() == 'L') line.pop_back();
      return push(values_.integer(pickling::int_from_decimal(line, "LONG")));
    }
    case op::kLong1: {
      const std::size_t n = *take(1, "LONG1");
      return push(values_.integer(pickling::int_from_le(take(n, "LONG1"), n)));
    }
    default: {  // LONG4
      const auto n = static_cast<std::int32_t>(read_le(4, "LONG4"));
      if (n < 0) fail("LONG4: negative length");
      if (static_cast<std::size_t>(n) > pickling::kMaxIntBytes) {
        fail("LONG4: integer of " + std::to_string(n) + " bytes is too large (limit " +
             std::to_string(pickling::kMaxIntBytes) + ")");
      }
      return push(values_.integer(pickling::int_from_le(take(n, "LONG4"), static_cast<std::size_t>(n))));
    }
  }
}

void Unpickler::on_float(std::uint8_t code) {
  if (code == op::kFloat)
    push(values_.real(pickling::float_from_text(read_line("FLOAT"))));
  else
    push(values_.real(pickling::float_from_be(take(8, "BINFLOAT"))));
}

// Python 2 strings (STRING, BINSTRING, SHORT_BINSTRING) are raw bytes, so they become Bytes too.
void Unpickler::on_bytes(std::uint8_t code) {
  if (code == op::kString) return push(values_.text(Kind::Bytes, pickling::string_literal(read_line("STRING"))));
  if (code == op::kBinString) {  // a signed length
    const auto n = static_cast<std::int32_t>(read_le(4, "BINSTRING"));
    if (n < 0) fail("BINSTRING: negative length");
    const std::uint8_t* p = take(static_cast<std::uint64_t>(n), "BINSTRING");
    return push(
        values_.text(Kind::Bytes, std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n))));
  }
  const CountedPayload payload = counted_payload(code);
  push(values_.text(Kind::Bytes, read_counted(payload.width, payload.name)));
}

void Unpickler::on_str(std::uint8_t code) {
  if (code == op::kUnicode) return push(values_.text(Kind::Str, pickling::raw_unicode_escape(read_line("UNICODE"))));
  const CountedPayload payload = counted_payload(code);
  push(values_.text(Kind::Str, read_counted(payload.width, payload.name)));
}

// Sets become Lists and frozensets Tuples (in the file's order).
void Unpickler::on_new_container(std::uint8_t code) {
  switch (code) {
    case op::kEmptyList: case op::kEmptySet:
      return push(values_.make(Kind::List));
    case op::kEmptyTuple:
      return push(values_.make(Kind::Tuple));
    case op::kEmptyDict:
      return push(values_.make(Kind::Dict));
    case op::kList:
      return push(values_.sequence(Kind::List, pop_to_mark("LIST")));
    case op::kTuple:
      return push(values_.sequence(Kind::Tuple, pop_to_mark("TUPLE")));
    case op::kFrozenSet:
      return push(values_.sequence(Kind::Tuple, pop_to_mark("FROZENSET")));
    case op::kTuple1: case op::kTuple2: case op::kTuple3: {
      std::vector<Value*> items(code - op::kTuple1 + 1);
      for (std::size_t k = items.size(); k-- > 0;) items[k] = pop("TUPLE1/2/3");
      return push(values_.sequence(Kind::Tuple, items));
    }
    default: {  // DICT
      const std::vector<Value*> items = pop_to_mark("DICT");
      Value* dict = values_.make(Kind::Dict);
      values_.set_items(dict, items, "DICT");
      return push(dict);
    }
  }
}

void Unpickler::on_add_to_container(std::uint8_t code) {
  switch (code) {
    case op::kAppend: {
      Value* item = pop("APPEND");
      return values_.append_to(top("APPEND"), {item}, "APPEND");
    }
    case op::kAppends: case op::kAddItems: {
      const char* name = code == op::kAppends ? "APPENDS" : "ADDITEMS";
      const std::vector<Value*> items = pop_to_mark(name);
      return values_.append_to(top(name), items, name);
    }
    case op::kSetItem: {
      Value* value = pop("SETITEM");
      Value* key = pop("SETITEM");
      return values_.set_items(top("SETITEM"), {key, value}, "SETITEM");
    }
    default: {  // SETITEMS
      const std::vector<Value*> items = pop_to_mark("SETITEMS");
      return values_.set_items(top("SETITEMS"), items, "SETITEMS");
    }
  }
}

void Unpickler::on_memo_put(std::uint8_t code) {
  const std::uint64_t index = code == op::kPut          ? read_decimal_index("PUT")
                              : code == op::kBinPut     ? read_le(1, "BINPUT")
                              : code == op::kLongBinPut ? read_le(4, "LONG_BINPUT")
                                                        : memo_.size();  // MEMOIZE
  if (index > kMaxMemoIndex) fail("memo index " + std::to_string(index) + " is too large");
  memo_[index] = top("PUT");
}

void Unpickler::on_memo_get(std::uint8_t code) {
  const std::uint64_t index = code == op::kGet      ? read_decimal_index("GET")
                              : code == op::kBinGet ? read_le(1, "BINGET")
                                                    : read_le(4, "LONG_BINGET");
  auto it = memo_.find(index);
  if (it == memo_.end()) fail("memo index " + std::to_string(index) + " is not set");
  push(it->second);
}

void Unpickler::on_global(std::uint8_t code) {
  if (code == op::kGlobal) {
    const std::string module = read_line("GLOBAL");
    const std::string name = read_line("GLOBAL");
    return push(objects_.load_global(module, name));
  }
  Value* name = pop("STACK_GLOBAL");
  Value* module = pop("STACK_GLOBAL");
  if (!name->is(Kind::Str) || !module->is(Kind::Str)) fail("STACK_GLOBAL: module and name must be strings");
  push(objects_.load_global(module->text, name->text));
}

void Unpickler::on_call(std::uint8_t code) {
  if (code == op::kReduce) {
    Value* args = pop("REDUCE");
    Value* callable = pop("REDUCE");
    return push(objects_.call(callable, pickling::tuple_items(args, "REDUCE arguments"), "REDUCE"));
  }
  if (code == op::kNewObj) {
    Value* args = pop("NEWOBJ");
    Value* cls = pop("NEWOBJ");
    return push(objects_.construct(cls, pickling::tuple_items(args, "NEWOBJ arguments"), "NEWOBJ"));
  }
  Value* kwargs = pop("NEWOBJ_EX");
  Value* args = pop("NEWOBJ_EX");
  Value* cls = pop("NEWOBJ_EX");
  if (!kwargs->is(Kind::Dict)) fail("NEWOBJ_EX: keyword arguments are a " + kwargs->describe());
  push(objects_.construct(cls, pickling::tuple_items(args, "NEWOBJ_EX arguments"), "NEWOBJ_EX"));
}

void Unpickler::on_instantiate(std::uint8_t code) {
  if (code == op::kInst) {  // the class is named inline, its arguments sit above the mark
    const std::string module = read_line("INST");
    const std::string name = read_line("INST");
    Value* cls = objects_.load_global(module, name);
    return push(objects_.instantiate(cls, pop_to_mark("INST"), "INST"));
  }
  std::vector<Value*> items = pop_to_mark("OBJ");  // the class is the first item above the mark
  if (items.empty()) fail("OBJ: no class on the stack");
  Value* cls = items.front();
  items.erase(items.begin());
  push(objects_.instantiate(cls, items, "OBJ"));
}

void Unpickler::on_build() {
  Value* state = pop("BUILD");
  objects_.build(top("BUILD"), state);
}

void Unpickler::on_persistent_id(std::uint8_t code) {
  const char* name = code == op::kPersId ? "PERSID" : "BINPERSID";
  Value* pid = code == op::kPersId ? values_.text(Kind::Str, read_line(name)) : pop(name);
  if (!options_.persistent_load) fail(std::string(name) + ": persistent ids are not supported here");
  Value* loaded = options_.persistent_load(values_.document(), *pid);
  if (loaded == nullptr) fail(std::string(name) + ": persistent id could not be resolved");
  push(loaded);
}

void Unpickler::on_unsupported(std::uint8_t code) {
  switch (code) {
    case op::kExt1: case op::kExt2: case op::kExt4:
      fail("EXT1/EXT2/EXT4: the extension registry is not supported");
    case op::kNextBuffer: case op::kReadonlyBuffer:
      fail("NEXT_BUFFER/READONLY_BUFFER: out-of-band buffers are not supported");
    default: {
      static const char* digits = "0123456789abcdef";
      fail(std::string("unknown opcode 0x") + digits[code >> 4] + digits[code & 15]);
    }
  }
}

}  // namespace

PickleDocument unpickle(const std::uint8_t* data, std::size_t size, const UnpickleOptions& options,
                        std::size_t* consumed) {
  PickleDocument document;
  Unpickler unpickler(data, size, options, document);
  document.set_root(unpickler.run());
  if (consumed != nullptr) *consumed = unpickler.position();
  return document;
}

}  // namespace lift3d::io
