// What the writers (pose_writers.hpp) need to know about lifted sequences besides the numbers.
#pragma once

#include <string>
#include <vector>

#include "lift3d/sequence.hpp"

namespace lift3d::io {

struct NamedPoses {
  std::string name;  // "SUBJECT/ACTION/CAMERA" or the input's stem
  PoseSequence poses;
};

struct PoseOutputInfo {
  std::vector<std::string> joint_names;
  std::string frame = "camera";  // "camera" or "world"
  bool root_relative = true;     // false when a trajectory was added
  double fps = 0.0;              // 0 when unknown
};

}  // namespace lift3d::io
