// NumPy .npy and .npz files. Numeric arrays of every common dtype, either byte order, C or
// Fortran order; object arrays (dtype '|O', as in VideoPose3D's dataset files) are decoded with
// the restricted unpickler. The header's shape is checked against the bytes really present
// before anything is allocated.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "io/array.hpp"
#include "io/pickle.hpp"
#include "io/zip_archive.hpp"

namespace lift3d::io {

// What one .npy holds: a numeric array, or (for object arrays) the unpickled object. A 0-d
// object array (np.savez of a dict) decodes to that dict as `object->root()`.
struct NpyContent {
  std::optional<Array> array;
  std::shared_ptr<PickleDocument> object;
};

// Parses .npy bytes. Throws InputError with a message that does not include a file name.
NpyContent parse_npy(const std::uint8_t* data, std::size_t size);
NpyContent read_npy(const std::string& path);  // messages start with the path

// Serialises a numeric array as .npy (version 1.0, little endian, C order).
std::vector<std::uint8_t> npy_bytes(const Array& array);
void write_npy(const std::string& path, const Array& array);  // atomic
// The .npy header (magic, version 1.0, padded dict) for a little-endian C-order array.
std::vector<std::uint8_t> npy_header(DType dtype, const std::vector<std::int64_t>& shape);
// Writes float32 values of the given shape straight from memory (no copy of the data), atomically.
void write_npy_float32(const std::string& path, const std::vector<std::int64_t>& shape, const float* values);

class NpzFile {
 public:
  explicit NpzFile(const std::string& path);
  const std::string& path() const { return zip_.path(); }
  // Member names without the ".npy" suffix, in archive order.
  std::vector<std::string> keys() const;
  bool contains(const std::string& key) const;
  // Throws InputError("<path>: no array '<key>' (has: a, b)") when absent.
  NpyContent read(const std::string& key) const;

 private:
  ZipArchive zip_;
};

// Writes arrays as an .npz (deflate-compressed when `compress`), atomically.
void write_npz(const std::string& path, const std::vector<std::pair<std::string, Array>>& arrays, bool compress = true);

}  // namespace lift3d::io
