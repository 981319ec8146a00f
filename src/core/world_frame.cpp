#include "core/world_frame.hpp"

#include <algorithm>
#include <limits>

#include "core/camera.hpp"

namespace lift3d::core {

const std::array<float, 4>& reference_render_orientation() {
  static const std::array<float, 4> orientation = {0.1407056450843811f, -0.1500701755285263f, -0.755240797996521f,
                                                   0.6223280429840088f};
  return orientation;
}

float rebase_height_to_floor(PoseSequence& joints_in_world) {
  if (joints_in_world.frames == 0 || joints_in_world.joints == 0) return 0.0f;
  float floor = std::numeric_limits<float>::infinity();
  for (int f = 0; f < joints_in_world.frames; ++f)
    for (int j = 0; j < joints_in_world.joints; ++j) floor = std::min(floor, joints_in_world.at(f, j, 2));
  for (int f = 0; f < joints_in_world.frames; ++f)
    for (int j = 0; j < joints_in_world.joints; ++j) joints_in_world.at(f, j, 2) -= floor;
  return floor;
}

namespace {

Camera render_camera_of(const std::array<float, 4>& orientation) {
  Camera render_camera;  // rotation only: the reference passes t = 0
  render_camera.has_extrinsics = true;
  render_camera.orientation = orientation;
  return render_camera;
}

}  // namespace

PoseSequence reference_world_from_camera(const PoseSequence& joints_in_camera, const std::array<float, 4>& orientation) {
  PoseSequence world = camera_to_world(joints_in_camera, render_camera_of(orientation));
  rebase_height_to_floor(world);
  return world;
}

RunningWorldFrame::RunningWorldFrame(const std::array<float, 4>& orientation) : orientation_(orientation) {}

void RunningWorldFrame::apply(std::vector<float>& positions) {
  PoseSequence frame(1, static_cast<int>(positions.size() / 3));
  frame.values = positions;
  PoseSequence world = camera_to_world(frame, render_camera_of(orientation_));
  for (int j = 0; j < world.joints; ++j) floor_ = std::min(floor_, world.at(0, j, 2));
  for (int j = 0; j < world.joints; ++j) world.at(0, j, 2) -= floor_;
  positions = std::move(world.values);
}

}  // namespace lift3d::core
