#include "io/array.hpp"

#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

#include "lift3d/error.hpp"

namespace lift3d::io {
namespace {

// IEEE half -> single precision. Every half value (subnormals, infinities, NaN payloads) is
// exactly representable as a float, so this is exact.
float half_to_float(std::uint16_t half) {
  const std::uint32_t sign = static_cast<std::uint32_t>(half & 0x8000u) << 16;
  const std::uint32_t exponent = (half >> 10) & 0x1fu;
  std::uint32_t mantissa = half & 0x3ffu;
  std::uint32_t bits = 0;
  if (exponent == 0x1f) {
    bits = sign | 0x7f800000u | (mantissa << 13);
  } else if (exponent != 0) {
    bits = sign | ((exponent + 127 - 15) << 23) | (mantissa << 13);
  } else if (mantissa == 0) {
    bits = sign;
  } else {
    // Subnormal half: normalise the mantissa into an ordinary float.
    std::uint32_t float_exponent = 127 - 15 + 1;
    while ((mantissa & 0x400u) == 0) {
      mantissa <<= 1;
      --float_exponent;
    }
    bits = sign | (float_exponent << 23) | ((mantissa & 0x3ffu) << 13);
  }
  float out;
  std::memcpy(&out, &bits, sizeof out);
  return out;
}

// bfloat16 is the upper half of a float32.
float bfloat16_to_float(std::uint16_t value) {
  const std::uint32_t bits = static_cast<std::uint32_t>(value) << 16;
  float out;
  std::memcpy(&out, &bits, sizeof out);
  return out;
}

template <typename T>
T load(const std::uint8_t* p) {
  T value;
  std::memcpy(&value, p, sizeof value);
  return value;
}

// Calls `sink(index, value)` for every element with the value in its widest natural type
// (double for floating point, int64/uint64 for integers) so that each output conversion is
// written once.
template <typename Sink>
void visit_elements(const Array& array, Sink&& sink) {
  const std::int64_t count = array.numel();
  const std::size_t width = dtype_size(array.dtype);
  if (array.bytes.size() != static_cast<std::size_t>(count) * width) {
    throw InternalError("array of shape " + array.shape_string() + " and dtype " + dtype_name(array.dtype) +
                        " holds " + std::to_string(array.bytes.size()) + " bytes");
  }
  const std::uint8_t* p = array.bytes.data();
  for (std::int64_t i = 0; i < count; ++i, p += width) {
    switch (array.dtype) {
      case DType::Bool: sink(i, static_cast<std::int64_t>(*p != 0)); break;
      case DType::Int8: sink(i, static_cast<std::int64_t>(load<std::int8_t>(p))); break;
      case DType::UInt8: sink(i, static_cast<std::int64_t>(*p)); break;
      case DType::Int16: sink(i, static_cast<std::int64_t>(load<std::int16_t>(p))); break;
      case DType::UInt16: sink(i, static_cast<std::int64_t>(load<std::uint16_t>(p))); break;
      case DType::Int32: sink(i, static_cast<std::int64_t>(load<std::int32_t>(p))); break;
      case DType::UInt32: sink(i, static_cast<std::int64_t>(load<std::uint32_t>(p))); break;
      case DType::Int64: sink(i, load<std::int64_t>(p)); break;
      case DType::UInt64: sink(i, load<std::uint64_t>(p)); break;
      case DType::Float16: sink(i, static_cast<double>(half_to_float(load<std::uint16_t>(p)))); break;
      case DType::BFloat16: sink(i, static_cast<double>(bfloat16_to_float(load<std::uint16_t>(p)))); break;
      case DType::Float32: sink(i, static_cast<double>(load<float>(p))); break;
      case DType::Float64: sink(i, load<double>(p)); break;
    }
  }
}

template <typename T>
Array from_values(std::vector<std::int64_t> shape, const std::vector<T>& values, DType dtype) {
  Array array;
  array.dtype = dtype;
  array.shape = std::move(shape);
  const std::int64_t count = array.numel();
  if (count < 0 || static_cast<std::uint64_t>(count) != values.size()) {
    throw InternalError("shape " + array.shape_string() + " does not hold " + std::to_string(values.size()) +
                        " values");
  }
  array.bytes.resize(values.size() * sizeof(T));
  if (!values.empty()) std::memcpy(array.bytes.data(), values.data(), array.bytes.size());
  return array;
}

}  // namespace

std::size_t dtype_size(DType dtype) {
  switch (dtype) {
    case DType::Bool:
    case DType::Int8:
    case DType::UInt8: return 1;
    case DType::Int16:
    case DType::UInt16:
    case DType::Float16:
    case DType::BFloat16: return 2;
    case DType::Int32:
    case DType::UInt32:
    case DType::Float32: return 4;
    case DType::Int64:
    case DType::UInt64:
    case DType::Float64: return 8;
  }
  throw InternalError("unknown dtype " + std::to_string(static_cast<int>(dtype)));
}

std::string dtype_name(DType dtype) {
  switch (dtype) {
    case DType::Bool: return "bool";
    case DType::Int8: return "int8";
    case DType::UInt8: return "uint8";
    case DType::Int16: return "int16";
    case DType::UInt16: return "uint16";
    case DType::Int32: return "int32";
    case DType::UInt32: return "uint32";
    case DType::Int64: return "int64";
    case DType::UInt64: return "uint64";
    case DType::Float16: return "float16";
    case DType::BFloat16: return "bfloat16";
    case DType::Float32: return "float32";
    case DType::Float64: return "float64";
  }
  throw InternalError("unknown dtype " + std::to_string(static_cast<int>(dtype)));
}

std::string shape_string(const std::vector<std::int64_t>& shape) {
  std::string out = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i) out += ", ";
    out += std::to_string(shape[i]);
  }
  return out + "]";
}

std::int64_t Array::numel() const {
  std::int64_t count = 1;
  for (std::int64_t dim : shape) {
    if (dim < 0) throw InternalError("negative dimension in shape " + shape_string());
    if (dim != 0 && count > std::numeric_limits<std::int64_t>::max() / dim) {
      throw InternalError("element count of shape " + shape_string() + " overflows");
    }
    count *= dim;
  }
  return count;
}

std::string Array::shape_string() const { return io::shape_string(shape); }

std::vector<float> Array::to_float() const {
  std::vector<float> out(static_cast<std::size_t>(numel()));
  // Checkpoints are float32: a plain copy, not a conversion per element (a large model's load time).
  if (dtype == DType::Float32 && bytes.size() == out.size() * sizeof(float)) {
    if (!out.empty()) std::memcpy(out.data(), bytes.data(), bytes.size());
    return out;
  }
  visit_elements(*this, [&](std::int64_t i, auto value) { out[i] = static_cast<float>(value); });
  return out;
}

std::vector<double> Array::to_double() const {
  std::vector<double> out(static_cast<std::size_t>(numel()));
  visit_elements(*this, [&](std::int64_t i, auto value) { out[i] = static_cast<double>(value); });
  return out;
}

std::vector<std::int64_t> Array::to_int64() const {
  std::vector<std::int64_t> out(static_cast<std::size_t>(numel()));
  visit_elements(*this, [&](std::int64_t i, auto value) {
    using V = decltype(value);
    if constexpr (std::is_same_v<V, double>) {
      // Truncate toward zero like numpy's astype; values an int64 cannot hold are data errors
      // (the cast itself would be undefined behaviour).
      if (!std::isfinite(value) || value < -9223372036854775808.0 || value >= 9223372036854775808.0) {
        throw InputError("element " + std::to_string(i) + " (" + std::to_string(value) +
                         ") does not fit in int64");
      }
      out[i] = static_cast<std::int64_t>(value);
    } else if constexpr (std::is_same_v<V, std::uint64_t>) {
      if (value > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        throw InputError("element " + std::to_string(i) + " (" + std::to_string(value) +
                         ") does not fit in int64");
      }
      out[i] = static_cast<std::int64_t>(value);
    } else {
      out[i] = value;
    }
  });
  return out;
}

Array Array::from_float(std::vector<std::int64_t> shape, const std::vector<float>& values) {
  return from_values(std::move(shape), values, DType::Float32);
}

Array Array::from_double(std::vector<std::int64_t> shape, const std::vector<double>& values) {
  return from_values(std::move(shape), values, DType::Float64);
}

}  // namespace lift3d::io
