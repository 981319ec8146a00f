// Writing Python pickles (protocol 2 framing, as torch.save uses) of a small tree of plain values:
// what a PyTorch checkpoint holds (dicts, lists, tuples, numbers, strings, tensors, NumPy arrays and a
// NumPy RandomState). The counterpart of the restricted unpickler: nothing is written that it
// would not read back, and nothing that calls more than the globals torch.load and NumPy expect
// (torch._utils._rebuild_tensor_v2, collections.OrderedDict, numpy.core.multiarray._reconstruct,
// numpy.random._pickle's RandomState constructors).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "io/array.hpp"

namespace lift3d::io {

// A value to pickle. Tensors carry their data (float32, float64 or int64, C order); the pickler
// turns each into a persistent-id storage reference and hands the bytes back for the archive.
struct PyValue {
  enum class Kind { None, Bool, Int, Float, Str, Tuple, List, Dict, OrderedDict, Tensor, NumpyArray, RandomState };
  Kind kind = Kind::None;
  bool boolean = false;
  std::int64_t integer = 0;
  double real = 0;
  std::string text;
  std::vector<PyValue> items;                          // Tuple, List
  std::vector<std::pair<PyValue, PyValue>> entries;    // Dict, OrderedDict (insertion order)
  Array array;                                         // Tensor, NumpyArray
  // RandomState: numpy.random.RandomState with an MT19937 state as get_state() gives it.
  std::array<std::uint32_t, 624> mt_key{};
  int mt_pos = 624;
  bool has_gauss = false;
  double gauss = 0;

  static PyValue none() { return {}; }
  static PyValue of_bool(bool b);
  static PyValue of_int(std::int64_t i);
  static PyValue of_float(double d);
  static PyValue of_str(std::string s);
  static PyValue tuple(std::vector<PyValue> items);
  static PyValue list(std::vector<PyValue> items);
  static PyValue dict();
  static PyValue ordered_dict();
  static PyValue tensor(Array array);
  // Adds to a Dict or OrderedDict; returns *this.
  PyValue& set(PyValue key, PyValue value);
  PyValue& set(const std::string& key, PyValue value) { return set(of_str(key), std::move(value)); }
};

// The pickle of `root` (PROTO 2 ... STOP). Tensors become persistent ids
// ('storage', torch.<Type>Storage, key, 'cpu', numel) with keys "0", "1", ... in order of appearance;
// `storages` receives each storage's bytes under its key.
std::vector<std::uint8_t> pickle_value(const PyValue& root, std::vector<std::pair<std::string, std::vector<std::uint8_t>>>& storages);

// torch.save's zip format (PyTorch >= 1.6): <archive>/data.pkl, <archive>/data/<key> for each
// storage, <archive>/version ("3"), written atomically. `archive` is the member prefix torch uses,
// the file's stem.
void write_torch_zip(const std::string& path, const std::string& archive, const PyValue& root);

}  // namespace lift3d::io
