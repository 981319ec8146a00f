#include "lift3d/core/skeleton.hpp"

#include "lift3d/error.hpp"

namespace lift3d::core {
namespace {

const std::vector<KeypointLayout>& layouts() {
  static const std::vector<KeypointLayout> table = {
      {"coco",
       {"nose", "left_eye", "right_eye", "left_ear", "right_ear", "left_shoulder", "right_shoulder",
        "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_hip", "right_hip", "left_knee",
        "right_knee", "left_ankle", "right_ankle"},
       {1, 3, 5, 7, 9, 11, 13, 15},
       {2, 4, 6, 8, 10, 12, 14, 16}},
      {"h36m",
       {"pelvis", "right_hip", "right_knee", "right_ankle", "left_hip", "left_knee", "left_ankle", "spine",
        "thorax", "neck", "head", "left_shoulder", "left_elbow", "left_wrist", "right_shoulder", "right_elbow",
        "right_wrist"},
       {4, 5, 6, 11, 12, 13},
       {1, 2, 3, 14, 15, 16}},
      {"mpii",
       {"right_ankle", "right_knee", "right_hip", "left_hip", "left_knee", "left_ankle", "pelvis", "thorax",
        "neck", "head_top", "right_wrist", "right_elbow", "right_shoulder", "left_shoulder", "left_elbow",
        "left_wrist"},
       {3, 4, 5, 13, 14, 15},
       {0, 1, 2, 10, 11, 12}},
      {"humaneva15",
       {"pelvis", "thorax", "left_shoulder", "left_elbow", "left_wrist", "right_shoulder", "right_elbow",
        "right_wrist", "left_hip", "left_knee", "left_ankle", "right_hip", "right_knee", "right_ankle", "head"},
       {2, 3, 4, 8, 9, 10},
       {5, 6, 7, 11, 12, 13}},
      {"humaneva20",
       {"pelvis", "torso_proximal", "head_proximal", "left_shoulder", "upper_left_arm_distal",
        "lower_left_arm_proximal", "left_wrist", "right_shoulder", "upper_right_arm_distal",
        "lower_right_arm_proximal", "right_wrist", "left_hip", "upper_left_leg_distal",
        "lower_left_leg_proximal", "left_ankle", "right_hip", "upper_right_leg_distal",
        "lower_right_leg_proximal", "right_ankle", "head"},
       {3, 4, 5, 6, 11, 12, 13, 14},
       {7, 8, 9, 10, 15, 16, 17, 18}},
  };
  return table;
}

const std::vector<Skeleton>& skeletons() {
  static const std::vector<Skeleton> table = {
      {"h36m",
       keypoint_layout("h36m").joint_names,
       {-1, 0, 1, 2, 0, 4, 5, 0, 7, 8, 9, 8, 11, 12, 8, 14, 15},
       {4, 5, 6, 11, 12, 13},
       {1, 2, 3, 14, 15, 16}},
      {"humaneva15",
       keypoint_layout("humaneva15").joint_names,
       {-1, 0, 1, 2, 3, 1, 5, 6, 0, 8, 9, 0, 11, 12, 1},
       {2, 3, 4, 8, 9, 10},
       {5, 6, 7, 11, 12, 13}},
  };
  return table;
}

template <typename Table>
std::string known_names(const Table& table) {
  std::string names;
  for (const auto& entry : table) names += (names.empty() ? "" : ", ") + entry.name;
  return names;
}

}  // namespace

const KeypointLayout& keypoint_layout(const std::string& name) {
  for (const auto& layout : layouts())
    if (layout.name == name) return layout;
  throw UsageError("unknown keypoint layout '" + name + "' (known: " + known_names(layouts()) + ")");
}

const Skeleton& skeleton(const std::string& name) {
  for (const auto& entry : skeletons())
    if (entry.name == name) return entry;
  throw UsageError("unknown skeleton '" + name + "' (known: " + known_names(skeletons()) + ")");
}

std::vector<std::string> keypoint_layout_names() {
  std::vector<std::string> names;
  for (const auto& layout : layouts()) names.push_back(layout.name);
  return names;
}

std::vector<std::string> skeleton_names() {
  std::vector<std::string> names;
  for (const auto& entry : skeletons()) names.push_back(entry.name);
  return names;
}

const std::vector<int>& h36m_kept_joints_of_32() {
  static const std::vector<int> kept = {0, 1, 2, 3, 6, 7, 8, 12, 13, 14, 15, 17, 18, 19, 25, 26, 27};
  return kept;
}

}  // namespace lift3d::core
