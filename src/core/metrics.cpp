#include "core/metrics.hpp"

#include <cmath>
#include <cstddef>
#include <limits>

#include <Eigen/Dense>

#include "lift3d/error.hpp"

namespace lift3d::core {
namespace {

constexpr double kMillimetresPerMetre = 1000.0;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string shape_text(const PoseSequence& s) {
  return "(" + std::to_string(s.frames) + ", " + std::to_string(s.joints) + ", 3)";
}

void check_pair(const PoseSequence& predicted, const PoseSequence& target) {
  if (predicted.frames != target.frames || predicted.joints != target.joints)
    throw UsageError("prediction has shape " + shape_text(predicted) + " but the ground truth has shape " +
                     shape_text(target));
  if (target.frames < 1 || target.joints < 1)
    throw InputError("cannot evaluate a sequence of shape " + shape_text(target));
  const std::size_t expected = static_cast<std::size_t>(target.frames) * target.joints * 3;
  if (predicted.values.size() != expected || target.values.size() != expected)
    throw InternalError("pose sequence buffer does not match its shape " + shape_text(target));
}

Eigen::Vector3d point(const PoseSequence& s, int frame, int joint) {
  return {s.at(frame, joint, 0), s.at(frame, joint, 1), s.at(frame, joint, 2)};
}

// One frame as a joints x 3 matrix (rows are points, as in the reference's row-vector convention).
Eigen::MatrixX3d frame_matrix(const PoseSequence& s, int frame) {
  Eigen::MatrixX3d m(s.joints, 3);
  for (int j = 0; j < s.joints; ++j) m.row(j) = point(s, frame, j).transpose();
  return m;
}

// numpy's sign: -1, 0 or +1 (0 only for an exactly singular rotation estimate).
double sign_of(double x) { return static_cast<double>((x > 0.0) - (x < 0.0)); }

// GCC 12 reports the fixed-size JacobiSVD's singular values as maybe-uninitialized once inlined here
// (a false positive; Eigen's headers are not system headers in this build).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

// Sum over joints of the distance between each target joint and its aligned prediction.
double procrustes_frame_error_sum(const Eigen::MatrixX3d& predicted, const Eigen::MatrixX3d& target) {
  if (!predicted.allFinite() || !target.allFinite()) return kNaN;  // keeps NaN out of the SVD
  const Eigen::RowVector3d mu_target = target.colwise().mean();
  const Eigen::RowVector3d mu_predicted = predicted.colwise().mean();
  Eigen::MatrixX3d x0 = target.rowwise() - mu_target;
  Eigen::MatrixX3d y0 = predicted.rowwise() - mu_predicted;
  const double norm_x = x0.norm();
  const double norm_y = y0.norm();

  if (norm_x == 0.0 || norm_y == 0.0) {
    // Zero spread on either side: the optimal scale is 0 and the prediction lands on mu_target.
    double sum = 0.0;
    for (Eigen::Index j = 0; j < target.rows(); ++j) sum += (mu_target - target.row(j)).norm();
    return sum;
  }
  x0 /= norm_x;
  y0 /= norm_y;

  const Eigen::Matrix3d h = x0.transpose() * y0;
  // Square input: no QR preconditioning needed.
  const Eigen::JacobiSVD<Eigen::Matrix3d, Eigen::NoQRPreconditioner> svd(
      h, Eigen::ComputeFullU | Eigen::ComputeFullV);
  const Eigen::Matrix3d u = svd.matrixU();
  Eigen::Matrix3d v = svd.matrixV();
  Eigen::Vector3d s = svd.singularValues();  // descending, as LAPACK's

  const double reflection = sign_of((v * u.transpose()).determinant());
  v.col(2) *= reflection;
  s(2) *= reflection;
  const Eigen::Matrix3d r = v * u.transpose();

  const double scale = s.sum() * norm_x / norm_y;
  const Eigen::RowVector3d translation = mu_target - scale * (mu_predicted * r);
  double sum = 0.0;
  for (Eigen::Index j = 0; j < target.rows(); ++j) {
    const Eigen::RowVector3d aligned = scale * (predicted.row(j) * r) + translation;
    sum += (aligned - target.row(j)).norm();
  }
  return sum;
}

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

}  // namespace

double mpjpe_mm(const PoseSequence& predicted, const PoseSequence& target) {
  check_pair(predicted, target);
  double sum = 0.0;
  for (int t = 0; t < target.frames; ++t)
    for (int j = 0; j < target.joints; ++j) sum += (point(predicted, t, j) - point(target, t, j)).norm();
  return sum / (static_cast<double>(target.frames) * target.joints) * kMillimetresPerMetre;
}

double p_mpjpe_mm(const PoseSequence& predicted, const PoseSequence& target) {
  check_pair(predicted, target);
  double sum = 0.0;
  for (int t = 0; t < target.frames; ++t)
    sum += procrustes_frame_error_sum(frame_matrix(predicted, t), frame_matrix(target, t));
  return sum / (static_cast<double>(target.frames) * target.joints) * kMillimetresPerMetre;
}

double n_mpjpe_mm(const PoseSequence& predicted, const PoseSequence& target) {
  check_pair(predicted, target);
  double sum = 0.0;
  for (int t = 0; t < target.frames; ++t) {
    double predicted_sq = 0.0;
    double cross = 0.0;
    for (int j = 0; j < target.joints; ++j) {
      const Eigen::Vector3d p = point(predicted, t, j);
      predicted_sq += p.squaredNorm();
      cross += p.dot(point(target, t, j));
    }
    // The reference divides the two per-joint means; the 1/J factors cancel.
    const double scale = predicted_sq == 0.0 ? 0.0 : cross / predicted_sq;
    for (int j = 0; j < target.joints; ++j)
      sum += (scale * point(predicted, t, j) - point(target, t, j)).norm();
  }
  return sum / (static_cast<double>(target.frames) * target.joints) * kMillimetresPerMetre;
}

double mpjve_mm(const PoseSequence& predicted, const PoseSequence& target) {
  check_pair(predicted, target);
  if (target.frames < 2) return kNaN;  // np.mean of an empty difference array
  double sum = 0.0;
  for (int t = 0; t + 1 < target.frames; ++t)
    for (int j = 0; j < target.joints; ++j) {
      const Eigen::Vector3d velocity_p = point(predicted, t + 1, j) - point(predicted, t, j);
      const Eigen::Vector3d velocity_g = point(target, t + 1, j) - point(target, t, j);
      sum += (velocity_p - velocity_g).norm();
    }
  return sum / (static_cast<double>(target.frames - 1) * target.joints) * kMillimetresPerMetre;
}

MetricErrors sequence_errors(const PoseSequence& predicted, const PoseSequence& target) {
  MetricErrors e;
  e.mpjpe_mm = mpjpe_mm(predicted, target);
  e.p_mpjpe_mm = p_mpjpe_mm(predicted, target);
  e.n_mpjpe_mm = n_mpjpe_mm(predicted, target);
  e.mpjve_mm = mpjve_mm(predicted, target);
  return e;
}

std::string action_group(const std::string& action) { return action.substr(0, action.find(' ')); }

bool matches_action_filter(const std::string& name, const std::vector<std::string>& prefixes) {
  if (prefixes.empty()) return true;
  for (const std::string& prefix : prefixes)
    if (name.compare(0, prefix.size(), prefix) == 0) return true;
  return false;
}

void Aggregator::add(SequenceResult result) {
  if (result.frames < 1)
    throw UsageError("sequence " + result.subject + "/" + result.action +
                     " has no frames to weight its errors by");
  results_.push_back(std::move(result));
}

EvaluationSummary Aggregator::summary(const std::vector<std::string>& action_filter) const {
  return summarise("", action_filter);
}

std::vector<EvaluationSummary> Aggregator::summaries_by_subject(
    const std::vector<std::string>& action_filter) const {
  std::vector<std::string> subjects;
  for (const SequenceResult& r : results_) {
    bool seen = false;
    for (const std::string& s : subjects) seen = seen || s == r.subject;
    if (!seen) subjects.push_back(r.subject);
  }
  std::vector<EvaluationSummary> summaries;
  for (const std::string& subject : subjects) summaries.push_back(summarise(subject, action_filter));
  return summaries;
}

EvaluationSummary Aggregator::summarise(const std::string& subject,
                                        const std::vector<std::string>& action_filter) const {
  // run.py evaluate(): Python floats accumulate frames * per-video error, in evaluation order.
  struct Sums {
    double mpjpe = 0.0, p_mpjpe = 0.0, n_mpjpe = 0.0, mpjve = 0.0;
  };
  EvaluationSummary summary;
  summary.subject = subject;
  std::vector<Sums> sums;
  for (const SequenceResult& r : results_) {
    if (!subject.empty() && r.subject != subject) continue;
    const std::string name = action_group(r.action);
    if (!matches_action_filter(name, action_filter)) continue;
    std::size_t g = 0;
    while (g < summary.groups.size() && summary.groups[g].name != name) ++g;
    if (g == summary.groups.size()) {
      summary.groups.push_back(GroupErrors{name, 0, 0, {}});
      sums.emplace_back();
    }
    const double weight = static_cast<double>(r.frames);
    sums[g].mpjpe += weight * r.errors.mpjpe_mm;
    sums[g].p_mpjpe += weight * r.errors.p_mpjpe_mm;
    sums[g].n_mpjpe += weight * r.errors.n_mpjpe_mm;
    sums[g].mpjve += weight * r.errors.mpjve_mm;
    summary.groups[g].frames += r.frames;
    summary.groups[g].videos += 1;
  }

  std::vector<double> p1, p2, p3, vel;
  for (std::size_t g = 0; g < summary.groups.size(); ++g) {
    GroupErrors& group = summary.groups[g];
    const double frames = static_cast<double>(group.frames);
    group.errors = {sums[g].mpjpe / frames, sums[g].p_mpjpe / frames, sums[g].n_mpjpe / frames,
                    sums[g].mpjve / frames};
    p1.push_back(group.errors.mpjpe_mm);
    p2.push_back(group.errors.p_mpjpe_mm);
    p3.push_back(group.errors.n_mpjpe_mm);
    vel.push_back(group.errors.mpjve_mm);
  }
  summary.average = {numpy_mean(p1), numpy_mean(p2), numpy_mean(p3), numpy_mean(vel)};
  return summary;
}

namespace {

// numpy/core/src/umath/loops_utils.h: pairwise_sum for contiguous doubles.
double numpy_pairwise_sum(const double* a, std::size_t n) {
  constexpr std::size_t kBlock = 128;
  if (n < 8) {
    double sum = 0.0;
    for (std::size_t i = 0; i < n; ++i) sum += a[i];
    return sum;
  }
  if (n <= kBlock) {
    double r[8];
    for (std::size_t k = 0; k < 8; ++k) r[k] = a[k];
    std::size_t i = 8;
    for (; i < n - (n % 8); i += 8)
      for (std::size_t k = 0; k < 8; ++k) r[k] += a[i + k];
    double sum = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) sum += a[i];
    return sum;
  }
  std::size_t half = n / 2;
  half -= half % 8;
  return numpy_pairwise_sum(a, half) + numpy_pairwise_sum(a + half, n - half);
}

}  // namespace

double numpy_mean(const std::vector<double>& values) {
  if (values.empty()) return kNaN;
  return numpy_pairwise_sum(values.data(), values.size()) / static_cast<double>(values.size());
}

}  // namespace lift3d::core
