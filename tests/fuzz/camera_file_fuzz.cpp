// The camera file reader (--cameras) on arbitrary bytes.
#include <cstdint>

#include "fuzz_support.hpp"
#include "io/camera_file.hpp"
#include "lift3d/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string& path = lift3d::fuzz::write_scratch(data, size, ".json");
  try {
    (void)lift3d::io::read_camera_file(path);
  } catch (const lift3d::Error&) {
  }
  return 0;
}
