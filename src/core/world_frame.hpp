// The world frame VideoPose3D shows in-the-wild predictions in: run.py
// --render, without ground truth, rotates the camera-space prediction by the orientation of a
// Human3.6M camera (for custom videos the dummy camera, Human3.6M S1 camera 0), adds no
// translation, and lifts the whole sequence so that its lowest joint over all frames is at z = 0
// (z is up). The reference only does this for its rendering; lift3d offers it as an explicit,
// labelled output frame.
#pragma once

#include <array>
#include <limits>
#include <vector>

#include "lift3d/sequence.hpp"

namespace lift3d::core {

// (w, x, y, z), float32 as the reference loads it: custom_dataset.py's dummy camera orientation.
const std::array<float, 4>& reference_render_orientation();

// Subtracts the lowest z over all frames and joints from every z (one global floor, as the
// reference does; MMPose rebases per frame instead). Returns the subtracted value; 0 for an empty
// sequence.
float rebase_height_to_floor(PoseSequence& joints_in_world);

// camera_to_world(joints, orientation, t = 0) followed by rebase_height_to_floor, in float32 with
// the reference's order of operations.
PoseSequence reference_world_from_camera(const PoseSequence& joints_in_camera,
                                         const std::array<float, 4>& orientation = reference_render_orientation());

// The world frame one frame at a time (a live stream cannot see the whole sequence's lowest joint):
// each frame rotated as reference_world_from_camera rotates it, its heights rebased to the lowest
// joint of this frame and the frames before it. The floor only goes down, so the ground never cuts
// through the body. From the frame that holds the sequence's lowest joint on, every frame equals
// reference_world_from_camera of the whole sequence; a frame before it stands lower by its floor minus
// the sequence's.
class RunningWorldFrame {
 public:
  explicit RunningWorldFrame(const std::array<float, 4>& orientation = reference_render_orientation());
  // joints x 3 camera-frame positions (metres) to the world frame, in place.
  void apply(std::vector<float>& positions);
  float floor() const { return floor_; }  // the height subtracted from the last frame (world z)

 private:
  std::array<float, 4> orientation_;
  float floor_ = std::numeric_limits<float>::infinity();
};

}  // namespace lift3d::core
