// What the writers (pose_writers.hpp) need to know about lifted sequences besides the numbers.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "lift3d/sequence.hpp"

namespace lift3d::io {

struct NamedPoses {
  std::string name;  // "SUBJECT/ACTION/CAMERA", "person_2", ... or the input's stem
  PoseSequence poses;
  // The input frame its first pose belongs to (0-based): 0 unless the sequence is one person's
  // frames cut out of a longer video.
  long long first_frame = 0;
  // What was done to each 2D input keypoint (frames x keypoint_names, 0 observed, 1 interpolated
  // over time, 2 filled from a body model); empty when not tracked (VideoPose3D datasets).
  std::vector<std::uint8_t> keypoint_fill;
  std::vector<std::string> keypoint_names;
};

// How a .bvh output's bones follow the lifted joints (pipeline/bvh_export.hpp).
enum class BvhBones {
  Exact,   // every joint at its lifted position: position channels on every joint carry each bone's
           // length on each frame (rest pose: the median bone lengths)
  Median,  // rigid bones at their median lengths: rotation channels only below the root
};

struct PoseOutputInfo {
  std::vector<std::string> joint_names;
  std::string frame = "camera";  // "camera" or "world"
  bool root_relative = true;     // false when a trajectory was added
  double fps = 0.0;              // 0 when unknown
  BvhBones bvh_bones = BvhBones::Exact;
};

}  // namespace lift3d::io
