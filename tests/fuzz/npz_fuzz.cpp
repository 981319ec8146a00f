// Zip/npz archives on arbitrary bytes: central directory, local headers, inflate, every member, and
// the VideoPose3D 2D reader on top.
#include <cstdint>

#include "fuzz_support.hpp"
#include "lift3d/error.hpp"
#include "io/npy.hpp"
#include "io/videopose_2d.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string& path = lift3d::fuzz::write_scratch(data, size, ".npz");
  try {
    lift3d::io::NpzFile npz(path);
    for (const auto& key : npz.keys()) {
      try {
        (void)npz.read(key);
      } catch (const lift3d::Error&) {
      }
    }
  } catch (const lift3d::Error&) {
  }
  try {
    (void)lift3d::io::read_videopose_2d(path);
  } catch (const lift3d::Error&) {
  }
  return 0;
}
