// Joint sets: the 2D keypoint layouts detectors write and models read, and the 3D skeletons models
// output. The tables are facts from the datasets (Human3.6M, HumanEva-I, COCO, COCO-WholeBody) and
// the detectors (OpenPose, AlphaPose Halpe) as VideoPose3D and those tools use them; the left/right
// lists drive flip test-time augmentation. Nothing else hard-codes joint indices of a layout.
#pragma once

#include <string>
#include <vector>

namespace lift3d {

// A 2D keypoint layout. Model-side layouts: "coco", "h36m", "mpii", "humaneva15", "humaneva20".
// Layouts only detectors write:
//   "body25"          OpenPose BODY_25 (25 joints)
//   "body25b"         OpenPose BODY_25B: COCO-17, upper neck, head top, 6 foot points (25 joints)
//   "mediapipe33"     MediaPipe Pose / BlazePose landmarks (33)
//   "coco18"          OpenPose COCO model / AlphaPose --format open (18 joints, with a neck)
//   "halpe26"         AlphaPose Halpe: COCO-17, then head, neck, hip, toes and heels (26)
//   "halpe136"        AlphaPose Halpe full body: halpe26, 68 face, 2 x 21 hand points (136)
//   "coco_wholebody"  COCO-WholeBody: COCO-17, 6 foot, 68 face, 2 x 21 hand points (133)
struct KeypointLayout {
  std::string name;
  std::vector<std::string> joint_names;
  std::vector<int> left;  // indices swapped with `right` when an image is mirrored
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
// Every layout name, model-side layouts first.
std::vector<std::string> keypoint_layout_names();
bool is_known_layout(const std::string& name);

// Human3.6M: the 17 joints VideoPose3D keeps, as indices into the original 32.
const std::vector<int>& h36m_kept_joints_of_32();

}  // namespace lift3d
