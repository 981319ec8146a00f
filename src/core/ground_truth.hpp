// The 3D ground truth VideoPose3D evaluates against: every mocap
// sequence seen from each camera of its subject, in that camera's frame, root-relative, and the
// 2D keypoints trimmed to the mocap length.
#pragma once

#include <string>
#include <vector>

#include "core/camera.hpp"
#include "core/datasets.hpp"
#include "lift3d/sequence.hpp"

namespace lift3d::core {

// One camera's view of one sequence, as run.py's `positions_3d[camera]` holds it: camera frame,
// metres, float32. Joint 0 keeps the absolute camera-space root position (the trajectory); joints
// 1.. are relative to it. evaluation_target() gives what the metrics compare with.
struct GroundTruthView {
  Camera camera;
  PoseSequence positions;
};

struct GroundTruthSequence {
  std::string subject;                 // "S9", "Validate/S1"
  std::string action;                  // "Walking 1", "Walking 1 chunk0"
  std::vector<GroundTruthView> views;  // camera-index order
};

struct GroundTruth {
  Dataset dataset = Dataset::H36M;
  std::vector<GroundTruthSequence> sequences;  // subjects in file order, then each subject's actions
  const GroundTruthSequence* find(const std::string& subject, const std::string& action) const;
  std::vector<std::string> subjects() const;  // in file order
};

// Frames x joints.size() x 3 with the listed joints of `positions`, in the listed order
// (h36m_kept_joints_of_32() turns the 32 Human3.6M joints into VideoPose3D's 17).
PoseSequence select_joints(const PoseSequence& positions, const std::vector<int>& joints);

// World positions (metres) of one sequence, already in the output skeleton, seen from each camera:
// world_to_camera, then joints 1.. made relative to joint 0. Throws UsageError when a camera has
// no extrinsics.
GroundTruthSequence ground_truth_sequence(const std::string& subject, const std::string& action,
                                          const PoseSequence& world, const std::vector<Camera>& cameras);

// A view's positions with joint 0 set to (0, 0, 0) in every frame: run.py evaluate() compares the
// prediction with this (the predicted root is left as it is).
PoseSequence evaluation_target(const PoseSequence& positions);

// run.py's length reconciliation for one sequence: one 2D sequence per camera, none shorter than
// the mocap; longer ones keep their first mocap-length frames (some Human3.6M videos have extra
// frames at the end). Throws InputError starting with `context` (e.g. "<2d file>: S9/Walking") on
// a camera-count mismatch or a 2D sequence shorter than the mocap.
void reconcile_2d_with_3d(std::vector<KeypointSequence>& keypoints_per_camera,
                          const GroundTruthSequence& truth, const std::string& context);

}  // namespace lift3d::core
