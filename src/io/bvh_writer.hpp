// BVH (Biovision Hierarchy) motion files: a joint hierarchy with rest offsets, then one line of
// channel values per frame. Format only: the caller gives offsets, root positions and Euler angles
// in the units and axes it states in the comments.
//
// Layout written: "HIERARCHY", the comment lines ("# ..."; BVH has no comment syntax, so they sit
// where readers that skip unknown lines, Blender's among them, pass over them), then ROOT/JOINT
// blocks nested depth-first (children in index order); the root has the channels "Xposition
// Yposition Zposition" and its three rotation channels in its order ("Zrotation Xrotation Yrotation"
// for ZXY: rotation = Rz Rx Ry), every other joint its rotation channels, or, when the clip has
// per-frame joint offsets, position and rotation channels as the root: there the position channels hold the joint's offset from its parent in the parent's
// frame on that frame, in place of its OFFSET (which stays the rest pose), as BVH readers take
// position channels on any joint. A joint without children ends in an "End Site". MOTION then
// holds "Frames:", "Frame Time:" (seconds) and the values in the hierarchy's order, 6 decimals.
#pragma once

#include <array>
#include <string>
#include <vector>

namespace lift3d::io {

struct BvhJoint {
  std::string name;                   // no whitespace
  int parent = -1;                    // index of an earlier joint; -1 only for joint 0, the root
  std::array<double, 3> offset{};     // from the parent at rest
  std::array<double, 3> end_site{};   // a joint without children: where its bone ends, from it
  std::array<char, 3> rotation_axes{'Z', 'X', 'Y'};  // its rotation channels in order: R = R_1 R_2 R_3
};

struct BvhClip {
  std::vector<std::string> comments;  // one line each, without the "# "
  std::vector<BvhJoint> joints;
  double frame_time_seconds = 0.0;
  int frames = 0;
  std::vector<std::array<double, 3>> root_positions;     // per frame
  std::vector<std::array<double, 3>> rotations_deg;  // frames x joints, degrees, in each joint's rotation_axes
  // Empty: non-root joints have rotation channels only. Otherwise frames x joints: each non-root
  // joint's offset from its parent on that frame (the root's entries are not written).
  std::vector<std::array<double, 3>> joint_offsets;
  bool has_joint_offsets() const { return !joint_offsets.empty(); }
};

// Throws InternalError for a clip that does not fit its own sizes or an invalid hierarchy.
std::string bvh_text(const BvhClip& clip);
// Written atomically.
void write_bvh_file(const std::string& path, const BvhClip& clip);

}  // namespace lift3d::io
