#include "io/npy.hpp"

#include <algorithm>
#include <cstring>
#include <limits>

#include "base/text.hpp"
#include "lift3d/error.hpp"
#include "io/file.hpp"

namespace lift3d::io {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr std::size_t kMagicSize = 6;
constexpr std::size_t kHeaderAlignment = 64;  // numpy pads headers so the data start 64-byte aligned

bool host_is_little_endian() {
  const std::uint16_t probe = 1;
  std::uint8_t first;
  std::memcpy(&first, &probe, 1);
  return first == 1;
}

// The three values a .npy header dict holds.
struct NpyHeader {
  std::string descr;
  bool fortran_order = false;
  std::vector<std::int64_t> shape;
};

// A strict parser for the one Python literal numpy writes as the header:
//   {'descr': '<f4', 'fortran_order': False, 'shape': (5, 17, 2), }
// Strings, True/False and tuples of non-negative integers only; anything else is an error.
class HeaderParser {
 public:
  explicit HeaderParser(std::string text) : text_(std::move(text)) {}

  NpyHeader parse() {
    NpyHeader header;
    bool seen_descr = false, seen_fortran = false, seen_shape = false;
    skip_space();
    expect('{');
    skip_space();
    while (peek() != '}') {
      const std::string key = parse_string();
      skip_space();
      expect(':');
      skip_space();
      if (key == "descr") {
        if (seen_descr) fail("duplicate key 'descr'");
        if (peek() == '[') fail("structured dtypes are not supported");
        header.descr = parse_string();
        seen_descr = true;
      } else if (key == "fortran_order") {
        if (seen_fortran) fail("duplicate key 'fortran_order'");
        header.fortran_order = parse_bool();
        seen_fortran = true;
      } else if (key == "shape") {
        if (seen_shape) fail("duplicate key 'shape'");
        header.shape = parse_shape();
        seen_shape = true;
      } else {
        fail("unexpected key '" + key + "'");
      }
      skip_space();
      if (peek() == ',') {
        ++pos_;
        skip_space();
      } else if (peek() != '}') {
        fail("expected ',' or '}'");
      }
    }
    ++pos_;
    skip_space();
    if (pos_ != text_.size()) fail("unexpected text after the closing '}'");
    if (!seen_descr || !seen_fortran || !seen_shape) {
      fail(std::string("missing key '") +
           (!seen_descr     ? "descr"
            : !seen_fortran ? "fortran_order"
                            : "shape") +
           "'");
    }
    return header;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw InputError("malformed header: " + what + " at character " + std::to_string(pos_));
  }
  char peek() const {
    if (pos_ >= text_.size()) fail("unexpected end");
    return text_[pos_];
  }
  void expect(char c) {
    if (peek() != c) fail(std::string("expected '") + c + "'");
    ++pos_;
  }
  void skip_space() {
    while (pos_ < text_.size() &&
           (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' || text_[pos_] == '\r')) {
      ++pos_;
    }
  }
  std::string parse_string() {
    const char quote = peek();
    if (quote != '\'' && quote != '"') fail("expected a quoted string");
    const std::size_t start = ++pos_;
    while (peek() != quote) {
      if (peek() == '\\') fail("escape sequences are not supported");
      ++pos_;
    }
    return text_.substr(start, pos_++ - start);
  }
  bool parse_bool() {
    for (const char* word : {"True", "False"}) {
      const std::size_t size = std::strlen(word);
      if (text_.compare(pos_, size, word) == 0) {
        pos_ += size;
        return word[0] == 'T';
      }
    }
    fail("expected True or False");
  }
  std::vector<std::int64_t> parse_shape() {
    std::vector<std::int64_t> shape;
    expect('(');
    skip_space();
    while (peek() != ')') {
      shape.push_back(parse_dimension());
      skip_space();
      if (peek() == ',') {
        ++pos_;
        skip_space();
      } else if (peek() != ')') {
        fail("expected ',' or ')' in shape");
      }
    }
    ++pos_;
    return shape;
  }
  std::int64_t parse_dimension() {
    if (peek() < '0' || peek() > '9') fail("expected a non-negative integer in shape");
    std::int64_t value = 0;
    while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
      const int digit = text_[pos_] - '0';
      if (value > (std::numeric_limits<std::int64_t>::max() - digit) / 10) fail("dimension too large");
      value = value * 10 + digit;
      ++pos_;
    }
    if (pos_ < text_.size() && text_[pos_] == 'L') ++pos_;  // Python 2 long literal
    return value;
  }

  std::string text_;
  std::size_t pos_ = 0;
};

struct DescrInfo {
  bool is_object = false;
  DType dtype = DType::Float32;
  bool big_endian = false;
};

DescrInfo parse_descr(const std::string& descr) {
  static const struct {
    const char* code;
    DType dtype;
  } kCodes[] = {{"b1", DType::Bool},    {"i1", DType::Int8},    {"u1", DType::UInt8},
                {"i2", DType::Int16},   {"u2", DType::UInt16},  {"i4", DType::Int32},
                {"u4", DType::UInt32},  {"i8", DType::Int64},   {"u8", DType::UInt64},
                {"f2", DType::Float16}, {"f4", DType::Float32}, {"f8", DType::Float64}};
  const auto unsupported = [&]() -> InputError { return InputError("unsupported dtype '" + descr + "'"); };
  if (descr.size() < 2) throw unsupported();
  const char order = descr[0];
  if (order != '<' && order != '>' && order != '|' && order != '=') throw unsupported();
  const std::string code = descr.substr(1);
  DescrInfo info;
  if (code == "O") {
    info.is_object = true;
    return info;
  }
  for (const auto& entry : kCodes) {
    if (code == entry.code) {
      info.dtype = entry.dtype;
      if (order == '|' && dtype_size(entry.dtype) > 1) {
        throw InputError("dtype '" + descr + "' has no byte order but " + dtype_name(entry.dtype) +
                         " needs one");
      }
      // '=' is the writer's native order; numpy itself never writes it, so assume ours.
      info.big_endian = order == '>' || (order == '=' && !host_is_little_endian());
      return info;
    }
  }
  throw unsupported();
}

std::int64_t checked_numel(const std::vector<std::int64_t>& shape, std::size_t item_size) {
  // Overflow of the element count, or of the byte count, is an error long before any allocation.
  const std::int64_t max = std::numeric_limits<std::int64_t>::max() / static_cast<std::int64_t>(item_size);
  std::int64_t count = 1;
  for (std::int64_t dim : shape) {
    if (dim != 0 && count > max / dim) throw InputError("shape " + shape_string(shape) + " is too large");
    count *= dim;
  }
  return count;
}

void swap_bytes(std::vector<std::uint8_t>& bytes, std::size_t width) {
  for (std::size_t i = 0; i + width <= bytes.size(); i += width) std::reverse(&bytes[i], &bytes[i] + width);
}

// Reorders elements from Fortran order (first index fastest) into C order (last index fastest).
std::vector<std::uint8_t> fortran_to_c_order(const std::vector<std::uint8_t>& source,
                                             const std::vector<std::int64_t>& shape, std::size_t width) {
  const std::size_t ndim = shape.size();
  std::vector<std::uint8_t> out(source.size());
  if (source.empty()) return out;
  std::vector<std::size_t> fortran_stride(ndim, 1);
  for (std::size_t d = 1; d < ndim; ++d)
    fortran_stride[d] = fortran_stride[d - 1] * static_cast<std::size_t>(shape[d - 1]);
  std::vector<std::int64_t> index(ndim, 0);
  const std::size_t count = source.size() / width;
  for (std::size_t c = 0; c < count; ++c) {
    std::size_t f = 0;
    for (std::size_t d = 0; d < ndim; ++d) f += static_cast<std::size_t>(index[d]) * fortran_stride[d];
    std::memcpy(&out[c * width], &source[f * width], width);
    for (std::size_t d = ndim; d-- > 0;) {  // advance the C-order index, last dimension fastest
      if (++index[d] < shape[d]) break;
      index[d] = 0;
    }
  }
  return out;
}

std::string descr_of(DType dtype) {
  const char order = host_is_little_endian() ? '<' : '>';
  switch (dtype) {
    case DType::Bool: return "|b1";
    case DType::Int8: return "|i1";
    case DType::UInt8: return "|u1";
    case DType::Int16: return std::string(1, order) + "i2";
    case DType::UInt16: return std::string(1, order) + "u2";
    case DType::Int32: return std::string(1, order) + "i4";
    case DType::UInt32: return std::string(1, order) + "u4";
    case DType::Int64: return std::string(1, order) + "i8";
    case DType::UInt64: return std::string(1, order) + "u8";
    case DType::Float16: return std::string(1, order) + "f2";
    case DType::Float32: return std::string(1, order) + "f4";
    case DType::Float64: return std::string(1, order) + "f8";
    case DType::BFloat16: break;
  }
  throw InternalError("dtype " + dtype_name(dtype) + " has no numpy equivalent");
}

std::string python_shape(const std::vector<std::int64_t>& shape) {
  std::string out = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i) out += ", ";
    out += std::to_string(shape[i]);
  }
  if (shape.size() == 1) out += ",";
  return out + ")";
}

}  // namespace

namespace {

// The parts of a .npy file: the header text and the data after it.
struct NpyLayout {
  int major = 1;
  std::string header_text;
  const std::uint8_t* payload = nullptr;
  std::size_t payload_size = 0;
};

// Magic, version, header length: where the header and the data are.
NpyLayout split_npy(const std::uint8_t* data, std::size_t size) {
  if (size < kMagicSize + 2 || std::memcmp(data, kMagic, kMagicSize) != 0) {
    throw InputError("not a .npy file (bad magic)");
  }
  const int major = data[6];
  const int minor = data[7];
  if (major < 1 || major > 3 || minor != 0) {
    throw InputError("unsupported .npy format version " + std::to_string(major) + "." + std::to_string(minor));
  }
  const std::size_t length_size = major == 1 ? 2 : 4;
  const std::size_t prefix = kMagicSize + 2 + length_size;
  if (size < prefix) throw InputError("truncated .npy header");
  std::uint64_t header_size = data[8] | (static_cast<std::uint64_t>(data[9]) << 8);
  if (length_size == 4)
    header_size |= (static_cast<std::uint64_t>(data[10]) << 16) | (static_cast<std::uint64_t>(data[11]) << 24);
  if (header_size > size - prefix) {
    throw InputError("truncated .npy header (" + std::to_string(header_size) + " bytes declared, " +
                     std::to_string(size - prefix) + " present)");
  }
  NpyLayout layout;
  layout.major = major;
  layout.header_text.assign(reinterpret_cast<const char*>(data + prefix), static_cast<std::size_t>(header_size));
  layout.payload = data + prefix + header_size;
  layout.payload_size = size - prefix - static_cast<std::size_t>(header_size);
  return layout;
}

// An object array: the pickle that np.save writes after the header, and nothing after it.
NpyContent object_content(const NpyLayout& layout, const NpyHeader& header) {
  std::size_t consumed = 0;
  PickleDocument document;
  try {
    document = unpickle(layout.payload, layout.payload_size, {}, &consumed);
  } catch (const InputError& e) {
    rethrow_with_context(e, "object array");
  }
  if (consumed != layout.payload_size) {
    throw InputError("object array: " + std::to_string(layout.payload_size - consumed) +
                     " stray bytes after the pickle");
  }
  // np.save pickles the whole object array; a 0-d one (what np.savez makes of a dict) comes back
  // as a one-element list, and callers want the element itself.
  const Value* root = document.root();
  if (header.shape.empty() && root && root->is(Value::Kind::List) && root->items.size() == 1) {
    document.set_root(root->items[0]);
  }
  NpyContent content;
  content.object = std::make_shared<PickleDocument>(std::move(document));
  return content;
}

// A numeric array: exactly the bytes the shape needs, turned into native byte order and C order.
NpyContent numeric_content(const NpyLayout& layout, const NpyHeader& header, const DescrInfo& descr) {
  const std::size_t width = dtype_size(descr.dtype);
  const std::int64_t count = checked_numel(header.shape, width);
  const std::uint64_t needed = static_cast<std::uint64_t>(count) * width;
  if (needed > layout.payload_size) {
    throw InputError("truncated data: shape " + shape_string(header.shape) + " of " + dtype_name(descr.dtype) +
                     " needs " + std::to_string(needed) + " bytes, only " + std::to_string(layout.payload_size) +
                     " are present");
  }
  if (needed < layout.payload_size) {
    throw InputError(std::to_string(layout.payload_size - needed) + " stray bytes after the array data");
  }
  Array array;
  array.dtype = descr.dtype;
  array.shape = header.shape;
  array.bytes.assign(layout.payload, layout.payload + needed);
  if (width > 1 && descr.big_endian == host_is_little_endian()) swap_bytes(array.bytes, width);
  if (header.fortran_order && header.shape.size() > 1) array.bytes = fortran_to_c_order(array.bytes, header.shape, width);
  NpyContent content;
  content.array = std::move(array);
  return content;
}

}  // namespace

NpyContent parse_npy(const std::uint8_t* data, std::size_t size) {
  const NpyLayout layout = split_npy(data, size);
  const std::string& text = layout.header_text;
  if (layout.major < 3 &&
      std::any_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; })) {
    throw InputError("malformed header: non-ascii text in a version " + std::to_string(layout.major) + " header");
  }
  const NpyHeader header = HeaderParser(text).parse();
  const DescrInfo descr = parse_descr(header.descr);
  return descr.is_object ? object_content(layout, header) : numeric_content(layout, header, descr);
}

NpyContent read_npy(const std::string& path) {
  const std::vector<std::uint8_t> bytes = read_file(path);
  try {
    return parse_npy(bytes.data(), bytes.size());
  } catch (const InputError& e) {
    rethrow_with_context(e, path);
  }
}

std::vector<std::uint8_t> npy_header(DType dtype, const std::vector<std::int64_t>& shape) {
  std::string header =
      "{'descr': '" + descr_of(dtype) + "', 'fortran_order': False, 'shape': " + python_shape(shape) + ", }";
  // Pad with spaces and end with a newline so that the data start on a 64-byte boundary, as numpy does.
  const std::size_t prefix = kMagicSize + 2 + 2;
  const std::size_t unpadded = prefix + header.size() + 1;
  header.append((kHeaderAlignment - unpadded % kHeaderAlignment) % kHeaderAlignment, ' ');
  header.push_back('\n');
  if (header.size() > 0xffff) throw InternalError("npy header for shape " + shape_string(shape) + " is too long");

  std::vector<std::uint8_t> out(kMagic, kMagic + kMagicSize);
  out.push_back(1);
  out.push_back(0);
  out.push_back(static_cast<std::uint8_t>(header.size() & 0xff));
  out.push_back(static_cast<std::uint8_t>(header.size() >> 8));
  out.insert(out.end(), header.begin(), header.end());
  return out;
}

std::vector<std::uint8_t> npy_bytes(const Array& array) {
  const std::int64_t count = array.numel();
  if (array.bytes.size() != static_cast<std::uint64_t>(count) * dtype_size(array.dtype)) {
    throw InternalError("array of shape " + array.shape_string() + " holds " +
                        std::to_string(array.bytes.size()) + " bytes");
  }
  std::vector<std::uint8_t> out = npy_header(array.dtype, array.shape);
  out.insert(out.end(), array.bytes.begin(), array.bytes.end());
  return out;
}

void write_npy(const std::string& path, const Array& array) {
  const std::vector<std::uint8_t> bytes = npy_bytes(array);
  write_file_atomic(path, bytes.data(), bytes.size());
}

void write_npy_float32(const std::string& path, const std::vector<std::int64_t>& shape, const float* values) {
  std::int64_t count = 1;
  for (std::int64_t d : shape) count *= d;
  const std::vector<std::uint8_t> header = npy_header(DType::Float32, shape);
  write_file_atomic(path, {{header.data(), header.size()}, {values, static_cast<std::size_t>(count) * sizeof(float)}});
}

NpzFile::NpzFile(const std::string& path) : zip_(path) {}

std::vector<std::string> NpzFile::keys() const {
  std::vector<std::string> keys;
  for (const ZipEntry& entry : zip_.entries()) {
    const std::string& name = entry.name;
    const bool npy = name.size() > 4 && name.compare(name.size() - 4, 4, ".npy") == 0;
    keys.push_back(npy ? name.substr(0, name.size() - 4) : name);
  }
  return keys;
}

bool NpzFile::contains(const std::string& key) const {
  return zip_.find(key + ".npy") != nullptr || zip_.find(key) != nullptr;
}

NpyContent NpzFile::read(const std::string& key) const {
  const ZipEntry* entry = zip_.find(key + ".npy");
  if (!entry) entry = zip_.find(key);
  if (!entry) {
    const std::vector<std::string> available = keys();
    throw InputError(path() + ": no array '" + key + "' (has: " + (available.empty() ? "nothing" : join(available)) +
                     ")");
  }
  const std::vector<std::uint8_t> bytes = zip_.read(*entry);
  try {
    return parse_npy(bytes.data(), bytes.size());
  } catch (const InputError& e) {
    rethrow_with_context(e, path() + ": member '" + entry->name + "'");
  }
}

void write_npz(const std::string& path, const std::vector<std::pair<std::string, Array>>& arrays,
               bool compress) {
  ZipWriter writer;
  for (const auto& [key, array] : arrays) {
    if (key.empty()) throw InternalError(path + ": npz array with an empty name");
    writer.add(key + ".npy", npy_bytes(array), compress);
  }
  writer.write(path);
}

}  // namespace lift3d::io
