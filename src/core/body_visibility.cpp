#include "core/body_visibility.hpp"

#include <algorithm>

#include "core/gap_filling.hpp"
#include "lift3d/error.hpp"

namespace lift3d::core {
namespace {

bool contains(const std::vector<int>& list, int value) { return std::find(list.begin(), list.end(), value) != list.end(); }

std::string spoken_name(const std::vector<std::string>& joint_names, int joint) {
  std::string name = joint < static_cast<int>(joint_names.size()) ? joint_names[joint] : "joint " + std::to_string(joint);
  std::replace(name.begin(), name.end(), '_', ' ');
  return name;
}

// "a", "a and b", "a, b and c"
std::string spoken_list(const std::vector<std::string>& items) {
  std::string text;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) text += i + 1 == items.size() ? " and " : ", ";
    text += items[i];
  }
  return text;
}

}  // namespace

Sightings count_sightings(const KeypointSequence& seq, float min_score) {
  Sightings sightings;
  sightings.frames = seq.frames;
  sightings.usable_frames.assign(seq.joints, 0);
  for (int frame = 0; frame < seq.frames; ++frame)
    for (int joint = 0; joint < seq.joints; ++joint)
      if (keypoint_usable(seq, frame, joint, min_score)) ++sightings.usable_frames[joint];
  for (int joint = 0; joint < seq.joints; ++joint) {
    const int usable = sightings.usable_frames[joint];
    if (usable == 0) sightings.never_seen.push_back(joint);
    else if (usable < kRarelySeenFraction * seq.frames) sightings.rarely_seen.push_back(joint);
  }
  return sightings;
}

namespace {

std::vector<std::string> joint_items(const std::vector<int>& joints, const std::vector<int>& head,
                                     const std::vector<std::string>& joint_names) {
  const bool whole_head =
      !head.empty() && std::all_of(head.begin(), head.end(), [&](int joint) { return contains(joints, joint); });
  std::vector<std::string> items;
  if (whole_head) items.push_back("the head");
  for (int joint : joints)
    if (!(whole_head && contains(head, joint))) items.push_back(spoken_name(joint_names, joint));
  return items;
}

}  // namespace

std::string describe_joints(const std::vector<int>& joints, const std::vector<int>& head,
                            const std::vector<std::string>& joint_names) {
  return spoken_list(joint_items(joints, head, joint_names));
}

void check_enough_seen(const Sightings& sightings, const std::vector<int>& torso, const std::vector<int>& head,
                       const std::vector<std::string>& joint_names, const std::string& source) {
  std::vector<int> seen;
  int torso_seen = 0;
  for (int joint = 0; joint < static_cast<int>(sightings.usable_frames.size()); ++joint) {
    if (sightings.usable_frames[joint] == 0) continue;
    seen.push_back(joint);
    if (contains(torso, joint)) ++torso_seen;
  }
  if (torso_seen >= kMinTorsoJointsSeen && static_cast<int>(seen.size()) >= kMinJointsSeen) return;
  std::string torso_names;
  for (int joint : torso) torso_names += (torso_names.empty() ? "" : ", ") + spoken_name(joint_names, joint);
  const std::vector<std::string> items = joint_items(seen, head, joint_names);
  throw InputError(source + ": too little of the body is seen for 3D: only " + spoken_list(items) +
                   (items.size() == 1 ? " is" : " are") + " ever seen in " + std::to_string(sightings.frames) +
                   (sightings.frames == 1 ? " frame" : " frames") + "; lifting needs at least " + std::to_string(kMinTorsoJointsSeen) + " torso joints (" +
                   torso_names + ") and " + std::to_string(kMinJointsSeen) + " joints in all");
}

}  // namespace lift3d::core
