// Which globals (module.name references in a pickle) the unpickler may rebuild, which it refuses
// outright, and how Python 2 names map onto Python 3 ones. Everything else becomes an Opaque
// placeholder; nothing named by a file is ever looked up or run.
#pragma once

#include <optional>
#include <string>

namespace lift3d::io::pickling {

// The whitelisted globals, by what calling them (or BUILD on what they make) does.
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

// The whitelisted global called `full_name` (Python 3 spelling, "collections.OrderedDict");
// nullopt when it is not on the whitelist.
std::optional<Callable> whitelisted(const std::string& full_name);

// Whether the global is a class (NEWOBJ may make an instance of it) rather than a function.
bool is_class(Callable callable);

// Whether module.name is known to be dangerous: it can run code, touch files or processes, or
// reach such things by attribute lookup. Such files are refused with a message that says so.
bool is_denied(const std::string& module, const std::string& name);

// Python 2 module names as Python 3's unpickler maps them (fix_imports).
std::string python3_module(const std::string& module);

}  // namespace lift3d::io::pickling
