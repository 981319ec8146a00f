// Joint rotations of a rigid skeleton solved from 3D joint positions, and forward kinematics back
// to positions: what an animation file (BVH) stores instead of positions.
//
// Conventions: positions are in a Y-up frame where the body's rest pose faces +Z with its left side
// towards +X (the caller turns its frame into this one). Every joint's rest orientation is the
// identity, so the rest pose is given by the bone offsets alone (a T-pose: legs and spine along
// -Y/+Y, arms along +X/-X). A joint's global rotation G maps its rest frame onto the frame its bone
// has in one frame of the sequence; its local rotation is G_parent^T G.
//
// The rest pose has the sequence's median bone lengths. How the bones move (BoneLengths):
// - Median: the bones keep that one length, so the skeleton follows the positions as closely as a
//   rigid skeleton can: every bone points exactly from where its joint was placed towards the
//   position its child joint had; only joints branching into several bones (pelvis, thorax) carry
//   their children at fixed angles (the median angles of the sequence).
// - Exact: every joint is placed at its given position on every frame: each joint's offset from
//   its parent is given per frame (in the parent's frame), so a bone's length change shows as a
//   change of its offset along the bone, and a branching joint's children sit where they were.
//
// Positions alone do not fix a bone's twist about its own axis. It is taken from the limb planes:
// a thigh or upper arm turns so that the knee or elbow bends about the hinge axis it has at rest,
// a shin, forearm or neck so that it bends about the plane it forms with its parent bone. A limb
// held nearly straight has no plane; its twist then eases towards the twist it would have if it
// only swung from its parent (the smallest rotation), so it does not spin.
#pragma once

#include <array>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "lift3d/sequence.hpp"

namespace lift3d::core {

// How one joint's orientation is read from the positions.
struct JointRig {
  // A joint with one child bone (its aim): the bone's rest direction and the axis it bends about
  // at rest (perpendicular to rest_aim). A joint branching into several bones: left/right children
  // give its +X axis (left minus right), aim_child its +Y axis. A leaf has aim_child -1.
  int aim_child = -1;
  int left_child = -1;
  int right_child = -1;
  Eigen::Vector3d rest_aim = Eigen::Vector3d::Zero();
  Eigen::Vector3d rest_hinge = Eigen::Vector3d::Zero();
  bool branching() const { return left_child >= 0; }
};

struct SkeletonRig {
  std::vector<std::string> joint_names;
  std::vector<int> parents;  // -1 for the root; parents come before their children
  std::vector<JointRig> joints;
};

// The rig of the Human3.6M 17-joint skeleton, found by joint name. Throws UsageError naming the
// missing joints when `joint_names`/`parents` are not that skeleton.
SkeletonRig human36m_rig(const std::vector<std::string>& joint_names, const std::vector<int>& parents);

enum class BoneLengths { Median, Exact };

// A skeleton's motion: rest offsets, per-frame rotations and (Exact) per-frame offsets.
struct SkeletonMotion {
  std::vector<int> parents;
  // Rest offset of each joint from its parent (root: zero), metres, in the parent's rest frame.
  std::vector<Eigen::Vector3d> rest_offsets;
  // Leaves: where their bone ends at rest (an end site), from the joint; zero for other joints.
  std::vector<Eigen::Vector3d> end_sites;
  std::vector<double> bone_lengths;  // median |joint - parent| over the frames, metres (root: 0)
  int frames = 0;
  std::vector<Eigen::Vector3d> root_positions;    // per frame
  std::vector<Eigen::Matrix3d> local_rotations;   // frames x joints, row-major by frame
  // Exact: frames x joints, each joint's offset from its parent on that frame, metres, in the
  // parent's frame (root: zero); empty for Median (every frame has the rest offsets).
  std::vector<Eigen::Vector3d> frame_offsets;
  const Eigen::Matrix3d& local(int frame, int joint) const {
    return local_rotations[static_cast<std::size_t>(frame) * parents.size() + joint];
  }
  const Eigen::Vector3d& offset(int frame, int joint) const {
    return frame_offsets.empty() ? rest_offsets[joint]
                                 : frame_offsets[static_cast<std::size_t>(frame) * parents.size() + joint];
  }
};

// The skeleton that follows `positions` (frames x rig joints x 3, metres, Y-up frame above), its
// bones at their median lengths or at the given positions (BoneLengths). Throws InputError for no
// frames, a joint count that differs from the rig, or non-finite values.
SkeletonMotion solve_skeleton_motion(const PoseSequence& positions, const SkeletonRig& rig,
                                     BoneLengths lengths = BoneLengths::Median);

// Joint positions of a motion (frames x joints x 3, metres): root position, then each joint at
// its parent plus the parent's global rotation applied to its offset on that frame.
PoseSequence forward_kinematics(const SkeletonMotion& motion);

// The axes of a joint's Euler angles in the order they apply, R = R_first(a) R_second(b) R_third(c)
// (0 = X, 1 = Y, 2 = Z; three different axes). BVH writes them as the joint's rotation channels.
using EulerOrder = std::array<int, 3>;
inline constexpr EulerOrder kEulerZXY{2, 0, 1};  // "Zrotation Xrotation Yrotation", most BVH files' order

// Euler angles in degrees (a, b, c) in `order`; b in [-90, 90]. `near` (optional) picks, among the
// equal angle triples that differ by whole turns, the one closest to it (smooth curves for
// animation tools).
Eigen::Vector3d euler_degrees(const Eigen::Matrix3d& rotation, const EulerOrder& order,
                              const Eigen::Vector3d* near = nullptr);
Eigen::Matrix3d rotation_from_euler_degrees(const Eigen::Vector3d& angles, const EulerOrder& order);

// The order for one joint's rotations over a sequence: ZXY unless its middle angle comes within 15
// degrees of +-90 on some frame (near gimbal lock, where the first and third angles turn about
// nearly the same axis and tools that convert Euler angles in float32, such as Blender's BVH
// importer, lose precision: a knee bent 90 degrees is such a case), then whichever order keeps the
// middle angle farthest from +-90 on every frame.
EulerOrder euler_order_for(const std::vector<Eigen::Matrix3d>& rotations);

// Every point of `poses` multiplied by `rotation` (frames, joints unchanged), in double precision.
PoseSequence rotate_points(const PoseSequence& poses, const Eigen::Matrix3d& rotation);

}  // namespace lift3d::core
