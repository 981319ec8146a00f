#include "base/joint_mapping.hpp"

#include <algorithm>
#include <map>

#include "base/joint_sets.hpp"
#include "lift3d/error.hpp"

namespace lift3d {
namespace {

std::vector<std::vector<int>> copies(const std::vector<int>& indices) {
  std::vector<std::vector<int>> sources;
  for (int index : indices) sources.push_back({index});
  return sources;
}

std::vector<std::vector<int>> first_joints(int count) {
  std::vector<int> indices(count);
  for (int i = 0; i < count; ++i) indices[i] = i;
  return copies(indices);
}

// COCO-17 -> Human3.6M-17, the usual synthesis (as MMPose's convert_keypoint_definition does it):
// pelvis = mid-hips, thorax = mid-shoulders, spine = mid(pelvis, thorax) = mean of hips and
// shoulders, H36M joint 9 (VideoPose3D "nose", MMPose "neck_base") = the COCO nose, head = mid-eyes.
// The ears are not used.
std::vector<std::vector<int>> coco_to_h36m() {
  return {{11, 12},        // pelvis
          {12},            // right_hip
          {14},            // right_knee
          {16},            // right_ankle
          {11},            // left_hip
          {13},            // left_knee
          {15},            // left_ankle
          {11, 12, 5, 6},  // spine
          {5, 6},          // thorax
          {0},             // neck / nose
          {1, 2},          // head
          {5},             // left_shoulder
          {7},             // left_elbow
          {9},             // left_wrist
          {6},             // right_shoulder
          {8},             // right_elbow
          {10}};           // right_wrist
}

}  // namespace

const std::vector<JointMapping>& joint_mappings() {
  static const std::vector<JointMapping> table = {
      // OpenPose BODY_25 -> COCO-17: drop neck, mid-hip and feet.
      {"body25", "coco", copies({0, 16, 15, 18, 17, 5, 2, 6, 3, 7, 4, 12, 9, 13, 10, 14, 11}), ""},
      // OpenPose BODY_25B starts with the 17 COCO joints in COCO order.
      {"body25b", "coco", first_joints(17), ""},
      // MediaPipe 33 -> COCO-17: nose, the eye centres, ears, arms and legs; the inner and outer
      // eye corners, mouth, hand and foot points are not used.
      {"mediapipe33", "coco", copies({0, 2, 5, 7, 8, 11, 12, 13, 14, 15, 16, 23, 24, 25, 26, 27, 28}), ""},
      // OpenPose COCO-18 -> COCO-17: drop the neck.
      {"coco18", "coco", copies({0, 15, 14, 17, 16, 5, 2, 6, 3, 7, 4, 11, 8, 12, 9, 13, 10}), ""},
      // These three start with the 17 COCO joints in COCO order.
      {"halpe26", "coco", first_joints(17), ""},
      {"halpe136", "coco", first_joints(17), ""},
      {"coco_wholebody", "coco", first_joints(17), ""},
      {"coco", "h36m", coco_to_h36m(), ""},
      // Human3.6M-17 -> COCO-17 (keypoints.npz of MHFormer-style demos, for COCO-input models): the
      // inverse of coco_to_h36m where it has one. H36M has no eyes or ears: they are put at its head
      // joint (the mid-eyes point of coco_to_h36m), an approximation the user is warned of.
      {"h36m", "coco", copies({9, 10, 10, 10, 10, 11, 14, 12, 15, 13, 16, 4, 1, 5, 2, 6, 3}),
       "the eyes and ears are placed at the head joint (human3.6m has none)"},
  };
  return table;
}

std::vector<const JointMapping*> joint_mapping_chain(const std::string& from, const std::string& to) {
  keypoint_layout(from);  // unknown names are usage errors of their own
  keypoint_layout(to);
  if (from == to) return {};
  auto find = [](const std::string& a, const std::string& b) -> const JointMapping* {
    for (const JointMapping& mapping : joint_mappings())
      if (mapping.from == a && mapping.to == b) return &mapping;
    return nullptr;
  };
  if (const JointMapping* direct = find(from, to)) return {direct};
  const JointMapping* into_coco = find(from, "coco");
  const JointMapping* out_of_coco = find("coco", to);
  if (into_coco && out_of_coco) return {into_coco, out_of_coco};
  throw UsageError("cannot map keypoint layout '" + from + "' onto '" + to + "'");
}

KeypointSequence apply_joint_mapping(const KeypointSequence& input, const JointMapping& mapping) {
  const int joints_in = keypoint_layout(mapping.from).num_joints();
  if (input.joints != joints_in)
    throw InternalError("mapping " + mapping.from + " -> " + mapping.to + " expects " + std::to_string(joints_in) +
                        " joints, got " + std::to_string(input.joints));
  const bool has_score = input.features >= 3;
  KeypointSequence output;
  output.frames = input.frames;
  output.joints = static_cast<int>(mapping.sources.size());
  output.features = input.features;
  output.image_width = input.image_width;
  output.image_height = input.image_height;
  output.values.assign(static_cast<std::size_t>(output.frames) * output.joints * output.features, 0.0f);
  for (int frame = 0; frame < input.frames; ++frame) {
    for (int joint = 0; joint < output.joints; ++joint) {
      const std::vector<int>& sources = mapping.sources[joint];
      for (int axis = 0; axis < 2; ++axis) {
        double sum = 0.0;
        for (int source : sources) sum += input.at(frame, source, axis);
        output.at(frame, joint, axis) = static_cast<float>(sum / static_cast<double>(sources.size()));
      }
      if (has_score) {
        float score = input.at(frame, sources.front(), 2);
        for (int source : sources) score = std::min(score, input.at(frame, source, 2));
        output.at(frame, joint, 2) = score;
      }
      for (int feature = 3; feature < input.features; ++feature)
        output.at(frame, joint, feature) = input.at(frame, sources.front(), feature);
    }
  }
  return output;
}

KeypointSequence map_keypoint_layout(const KeypointSequence& input, const std::string& from,
                                           const std::string& to) {
  KeypointSequence result = input;
  for (const JointMapping* step : joint_mapping_chain(from, to)) result = apply_joint_mapping(result, *step);
  return result;
}

}  // namespace lift3d
