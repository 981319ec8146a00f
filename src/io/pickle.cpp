#include "io/pickle.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <unordered_map>
#include <unordered_set>

namespace lift3d::io {
namespace {

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

// Python ints wider than this many bytes (about 1200 decimal digits) are refused: nothing a
// checkpoint or dataset holds comes close, and bigger ones only cost time to convert.
constexpr std::size_t kMaxIntBytes = 512;
constexpr std::size_t kMaxIntDigits = 1200;
constexpr std::uint64_t kMaxMemoIndex = 0xffffffffULL;

using Kind = Value::Kind;

// ---------------------------------------------------------------------------------------------
// Which globals may be loaded

enum class Callable {
  Set,
  FrozenSet,
  ByteArray,
  Bytes,
  List,
  Dict,
  Tuple,
  Object,
  OrderedDict,
  Reconstructor,
  NewObj,
  NewObjEx,
  RebuildTensor,
  RebuildTensorV2,
  RebuildParameter,
  RebuildParameterWithState,
  TorchStorage,
  TorchSize,
  NumpyReconstruct,
  NumpyNDArray,
  NumpyDType,
  NumpyScalar,
  NumpyFromBuffer,
  CodecsEncode
};

const std::unordered_map<std::string, Callable>& whitelist() {
  static const std::unordered_map<std::string, Callable> table = [] {
    std::unordered_map<std::string, Callable> t = {
        {"builtins.set", Callable::Set},
        {"builtins.frozenset", Callable::FrozenSet},
        {"builtins.bytearray", Callable::ByteArray},
        {"builtins.bytes", Callable::Bytes},
        {"builtins.list", Callable::List},
        {"builtins.dict", Callable::Dict},
        {"builtins.tuple", Callable::Tuple},
        {"builtins.object", Callable::Object},
        {"collections.OrderedDict", Callable::OrderedDict},
        {"copyreg._reconstructor", Callable::Reconstructor},
        {"copyreg.__newobj__", Callable::NewObj},
        {"copyreg.__newobj_ex__", Callable::NewObjEx},
        {"torch._utils._rebuild_tensor", Callable::RebuildTensor},
        {"torch._utils._rebuild_tensor_v2", Callable::RebuildTensorV2},
        {"torch._utils._rebuild_parameter", Callable::RebuildParameter},
        {"torch._utils._rebuild_parameter_with_state", Callable::RebuildParameterWithState},
        {"torch.Size", Callable::TorchSize},
        {"_codecs.encode", Callable::CodecsEncode},
    };
    for (const char* core : {"numpy.core", "numpy._core"}) {
      const std::string prefix = core;
      t[prefix + ".multiarray._reconstruct"] = Callable::NumpyReconstruct;
      t[prefix + ".multiarray.scalar"] = Callable::NumpyScalar;
      t[prefix + ".numeric._frombuffer"] = Callable::NumpyFromBuffer;
    }
    t["numpy.ndarray"] = Callable::NumpyNDArray;
    t["numpy.dtype"] = Callable::NumpyDType;
    return t;
  }();
  return table;
}

bool is_class(Callable c) {
  switch (c) {
    case Callable::Reconstructor:
    case Callable::NewObj:
    case Callable::NewObjEx:
    case Callable::RebuildTensor:
    case Callable::RebuildTensorV2:
    case Callable::RebuildParameter:
    case Callable::RebuildParameterWithState:
    case Callable::NumpyReconstruct:
    case Callable::NumpyScalar:
    case Callable::NumpyFromBuffer:
    case Callable::CodecsEncode:
      return false;
    default:
      return true;
  }
}

std::vector<std::string> split_dots(const std::string& text) {
  std::vector<std::string> parts(1);
  for (char c : text) {
    if (c == '.')
      parts.emplace_back();
    else
      parts.back() += c;
  }
  return parts;
}

// Globals that can run code, touch files or processes, or reach such things by attribute lookup
// (protocol 4 resolves dotted names attribute by attribute, so "posixpath" + "os.system" is
// os.system). Loading never calls a non-whitelisted global, so this list is about refusing files
// that are clearly hostile, with a message that says why.
bool is_denied(const std::string& module, const std::string& name) {
  static const std::unordered_set<std::string> modules = {
      "os",          "posix",     "nt",       "subprocess", "sys",
      "importlib",   "runpy",     "pickle",   "_pickle",    "cPickle",
      "pickletools", "shutil",    "socket",   "webbrowser", "ctypes",
      "marshal",     "code",      "codeop",   "pty",        "multiprocessing",
      "asyncio",     "signal",    "commands", "popen2",     "timeit",
      "pdb",         "bdb",       "operator", "_operator",  "imp",
      "zipimport",   "pkgutil",   "shelve",   "dill",       "cloudpickle",
      "joblib",      "tempfile",  "io",       "_io",        "pathlib",
      "glob",        "http",      "urllib",   "ftplib",     "smtplib",
      "telnetlib",   "threading", "_thread",  "gc",         "inspect",
      "types"};
  static const std::unordered_set<std::string> functions = {
      "eval",   "exec",  "execfile", "compile",    "open",       "getattr", "setattr", "delattr", "globals",
      "locals", "vars",  "input",    "raw_input",  "breakpoint", "reload",  "apply",   "file",    "system",
      "popen",  "spawn", "fork",     "memoryview", "help",       "exit",    "quit",    "loads",   "load"};
  static const std::vector<std::string> prefixes = {"torch.storage._load_from_bytes",
                                                    "torch.load",
                                                    "torch.serialization",
                                                    "torch.hub",
                                                    "torch.package",
                                                    "torch._C._jit",
                                                    "torch.jit",
                                                    "numpy.load",
                                                    "numpy.testing",
                                                    "numpy.ctypeslib",
                                                    "numpy.f2py",
                                                    "numpy.distutils",
                                                    "numpy.lib.npyio",
                                                    "numpy.lib.format",
                                                    "numpy.lib.utils"};
  std::vector<std::string> module_parts = split_dots(module);
  std::string top = module_parts.front();
  if (top == "__builtin__") top = "builtins";
  if (modules.count(top)) return true;
  for (const std::string& part : split_dots(name)) {
    if (modules.count(part) || functions.count(part)) return true;
    // Dunder attributes (__builtins__, __globals__, __subclasses__, __import__) lead anywhere.
    if (part.size() > 4 && part.compare(0, 2, "__") == 0 && part.compare(part.size() - 2, 2, "__") == 0) {
      return true;
    }
  }
  if (top == "builtins" && module_parts.size() == 1 && name.compare(0, 2, "__") == 0) return true;
  const std::string full = module + "." + name;
  for (const std::string& prefix : prefixes) {
    if (full.compare(0, prefix.size(), prefix) == 0 &&
        (full.size() == prefix.size() || full[prefix.size()] == '.')) {
      return true;
    }
  }
  return false;
}

// Python 2 module names as Python 3's unpickler maps them (fix_imports).
std::string python3_module(const std::string& module) {
  if (module == "__builtin__") return "builtins";
  if (module == "copy_reg") return "copyreg";
  return module;
}

// ---------------------------------------------------------------------------------------------
// Text helpers

void append_utf8(std::string& out, std::uint32_t code_point) {
  if (code_point < 0x80) {
    out += static_cast<char>(code_point);
  } else if (code_point < 0x800) {
    out += static_cast<char>(0xC0 | (code_point >> 6));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else if (code_point < 0x10000) {
    out += static_cast<char>(0xE0 | (code_point >> 12));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code_point >> 18));
    out += static_cast<char>(0x80 | ((code_point >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  }
}

// Decodes UTF-8 (surrogates allowed, as Python writes them with 'surrogatepass') into code points.
bool decode_utf8(const std::string& text, std::vector<std::uint32_t>& out) {
  const auto* p = reinterpret_cast<const std::uint8_t*>(text.data());
  const std::size_t n = text.size();
  for (std::size_t i = 0; i < n;) {
    const std::uint8_t lead = p[i];
    std::size_t length = lead < 0x80           ? 1
                         : (lead >> 5) == 0x6  ? 2
                         : (lead >> 4) == 0xE  ? 3
                         : (lead >> 3) == 0x1E ? 4
                                               : 0;
    if (length == 0 || i + length > n) return false;
    std::uint32_t cp = length == 1   ? lead
                       : length == 2 ? (lead & 0x1F)
                       : length == 3 ? (lead & 0x0F)
                                     : (lead & 0x07);
    for (std::size_t k = 1; k < length; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    out.push_back(cp);
    i += length;
  }
  return true;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string hex_of_magnitude(const std::vector<std::uint8_t>& little_endian, bool negative) {
  static const char* digits = "0123456789abcdef";
  std::string text = negative ? "-0x" : "0x";
  std::size_t top = little_endian.size();
  while (top > 0 && little_endian[top - 1] == 0) --top;
  if (top == 0) return text + "0";
  for (std::size_t i = top; i-- > 0;) {
    const std::uint8_t byte = little_endian[i];
    if (i + 1 != top || byte >= 16) text += digits[byte >> 4];
    text += digits[byte & 15];
  }
  return text;
}

std::string quoted(const std::string& text) { return "'" + text + "'"; }

// Numpy type codes as numpy pickles them ("f8", "i4", "b1", "O8") plus the one-letter forms.
std::optional<DType> numpy_numeric_dtype(const std::string& code) {
  static const std::unordered_map<std::string, DType> table = {
      {"b1", DType::Bool},    {"?", DType::Bool},    {"i1", DType::Int8},    {"b", DType::Int8},
      {"u1", DType::UInt8},   {"B", DType::UInt8},   {"i2", DType::Int16},   {"h", DType::Int16},
      {"u2", DType::UInt16},  {"H", DType::UInt16},  {"i4", DType::Int32},   {"i", DType::Int32},
      {"u4", DType::UInt32},  {"I", DType::UInt32},  {"i8", DType::Int64},   {"q", DType::Int64},
      {"l", DType::Int64},    {"u8", DType::UInt64}, {"Q", DType::UInt64},   {"L", DType::UInt64},
      {"f2", DType::Float16}, {"e", DType::Float16}, {"f4", DType::Float32}, {"f", DType::Float32},
      {"f8", DType::Float64}, {"d", DType::Float64},
  };
  auto it = table.find(code);
  if (it == table.end()) return std::nullopt;
  return it->second;
}

bool is_object_code(const std::string& code) { return !code.empty() && code[0] == 'O'; }

// Element count of `shape`, or nullopt when a dimension is negative or the product overflows
// what any real buffer could hold.
std::optional<std::int64_t> element_count(const std::vector<std::int64_t>& shape) {
  std::int64_t count = 1;
  for (std::int64_t dim : shape) {
    if (dim < 0) return std::nullopt;
    if (dim != 0 && count > (std::int64_t{1} << 50) / dim) return std::nullopt;
    count *= dim;
  }
  return count;
}

// Reorders a Fortran-ordered (first index fastest) buffer of items of `item_size` units into C order.
template <typename T>
std::vector<T> fortran_to_c(const std::vector<T>& source, const std::vector<std::int64_t>& shape,
                            std::size_t item_size) {
  std::vector<T> result(source.size());
  const std::size_t numel = item_size == 0 ? 0 : source.size() / item_size;
  if (numel == 0) return result;
  // Walk the source in its own (Fortran) order and scatter each item to its C-order position.
  std::vector<std::int64_t> c_strides(shape.size(), 1);
  for (std::size_t d = shape.size(); d-- > 1;) c_strides[d - 1] = c_strides[d] * shape[d];
  std::vector<std::int64_t> index(shape.size(), 0);
  std::int64_t c_offset = 0;
  for (std::size_t f = 0; f < numel; ++f) {
    std::copy_n(
        source.begin() + static_cast<std::ptrdiff_t>(f * item_size), item_size,
        result.begin() + static_cast<std::ptrdiff_t>(c_offset) * static_cast<std::ptrdiff_t>(item_size));
    for (std::size_t d = 0; d < shape.size(); ++d) {  // first index fastest
      if (++index[d] < shape[d]) {
        c_offset += c_strides[d];
        break;
      }
      c_offset -= (index[d] - 1) * c_strides[d];
      index[d] = 0;
    }
  }
  return result;
}

// ---------------------------------------------------------------------------------------------

class Unpickler {
 public:
  Unpickler(const std::uint8_t* data, std::size_t size, const UnpickleOptions& options, PickleDocument& doc)
      : data_(data),
        size_(size),
        options_(options),
        doc_(doc),
        budget_(16 * std::uint64_t{size} + (1u << 26)) {}

  Value* run();
  std::size_t position() const { return pos_; }

 private:
  // --- errors and raw reads
  [[noreturn]] void fail(const std::string& message) const {
    throw InputError(message + " (byte offset " + std::to_string(op_start_) + ")");
  }
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
      fail(std::string(what) + ": bad memo index " + quoted(line));
    }
    return value;
  }

  // --- stack
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

  // --- values
  Value* make(Kind kind) { return doc_.make(kind); }
  Value* none() {
    if (none_ == nullptr) none_ = make(Kind::None);
    return none_;
  }
  Value* boolean(bool b) {
    Value*& slot = b ? true_ : false_;
    if (slot == nullptr) {
      slot = make(Kind::Bool);
      slot->boolean = b;
    }
    return slot;
  }
  Value* integer(std::int64_t v) {
    // Small ints are shared: they are immutable and pickles are full of them.
    const bool cached = v >= -8 && v < 256;
    if (cached && small_ints_[v + 8] != nullptr) return small_ints_[v + 8];
    Value* value = make(Kind::Int);
    value->integer = v;
    if (cached) small_ints_[v + 8] = value;
    return value;
  }
  // Memo references let a few bytes copy a large value again and again (list(x), bytes(b), a dict
  // key hashed on every SETITEM, an array rebuilt by BUILD): all such work is charged against a
  // budget proportional to the input, so no pickle can make decoding hang or exhaust memory.
  void charge(std::uint64_t units) {
    work_ += units;
    if (work_ > budget_) {
      fail("the pickle expands to more than " + std::to_string(budget_) + " bytes and items (it has " +
           std::to_string(size_) + " bytes)");
    }
  }
  Value* text(Kind kind, std::string payload) {
    charge(payload.size());
    Value* value = make(kind);
    value->text = std::move(payload);
    return value;
  }
  Value* opaque(const std::string& name) { return text(Kind::Opaque, name); }
  Value* sequence(Kind kind, const std::vector<Value*>& items) {
    Value* value = make(kind);
    for (Value* item : items) append(value, item);
    return value;
  }
  Value* big_integer_from_le(const std::uint8_t* p, std::size_t n);
  Value* integer_from_decimal(const std::string& line, const char* what);

  // Records that `child` now sits inside `parent`, enforcing the nesting limit.
  void adopt(Value* parent, const Value* child) {
    auto it = depth_.find(child);
    const bool container = child->is(Kind::List) || child->is(Kind::Tuple) || child->is(Kind::Dict);
    const std::size_t depth = (it != depth_.end() ? it->second : container ? 1 : 0) + 1;
    if (depth > options_.max_depth) {
      fail("nesting deeper than " + std::to_string(options_.max_depth) + " levels");
    }
    std::size_t& parent_depth = depth_[parent];
    if (parent_depth < depth) parent_depth = depth;
  }
  void append(Value* list, Value* item) {
    charge(1);
    adopt(list, item);
    list->items.push_back(item);
  }
  void dict_set(Value* dict, Value* key, Value* value);
  void append_to(Value* target, const std::vector<Value*>& items, const char* what);
  void set_items(Value* target, const std::vector<Value*>& items, const char* what);

  // --- globals, calls, BUILD
  Value* load_global(const std::string& module, const std::string& name);
  Value* call(Value* callable, const std::vector<Value*>& args, const char* what);
  Value* construct(Value* cls, const std::vector<Value*>& args, const char* what);
  Value* instantiate(Value* cls, const std::vector<Value*>& args, const char* what);
  void build(Value* target, Value* state);
  void build_array(Value* target, const Value& state);

  // Helpers for whitelisted calls.
  const std::vector<Value*>& tuple_items(const Value* value, const char* what) {
    if (!value->is(Kind::Tuple)) fail(std::string(what) + ": expected a tuple, got a " + value->describe());
    return value->items;
  }
  std::int64_t int_arg(const Value* value, const std::string& what) {
    if (value->is(Kind::Bool)) return value->boolean ? 1 : 0;
    if (!value->is(Kind::Int) || !value->text.empty())
      fail(what + ": expected an integer, got a " + value->describe());
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
  std::string decode_escapes(const std::string& body);
  std::string encode_text(const Value& text_value, const std::string& encoding, const char* what);
  Value* rebuild_tensor(const std::vector<Value*>& args, const std::string& name);
  Value* numpy_array(DType dtype, bool big_endian, std::vector<std::int64_t> shape, const std::string& bytes,
                     bool fortran, const char* what);

  const std::uint8_t* data_;
  std::size_t size_;
  const UnpickleOptions& options_;
  PickleDocument& doc_;
  std::size_t pos_ = 0;
  std::size_t op_start_ = 0;
  std::uint64_t work_ = 0;
  std::uint64_t budget_;

  std::vector<Value*> stack_;
  std::vector<std::size_t> marks_;
  std::unordered_map<std::uint64_t, Value*> memo_;
  std::unordered_map<const Value*, std::size_t> depth_;
  // Per dict: hashable key -> entry index, so SETITEM replaces like Python and stays O(1).
  std::unordered_map<const Value*, std::unordered_map<std::string, std::size_t>> dict_keys_;
  Value* none_ = nullptr;
  Value* true_ = nullptr;
  Value* false_ = nullptr;
  Value* small_ints_[264] = {};
};

Value* Unpickler::big_integer_from_le(const std::uint8_t* p, std::size_t n) {
  if (n == 0) return integer(0);
  const bool negative = (p[n - 1] & 0x80) != 0;
  const std::uint8_t sign_byte = negative ? 0xFF : 0x00;
  bool fits = true;
  for (std::size_t i = 8; i < n; ++i) fits = fits && p[i] == sign_byte;
  if (n > 8) fits = fits && ((p[7] & 0x80) != 0) == negative;
  if (fits) {
    std::uint64_t bits = negative ? ~std::uint64_t{0} : 0;
    for (std::size_t i = std::min<std::size_t>(n, 8); i-- > 0;) {
      bits = (bits << 8) | p[i];
    }
    if (n < 8) {  // sign-extend the missing high bytes
      for (std::size_t i = n; i < 8; ++i) {
        bits &= ~(std::uint64_t{0xFF} << (8 * i));
        bits |= std::uint64_t{sign_byte} << (8 * i);
      }
    }
    std::int64_t value;
    std::memcpy(&value, &bits, sizeof value);
    return integer(value);
  }
  std::vector<std::uint8_t> magnitude(p, p + n);
  if (negative) {  // two's complement negation
    unsigned carry = 1;
    for (std::uint8_t& byte : magnitude) {
      const unsigned sum = static_cast<std::uint8_t>(~byte) + carry;
      byte = static_cast<std::uint8_t>(sum);
      carry = sum >> 8;
    }
  }
  return text(Kind::Int, hex_of_magnitude(magnitude, negative));
}

Value* Unpickler::integer_from_decimal(const std::string& line, const char* what) {
  std::size_t begin = 0, end = line.size();
  while (begin < end && (line[begin] == ' ' || line[begin] == '\t')) ++begin;
  while (end > begin && (line[end - 1] == ' ' || line[end - 1] == '\t' || line[end - 1] == '\r')) --end;
  bool negative = false;
  if (begin < end && (line[begin] == '-' || line[begin] == '+')) negative = line[begin++] == '-';
  if (begin == end) fail(std::string(what) + ": bad integer " + quoted(line));
  if (end - begin > kMaxIntDigits)
    fail(std::string(what) + ": integer of " + std::to_string(end - begin) + " digits is too large");
  std::vector<std::uint8_t> magnitude;  // little endian
  for (std::size_t i = begin; i < end; ++i) {
    if (line[i] < '0' || line[i] > '9') fail(std::string(what) + ": bad integer " + quoted(line));
    unsigned carry = static_cast<unsigned>(line[i] - '0');
    for (std::uint8_t& byte : magnitude) {
      const unsigned product = byte * 10u + carry;
      byte = static_cast<std::uint8_t>(product);
      carry = product >> 8;
    }
    if (carry != 0) magnitude.push_back(static_cast<std::uint8_t>(carry));
  }
  while (!magnitude.empty() && magnitude.back() == 0) magnitude.pop_back();
  if (magnitude.size() <= 8) {
    std::uint64_t m = 0;
    for (std::size_t i = magnitude.size(); i-- > 0;) m = (m << 8) | magnitude[i];
    const std::uint64_t limit = negative ? (std::uint64_t{1} << 63) : (std::uint64_t{1} << 63) - 1;
    if (m <= limit) {
      if (negative)
        return integer(m == (std::uint64_t{1} << 63) ? std::numeric_limits<std::int64_t>::min()
                                                     : -static_cast<std::int64_t>(m));
      return integer(static_cast<std::int64_t>(m));
    }
  }
  return text(Kind::Int, hex_of_magnitude(magnitude, negative));
}

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

void Unpickler::dict_set(Value* dict, Value* key, Value* value) {
  charge(1 + key->text.size());
  adopt(dict, key);
  adopt(dict, value);
  if (auto hashed = hash_key(*key)) {
    auto& index = dict_keys_[dict];
    if (index.empty() && !dict->entries.empty()) {  // entries added before indexing (copies)
      for (std::size_t i = 0; i < dict->entries.size(); ++i) {
        if (auto h = hash_key(*dict->entries[i].first)) index.emplace(*h, i);
      }
    }
    auto [it, inserted] = index.emplace(*hashed, dict->entries.size());
    if (!inserted) {
      dict->entries[it->second].second = value;
      return;
    }
  }
  dict->entries.emplace_back(key, value);
}

void Unpickler::append_to(Value* target, const std::vector<Value*>& items, const char* what) {
  if (target->is(Kind::Opaque)) return;  // a list subclass we do not rebuild: its items are dropped
  if (!target->is(Kind::List)) fail(std::string(what) + " on a " + target->describe());
  for (Value* item : items) append(target, item);
}

void Unpickler::set_items(Value* target, const std::vector<Value*>& items, const char* what) {
  if (items.size() % 2 != 0) fail(std::string(what) + ": odd number of items");
  if (target->is(Kind::Opaque)) return;
  if (!target->is(Kind::Dict)) fail(std::string(what) + " on a " + target->describe());
  for (std::size_t i = 0; i < items.size(); i += 2) dict_set(target, items[i], items[i + 1]);
}

Value* Unpickler::load_global(const std::string& raw_module, const std::string& name) {
  const std::string full = python3_module(raw_module) + "." + name;
  const bool allowed = whitelist().count(full) != 0 || torch_storage_dtype(full).has_value();
  if (!allowed && is_denied(raw_module, name))
    fail("refusing to load global " + quoted(raw_module + "." + name));
  return text(allowed ? Kind::Global : Kind::Opaque, full);
}

// The body of a protocol 0 STRING: Python bytes-literal escapes (\\n, \\x41, \\101, ...).
std::string Unpickler::decode_escapes(const std::string& body) {
  std::string bytes;
  for (std::size_t i = 0; i < body.size(); ++i) {
    const char c = body[i];
    if (c != '\\') {
      bytes += c;
      continue;
    }
    if (++i == body.size()) fail("STRING: trailing backslash");
    const char e = body[i];
    switch (e) {
      case '\\':
        bytes += '\\';
        break;
      case '\'':
        bytes += '\'';
        break;
      case '"':
        bytes += '"';
        break;
      case 'a':
        bytes += '\a';
        break;
      case 'b':
        bytes += '\b';
        break;
      case 'f':
        bytes += '\f';
        break;
      case 'n':
        bytes += '\n';
        break;
      case 'r':
        bytes += '\r';
        break;
      case 't':
        bytes += '\t';
        break;
      case 'v':
        bytes += '\v';
        break;
      case 'x':
        if (i + 2 >= body.size() || hex_digit(body[i + 1]) < 0 || hex_digit(body[i + 2]) < 0) {
          fail("STRING: invalid \\x escape");
        }
        bytes += static_cast<char>(hex_digit(body[i + 1]) * 16 + hex_digit(body[i + 2]));
        i += 2;
        break;
      default:
        if (e >= '0' && e <= '7') {
          int value = e - '0';
          for (int k = 0; k < 2 && i + 1 < body.size() && body[i + 1] >= '0' && body[i + 1] <= '7'; ++k) {
            value = value * 8 + (body[++i] - '0');
          }
          bytes += static_cast<char>(value & 0xFF);
        } else {  // unknown escapes stay as written
          bytes += '\\';
          bytes += e;
        }
    }
  }
  return bytes;
}

std::string Unpickler::encode_text(const Value& text_value, const std::string& raw_encoding,
                                   const char* what) {
  std::string encoding;
  for (char c : raw_encoding) encoding += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (char& c : encoding) c = c == '_' ? '-' : c;
  if (encoding == "utf-8" || encoding == "utf8") return text_value.text;
  const bool latin1 = encoding == "latin1" || encoding == "latin-1" || encoding == "iso-8859-1" ||
                      encoding == "iso8859-1" || encoding == "l1";
  if (!latin1 && encoding != "ascii")
    fail(std::string(what) + ": unsupported encoding " + quoted(raw_encoding));
  std::vector<std::uint32_t> code_points;
  if (!decode_utf8(text_value.text, code_points)) fail(std::string(what) + ": invalid utf-8 text");
  std::string bytes;
  bytes.reserve(code_points.size());
  const std::uint32_t limit = latin1 ? 256 : 128;
  for (std::uint32_t cp : code_points) {
    if (cp >= limit)
      fail(std::string(what) + ": character U+" + std::to_string(cp) + " cannot be encoded as " +
           raw_encoding);
    bytes += static_cast<char>(cp);
  }
  return bytes;
}

Value* Unpickler::rebuild_tensor(const std::vector<Value*>& args, const std::string& name) {
  if (args.size() < 4)
    fail(quoted(name) + " expects at least 4 arguments, got " + std::to_string(args.size()));
  const Value* storage = args[0];
  if (storage->is(Kind::Opaque)) return opaque(storage->text);  // e.g. a storage type we cannot read
  if (!storage->is(Kind::Storage)) fail(quoted(name) + ": expected a storage, got a " + storage->describe());
  Value* tensor = make(Kind::Tensor);
  tensor->tensor.storage = storage->storage;
  tensor->tensor.storage_offset = int_arg(args[1], name + " storage offset");
  tensor->tensor.shape = int_tuple(args[2], name + " size");
  tensor->tensor.strides = int_tuple(args[3], name + " stride");
  if (tensor->tensor.storage_offset < 0) fail(quoted(name) + ": negative storage offset");
  if (tensor->tensor.shape.size() != tensor->tensor.strides.size()) {
    fail(quoted(name) + ": size " + shape_string(tensor->tensor.shape) + " and stride " +
         shape_string(tensor->tensor.strides) + " differ in length");
  }
  for (std::size_t d = 0; d < tensor->tensor.shape.size(); ++d) {
    if (tensor->tensor.shape[d] < 0 || tensor->tensor.strides[d] < 0) {
      fail(quoted(name) + ": negative size or stride");
    }
  }
  return tensor;
}

Value* Unpickler::numpy_array(DType dtype, bool big_endian, std::vector<std::int64_t> shape,
                              const std::string& bytes, bool fortran, const char* what) {
  const auto numel = element_count(shape);
  if (!numel) fail(std::string(what) + ": invalid array shape " + shape_string(shape));
  const std::size_t item_size = dtype_size(dtype);
  if (bytes.size() != static_cast<std::uint64_t>(*numel) * item_size) {
    fail(std::string(what) + ": array of shape " + shape_string(shape) + " and dtype " + dtype_name(dtype) +
         " needs " + std::to_string(*numel * item_size) + " bytes, got " + std::to_string(bytes.size()));
  }
  charge(fortran ? 2 * bytes.size() : bytes.size());
  Value* value = make(Kind::Array);
  value->array.dtype = dtype;
  value->array.bytes.assign(bytes.begin(), bytes.end());
  if (big_endian && item_size > 1) {
    for (std::size_t i = 0; i < value->array.bytes.size(); i += item_size) {
      std::reverse(value->array.bytes.begin() + i, value->array.bytes.begin() + i + item_size);
    }
  }
  if (fortran && shape.size() > 1) value->array.bytes = fortran_to_c(value->array.bytes, shape, item_size);
  value->array.shape = std::move(shape);
  return value;
}

Value* Unpickler::call(Value* callable, const std::vector<Value*>& args, const char* what) {
  if (callable->is(Kind::Opaque)) return opaque(callable->text);
  if (!callable->is(Kind::Global)) fail(std::string(what) + ": cannot call a " + callable->describe());
  const std::string& name = callable->text;
  auto it = whitelist().find(name);
  if (it == whitelist().end()) return opaque(name);  // e.g. calling a storage class
  auto arg_count = [&](std::size_t low, std::size_t high) {
    if (args.size() < low || args.size() > high) {
      fail(quoted(name) + " called with " + std::to_string(args.size()) + " arguments");
    }
  };
  auto iterable_items = [&](const Value* source) -> std::vector<Value*> {
    if (source->is(Kind::List) || source->is(Kind::Tuple)) return source->items;
    if (source->is(Kind::Dict)) {
      std::vector<Value*> keys;
      for (const auto& entry : source->entries) keys.push_back(entry.first);
      return keys;
    }
    fail(quoted(name) + ": cannot iterate a " + source->describe());
  };

  switch (it->second) {
    case Callable::Set:
    case Callable::List:
    case Callable::FrozenSet:
    case Callable::Tuple:
    case Callable::TorchSize: {
      arg_count(0, 1);
      const bool mutable_kind = it->second == Callable::Set || it->second == Callable::List;
      return sequence(mutable_kind ? Kind::List : Kind::Tuple,
                      args.empty() ? std::vector<Value*>{} : iterable_items(args[0]));
    }
    case Callable::Dict:
    case Callable::OrderedDict: {
      arg_count(0, 1);
      Value* dict = make(Kind::Dict);
      if (args.empty()) return dict;
      if (args[0]->is(Kind::Dict)) {
        for (const auto& [key, value] : args[0]->entries) dict_set(dict, key, value);
        return dict;
      }
      for (const Value* pair : iterable_items(args[0])) {
        if (!(pair->is(Kind::Tuple) || pair->is(Kind::List)) || pair->items.size() != 2) {
          fail(quoted(name) + ": expected (key, value) pairs, got a " + pair->describe());
        }
        dict_set(dict, pair->items[0], pair->items[1]);
      }
      return dict;
    }
    case Callable::Bytes:
    case Callable::ByteArray: {
      arg_count(0, 3);
      if (args.empty()) return text(Kind::Bytes, "");
      const Value* source = args[0];
      if (source->is(Kind::Bytes)) return text(Kind::Bytes, source->text);
      if (source->is(Kind::Str)) {
        if (args.size() < 2 || !args[1]->is(Kind::Str))
          fail(quoted(name) + ": string argument without an encoding");
        return text(Kind::Bytes, encode_text(*source, args[1]->text, what));
      }
      if (source->is(Kind::List) || source->is(Kind::Tuple)) {
        std::string bytes;
        for (const Value* item : source->items) {
          const std::int64_t byte = int_arg(item, name);
          if (byte < 0 || byte > 255) fail(quoted(name) + ": byte value out of range");
          bytes += static_cast<char>(byte);
        }
        return text(Kind::Bytes, bytes);
      }
      fail(quoted(name) + ": unsupported argument, a " + source->describe());
    }
    case Callable::CodecsEncode: {
      arg_count(1, 3);
      if (!args[0]->is(Kind::Str)) fail(quoted(name) + ": expected a str, got a " + args[0]->describe());
      std::string encoding = "utf-8";
      if (args.size() >= 2) {
        if (!args[1]->is(Kind::Str)) fail(quoted(name) + ": encoding is a " + args[1]->describe());
        encoding = args[1]->text;
      }
      return text(Kind::Bytes, encode_text(*args[0], encoding, what));
    }
    case Callable::Reconstructor: {  // copyreg._reconstructor(cls, base, state): protocol 0/1 objects
      arg_count(3, 3);
      return construct(args[0], {}, what);
    }
    case Callable::NewObj: {  // copyreg.__newobj__(cls, *args): what NEWOBJ does, at protocols 0 and 1
      if (args.empty()) fail(quoted(name) + " called without a class");
      return construct(args[0], std::vector<Value*>(args.begin() + 1, args.end()), what);
    }
    case Callable::NewObjEx: {  // copyreg.__newobj_ex__(cls, args, kwargs)
      arg_count(3, 3);
      return construct(args[0], tuple_items(args[1], "copyreg.__newobj_ex__ arguments"), what);
    }
    case Callable::RebuildTensor:
    case Callable::RebuildTensorV2:
      return rebuild_tensor(args, name);
    case Callable::RebuildParameter:
    case Callable::RebuildParameterWithState: {
      arg_count(1, 4);
      if (!args[0]->is(Kind::Tensor) && !args[0]->is(Kind::Opaque)) {
        fail(quoted(name) + ": expected a tensor, got a " + args[0]->describe());
      }
      return args[0];
    }
    case Callable::NumpyReconstruct: {  // _reconstruct(subtype, shape, typecode); BUILD fills it in
      arg_count(3, 3);
      const Value* subtype = args[0];
      if (subtype->is(Kind::Opaque)) return opaque(subtype->text);  // an ndarray subclass
      if (!subtype->is(Kind::Global) || subtype->text != "numpy.ndarray") {
        fail(quoted(name) + ": expected numpy.ndarray, got a " + subtype->describe());
      }
      Value* array = make(Kind::Array);
      array->array.dtype = DType::Int8;
      array->array.shape = {0};
      return array;
    }
    case Callable::NumpyDType: {  // dtype(code, align, copy); BUILD sets the byte order
      arg_count(1, 3);
      const Value* code = args[0];
      if (!code->is(Kind::Str) && !code->is(Kind::Bytes))
        fail(quoted(name) + ": type code is a " + code->describe());
      Value* dtype = make(Kind::DTypeSpec);
      std::string type_code = code->text;
      if (!type_code.empty() &&
          (type_code[0] == '<' || type_code[0] == '>' || type_code[0] == '|' || type_code[0] == '=')) {
        dtype->boolean = type_code[0] == '>';
        type_code.erase(0, 1);
      }
      dtype->text = type_code;
      if (auto numeric = numpy_numeric_dtype(type_code)) dtype->dtype = *numeric;
      return dtype;
    }
    case Callable::NumpyScalar: {  // scalar(dtype, raw bytes) or scalar(object dtype, object)
      arg_count(1, 2);
      const Value* dtype = args[0];
      if (!dtype->is(Kind::DTypeSpec)) fail(quoted(name) + ": expected a dtype, got a " + dtype->describe());
      if (is_object_code(dtype->text)) {
        if (args.size() < 2) fail(quoted(name) + ": object scalar without a value");
        return args[1];
      }
      auto numeric = numpy_numeric_dtype(dtype->text);
      if (!numeric) return opaque(name);
      if (args.size() < 2 || !args[1]->is(Kind::Bytes)) fail(quoted(name) + ": expected the scalar's bytes");
      return numpy_array(*numeric, dtype->boolean, {}, args[1]->text, false, what);
    }
    case Callable::NumpyFromBuffer: {  // _frombuffer(buffer, dtype, shape, order): protocol 5 arrays
      arg_count(4, 4);
      const Value* buffer = args[0];
      const Value* dtype = args[1];
      if (!dtype->is(Kind::DTypeSpec)) fail(quoted(name) + ": expected a dtype, got a " + dtype->describe());
      if (!buffer->is(Kind::Bytes)) fail(quoted(name) + ": expected a buffer, got a " + buffer->describe());
      if (!args[3]->is(Kind::Str)) fail(quoted(name) + ": order is a " + args[3]->describe());
      auto numeric = numpy_numeric_dtype(dtype->text);
      if (!numeric) return opaque("numpy.ndarray");
      return numpy_array(*numeric, dtype->boolean, int_tuple(args[2], name + " shape"), buffer->text,
                         args[3]->text == "F", what);
    }
    case Callable::Object:
    case Callable::NumpyNDArray:
    case Callable::TorchStorage:
      return opaque(name);
  }
  return opaque(name);
}

// cls.__new__(cls, *args) for NEWOBJ / NEWOBJ_EX / copyreg._reconstructor.
Value* Unpickler::construct(Value* cls, const std::vector<Value*>& args, const char* what) {
  if (cls->is(Kind::Opaque)) return opaque(cls->text);
  if (!cls->is(Kind::Global)) fail(std::string(what) + ": expected a class, got a " + cls->describe());
  auto it = whitelist().find(cls->text);
  if (it == whitelist().end()) return opaque(cls->text);
  if (!is_class(it->second)) fail(std::string(what) + ": " + quoted(cls->text) + " is not a class");
  switch (it->second) {
    case Callable::Dict:
    case Callable::OrderedDict:
      return make(Kind::Dict);
    case Callable::List:
    case Callable::Set:
      return make(Kind::List);
    case Callable::ByteArray:
      return text(Kind::Bytes, "");
    default:
      return call(cls, args, what);
  }
}

// INST / OBJ: Python calls cls(*args), or cls.__new__(cls) for a class without arguments.
Value* Unpickler::instantiate(Value* cls, const std::vector<Value*>& args, const char* what) {
  if (args.empty() && cls->is(Kind::Global)) {
    auto it = whitelist().find(cls->text);
    if (it != whitelist().end() && is_class(it->second)) return construct(cls, args, what);
  }
  return call(cls, args, what);
}

void Unpickler::build_array(Value* target, const Value& state) {
  const std::vector<Value*>& items = tuple_items(&state, "BUILD of a numpy array");
  if (items.size() != 4 && items.size() != 5) {
    fail("BUILD of a numpy array: state has " + std::to_string(items.size()) + " items, expected 4 or 5");
  }
  const std::size_t first = items.size() - 4;  // (version,) shape, dtype, is_fortran, data
  std::vector<std::int64_t> shape = int_tuple(items[first], "numpy array shape");
  const Value* dtype = items[first + 1];
  if (!dtype->is(Kind::DTypeSpec))
    fail("BUILD of a numpy array: expected a dtype, got a " + dtype->describe());
  const bool fortran = int_arg(items[first + 2], "numpy array order") != 0;
  const Value* data = items[first + 3];
  const auto numel = element_count(shape);
  if (!numel) fail("BUILD of a numpy array: invalid shape " + shape_string(shape));

  if (is_object_code(dtype->text)) {
    if (!data->is(Kind::List) || data->items.size() != static_cast<std::uint64_t>(*numel)) {
      fail("BUILD of an object array: expected a list of " + std::to_string(*numel) + " items, got a " +
           data->describe());
    }
    // numpy lists an object array's items in C order whatever its memory order.
    std::vector<Value*> elements = data->items;
    target->kind = Kind::List;
    target->array = Array{};
    target->array.shape = shape;
    target->items.clear();
    for (Value* element : elements) append(target, element);
    return;
  }
  auto numeric = numpy_numeric_dtype(dtype->text);
  if (!numeric) {
    target->kind = Kind::Opaque;
    target->text = "numpy.ndarray";
    target->array = Array{};
    return;
  }
  if (!data->is(Kind::Bytes))
    fail("BUILD of a numpy array: expected the array's bytes, got a " + data->describe());
  Value* built = numpy_array(*numeric, dtype->boolean, shape, data->text, fortran, "BUILD of a numpy array");
  target->array = std::move(built->array);
}

void Unpickler::build(Value* target, Value* state) {
  switch (target->kind) {
    case Kind::Array:
      build_array(target, *state);
      return;
    case Kind::DTypeSpec: {  // (version, byteorder, subarray, names, fields, elsize, alignment, flags)
      const std::vector<Value*>& items = tuple_items(state, "BUILD of a numpy dtype");
      if (items.size() < 2 || !items[1]->is(Kind::Str)) fail("BUILD of a numpy dtype: unexpected state");
      target->boolean = items[1]->text == ">";
      return;
    }
    case Kind::Dict:    // OrderedDict attributes such as a state_dict's _metadata
    case Kind::List:    // attributes of a list subclass
    case Kind::Tensor:  // tensor attributes
    case Kind::Opaque:  // the state of an object we do not rebuild
      return;
    default:
      fail("BUILD on a " + target->describe());
  }
}

Value* Unpickler::run() {
  for (;;) {
    if (pos_ >= size_) {
      op_start_ = pos_;
      fail_truncated("the pickle (no STOP opcode)");
    }
    op_start_ = pos_;
    const std::uint8_t code = data_[pos_++];
    switch (code) {
      case op::kProto: {
        const std::uint8_t version = *take(1, "PROTO");
        if (version > 5) fail("unsupported pickle protocol " + std::to_string(version));
        break;
      }
      case op::kFrame: {
        const std::uint64_t length = read_le(8, "FRAME");
        if (length > size_ - pos_) fail_truncated("FRAME");
        break;
      }
      case op::kStop: {
        Value* root = pop("STOP");
        return root;
      }
      case op::kMark:
        if (marks_.size() >= options_.max_depth) {
          fail("nesting deeper than " + std::to_string(options_.max_depth) + " levels");
        }
        marks_.push_back(stack_.size());
        break;
      case op::kPop:
        // Python's rule: a POP with nothing above the last mark removes the mark.
        if (!marks_.empty() && marks_.back() == stack_.size())
          marks_.pop_back();
        else
          pop("POP");
        break;
      case op::kPopMark:
        pop_to_mark("POP_MARK");
        break;
      case op::kDup:
        push(top("DUP"));
        break;

      // --- numbers
      case op::kNone:
        push(none());
        break;
      case op::kNewTrue:
        push(boolean(true));
        break;
      case op::kNewFalse:
        push(boolean(false));
        break;
      case op::kInt: {
        const std::string line = read_line("INT");
        if (line == "00")
          push(boolean(false));
        else if (line == "01")
          push(boolean(true));
        else
          push(integer_from_decimal(line, "INT"));
        break;
      }
      case op::kBinInt:
        push(integer(static_cast<std::int32_t>(read_le(4, "BININT"))));
        break;
      case op::kBinInt1:
        push(integer(static_cast<std::int64_t>(read_le(1, "BININT1"))));
        break;
      case op::kBinInt2:
        push(integer(static_cast<std::int64_t>(read_le(2, "BININT2"))));
        break;
      case op::kLong: {
        std::string line = read_line("LONG");
        if (!line.empty() && line.back() == 'L') line.pop_back();
        push(integer_from_decimal(line, "LONG"));
        break;
      }
      case op::kLong1: {
        const std::size_t n = *take(1, "LONG1");
        push(big_integer_from_le(take(n, "LONG1"), n));
        break;
      }
      case op::kLong4: {
        const auto n = static_cast<std::int32_t>(read_le(4, "LONG4"));
        if (n < 0) fail("LONG4: negative length");
        if (static_cast<std::size_t>(n) > kMaxIntBytes) {
          fail("LONG4: integer of " + std::to_string(n) + " bytes is too large (limit " +
               std::to_string(kMaxIntBytes) + ")");
        }
        push(big_integer_from_le(take(n, "LONG4"), static_cast<std::size_t>(n)));
        break;
      }
      case op::kFloat: {
        std::string line = read_line("FLOAT");
        std::size_t begin = 0;
        while (begin < line.size() && line[begin] == ' ') ++begin;
        if (begin < line.size() && line[begin] == '+') ++begin;
        std::size_t end = line.size();
        while (end > begin && (line[end - 1] == ' ' || line[end - 1] == '\r')) --end;
        double value = 0.0;
        auto [stop, ec] = std::from_chars(line.data() + begin, line.data() + end, value);
        if (ec != std::errc() || stop != line.data() + end || begin == end)
          fail("FLOAT: bad number " + quoted(line));
        Value* v = make(Kind::Float);
        v->real = value;
        push(v);
        break;
      }
      case op::kBinFloat: {
        const std::uint8_t* p = take(8, "BINFLOAT");
        std::uint64_t bits = 0;
        for (int i = 0; i < 8; ++i) bits = (bits << 8) | p[i];  // big endian
        Value* v = make(Kind::Float);
        std::memcpy(&v->real, &bits, sizeof bits);
        push(v);
        break;
      }

      // --- strings and bytes
      case op::kString: {
        const std::string line = read_line("STRING");
        if (line.size() < 2 || (line[0] != '\'' && line[0] != '"') || line.back() != line[0]) {
          fail("STRING: the argument must be quoted");
        }
        push(text(Kind::Bytes, decode_escapes(line.substr(1, line.size() - 2))));
        break;
      }
      case op::kBinString: {
        const auto n = static_cast<std::int32_t>(read_le(4, "BINSTRING"));
        if (n < 0) fail("BINSTRING: negative length");
        const std::uint8_t* p = take(static_cast<std::uint64_t>(n), "BINSTRING");
        push(text(Kind::Bytes, std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n))));
        break;
      }
      case op::kShortBinString:
      case op::kShortBinBytes:
      case op::kBinBytes:
      case op::kBinBytes8:
      case op::kByteArray8: {
        const char* name = code == op::kShortBinString  ? "SHORT_BINSTRING"
                           : code == op::kShortBinBytes ? "SHORT_BINBYTES"
                           : code == op::kBinBytes      ? "BINBYTES"
                           : code == op::kBinBytes8     ? "BINBYTES8"
                                                        : "BYTEARRAY8";
        const std::size_t width = (code == op::kShortBinString || code == op::kShortBinBytes) ? 1
                                  : code == op::kBinBytes                                     ? 4
                                                                                              : 8;
        const std::uint64_t n = read_le(width, name);
        const std::uint8_t* p = take(n, name);
        push(text(Kind::Bytes, std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n))));
        break;
      }
      case op::kShortBinUnicode:
      case op::kBinUnicode:
      case op::kBinUnicode8: {
        const char* name = code == op::kShortBinUnicode ? "SHORT_BINUNICODE"
                           : code == op::kBinUnicode    ? "BINUNICODE"
                                                        : "BINUNICODE8";
        const std::size_t width = code == op::kShortBinUnicode ? 1 : code == op::kBinUnicode ? 4 : 8;
        const std::uint64_t n = read_le(width, name);
        const std::uint8_t* p = take(n, name);
        push(text(Kind::Str, std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n))));
        break;
      }
      case op::kUnicode: {
        // raw-unicode-escape: bytes are latin-1 code points, except \uXXXX and \UXXXXXXXX escapes
        // introduced by an odd number of backslashes.
        const std::string line = read_line("UNICODE");
        std::string out;
        for (std::size_t i = 0; i < line.size();) {
          const auto c = static_cast<unsigned char>(line[i]);
          if (c != '\\') {
            append_utf8(out, c);
            ++i;
            continue;
          }
          std::size_t run = 0;
          while (i < line.size() && line[i] == '\\') {
            ++run;
            ++i;
          }
          const bool escape = run % 2 == 1 && i < line.size() && (line[i] == 'u' || line[i] == 'U');
          out.append(escape ? run - 1 : run, '\\');
          if (!escape) continue;
          const std::size_t digits = line[i] == 'u' ? 4 : 8;
          ++i;
          if (line.size() - i < digits) fail("UNICODE: truncated \\u escape");
          std::uint32_t cp = 0;
          for (std::size_t k = 0; k < digits; ++k, ++i) {
            const int d = hex_digit(line[i]);
            if (d < 0) fail("UNICODE: bad \\u escape");
            cp = cp * 16 + static_cast<std::uint32_t>(d);
          }
          if (cp > 0x10FFFF) fail("UNICODE: code point out of range");
          append_utf8(out, cp);
        }
        push(text(Kind::Str, std::move(out)));
        break;
      }

      // --- containers
      case op::kEmptyList:
        push(make(Kind::List));
        break;
      case op::kEmptyTuple:
        push(make(Kind::Tuple));
        break;
      case op::kEmptyDict:
        push(make(Kind::Dict));
        break;
      case op::kEmptySet:
        push(make(Kind::List));
        break;
      case op::kList:
        push(sequence(Kind::List, pop_to_mark("LIST")));
        break;
      case op::kTuple:
        push(sequence(Kind::Tuple, pop_to_mark("TUPLE")));
        break;
      case op::kFrozenSet:
        push(sequence(Kind::Tuple, pop_to_mark("FROZENSET")));
        break;
      case op::kTuple1:
      case op::kTuple2:
      case op::kTuple3: {
        const std::size_t n = code - op::kTuple1 + 1;
        std::vector<Value*> items(n);
        for (std::size_t k = n; k-- > 0;) items[k] = pop("TUPLE1/2/3");
        push(sequence(Kind::Tuple, items));
        break;
      }
      case op::kDict: {
        const std::vector<Value*> items = pop_to_mark("DICT");
        Value* dict = make(Kind::Dict);
        set_items(dict, items, "DICT");
        push(dict);
        break;
      }
      case op::kAppend: {
        Value* item = pop("APPEND");
        append_to(top("APPEND"), {item}, "APPEND");
        break;
      }
      case op::kAppends: {
        const std::vector<Value*> items = pop_to_mark("APPENDS");
        append_to(top("APPENDS"), items, "APPENDS");
        break;
      }
      case op::kAddItems: {
        const std::vector<Value*> items = pop_to_mark("ADDITEMS");
        append_to(top("ADDITEMS"), items, "ADDITEMS");
        break;
      }
      case op::kSetItem: {
        Value* value = pop("SETITEM");
        Value* key = pop("SETITEM");
        set_items(top("SETITEM"), {key, value}, "SETITEM");
        break;
      }
      case op::kSetItems: {
        const std::vector<Value*> items = pop_to_mark("SETITEMS");
        set_items(top("SETITEMS"), items, "SETITEMS");
        break;
      }

      // --- memo
      case op::kPut:
      case op::kBinPut:
      case op::kLongBinPut:
      case op::kMemoize: {
        std::uint64_t index = code == op::kPut          ? read_decimal_index("PUT")
                              : code == op::kBinPut     ? read_le(1, "BINPUT")
                              : code == op::kLongBinPut ? read_le(4, "LONG_BINPUT")
                                                        : memo_.size();
        if (index > kMaxMemoIndex) fail("memo index " + std::to_string(index) + " is too large");
        memo_[index] = top("PUT");
        break;
      }
      case op::kGet:
      case op::kBinGet:
      case op::kLongBinGet: {
        const std::uint64_t index = code == op::kGet      ? read_decimal_index("GET")
                                    : code == op::kBinGet ? read_le(1, "BINGET")
                                                          : read_le(4, "LONG_BINGET");
        auto it = memo_.find(index);
        if (it == memo_.end()) fail("memo index " + std::to_string(index) + " is not set");
        push(it->second);
        break;
      }

      // --- globals and object construction
      case op::kGlobal: {
        const std::string module = read_line("GLOBAL");
        const std::string name = read_line("GLOBAL");
        push(load_global(module, name));
        break;
      }
      case op::kStackGlobal: {
        Value* name = pop("STACK_GLOBAL");
        Value* module = pop("STACK_GLOBAL");
        if (!name->is(Kind::Str) || !module->is(Kind::Str))
          fail("STACK_GLOBAL: module and name must be strings");
        push(load_global(module->text, name->text));
        break;
      }
      case op::kReduce: {
        Value* args = pop("REDUCE");
        Value* callable = pop("REDUCE");
        push(call(callable, tuple_items(args, "REDUCE arguments"), "REDUCE"));
        break;
      }
      case op::kNewObj: {
        Value* args = pop("NEWOBJ");
        Value* cls = pop("NEWOBJ");
        push(construct(cls, tuple_items(args, "NEWOBJ arguments"), "NEWOBJ"));
        break;
      }
      case op::kNewObjEx: {
        Value* kwargs = pop("NEWOBJ_EX");
        Value* args = pop("NEWOBJ_EX");
        Value* cls = pop("NEWOBJ_EX");
        if (!kwargs->is(Kind::Dict)) fail("NEWOBJ_EX: keyword arguments are a " + kwargs->describe());
        push(construct(cls, tuple_items(args, "NEWOBJ_EX arguments"), "NEWOBJ_EX"));
        break;
      }
      case op::kInst: {
        const std::string module = read_line("INST");
        const std::string name = read_line("INST");
        Value* cls = load_global(module, name);
        push(instantiate(cls, pop_to_mark("INST"), "INST"));
        break;
      }
      case op::kObj: {
        std::vector<Value*> items = pop_to_mark("OBJ");
        if (items.empty()) fail("OBJ: no class on the stack");
        Value* cls = items.front();
        items.erase(items.begin());
        push(instantiate(cls, items, "OBJ"));
        break;
      }
      case op::kBuild: {
        Value* state = pop("BUILD");
        build(top("BUILD"), state);
        break;
      }
      case op::kPersId:
      case op::kBinPersId: {
        const char* name = code == op::kPersId ? "PERSID" : "BINPERSID";
        Value* pid = code == op::kPersId ? text(Kind::Str, read_line(name)) : pop(name);
        if (!options_.persistent_load) fail(std::string(name) + ": persistent ids are not supported here");
        Value* loaded = options_.persistent_load(doc_, *pid);
        if (loaded == nullptr) fail(std::string(name) + ": persistent id could not be resolved");
        push(loaded);
        break;
      }
      case op::kExt1:
      case op::kExt2:
      case op::kExt4:
        fail("EXT1/EXT2/EXT4: the extension registry is not supported");
      case op::kNextBuffer:
      case op::kReadonlyBuffer:
        fail("NEXT_BUFFER/READONLY_BUFFER: out-of-band buffers are not supported");
      default: {
        static const char* digits = "0123456789abcdef";
        fail(std::string("unknown opcode 0x") + digits[code >> 4] + digits[code & 15]);
      }
    }
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------------

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

std::optional<DType> torch_storage_dtype(const std::string& class_name) {
  static const std::unordered_map<std::string, DType> table = {
      {"FloatStorage", DType::Float32}, {"DoubleStorage", DType::Float64},
      {"HalfStorage", DType::Float16},  {"BFloat16Storage", DType::BFloat16},
      {"LongStorage", DType::Int64},    {"IntStorage", DType::Int32},
      {"ShortStorage", DType::Int16},   {"CharStorage", DType::Int8},
      {"ByteStorage", DType::UInt8},    {"BoolStorage", DType::Bool}};
  for (const char* prefix : {"torch.", "torch.cuda."}) {
    const std::size_t n = std::strlen(prefix);
    if (class_name.compare(0, n, prefix) == 0) {
      auto it = table.find(class_name.substr(n));
      if (it != table.end()) return it->second;
    }
  }
  return std::nullopt;
}

PickleDocument unpickle(const std::uint8_t* data, std::size_t size, const UnpickleOptions& options,
                        std::size_t* consumed) {
  PickleDocument document;
  Unpickler unpickler(data, size, options, document);
  document.set_root(unpickler.run());
  if (consumed != nullptr) *consumed = unpickler.position();
  return document;
}

}  // namespace lift3d::io
