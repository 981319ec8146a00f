#include "lift3d/core/normalization.hpp"

#include <string>

#include "lift3d/error.hpp"

namespace lift3d::core {

KeypointSequence normalize_screen_coordinates(const KeypointSequence& pixels, int width, int height) {
  if (width < 1 || height < 1)
    throw UsageError("image size " + std::to_string(width) + "x" + std::to_string(height) + " is not valid");
  KeypointSequence out = pixels;
  const float w = static_cast<float>(width);
  const double offset_y = static_cast<double>(height) / static_cast<double>(width);
  for (int t = 0; t < out.frames; ++t)
    for (int j = 0; j < out.joints; ++j) {
      const float x = pixels.at(t, j, 0) / w * 2.0f;
      const float y = pixels.at(t, j, 1) / w * 2.0f;
      out.at(t, j, 0) = static_cast<float>(static_cast<double>(x) - 1.0);
      out.at(t, j, 1) = static_cast<float>(static_cast<double>(y) - offset_y);
    }
  out.image_width = 0;
  out.image_height = 0;
  return out;
}

}  // namespace lift3d::core
