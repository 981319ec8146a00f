// Errors frame by frame, for showing where in a video a prediction goes wrong (the evaluation
// report's curves and worst frames); the metrics themselves are in metrics.hpp.
#pragma once

#include <vector>

#include "lift3d/sequence.hpp"

namespace lift3d::core {

// Per frame, the mean over joints of |predicted - target|, millimetres. Throws UsageError when the
// two differ in shape.
std::vector<double> per_frame_mpjpe_mm(const PoseSequence& predicted, const PoseSequence& target);

}  // namespace lift3d::core
