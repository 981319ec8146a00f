#include "lift3d/evaluation.hpp"

#include "core/metrics.hpp"

namespace lift3d {

PoseErrors evaluate(const PoseSequence& predicted, const PoseSequence& ground_truth) {
  const core::MetricErrors errors = core::sequence_errors(predicted, ground_truth);
  return {errors.mpjpe_mm, errors.p_mpjpe_mm, errors.n_mpjpe_mm, errors.mpjve_mm};
}

}  // namespace lift3d
