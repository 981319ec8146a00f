// .npy parsing (headers, dtypes, byte orders, Fortran order, object arrays) on arbitrary bytes.
#include <cstdint>

#include "lift3d/error.hpp"
#include "io/npy.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    auto content = lift3d::io::parse_npy(data, size);
    if (content.array) (void)content.array->to_double();
  } catch (const lift3d::Error&) {
  }
  return 0;
}
