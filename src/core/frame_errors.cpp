#include "core/frame_errors.hpp"

#include <cmath>

#include "lift3d/error.hpp"

namespace lift3d::core {

std::vector<double> per_frame_mpjpe_mm(const PoseSequence& predicted, const PoseSequence& target) {
  if (predicted.frames != target.frames || predicted.joints != target.joints)
    throw UsageError("per-frame errors of sequences of different shapes");
  std::vector<double> errors(predicted.frames, 0.0);
  for (int f = 0; f < predicted.frames; ++f) {
    double sum = 0.0;
    for (int j = 0; j < predicted.joints; ++j) {
      double squared = 0.0;
      for (int k = 0; k < 3; ++k) {
        const double d = static_cast<double>(predicted.at(f, j, k)) - target.at(f, j, k);
        squared += d * d;
      }
      sum += std::sqrt(squared);
    }
    errors[f] = predicted.joints ? 1000.0 * sum / predicted.joints : 0.0;
  }
  return errors;
}

}  // namespace lift3d::core
