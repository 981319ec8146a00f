#include "pipeline/ground_truth_files.hpp"

#include "base/joint_sets.hpp"
#include "core/camera.hpp"
#include "lift3d/error.hpp"

namespace lift3d::pipeline {
namespace {

constexpr int kH36mMocapJoints = 32;

// Brings a file's joints into the dataset's output skeleton, or says why it cannot.
PoseSequence to_output_skeleton(const PoseSequence& positions, core::Dataset dataset, const std::string& where) {
  const int wanted = skeleton(dataset == core::Dataset::H36M ? "h36m" : "humaneva15").num_joints();
  if (dataset == core::Dataset::H36M && positions.joints == kH36mMocapJoints)
    return core::select_joints(positions, h36m_kept_joints_of_32());
  if (positions.joints == wanted) return positions;
  const std::string expected = dataset == core::Dataset::H36M ? "32 (or 17)" : std::to_string(wanted);
  throw InputError(where + ": has " + std::to_string(positions.joints) + " joints, " + core::dataset_name(dataset) +
                   " ground truth needs " + expected);
}

}  // namespace

core::GroundTruth build_ground_truth(const io::VideoPose3DFile& mocap, core::Dataset dataset) {
  if (dataset == core::Dataset::Custom)
    throw UsageError("custom datasets have no motion-capture ground truth to evaluate against");
  core::GroundTruth truth;
  truth.dataset = dataset;
  for (const io::MocapSubject& subject : mocap.subjects) {
    std::vector<core::Camera> subject_cameras;
    try {
      subject_cameras = core::cameras(core::dataset_name(dataset), subject.name);
    } catch (const UsageError& e) {
      throw InputError(mocap.path + ": " + e.what());
    }
    for (const core::Camera& camera : subject_cameras)
      if (!camera.has_extrinsics)
        throw InputError(mocap.path + ": subject " + subject.name + " has no camera extrinsics in the " +
                         core::dataset_name(dataset) + " tables");
    for (const io::MocapAction& action : subject.actions) {
      const std::string where = mocap.path + ": " + subject.name + "/" + action.name;
      const PoseSequence world = to_output_skeleton(action.positions, dataset, where);
      truth.sequences.push_back(core::ground_truth_sequence(subject.name, action.name, world, subject_cameras));
    }
  }
  return truth;
}

void reconcile_2d_with_3d(io::VideoPose2DFile& keypoints, const core::GroundTruth& truth) {
  for (const core::GroundTruthSequence& sequence : truth.sequences) {
    io::VideoPose2DSequence* match = nullptr;
    for (io::VideoPose2DSequence& candidate : keypoints.sequences)
      if (candidate.subject == sequence.subject && candidate.action == sequence.action) match = &candidate;
    const std::string name = sequence.subject + "/" + sequence.action;
    if (match == nullptr)
      throw InputError(keypoints.path + ": no 2d keypoints for " + name + ", which the 3d ground truth has");
    core::reconcile_2d_with_3d(match->cameras, sequence, keypoints.path + ": " + name);
  }
}

}  // namespace lift3d::pipeline
