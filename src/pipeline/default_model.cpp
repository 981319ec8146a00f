#include "pipeline/default_model.hpp"

#include <dlfcn.h>
#include <link.h>

#include <cstdlib>
#include <filesystem>
#include <vector>

#include "base/text.hpp"
#include "lift3d/error.hpp"

// Set by CMakeLists.txt for this file only: from the installed executable's and library's
// directories to the installed data directory, and the data directory's place in the build tree.
#ifndef LIFT3D_BINDIR_TO_DATADIR
#error "LIFT3D_BINDIR_TO_DATADIR must be defined (\"../share/lift3d\" for a GNU layout)"
#endif
#ifndef LIFT3D_LIBDIR_TO_DATADIR
#error "LIFT3D_LIBDIR_TO_DATADIR must be defined (\"../../share/lift3d\" for lib/<multiarch>)"
#endif
#ifndef LIFT3D_BUILD_TREE_DATADIR
#error "LIFT3D_BUILD_TREE_DATADIR must be defined (\"share/lift3d\")"
#endif

namespace lift3d::pipeline {
namespace {

namespace fs = std::filesystem;

constexpr const char* kModelFile = "models/default_coco_h36m_81f.bin";

struct Module {
  fs::path file;         // the executable or shared library this code was loaded from
  bool executable = false;
};

// The file this function's code was loaded from: the main program (this code linked in statically)
// or a shared library (liblift3d.so). Empty when neither can be told.
Module this_module() {
  Module module;
  Dl_info info{};
  link_map* map = nullptr;
  const bool known = dladdr1(reinterpret_cast<void*>(&this_module), &info, reinterpret_cast<void**>(&map),
                             RTLD_DL_LINKMAP) != 0 && map != nullptr;
  // The main program's link map has an empty name; dladdr would give argv[0] for it.
  module.executable = !known || map->l_name == nullptr || map->l_name[0] == '\0';
  std::error_code error;
  module.file = fs::canonical(module.executable ? "/proc/self/exe" : map->l_name, error);
  if (error) module.file.clear();
  return module;
}

}  // namespace

std::string default_model_path() {
  if (const char* env = std::getenv("LIFT3D_DATA_DIR"); env != nullptr && *env != '\0') {
    const fs::path model = fs::path(env) / kModelFile;
    if (fs::is_regular_file(model)) return model.string();
    throw InputError("default model not found: " + model.string() +
                     " does not exist (LIFT3D_DATA_DIR=" + env + " must hold " + kModelFile + ")");
  }

  std::vector<fs::path> data_dirs;
  const Module module = this_module();
  if (!module.file.empty()) {
    const fs::path dir = module.file.parent_path();
    data_dirs.push_back((dir / (module.executable ? LIFT3D_BINDIR_TO_DATADIR : LIFT3D_LIBDIR_TO_DATADIR))
                            .lexically_normal());
    data_dirs.push_back((dir / LIFT3D_BUILD_TREE_DATADIR).lexically_normal());
  }
  std::vector<std::string> looked;
  for (const fs::path& data_dir : data_dirs) {
    const fs::path model = data_dir / kModelFile;
    if (fs::is_regular_file(model)) return model.string();
    looked.push_back(data_dir.string());
  }
  const std::string places = looked.empty() ? "nowhere (the location of lift3d's code is unknown)" : join(looked);
  throw InputError("default model not found: no " + std::string(kModelFile) + " in " + places +
                   "; set LIFT3D_DATA_DIR to the directory that holds it, or give a checkpoint");
}

}  // namespace lift3d::pipeline
