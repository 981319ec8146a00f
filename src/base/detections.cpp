#include "base/detections.hpp"

namespace lift3d {

double mean_keypoint_score(const float* keypoints, int joints) {
  if (joints <= 0) return 0.0;
  double sum = 0.0;
  for (int j = 0; j < joints; ++j) sum += keypoints[j * 3 + 2];
  return sum / static_cast<double>(joints);
}

const char* coordinates_name(Coordinates coordinates) {
  switch (coordinates) {
    case Coordinates::Pixels: return "pixels";
    case Coordinates::Normalized: return "normalized";
    case Coordinates::Unknown: break;
  }
  return "unknown";
}

}  // namespace lift3d
