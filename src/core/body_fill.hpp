// Placing joints a clip never (or too rarely) shows, from a body template (body_template.hpp) fitted
// to the joints it does show. Per frame, the template is fitted to the shown joints by a weighted
// least-squares similarity (scale, rotation, translation; a joint weighs 1 / spread^2, so the torso
// counts more than a wrist); one turn about the vertical for the whole clip (a 15-degree grid, the
// turn with the smallest misfit, ties to the one nearest to facing the camera) lets side views fit.
// A missing joint is then placed next to its nearest shown neighbour along the body's links, at the
// template's offset from that neighbour, turned and scaled by the frame's fit (the mean over the
// nearest neighbours when several are equally near): a never-seen ankle hangs from its knee, a
// hidden eye sits beside the nose and the other face points.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/body_template.hpp"
#include "lift3d/sequence.hpp"

namespace lift3d::core {

struct BodyFillOptions {
  std::string layout;               // the sequence's layout; must have a template
  float min_score = 0.0f;           // as core::keypoint_usable
  std::vector<int> joints;          // joints to place wherever they are not usable
  std::string source;               // the input named in error messages
};

struct BodyFillResult {
  int filled = 0;                         // (frame, joint) entries placed
  std::vector<int> filled_per_joint;      // the same, per joint
  std::vector<std::uint8_t> filled_mask;  // frames x joints: 1 where the entry was placed
  double yaw_degrees = 0.0;               // the template's turn (project_template)
};

// Joints not in options.joints count as shown in every frame: their gaps must be filled over time
// before (core::fill_keypoint_gaps).
// Replaces x, y of the entries placed; scores are left as they were. Throws InternalError for a
// layout without template, InputError "<source>: no frame shows two joints to fit the body model to"
// when no frame can be fitted.
BodyFillResult fill_from_body_template(KeypointSequence& seq, const BodyFillOptions& options);

// "facing the camera", "turned 90 degrees towards the image's left", "facing away from the camera".
std::string describe_yaw(double yaw_degrees);

}  // namespace lift3d::core
