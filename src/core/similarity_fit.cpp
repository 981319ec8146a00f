#include "core/similarity_fit.hpp"

#include <cmath>
#include <complex>

namespace lift3d::core {

double Similarity2D::scale() const { return std::hypot(cos_scaled, sin_scaled); }

std::array<double, 2> Similarity2D::rotate(const std::array<double, 2>& offset) const {
  return {cos_scaled * offset[0] - sin_scaled * offset[1], sin_scaled * offset[0] + cos_scaled * offset[1]};
}

std::array<double, 2> Similarity2D::apply(const std::array<double, 2>& point) const {
  const std::array<double, 2> turned = rotate(point);
  return {turned[0] + translation[0], turned[1] + translation[1]};
}

SimilarityFit fit_similarity(const std::vector<std::array<double, 2>>& source,
                             const std::vector<std::array<double, 2>>& target, const std::vector<double>& weights) {
  using Complex = std::complex<double>;
  SimilarityFit fit;
  const std::size_t n = source.size();
  if (target.size() != n || weights.size() != n) return fit;

  // Weighted centroids: the optimal translation maps one onto the other.
  double total = 0.0;
  int used = 0;
  Complex source_mean, target_mean;
  for (std::size_t i = 0; i < n; ++i) {
    if (!(weights[i] > 0.0)) continue;
    total += weights[i];
    ++used;
    source_mean += weights[i] * Complex(source[i][0], source[i][1]);
    target_mean += weights[i] * Complex(target[i][0], target[i][1]);
  }
  if (used < 2 || !(total > 0.0)) return fit;
  source_mean /= total;
  target_mean /= total;

  // With centred a_i, b_i the best c = s e^{i phi} minimises sum w |b - c a|^2:
  // c = sum w conj(a) b / sum w |a|^2.
  Complex cross;
  double source_power = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    if (!(weights[i] > 0.0)) continue;
    const Complex a = Complex(source[i][0], source[i][1]) - source_mean;
    const Complex b = Complex(target[i][0], target[i][1]) - target_mean;
    cross += weights[i] * std::conj(a) * b;
    source_power += weights[i] * std::norm(a);
  }
  if (!(source_power > 0.0)) return fit;
  const Complex c = cross / source_power;
  const double scale = std::abs(c);
  if (!(scale > 0.0) || !std::isfinite(scale)) return fit;

  double misfit = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    if (!(weights[i] > 0.0)) continue;
    const Complex a = Complex(source[i][0], source[i][1]) - source_mean;
    const Complex b = Complex(target[i][0], target[i][1]) - target_mean;
    misfit += weights[i] * std::norm(b - c * a);
  }
  const Complex shift = target_mean - c * source_mean;
  fit.transform.cos_scaled = c.real();
  fit.transform.sin_scaled = c.imag();
  fit.transform.translation = {shift.real(), shift.imag()};
  fit.residual = misfit / total / (scale * scale);
  fit.valid = std::isfinite(fit.residual);
  return fit;
}

}  // namespace lift3d::core
