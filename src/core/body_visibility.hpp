// How much of the body a clip shows: which joints are seen often enough to be interpolated over
// time, which are never (or too rarely) seen and must come from a body model, and whether enough is
// seen for a meaningful 3D pose at all.
#pragma once

#include <string>
#include <vector>

#include "lift3d/sequence.hpp"

namespace lift3d::core {

// A joint usable in fewer than this fraction of the frames (but in some) is "rarely seen": holding
// its few positions over the long stretches between them would freeze it while the body moves, so
// the body model places it wherever it is missing. At 10%, a clip of fewer than 10 frames has no
// rarely seen joint.
constexpr double kRarelySeenFraction = 0.10;
// The refusal rule: at least this many of the torso joints (shoulders and hips) and this many
// joints in all must be usable in some frame.
constexpr int kMinTorsoJointsSeen = 2;
constexpr int kMinJointsSeen = 5;

struct Sightings {
  int frames = 0;
  std::vector<int> usable_frames;  // per joint: frames in which it is usable
  std::vector<int> never_seen;     // joints usable in no frame
  std::vector<int> rarely_seen;    // joints usable in some frames but fewer than kRarelySeenFraction of them
};

// Counts, per joint, the frames where core::keypoint_usable holds.
Sightings count_sightings(const KeypointSequence& seq, float min_score);

// Throws InputError "<source>: too little of the body is seen for 3D: only the head and left
// shoulder are ever seen (...)" unless at least kMinTorsoJointsSeen of `torso` and kMinJointsSeen
// joints in all are seen in some frame. `head` joints seen all together are named "the head".
void check_enough_seen(const Sightings& sightings, const std::vector<int>& torso, const std::vector<int>& head,
                       const std::vector<std::string>& joint_names, const std::string& source);

// "the head, left shoulder and left elbow": joints by name (underscores as spaces), the head's
// joints together as "the head" when `joints` holds all of them.
std::string describe_joints(const std::vector<int>& joints, const std::vector<int>& head,
                            const std::vector<std::string>& joint_names);

}  // namespace lift3d::core
