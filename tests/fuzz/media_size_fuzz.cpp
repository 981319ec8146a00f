// The PNG, JPEG and MP4/MOV header parsers (--size-from) on arbitrary bytes.
#include <cstdint>

#include "fuzz_support.hpp"
#include "io/media_size.hpp"
#include "lift3d/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string& path = lift3d::fuzz::write_scratch(data, size, ".media");
  try {
    (void)lift3d::io::read_media_size(path);
  } catch (const lift3d::Error&) {
  }
  return 0;
}
