// Tables that map the joint layouts detectors write (joint_sets.hpp) onto the layout a model reads.
#pragma once

#include <string>
#include <vector>

#include "lift3d/sequence.hpp"

namespace lift3d {

// One step of a mapping: target joint i is the mean of the source joints sources[i] (one index is a
// plain copy); its score is the lowest of their scores, so a joint synthesised from a missing one is
// missing too.
struct JointMapping {
  std::string from;
  std::string to;
  std::vector<std::vector<int>> sources;
  // What the table makes up for joints the source layout lacks, for a warning ("" when every target
  // joint has a counterpart).
  std::string approximation;
};

// Every table, for inspection and tests.
const std::vector<JointMapping>& joint_mappings();

// The steps from `from` to `to`: empty when equal, one table, or a table into "coco" followed by
// "coco" -> `to`. Throws UsageError("cannot map keypoint layout 'x' onto 'y'") when there is none.
std::vector<const JointMapping*> joint_mapping_chain(const std::string& from, const std::string& to);

// Applies one step to a frames x joints x (2|3) sequence (feature 2, when present, is the score).
// Means are taken in double and rounded once to float. Throws InternalError on a joint-count mismatch.
KeypointSequence apply_joint_mapping(const KeypointSequence& input, const JointMapping& mapping);

// Applies the whole chain from `from` to `to`.
KeypointSequence map_keypoint_layout(const KeypointSequence& input, const std::string& from, const std::string& to);

}  // namespace lift3d
