// Every JSON keypoint reader (lift3d, COCO results, AlphaPose, MMPose 0.x and 1.x, MediaPipe, a
// single OpenPose frame) on arbitrary bytes, including joint mapping and gap filling.
#include <cstdint>

#include "fuzz_support.hpp"
#include "lift3d/error.hpp"
#include "pipeline/keypoint_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string& path = lift3d::fuzz::write_scratch(data, size, ".json");
  for (const char* layout : {"coco", "h36m"}) {
    lift3d::pipeline::KeypointReadOptions options;
    options.target_layout = layout;
    options.min_score = 0.3f;
    try {
      (void)lift3d::pipeline::read_people_2d(path, options);
    } catch (const lift3d::Error&) {
    }
  }
  return 0;
}
