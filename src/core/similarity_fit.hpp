// Weighted least-squares similarity transform in 2D (scale, rotation, translation; no reflection):
// the 2D case of Umeyama's method, solved in closed form with complex numbers. Maps a template's
// points onto the points an image shows.
#pragma once

#include <array>
#include <vector>

namespace lift3d::core {

struct Similarity2D {
  // target = scale * R(angle) * source + translation, with (cos_scaled, sin_scaled) = scale * (cos, sin).
  double cos_scaled = 1.0;
  double sin_scaled = 0.0;
  std::array<double, 2> translation = {0.0, 0.0};

  double scale() const;
  // The transformed point; `rotate` turns and scales an offset without translating it.
  std::array<double, 2> apply(const std::array<double, 2>& point) const;
  std::array<double, 2> rotate(const std::array<double, 2>& offset) const;
};

struct SimilarityFit {
  Similarity2D transform;
  // Weighted mean squared distance between the mapped source and the target, divided by scale^2:
  // the misfit in the source's units (metres for a template), comparable between fits of any scale.
  double residual = 0.0;
  bool valid = false;  // false with fewer than two points, zero total weight, or a collapsed fit
};

// Minimises sum_i w_i |target_i - T(source_i)|^2 over similarities T. Needs at least two points
// with positive weight at different source positions, and a target that is not one point (a fit of
// scale 0 is not valid).
SimilarityFit fit_similarity(const std::vector<std::array<double, 2>>& source,
                             const std::vector<std::array<double, 2>>& target, const std::vector<double>& weights);

}  // namespace lift3d::core
