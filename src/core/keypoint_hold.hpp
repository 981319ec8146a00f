// The causal rule for missing keypoints of a live stream: a keypoint not usable in a frame (not
// detected, below the minimum score, not finite) takes the last position where the same joint was
// usable. Interpolation over time, as for whole sequences, would need frames not yet seen.
#pragma once

#include <vector>

#include "lift3d/sequence.hpp"

namespace lift3d::core {

struct HoldResult {
  std::vector<int> held;        // joints given their last usable position
  std::vector<int> never_seen;  // joints unusable now and never usable before (left as they are)
};

class KeypointHold {
 public:
  explicit KeypointHold(int joints);
  // `frame`: one frame, joints x (x, y, score). Remembers the usable positions, replaces x, y of the
  // unusable ones that were seen before (scores are left as they were).
  HoldResult apply(KeypointSequence& frame, float min_score);

 private:
  std::vector<float> last_xy_;  // joints x 2, pixels
  std::vector<bool> seen_;
};

}  // namespace lift3d::core
