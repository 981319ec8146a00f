#include "base/detections.hpp"

namespace lift3d {

double mean_keypoint_score(const float* keypoints, int joints) {
  if (joints <= 0) return 0.0;
  double sum = 0.0;
  for (int j = 0; j < joints; ++j) sum += keypoints[j * 3 + 2];
  return sum / static_cast<double>(joints);
}

}  // namespace lift3d
