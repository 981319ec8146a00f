#include "core/normalization.hpp"

#include <string>

#include "core/camera.hpp"
#include "lift3d/error.hpp"

namespace lift3d::core {

KeypointSequence normalize_screen_coordinates(KeypointSequence pixels, int width, int height) {
  if (width < 1 || height < 1)
    throw UsageError("image size " + std::to_string(width) + "x" + std::to_string(height) + " is not valid");
  for (int t = 0; t < pixels.frames; ++t)
    for (int j = 0; j < pixels.joints; ++j) {
      const auto normalised = normalize_screen_coordinates(pixels.at(t, j, 0), pixels.at(t, j, 1), width, height);
      pixels.at(t, j, 0) = normalised[0];
      pixels.at(t, j, 1) = normalised[1];
    }
  pixels.image_width = 0;
  pixels.image_height = 0;
  return pixels;
}

}  // namespace lift3d::core
