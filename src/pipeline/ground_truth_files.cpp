#include "pipeline/ground_truth_files.hpp"

#include <algorithm>
#include <cmath>

#include "base/joint_sets.hpp"
#include "base/log.hpp"
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

// VideoPose3D's data_3d files hold metres: a Human3.6M or HumanEva-I body's bones are 0.1 to 0.5 m
// long. A file in millimetres (or centimetres) would give errors a thousand times too large without
// a word, so the median bone length over a few frames decides: outside [0.02, 2] m it is refused,
// saying what unit it looks like.
void check_metres(const PoseSequence& positions, const Skeleton& skeleton, const std::string& where) {
  std::vector<double> bones;
  const int step = std::max(1, positions.frames / 10);
  for (int t = 0; t < positions.frames; t += step)
    for (int j = 1; j < positions.joints; ++j) {
      const int parent = skeleton.parents[j];
      double squared = 0;
      for (int d = 0; d < 3; ++d) {
        const double delta = positions.at(t, j, d) - positions.at(t, parent, d);
        squared += delta * delta;
      }
      bones.push_back(std::sqrt(squared));
    }
  if (bones.empty()) return;
  std::nth_element(bones.begin(), bones.begin() + static_cast<std::ptrdiff_t>(bones.size() / 2), bones.end());
  const double median = bones[bones.size() / 2];
  if (median >= 0.02 && median <= 2.0) return;
  const std::string unit = median > 200 ? "millimetres (divide by 1000)" : median > 2 ? "centimetres (divide by 100)"
                                                                                       : "a unit far below metres";
  throw InputError(where + ": the median bone is " + fmt::format("{:g}", median) +
                   " long; data_3d files hold metres (bones 0.1 to 0.5 m) and this looks like " + unit);
}

// run.py evaluates the first mocap-length frames of a longer 2D sequence (a few extra video frames
// are common in Human3.6M); much more than that suggests files that do not belong together.
void warn_of_long_2d(const io::VideoPose2DSequence& keypoints, const core::GroundTruthSequence& truth,
                     const std::string& where) {
  for (std::size_t c = 0; c < keypoints.cameras.size() && c < truth.views.size(); ++c) {
    const int frames_2d = keypoints.cameras[c].frames, frames_3d = truth.views[c].positions.frames;
    if (frames_2d > frames_3d + std::max(10, frames_3d / 20))
      logger().warn("{}: camera {}: the 2D has {} frames, the 3D ground truth {}; only the first {} are evaluated, "
                    "as run.py does (different frame rates or mismatched files?)",
                    where, c, frames_2d, frames_3d, frames_3d);
  }
}

}  // namespace

core::GroundTruth build_ground_truth(const io::VideoPose3DFile& mocap, core::Dataset dataset, const CameraRigs& rigs) {
  if (dataset == core::Dataset::Custom)
    throw UsageError("custom datasets have no motion-capture ground truth to evaluate against");
  core::GroundTruth truth;
  truth.dataset = dataset;
  for (const io::MocapSubject& subject : mocap.subjects) {
    std::vector<core::Camera> subject_cameras;
    try {
      subject_cameras = rigs.of(subject.name);
    } catch (const UsageError& e) {
      throw InputError(mocap.path + ": " + e.what());
    }
    for (const core::Camera& camera : subject_cameras)
      if (!camera.has_extrinsics)
        throw InputError(mocap.path + ": subject " + subject.name + " has no camera extrinsics in " + rigs.origin());
    for (const io::MocapAction& action : subject.actions) {
      const std::string where = mocap.path + ": " + subject.name + "/" + action.name;
      const PoseSequence world = to_output_skeleton(action.positions, dataset, where);
      check_metres(world, skeleton(dataset == core::Dataset::H36M ? "h36m" : "humaneva15"), where);
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
    warn_of_long_2d(*match, sequence, keypoints.path + ": " + name);
    core::reconcile_2d_with_3d(match->cameras, sequence, keypoints.path + ": " + name);
  }
}

}  // namespace lift3d::pipeline
