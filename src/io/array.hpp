// A decoded n-dimensional numeric array, the common currency of the npy, npz, pickle and torch
// readers. Data are always stored C-ordered (last index fastest) in the machine's byte order;
// readers convert Fortran order and foreign endianness on the way in.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace lift3d::io {

enum class DType { Bool, Int8, UInt8, Int16, UInt16, Int32, UInt32, Int64, UInt64, Float16, BFloat16, Float32, Float64 };

// Bytes per element.
std::size_t dtype_size(DType dtype);
// NumPy-style name: "float32", "int64", "bool", ...
std::string dtype_name(DType dtype);

struct Array {
  DType dtype = DType::Float32;
  std::vector<std::int64_t> shape;
  std::vector<std::uint8_t> bytes;  // numel() * dtype_size(dtype) bytes, C order, native endian

  std::int64_t numel() const;
  // "[4, 17, 2]"
  std::string shape_string() const;
  // All elements converted to float / double / int64 (bool and integers included). Float16 and
  // BFloat16 are widened exactly.
  std::vector<float> to_float() const;
  std::vector<double> to_double() const;
  std::vector<std::int64_t> to_int64() const;

  static Array from_float(std::vector<std::int64_t> shape, const std::vector<float>& values);
  static Array from_double(std::vector<std::int64_t> shape, const std::vector<double>& values);
};

// "[4, 17, 2]" for any shape vector.
std::string shape_string(const std::vector<std::int64_t>& shape);

}  // namespace lift3d::io
