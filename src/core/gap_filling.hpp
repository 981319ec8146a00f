// Filling missing 2D keypoints over time. The model needs every joint in every frame; detectors
// miss joints (score 0) or report them with low confidence. Each joint's x and y are interpolated
// linearly over frame index between the nearest usable frames, and held at the nearest usable
// value before the first and after the last one — what VideoPose3D's prepare_data_2d_custom.py
// does with np.interp for frames without a detection, applied per joint.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "lift3d/sequence.hpp"

namespace lift3d::core {

struct GapFillOptions {
  float min_score = 0.0f;                // scores below this count as missing (score 0 always does)
  std::string source;                    // the input named in error messages
  std::vector<std::string> joint_names;  // for messages; "joint <i>" when empty
  // Joints left as they are (placed from the body model afterwards, core/body_fill.hpp): neither
  // interpolated nor refused when never usable.
  std::vector<int> left_missing;
};

struct GapFillResult {
  int filled = 0;                     // (frame, joint) entries replaced
  std::vector<int> filled_per_joint;  // the same, per joint
  std::vector<std::uint8_t> filled_mask;  // frames x joints: 1 where the entry was replaced
};

// Whether a keypoint can be used as is: finite x, y and (when there is a score) a score above 0
// and at least `min_score`.
bool keypoint_usable(const KeypointSequence& seq, int frame, int joint, float min_score);

// Replaces the x, y of every unusable keypoint in place; scores are left as they were, so a filled
// joint keeps its low score. Sequences without a score feature only have non-finite values filled.
// Throws InputError "<source>: no usable keypoints (not detected or below --min-score S in all N
// frames)" when no keypoint is usable, "<source>: joint 'name' is never usable (...)"
// when a joint not in left_missing never is ("joints 'a', 'b' are never usable ..." for several),
// and "<source>: no frames" for an empty sequence.
GapFillResult fill_keypoint_gaps(KeypointSequence& seq, const GapFillOptions& options);

}  // namespace lift3d::core
