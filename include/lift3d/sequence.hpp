// The two sequence types data flow through: 2D keypoints in, 3D joints out. Both are dense,
// frame-major, row-major float32 buffers so they map one-to-one onto numpy arrays of shape
// (frames, joints, features) / (frames, joints, 3).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace lift3d {

// 2D keypoints of one person in one video, frames x joints x features (x, y[, score]).
struct KeypointSequence {
  int frames = 0;
  int joints = 0;
  int features = 2;
  std::vector<float> values;  // frames * joints * features
  // Pixel coordinates come with the image size used for normalisation; 0 when already normalised.
  int image_width = 0;
  int image_height = 0;

  float& at(int frame, int joint, int feature) {
    return values[(static_cast<std::size_t>(frame) * joints + joint) * features + feature];
  }
  float at(int frame, int joint, int feature) const {
    return values[(static_cast<std::size_t>(frame) * joints + joint) * features + feature];
  }
};

// 3D joints, frames x joints x 3, in metres. Which frame (camera or world) and whether the root is
// included is stated by whoever produces it (see the writers).
struct PoseSequence {
  int frames = 0;
  int joints = 0;
  std::vector<float> values;  // frames * joints * 3

  PoseSequence() = default;
  PoseSequence(int frames_, int joints_)
      : frames(frames_), joints(joints_), values(static_cast<std::size_t>(frames_) * joints_ * 3, 0.0f) {}

  float& at(int frame, int joint, int axis) {
    return values[(static_cast<std::size_t>(frame) * joints + joint) * 3 + axis];
  }
  float at(int frame, int joint, int axis) const {
    return values[(static_cast<std::size_t>(frame) * joints + joint) * 3 + axis];
  }
};

}  // namespace lift3d
