#include "base/joint_sets.hpp"

#include <initializer_list>

#include "base/text.hpp"
#include "lift3d/error.hpp"

namespace lift3d {
namespace {

std::vector<KeypointLayout> model_layouts() {
  return {
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
}

std::vector<std::string> with_numbered(std::vector<std::string> names, const std::string& prefix, int count) {
  for (int i = 0; i < count; ++i) names.push_back(prefix + std::to_string(i));
  return names;
}

std::vector<std::string> with_face_and_hands(std::vector<std::string> names) {
  names = with_numbered(std::move(names), "face_", 68);
  names = with_numbered(std::move(names), "left_hand_", 21);
  return with_numbered(std::move(names), "right_hand_", 21);
}

// A detector layout's mirror pairs, from its names: "left_x" trades places with "right_x". Face
// points are numbered, not sided, so they stay where they are.
KeypointLayout sided_layout(std::string name, std::vector<std::string> joint_names) {
  KeypointLayout layout{std::move(name), std::move(joint_names), {}, {}};
  const std::string left = "left_", right = "right_";
  for (int i = 0; i < layout.num_joints(); ++i) {
    const std::string& joint = layout.joint_names[i];
    if (joint.compare(0, left.size(), left) != 0) continue;
    const std::string mirrored = right + joint.substr(left.size());
    for (int j = 0; j < layout.num_joints(); ++j)
      if (layout.joint_names[j] == mirrored) {
        layout.left.push_back(i);
        layout.right.push_back(j);
      }
  }
  return layout;
}

std::vector<std::string> with_names(std::vector<std::string> names, std::initializer_list<const char*> more) {
  for (const char* name : more) names.push_back(name);
  return names;
}

std::vector<KeypointLayout> detector_layouts(const std::vector<std::string>& coco) {
  std::vector<std::string> halpe26 = coco;
  for (const char* name : {"head", "neck", "hip", "left_big_toe", "right_big_toe", "left_small_toe",
                           "right_small_toe", "left_heel", "right_heel"})
    halpe26.push_back(name);
  std::vector<std::string> wholebody = coco;
  for (const char* name :
       {"left_big_toe", "left_small_toe", "left_heel", "right_big_toe", "right_small_toe", "right_heel"})
    wholebody.push_back(name);
  return {
      sided_layout("body25", {"nose", "neck", "right_shoulder", "right_elbow", "right_wrist", "left_shoulder",
                              "left_elbow", "left_wrist", "mid_hip", "right_hip", "right_knee", "right_ankle",
                              "left_hip", "left_knee", "left_ankle", "right_eye", "left_eye", "right_ear",
                              "left_ear", "left_big_toe", "left_small_toe", "left_heel", "right_big_toe",
                              "right_small_toe", "right_heel"}),
      // OpenPose's experimental BODY_25B model (OpenPose's pose parameters list its parts): COCO-17
      // in COCO order, then upper neck, head top and the six foot points. Same joint count as
      // BODY_25, different order: only the user (--input-layout) or the joints' placement tell them
      // apart.
      sided_layout("body25b", with_names(coco, {"upper_neck", "head_top", "left_big_toe", "left_small_toe",
                                                "left_heel", "right_big_toe", "right_small_toe", "right_heel"})),
      // MediaPipe Pose / BlazePose: the 33 landmarks in the order of MediaPipe's published landmark
      // list (PoseLandmark).
      sided_layout("mediapipe33",
                   {"nose", "left_eye_inner", "left_eye", "left_eye_outer", "right_eye_inner", "right_eye",
                    "right_eye_outer", "left_ear", "right_ear", "mouth_left", "mouth_right", "left_shoulder",
                    "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_pinky",
                    "right_pinky", "left_index", "right_index", "left_thumb", "right_thumb", "left_hip",
                    "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle", "left_heel",
                    "right_heel", "left_foot_index", "right_foot_index"}),
      sided_layout("coco18", {"nose", "neck", "right_shoulder", "right_elbow", "right_wrist", "left_shoulder",
                              "left_elbow", "left_wrist", "right_hip", "right_knee", "right_ankle", "left_hip",
                              "left_knee", "left_ankle", "right_eye", "left_eye", "right_ear", "left_ear"}),
      sided_layout("halpe26", halpe26),
      sided_layout("halpe136", with_face_and_hands(halpe26)),
      sided_layout("coco_wholebody", with_face_and_hands(wholebody)),
  };
}

const std::vector<KeypointLayout>& layouts() {
  static const std::vector<KeypointLayout> table = [] {
    std::vector<KeypointLayout> all = model_layouts();
    for (KeypointLayout& layout : detector_layouts(all.front().joint_names)) all.push_back(std::move(layout));
    return all;
  }();
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
  std::vector<std::string> names;
  for (const auto& entry : table) names.push_back(entry.name);
  return join(names);
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

bool is_known_layout(const std::string& name) {
  for (const auto& layout : layouts())
    if (layout.name == name) return true;
  return false;
}

const std::vector<int>& h36m_kept_joints_of_32() {
  static const std::vector<int> kept = {0, 1, 2, 3, 6, 7, 8, 12, 13, 14, 15, 17, 18, 19, 25, 26, 27};
  return kept;
}

}  // namespace lift3d
