// Where lifted sequences go: the output format is chosen by the file extension.
#pragma once

#include <string>
#include <vector>

#include "lift3d/core/sequence.hpp"

namespace lift3d::io {

struct NamedPoses {
  std::string name;  // "SUBJECT/ACTION/CAMERA" or the input's stem
  core::PoseSequence poses;
};

struct PoseOutputInfo {
  std::vector<std::string> joint_names;
  std::string frame = "camera";  // "camera" or "world"
  bool root_relative = true;     // false when a trajectory was added
  double fps = 0.0;              // 0 when unknown
};

// .npy: exactly one sequence, float32 (frames, joints, 3), as run.py --viz-export writes.
// .npz: one float32 array per sequence, named by NamedPoses::name.
// Written atomically. Throws UsageError for an unsupported extension or several sequences in .npy.
void write_poses(const std::string& path, const std::vector<NamedPoses>& sequences, const PoseOutputInfo& info);

}  // namespace lift3d::io
