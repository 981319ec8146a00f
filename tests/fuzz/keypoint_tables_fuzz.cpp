// The keypoint readers told by extension: CSV tables (MediaPipe and keypoint CSV) and .npy arrays
// (keypoints.npz shares their code after the npz layer, fuzzed by npz_fuzz), on arbitrary bytes,
// with and without a given layout, through joint mapping.
#include <cstdint>

#include "fuzz_support.hpp"
#include "lift3d/error.hpp"
#include "pipeline/keypoint_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  // The first byte picks the reader and the source layout; the rest is the file.
  const char* suffix = (data[0] & 1) ? ".npy" : ".csv";
  const char* source_layout = (data[0] & 2) ? "coco" : "";
  const std::string& path = lift3d::fuzz::write_scratch(data + 1, size - 1, suffix);
  lift3d::pipeline::KeypointReadOptions options;
  options.source_layout = source_layout;
  options.min_score = 0.3f;
  try {
    (void)lift3d::pipeline::read_people_2d(path, options);
  } catch (const lift3d::Error&) {
  }
  return 0;
}
