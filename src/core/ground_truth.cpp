#include "core/ground_truth.hpp"

#include "lift3d/error.hpp"

namespace lift3d::core {

const GroundTruthSequence* GroundTruth::find(const std::string& subject, const std::string& action) const {
  for (const GroundTruthSequence& s : sequences)
    if (s.subject == subject && s.action == action) return &s;
  return nullptr;
}

std::vector<std::string> GroundTruth::subjects() const {
  std::vector<std::string> names;
  for (const GroundTruthSequence& s : sequences)
    if (names.empty() || names.back() != s.subject) names.push_back(s.subject);
  return names;
}

PoseSequence select_joints(const PoseSequence& positions, const std::vector<int>& joints) {
  PoseSequence out(positions.frames, static_cast<int>(joints.size()));
  for (std::size_t k = 0; k < joints.size(); ++k)
    if (joints[k] < 0 || joints[k] >= positions.joints)
      throw InternalError("joint index " + std::to_string(joints[k]) + " outside a " +
                          std::to_string(positions.joints) + "-joint sequence");
  for (int t = 0; t < positions.frames; ++t)
    for (int k = 0; k < out.joints; ++k)
      for (int d = 0; d < 3; ++d) out.at(t, k, d) = positions.at(t, joints[k], d);
  return out;
}

GroundTruthSequence ground_truth_sequence(const std::string& subject, const std::string& action,
                                          const PoseSequence& world, const std::vector<Camera>& cameras) {
  GroundTruthSequence sequence{subject, action, {}};
  for (const Camera& camera : cameras) {
    PoseSequence positions = world_to_camera(world, camera);
    // Root-relative in float32, as NumPy's in-place subtraction in run.py; joint 0 stays absolute.
    for (int t = 0; t < positions.frames; ++t)
      for (int j = 1; j < positions.joints; ++j)
        for (int d = 0; d < 3; ++d) positions.at(t, j, d) -= positions.at(t, 0, d);
    sequence.views.push_back({camera, std::move(positions)});
  }
  return sequence;
}

PoseSequence evaluation_target(const PoseSequence& positions) {
  PoseSequence target = positions;
  for (int t = 0; t < target.frames; ++t)
    for (int d = 0; d < 3; ++d) target.at(t, 0, d) = 0.0f;
  return target;
}

void reconcile_2d_with_3d(std::vector<KeypointSequence>& keypoints_per_camera,
                          const GroundTruthSequence& truth, const std::string& context) {
  if (keypoints_per_camera.size() != truth.views.size())
    throw InputError(context + ": " + std::to_string(keypoints_per_camera.size()) +
                     " cameras of 2d keypoints but " + std::to_string(truth.views.size()) +
                     " of 3d ground truth");
  for (std::size_t c = 0; c < truth.views.size(); ++c) {
    KeypointSequence& keypoints = keypoints_per_camera[c];
    const int mocap_frames = truth.views[c].positions.frames;
    if (keypoints.frames < mocap_frames)
      throw InputError(context + ": camera " + std::to_string(c) + " has " +
                       std::to_string(keypoints.frames) +
                       " frames of 2d keypoints but the 3d ground truth has " + std::to_string(mocap_frames));
    if (keypoints.frames > mocap_frames) {
      keypoints.values.resize(static_cast<std::size_t>(mocap_frames) * keypoints.joints * keypoints.features);
      keypoints.frames = mocap_frames;
    }
  }
}

}  // namespace lift3d::core
