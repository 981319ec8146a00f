// BVH (Biovision Hierarchy) motion files: a joint hierarchy with rest offsets, then one line of
// channel values per frame. Format only: the caller gives offsets, root positions and Euler angles
// in the units and axes it states in the comments.
//
// Layout written: "HIERARCHY", the comment lines ("# ..."; BVH has no comment syntax, so they sit
// where readers that skip unknown lines, Blender's among them, pass over them), then ROOT/JOINT
// blocks nested depth-first (children in index order); the root has the channels "Xposition
// Yposition Zposition Zrotation Xrotation Yrotation", every other joint "Zrotation Xrotation
// Yrotation" (rotation = Rz Rx Ry), or, when the clip has per-frame joint offsets, the same six as
// the root: there the position channels hold the joint's offset from its parent in the parent's
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
};

struct BvhClip {
  std::vector<std::string> comments;  // one line each, without the "# "
  std::vector<BvhJoint> joints;
  double frame_time_seconds = 0.0;
  int frames = 0;
  std::vector<std::array<double, 3>> root_positions;     // per frame
  std::vector<std::array<double, 3>> rotations_zxy_deg;  // frames x joints, (z, x, y) degrees
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
