// Joint layouts detectors write and the tables that map them onto the layout a model reads. All
// tables live in keypoint_mapping.cpp; nothing else hard-codes joint indices of detector formats.
#pragma once

#include <string>
#include <vector>

#include "lift3d/core/sequence.hpp"

namespace lift3d::io {

// Layouts only detectors produce (the model-side layouts are core::keypoint_layout_names()):
//   "body25"          OpenPose BODY_25 (25 joints)
//   "coco18"          OpenPose COCO model / AlphaPose --format open (18 joints, with a neck)
//   "halpe26"         AlphaPose Halpe: COCO-17, then head, neck, hip, toes and heels (26)
//   "halpe136"        AlphaPose Halpe full body: halpe26, 68 face, 2 x 21 hand points (136)
//   "coco_wholebody"  COCO-WholeBody: COCO-17, 6 foot, 68 face, 2 x 21 hand points (133)
std::vector<std::string> detector_layout_names();

// Joint names of a detector layout or a core keypoint layout. Throws UsageError for unknown names.
const std::vector<std::string>& layout_joint_names(const std::string& layout);
bool is_known_layout(const std::string& layout);

// One step of a mapping: target joint i is the mean of the source joints sources[i] (one index is a
// plain copy); its score is the lowest of their scores, so a joint synthesised from a missing one is
// missing too.
struct JointMapping {
  std::string from;
  std::string to;
  std::vector<std::vector<int>> sources;
};

// Every table, for inspection and tests.
const std::vector<JointMapping>& joint_mappings();

// The steps from `from` to `to`: empty when equal, one table, or a table into "coco" followed by
// "coco" -> `to`. Throws UsageError("cannot map keypoint layout 'x' onto 'y'") when there is none.
std::vector<const JointMapping*> joint_mapping_chain(const std::string& from, const std::string& to);

// Applies one step to a frames x joints x (2|3) sequence (feature 2, when present, is the score).
// Means are taken in double and rounded once to float. Throws InternalError on a joint-count mismatch.
core::KeypointSequence apply_joint_mapping(const core::KeypointSequence& input, const JointMapping& mapping);

// Applies the whole chain from `from` to `to`.
core::KeypointSequence map_keypoint_layout(const core::KeypointSequence& input, const std::string& from,
                                           const std::string& to);

}  // namespace lift3d::io
