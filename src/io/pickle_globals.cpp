#include "io/pickle_globals.hpp"

#include <cstring>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "io/pickle.hpp"

namespace lift3d::io {
namespace pickling {
namespace {

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

}  // namespace

std::optional<Callable> whitelisted(const std::string& full_name) {
  const auto& table = whitelist();
  auto it = table.find(full_name);
  if (it == table.end()) return std::nullopt;
  return it->second;
}

bool is_class(Callable callable) {
  switch (callable) {
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

// Protocol 4 resolves dotted names attribute by attribute, so "posixpath" + "os.system" is
// os.system: every part of the name is checked. Loading never calls a non-whitelisted global, so
// this list is about refusing files that are clearly hostile, with a message that says why.
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

std::string python3_module(const std::string& module) {
  if (module == "__builtin__") return "builtins";
  if (module == "copy_reg") return "copyreg";
  return module;
}

}  // namespace pickling

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

}  // namespace lift3d::io
