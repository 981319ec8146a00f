#include "pipeline/output_safety.hpp"

#include <sys/stat.h>

#include <filesystem>
#include <optional>

#include "io/file.hpp"
#include "lift3d/error.hpp"

namespace lift3d::pipeline {
namespace {

namespace fs = std::filesystem;

// A file as two spellings of it can be compared: its resolved absolute path, and device and inode
// when it exists.
struct Identity {
  std::string resolved;
  std::optional<std::pair<dev_t, ino_t>> inode;
  bool same_as(const Identity& other) const {
    if (inode && other.inode) return *inode == *other.inode;
    return resolved == other.resolved;
  }
};

Identity identity_of(const std::string& path) {
  Identity identity;
  std::error_code error;
  identity.resolved = fs::weakly_canonical(fs::absolute(path, error), error).string();
  if (identity.resolved.empty()) identity.resolved = path;
  struct stat info {};
  if (::stat(path.c_str(), &info) == 0) identity.inode = std::make_pair(info.st_dev, info.st_ino);
  return identity;
}

// The files an input stands for: itself, or every file of a folder (globs are read-only patterns
// of existing files and are compared by their matches' folder).
std::vector<std::pair<Identity, const NamedPath*>> input_files(const std::vector<NamedPath>& inputs) {
  std::vector<std::pair<Identity, const NamedPath*>> files;
  for (const NamedPath& input : inputs) {
    std::error_code error;
    if (fs::is_directory(input.path, error)) {
      for (const fs::directory_entry& entry : fs::directory_iterator(input.path, error))
        files.emplace_back(identity_of(entry.path().string()), &input);
      continue;
    }
    files.emplace_back(identity_of(input.path), &input);
  }
  return files;
}

std::string named(const NamedPath& path) { return path.role + " " + path.path; }

}  // namespace

void check_outputs_spare_inputs(const std::vector<NamedPath>& inputs, const std::vector<NamedPath>& outputs) {
  const auto inputs_seen = input_files(inputs);
  std::vector<std::pair<Identity, const NamedPath*>> outputs_seen;
  for (const NamedPath& output : outputs) {
    try {
      io::output_target(output.path);
    } catch (const InputError& e) {
      throw UsageError(e.what());
    }
    const Identity identity = identity_of(output.path);
    for (const auto& [input, which] : inputs_seen)
      if (identity.same_as(input))
        throw UsageError(output.path + ": " + output.role + " would replace " + named(*which) +
                         "; choose another output name");
    for (const auto& [earlier, which] : outputs_seen)
      if (identity.same_as(earlier))
        throw UsageError(output.path + ": " + output.role + " and " + which->role +
                         " are the same file; one would overwrite the other (rename an input, or lift them separately)");
    outputs_seen.emplace_back(identity, &output);
  }
}

}  // namespace lift3d::pipeline
