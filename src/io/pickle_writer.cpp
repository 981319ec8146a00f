#include "io/pickle_writer.hpp"

#include <cstring>

#include "io/zip_archive.hpp"
#include "lift3d/error.hpp"

namespace lift3d::io {

PyValue PyValue::of_bool(bool b) {
  PyValue v;
  v.kind = Kind::Bool;
  v.boolean = b;
  return v;
}
PyValue PyValue::of_int(std::int64_t i) {
  PyValue v;
  v.kind = Kind::Int;
  v.integer = i;
  return v;
}
PyValue PyValue::of_float(double d) {
  PyValue v;
  v.kind = Kind::Float;
  v.real = d;
  return v;
}
PyValue PyValue::of_str(std::string s) {
  PyValue v;
  v.kind = Kind::Str;
  v.text = std::move(s);
  return v;
}
PyValue PyValue::tuple(std::vector<PyValue> items) {
  PyValue v;
  v.kind = Kind::Tuple;
  v.items = std::move(items);
  return v;
}
PyValue PyValue::list(std::vector<PyValue> items) {
  PyValue v;
  v.kind = Kind::List;
  v.items = std::move(items);
  return v;
}
PyValue PyValue::dict() {
  PyValue v;
  v.kind = Kind::Dict;
  return v;
}
PyValue PyValue::ordered_dict() {
  PyValue v;
  v.kind = Kind::OrderedDict;
  return v;
}
PyValue PyValue::tensor(Array array) {
  PyValue v;
  v.kind = Kind::Tensor;
  v.array = std::move(array);
  return v;
}
PyValue& PyValue::set(PyValue key, PyValue value) {
  if (kind != Kind::Dict && kind != Kind::OrderedDict) throw InternalError("pickle writer: set() on a non-dict");
  entries.emplace_back(std::move(key), std::move(value));
  return *this;
}

namespace {

// Opcodes of the pickle protocol used here (protocol 2 and below).
constexpr std::uint8_t kProto = 0x80, kStop = '.', kNone = 'N', kTrue = 0x88, kFalse = 0x89;
constexpr std::uint8_t kBinInt = 'J', kBinInt1 = 'K', kLong1 = 0x8a, kBinFloat = 'G', kBinUnicode = 'X';
constexpr std::uint8_t kMark = '(', kTuple = 't', kEmptyTuple = ')', kTuple1 = 0x85, kTuple2 = 0x86, kTuple3 = 0x87;
constexpr std::uint8_t kEmptyList = ']', kAppends = 'e', kEmptyDict = '}', kSetItems = 'u';
constexpr std::uint8_t kGlobal = 'c', kReduce = 'R', kBuild = 'b', kBinPersId = 'Q';

class Pickler {
 public:
  explicit Pickler(std::vector<std::pair<std::string, std::vector<std::uint8_t>>>& storages) : storages_(storages) {}

  std::vector<std::uint8_t> run(const PyValue& root) {
    out_ = {kProto, 2};
    value(root);
    op(kStop);
    return std::move(out_);
  }

 private:
  void op(std::uint8_t code) { out_.push_back(code); }
  void raw(const void* data, std::size_t size) {
    const auto* bytes = static_cast<const std::uint8_t*>(data);
    out_.insert(out_.end(), bytes, bytes + size);
  }
  void u32(std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  }

  void integer(std::int64_t v) {
    if (v >= 0 && v < 256) {
      op(kBinInt1);
      out_.push_back(static_cast<std::uint8_t>(v));
    } else if (v >= INT32_MIN && v <= INT32_MAX) {
      op(kBinInt);
      u32(static_cast<std::uint32_t>(static_cast<std::int32_t>(v)));
    } else {  // LONG1: 8 bytes of two's complement, little endian
      op(kLong1);
      out_.push_back(8);
      for (int i = 0; i < 8; ++i) out_.push_back(static_cast<std::uint8_t>(static_cast<std::uint64_t>(v) >> (8 * i)));
    }
  }
  void real(double d) {  // BINFLOAT: big-endian IEEE double
    std::uint64_t bits;
    std::memcpy(&bits, &d, 8);
    op(kBinFloat);
    for (int i = 7; i >= 0; --i) out_.push_back(static_cast<std::uint8_t>(bits >> (8 * i)));
  }
  void str(const std::string& s) {
    op(kBinUnicode);
    u32(static_cast<std::uint32_t>(s.size()));
    raw(s.data(), s.size());
  }
  void global(const std::string& module, const std::string& name) {
    op(kGlobal);
    raw(module.data(), module.size());
    out_.push_back('\n');
    raw(name.data(), name.size());
    out_.push_back('\n');
  }
  // Raw bytes the protocol-2 way (as NumPy pickles them): _codecs.encode(<latin-1 text>, 'latin1').
  void bytes(const std::vector<std::uint8_t>& data) {
    global("_codecs", "encode");
    std::string text;
    for (std::uint8_t b : data) {
      if (b < 0x80) {
        text.push_back(static_cast<char>(b));
      } else {  // the code point b in UTF-8
        text.push_back(static_cast<char>(0xc0 | (b >> 6)));
        text.push_back(static_cast<char>(0x80 | (b & 0x3f)));
      }
    }
    str(text);
    str("latin1");
    op(kTuple2);
    op(kReduce);
  }
  void tuple_of(const std::vector<PyValue>& items) {
    if (items.empty()) return op(kEmptyTuple);
    if (items.size() > 3) op(kMark);
    for (const PyValue& item : items) value(item);
    static constexpr std::uint8_t kSmall[] = {0, kTuple1, kTuple2, kTuple3};
    op(items.size() <= 3 ? kSmall[items.size()] : kTuple);
  }
  void set_items(const std::vector<std::pair<PyValue, PyValue>>& entries) {
    if (entries.empty()) return;
    op(kMark);
    for (const auto& [k, v] : entries) {
      value(k);
      value(v);
    }
    op(kSetItems);
  }
  void int_tuple(const std::vector<std::int64_t>& values) {
    std::vector<PyValue> items;
    for (std::int64_t v : values) items.push_back(PyValue::of_int(v));
    tuple_of(items);
  }

  // torch._utils._rebuild_tensor_v2(storage, offset 0, size, contiguous stride, False, OrderedDict()).
  void tensor(const Array& array) {
    const char* storage_type = nullptr;
    switch (array.dtype) {
      case DType::Float32: storage_type = "FloatStorage"; break;
      case DType::Float64: storage_type = "DoubleStorage"; break;
      case DType::Int64: storage_type = "LongStorage"; break;
      default: throw InternalError("pickle writer: tensors of " + dtype_name(array.dtype) + " are not written");
    }
    const std::string key = std::to_string(storages_.size());
    storages_.emplace_back(key, array.bytes);
    std::vector<std::int64_t> strides(array.shape.size(), 1);
    for (std::size_t d = array.shape.size(); d-- > 1;) strides[d - 1] = strides[d] * array.shape[d];
    global("torch._utils", "_rebuild_tensor_v2");
    op(kMark);
    op(kMark);
    str("storage");
    global("torch", storage_type);
    str(key);
    str("cpu");
    integer(array.numel());
    op(kTuple);
    op(kBinPersId);
    integer(0);
    int_tuple(array.shape);
    int_tuple(strides);
    op(kFalse);
    global("collections", "OrderedDict");
    op(kEmptyTuple);
    op(kReduce);
    op(kTuple);
    op(kReduce);
  }

  // numpy.core.multiarray._reconstruct(ndarray, (0,), b'b') then BUILD with
  // (1, shape, dtype, is_fortran False, raw bytes), as NumPy pickles an array.
  void numpy_array(const Array& array) {
    std::string code;
    switch (array.dtype) {
      case DType::UInt32: code = "u4"; break;
      case DType::Float32: code = "f4"; break;
      case DType::Float64: code = "f8"; break;
      case DType::Int64: code = "i8"; break;
      default: throw InternalError("pickle writer: NumPy arrays of " + dtype_name(array.dtype) + " are not written");
    }
    global("numpy.core.multiarray", "_reconstruct");
    global("numpy", "ndarray");
    integer(0);
    op(kTuple1);
    bytes({'b'});
    op(kTuple3);
    op(kReduce);
    op(kMark);
    integer(1);
    int_tuple(array.shape);
    global("numpy", "dtype");
    str(code);
    op(kFalse);
    op(kTrue);
    op(kTuple3);
    op(kReduce);
    op(kMark);  // the dtype's state: (3, '<', None, None, None, -1, -1, 0)
    integer(3);
    str("<");
    op(kNone);
    op(kNone);
    op(kNone);
    integer(-1);
    integer(-1);
    integer(0);
    op(kTuple);
    op(kBuild);
    op(kFalse);
    bytes(array.bytes);
    op(kTuple);
    op(kBuild);
  }

  // numpy.random.RandomState as NumPy pickles it: __randomstate_ctor('MT19937', __bit_generator_ctor)
  // then BUILD with get_state(legacy=False).
  void random_state(const PyValue& v) {
    global("numpy.random._pickle", "__randomstate_ctor");
    str("MT19937");
    global("numpy.random._pickle", "__bit_generator_ctor");
    op(kTuple2);
    op(kReduce);
    Array key;
    key.dtype = DType::UInt32;
    key.shape = {624};
    key.bytes.resize(624 * 4);
    std::memcpy(key.bytes.data(), v.mt_key.data(), key.bytes.size());
    PyValue state = PyValue::dict();
    PyValue mt = PyValue::dict();
    PyValue key_value;
    key_value.kind = PyValue::Kind::NumpyArray;
    key_value.array = std::move(key);
    mt.set("key", std::move(key_value)).set("pos", PyValue::of_int(v.mt_pos));
    state.set("bit_generator", PyValue::of_str("MT19937"))
        .set("state", std::move(mt))
        .set("has_gauss", PyValue::of_int(v.has_gauss ? 1 : 0))
        .set("gauss", PyValue::of_float(v.gauss));
    value(state);
    op(kBuild);
  }

  void value(const PyValue& v) {
    switch (v.kind) {
      case PyValue::Kind::None: return op(kNone);
      case PyValue::Kind::Bool: return op(v.boolean ? kTrue : kFalse);
      case PyValue::Kind::Int: return integer(v.integer);
      case PyValue::Kind::Float: return real(v.real);
      case PyValue::Kind::Str: return str(v.text);
      case PyValue::Kind::Tuple: return tuple_of(v.items);
      case PyValue::Kind::List:
        op(kEmptyList);
        if (!v.items.empty()) {
          op(kMark);
          for (const PyValue& item : v.items) value(item);
          op(kAppends);
        }
        return;
      case PyValue::Kind::Dict:
        op(kEmptyDict);
        return set_items(v.entries);
      case PyValue::Kind::OrderedDict:
        global("collections", "OrderedDict");
        op(kEmptyTuple);
        op(kReduce);
        return set_items(v.entries);
      case PyValue::Kind::Tensor: return tensor(v.array);
      case PyValue::Kind::NumpyArray: return numpy_array(v.array);
      case PyValue::Kind::RandomState: return random_state(v);
    }
  }

  std::vector<std::pair<std::string, std::vector<std::uint8_t>>>& storages_;
  std::vector<std::uint8_t> out_;
};

}  // namespace

std::vector<std::uint8_t> pickle_value(const PyValue& root,
                                       std::vector<std::pair<std::string, std::vector<std::uint8_t>>>& storages) {
  return Pickler(storages).run(root);
}

void write_torch_zip(const std::string& path, const std::string& archive, const PyValue& root) {
  std::vector<std::pair<std::string, std::vector<std::uint8_t>>> storages;
  const std::vector<std::uint8_t> data = pickle_value(root, storages);
  ZipWriter zip;
  zip.add(archive + "/data.pkl", data, false);
  for (const auto& [key, bytes] : storages) zip.add(archive + "/data/" + key, bytes, false);
  zip.add(archive + "/version", {'3', '\n'}, false);
  zip.write(path);
}

}  // namespace lift3d::io
