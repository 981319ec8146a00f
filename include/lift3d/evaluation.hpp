// The errors VideoPose3D reports, for predictions and ground truth held in memory (frames x joints
// x 3, metres, the same frame; every joint counts, the root included). Results in millimetres.
#pragma once

#include "lift3d/export.hpp"
#include "lift3d/sequence.hpp"

namespace lift3d {

struct PoseErrors {
  double mpjpe_mm = 0.0;    // protocol 1: mean per-joint position error
  double p_mpjpe_mm = 0.0;  // protocol 2: after per-frame similarity (Procrustes) alignment
  double n_mpjpe_mm = 0.0;  // protocol 3: after per-frame scale alignment
  double mpjve_mm = 0.0;    // mean per-joint velocity error (per frame; NaN for one frame)
};

// Throws UsageError when the two differ in shape, InputError when they are empty.
LIFT3D_API PoseErrors evaluate(const PoseSequence& predicted, const PoseSequence& ground_truth);

}  // namespace lift3d
