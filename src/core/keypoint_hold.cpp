#include "core/keypoint_hold.hpp"

#include "core/gap_filling.hpp"
#include "lift3d/error.hpp"

namespace lift3d::core {

KeypointHold::KeypointHold(int joints)
    : last_xy_(static_cast<std::size_t>(joints) * 2, 0.0f), seen_(static_cast<std::size_t>(joints), false) {}

HoldResult KeypointHold::apply(KeypointSequence& frame, float min_score) {
  if (frame.frames != 1 || static_cast<std::size_t>(frame.joints) != seen_.size() || frame.features < 2)
    throw InternalError("keypoint hold: expected one frame of " + std::to_string(seen_.size()) + " keypoints");
  HoldResult result;
  for (int j = 0; j < frame.joints; ++j) {
    float* xy = &last_xy_[static_cast<std::size_t>(j) * 2];
    if (keypoint_usable(frame, 0, j, min_score)) {
      xy[0] = frame.at(0, j, 0);
      xy[1] = frame.at(0, j, 1);
      seen_[j] = true;
    } else if (seen_[j]) {
      frame.at(0, j, 0) = xy[0];
      frame.at(0, j, 1) = xy[1];
      result.held.push_back(j);
    } else {
      result.never_seen.push_back(j);
    }
  }
  return result;
}

}  // namespace lift3d::core
