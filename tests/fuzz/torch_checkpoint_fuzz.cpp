// PyTorch checkpoints (legacy stream and zip) on arbitrary bytes, through to the model: reading the
// structure, every state_dict tensor, and architecture inference.
#include <cstdint>

#include "fuzz_support.hpp"
#include "pipeline/checkpoint_model.hpp"
#include "lift3d/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string& path = lift3d::fuzz::write_scratch(data, size, ".bin");
  try {
    (void)lift3d::pipeline::load_model(path, {});
  } catch (const lift3d::Error&) {
  }
  return 0;
}
