// Shared by the libFuzzer targets: readers that take a path get the input through a private file in
// /dev/shm (or the temp directory), rewritten for every input.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>

namespace lift3d::fuzz {

inline const std::string& scratch_path(const char* suffix) {
  static const std::string path = [suffix] {
    const std::filesystem::path dir = std::filesystem::exists("/dev/shm") ? "/dev/shm" : std::filesystem::temp_directory_path();
    return (dir / ("lift3d-fuzz-" + std::to_string(::getpid()) + suffix)).string();
  }();
  return path;
}

inline const std::string& write_scratch(const std::uint8_t* data, std::size_t size, const char* suffix) {
  const std::string& path = scratch_path(suffix);
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (!file) std::abort();
  if (size && std::fwrite(data, 1, size, file) != size) std::abort();
  std::fclose(file);
  return path;
}

}  // namespace lift3d::fuzz
