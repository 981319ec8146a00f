// numpy objects in pickles: arrays (numpy.core.multiarray._reconstruct followed by BUILD, or
// numpy.core.numeric._frombuffer at protocol 5), dtypes and scalars. Numeric data become Arrays in
// native byte order and C order; object arrays become Lists; anything else stays Opaque.
#include <algorithm>
#include <optional>
#include <unordered_map>

#include "io/pickle_data_error.hpp"
#include "io/pickle_literals.hpp"
#include "io/pickle_objects.hpp"

namespace lift3d::io::pickling {
namespace {

using Kind = Value::Kind;

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

// Reorders a Fortran-ordered (first index fastest) buffer of items of `item_size` bytes into C order.
std::vector<std::uint8_t> fortran_to_c(const std::vector<std::uint8_t>& source, const std::vector<std::int64_t>& shape,
                                       std::size_t item_size) {
  std::vector<std::uint8_t> result(source.size());
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

}  // namespace

// _reconstruct(subtype, shape, typecode): an empty array that BUILD fills in.
Value* ObjectRebuilder::numpy_reconstruct(const Call& call) {
  expect_arg_count(call, 3, 3);
  const Value* subtype = call.args[0];
  if (subtype->is(Kind::Opaque)) return values_.opaque(subtype->text);  // an ndarray subclass
  if (!subtype->is(Kind::Global) || subtype->text != "numpy.ndarray") {
    fail(quoted(call.name) + ": expected numpy.ndarray, got a " + subtype->describe());
  }
  Value* array = values_.make(Kind::Array);
  array->array.dtype = DType::Int8;
  array->array.shape = {0};
  return array;
}

// dtype(code, align, copy); BUILD sets the byte order.
Value* ObjectRebuilder::numpy_dtype(const Call& call) {
  expect_arg_count(call, 1, 3);
  const Value* code = call.args[0];
  if (!code->is(Kind::Str) && !code->is(Kind::Bytes)) fail(quoted(call.name) + ": type code is a " + code->describe());
  Value* dtype = values_.make(Kind::DTypeSpec);
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

// scalar(dtype, raw bytes) or scalar(object dtype, object).
Value* ObjectRebuilder::numpy_scalar(const Call& call) {
  expect_arg_count(call, 1, 2);
  const std::vector<Value*>& args = call.args;
  const Value* dtype = args[0];
  if (!dtype->is(Kind::DTypeSpec)) fail(quoted(call.name) + ": expected a dtype, got a " + dtype->describe());
  if (is_object_code(dtype->text)) {
    if (args.size() < 2) fail(quoted(call.name) + ": object scalar without a value");
    return args[1];
  }
  auto numeric = numpy_numeric_dtype(dtype->text);
  if (!numeric) return values_.opaque(call.name);
  if (args.size() < 2 || !args[1]->is(Kind::Bytes)) fail(quoted(call.name) + ": expected the scalar's bytes");
  return numpy_array(*numeric, dtype->boolean, {}, args[1]->text, false, call.what);
}

// _frombuffer(buffer, dtype, shape, order): how protocol 5 pickles arrays.
Value* ObjectRebuilder::numpy_frombuffer(const Call& call) {
  expect_arg_count(call, 4, 4);
  const std::vector<Value*>& args = call.args;
  const Value* buffer = args[0];
  const Value* dtype = args[1];
  if (!dtype->is(Kind::DTypeSpec)) fail(quoted(call.name) + ": expected a dtype, got a " + dtype->describe());
  if (!buffer->is(Kind::Bytes)) fail(quoted(call.name) + ": expected a buffer, got a " + buffer->describe());
  if (!args[3]->is(Kind::Str)) fail(quoted(call.name) + ": order is a " + args[3]->describe());
  auto numeric = numpy_numeric_dtype(dtype->text);
  if (!numeric) return values_.opaque("numpy.ndarray");
  return numpy_array(*numeric, dtype->boolean, int_tuple(args[2], call.name + " shape"), buffer->text,
                     args[3]->text == "F", call.what);
}

Value* ObjectRebuilder::numpy_array(DType dtype, bool big_endian, std::vector<std::int64_t> shape,
                                    const std::string& bytes, bool fortran, const char* what) {
  const auto numel = element_count(shape);
  if (!numel) fail(std::string(what) + ": invalid array shape " + shape_string(shape));
  const std::size_t item_size = dtype_size(dtype);
  if (bytes.size() != static_cast<std::uint64_t>(*numel) * item_size) {
    fail(std::string(what) + ": array of shape " + shape_string(shape) + " and dtype " + dtype_name(dtype) +
         " needs " + std::to_string(*numel * item_size) + " bytes, got " + std::to_string(bytes.size()));
  }
  values_.charge(fortran ? 2 * bytes.size() : bytes.size());
  Value* value = values_.make(Kind::Array);
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

// The state of an ndarray: ([version,] shape, dtype, is_fortran, data), data being the raw bytes
// or, for an object array, the list of its elements.
void ObjectRebuilder::build_array(Value* target, const Value& state) {
  const std::vector<Value*>& items = tuple_items(&state, "BUILD of a numpy array");
  if (items.size() != 4 && items.size() != 5) {
    fail("BUILD of a numpy array: state has " + std::to_string(items.size()) + " items, expected 4 or 5");
  }
  const std::size_t first = items.size() - 4;
  std::vector<std::int64_t> shape = int_tuple(items[first], "numpy array shape");
  const Value* dtype = items[first + 1];
  if (!dtype->is(Kind::DTypeSpec)) fail("BUILD of a numpy array: expected a dtype, got a " + dtype->describe());
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
    for (Value* element : elements) values_.append(target, element);
    return;
  }
  auto numeric = numpy_numeric_dtype(dtype->text);
  if (!numeric) {
    target->kind = Kind::Opaque;
    target->text = "numpy.ndarray";
    target->array = Array{};
    return;
  }
  if (!data->is(Kind::Bytes)) fail("BUILD of a numpy array: expected the array's bytes, got a " + data->describe());
  Value* built = numpy_array(*numeric, dtype->boolean, shape, data->text, fortran, "BUILD of a numpy array");
  target->array = std::move(built->array);
}

// The state of a dtype: (version, byteorder, subarray, names, fields, elsize, alignment, flags).
void ObjectRebuilder::build_dtype(Value* target, const Value& state) {
  const std::vector<Value*>& items = tuple_items(&state, "BUILD of a numpy dtype");
  if (items.size() < 2 || !items[1]->is(Kind::Str)) fail("BUILD of a numpy dtype: unexpected state");
  target->boolean = items[1]->text == ">";
}

}  // namespace lift3d::io::pickling
