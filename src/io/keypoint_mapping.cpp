#include "lift3d/io/keypoint_mapping.hpp"

#include <algorithm>
#include <map>

#include "lift3d/core/skeleton.hpp"
#include "lift3d/error.hpp"

namespace lift3d::io {
namespace {

std::vector<std::string> with_numbered(std::vector<std::string> names, const std::string& prefix, int count) {
  for (int i = 0; i < count; ++i) names.push_back(prefix + std::to_string(i));
  return names;
}

std::vector<std::string> with_face_and_hands(std::vector<std::string> names) {
  names = with_numbered(std::move(names), "face_", 68);
  names = with_numbered(std::move(names), "left_hand_", 21);
  return with_numbered(std::move(names), "right_hand_", 21);
}

const std::map<std::string, std::vector<std::string>>& detector_layouts() {
  static const std::map<std::string, std::vector<std::string>> table = [] {
    const std::vector<std::string>& coco = core::keypoint_layout("coco").joint_names;
    std::vector<std::string> halpe26 = coco;
    for (const char* name : {"head", "neck", "hip", "left_big_toe", "right_big_toe", "left_small_toe",
                             "right_small_toe", "left_heel", "right_heel"})
      halpe26.push_back(name);
    std::vector<std::string> wholebody = coco;
    for (const char* name :
         {"left_big_toe", "left_small_toe", "left_heel", "right_big_toe", "right_small_toe", "right_heel"})
      wholebody.push_back(name);
    return std::map<std::string, std::vector<std::string>>{
        {"body25",
         {"nose", "neck", "right_shoulder", "right_elbow", "right_wrist", "left_shoulder", "left_elbow",
          "left_wrist", "mid_hip", "right_hip", "right_knee", "right_ankle", "left_hip", "left_knee", "left_ankle",
          "right_eye", "left_eye", "right_ear", "left_ear", "left_big_toe", "left_small_toe", "left_heel",
          "right_big_toe", "right_small_toe", "right_heel"}},
        {"coco18",
         {"nose", "neck", "right_shoulder", "right_elbow", "right_wrist", "left_shoulder", "left_elbow",
          "left_wrist", "right_hip", "right_knee", "right_ankle", "left_hip", "left_knee", "left_ankle",
          "right_eye", "left_eye", "right_ear", "left_ear"}},
        {"halpe26", halpe26},
        {"halpe136", with_face_and_hands(halpe26)},
        {"coco_wholebody", with_face_and_hands(wholebody)},
    };
  }();
  return table;
}

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

std::vector<std::string> detector_layout_names() {
  std::vector<std::string> names;
  for (const auto& entry : detector_layouts()) names.push_back(entry.first);
  return names;
}

bool is_known_layout(const std::string& layout) {
  if (detector_layouts().count(layout)) return true;
  const std::vector<std::string> core_names = core::keypoint_layout_names();
  return std::find(core_names.begin(), core_names.end(), layout) != core_names.end();
}

const std::vector<std::string>& layout_joint_names(const std::string& layout) {
  const auto found = detector_layouts().find(layout);
  if (found != detector_layouts().end()) return found->second;
  if (is_known_layout(layout)) return core::keypoint_layout(layout).joint_names;
  std::string known;
  for (const std::string& name : core::keypoint_layout_names()) known += (known.empty() ? "" : ", ") + name;
  for (const std::string& name : detector_layout_names()) known += ", " + name;
  throw UsageError("unknown keypoint layout '" + layout + "' (known: " + known + ")");
}

const std::vector<JointMapping>& joint_mappings() {
  static const std::vector<JointMapping> table = {
      // OpenPose BODY_25 -> COCO-17: drop neck, mid-hip and feet.
      {"body25", "coco", copies({0, 16, 15, 18, 17, 5, 2, 6, 3, 7, 4, 12, 9, 13, 10, 14, 11})},
      // OpenPose COCO-18 -> COCO-17: drop the neck.
      {"coco18", "coco", copies({0, 15, 14, 17, 16, 5, 2, 6, 3, 7, 4, 11, 8, 12, 9, 13, 10})},
      // These three start with the 17 COCO joints in COCO order.
      {"halpe26", "coco", first_joints(17)},
      {"halpe136", "coco", first_joints(17)},
      {"coco_wholebody", "coco", first_joints(17)},
      {"coco", "h36m", coco_to_h36m()},
  };
  return table;
}

std::vector<const JointMapping*> joint_mapping_chain(const std::string& from, const std::string& to) {
  layout_joint_names(from);  // unknown names are usage errors of their own
  layout_joint_names(to);
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

core::KeypointSequence apply_joint_mapping(const core::KeypointSequence& input, const JointMapping& mapping) {
  const int joints_in = static_cast<int>(layout_joint_names(mapping.from).size());
  if (input.joints != joints_in)
    throw InternalError("mapping " + mapping.from + " -> " + mapping.to + " expects " + std::to_string(joints_in) +
                        " joints, got " + std::to_string(input.joints));
  const bool has_score = input.features >= 3;
  core::KeypointSequence output;
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

core::KeypointSequence map_keypoint_layout(const core::KeypointSequence& input, const std::string& from,
                                           const std::string& to) {
  core::KeypointSequence result = input;
  for (const JointMapping* step : joint_mapping_chain(from, to)) result = apply_joint_mapping(result, *step);
  return result;
}

}  // namespace lift3d::io
