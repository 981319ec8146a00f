// Joint sets: the 2D keypoint layouts detectors produce and the 3D skeletons the model outputs.
// The tables are facts from the datasets (Human3.6M, HumanEva-I, COCO) as VideoPose3D uses them;
// the left/right lists drive flip test-time augmentation.
#pragma once

#include <string>
#include <vector>

namespace lift3d::core {

// A 2D keypoint layout ("coco", "h36m", "mpii", "humaneva15", "humaneva20").
struct KeypointLayout {
  std::string name;
  std::vector<std::string> joint_names;
  std::vector<int> left;   // indices swapped with `right` when an image is mirrored
  std::vector<int> right;
  int num_joints() const { return static_cast<int>(joint_names.size()); }
};

// A 3D output skeleton ("h36m" 17 joints, "humaneva15").
struct Skeleton {
  std::string name;
  std::vector<std::string> joint_names;
  std::vector<int> parents;  // -1 for the root
  std::vector<int> joints_left;
  std::vector<int> joints_right;
  int num_joints() const { return static_cast<int>(joint_names.size()); }
};

// Throws UsageError listing the known names when `name` is unknown.
const KeypointLayout& keypoint_layout(const std::string& name);
const Skeleton& skeleton(const std::string& name);
std::vector<std::string> keypoint_layout_names();
std::vector<std::string> skeleton_names();

// Human3.6M: the 17 joints VideoPose3D keeps, as indices into the original 32.
const std::vector<int>& h36m_kept_joints_of_32();

}  // namespace lift3d::core
