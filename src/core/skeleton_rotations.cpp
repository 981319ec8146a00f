#include "core/skeleton_rotations.hpp"

#include <algorithm>
#include <cmath>

#include <Eigen/Geometry>

#include "base/text.hpp"
#include "lift3d/error.hpp"

namespace lift3d::core {
namespace {

using Eigen::Matrix3d;
using Eigen::Vector3d;

// A limb bent by at least this much (sine of the angle between its two bones, about 14.5 degrees)
// takes its twist from its plane alone; straighter limbs ease towards the swing-only twist.
constexpr double kFullPlaneSine = 0.25;
// How far a leaf's bone reaches past its joint at rest (an end site), metres: animation tools need
// a length to draw the last bone; Human3.6M has no joint beyond ankles, wrists and head top.
constexpr double kEndSiteLength = 0.1;
constexpr double kTiny = 1e-12;

Vector3d point(const PoseSequence& poses, int frame, int joint) {
  return {poses.at(frame, joint, 0), poses.at(frame, joint, 1), poses.at(frame, joint, 2)};
}

// The rotation taking the orthonormal rest frame (aim, hinge) onto (aim', hinge').
Matrix3d frame_of(const Vector3d& aim, const Vector3d& hinge) {
  Matrix3d frame;
  frame.col(0) = aim;
  frame.col(1) = hinge;
  frame.col(2) = aim.cross(hinge);
  return frame;
}

// `v` without its component along unit `axis`, normalised; `fallback` when nothing is left.
Vector3d perpendicular_unit(const Vector3d& v, const Vector3d& axis, const Vector3d& fallback) {
  const Vector3d rest = v - axis * axis.dot(v);
  const double norm = rest.norm();
  return norm > kTiny ? Vector3d(rest / norm) : fallback;
}

// Any unit vector perpendicular to unit `axis`.
Vector3d any_perpendicular(const Vector3d& axis) {
  const Vector3d trial = std::abs(axis.x()) < 0.9 ? Vector3d::UnitX() : Vector3d::UnitY();
  return perpendicular_unit(trial, axis, Vector3d::UnitZ());
}

double median(std::vector<double> values) {
  if (values.empty()) return 0.0;
  const std::size_t middle = values.size() / 2;
  std::nth_element(values.begin(), values.begin() + middle, values.end());
  double upper = values[middle];
  if (values.size() % 2) return upper;
  const double lower = *std::max_element(values.begin(), values.begin() + middle);
  return 0.5 * (lower + upper);
}

int child_count(const SkeletonRig& rig, int joint) {
  return static_cast<int>(std::count(rig.parents.begin(), rig.parents.end(), joint));
}

// A branching joint's frame: +X from its right to its left child, +Y towards its aim child.
// `previous` when the children coincide.
Matrix3d branching_frame(const JointRig& joint, const Vector3d& origin, const PoseSequence& poses, int frame,
                         const Matrix3d& previous) {
  const Vector3d across = point(poses, frame, joint.left_child) - point(poses, frame, joint.right_child);
  if (across.norm() <= kTiny) return previous;
  const Vector3d x = across.normalized();
  const Vector3d y = perpendicular_unit(point(poses, frame, joint.aim_child) - origin, x, previous.col(1));
  Matrix3d rotation;
  rotation << x, y, x.cross(y);
  return rotation;
}

// The normal of the plane a limb bends in at `joint`, scaled by the sine of the bend; zero when the
// rig gives no plane for it.
Vector3d bend_normal(const SkeletonRig& rig, const PoseSequence& poses, int frame, int joint,
                     const std::vector<Vector3d>& placed) {
  const int child = rig.joints[joint].aim_child;
  const JointRig& next = rig.joints[child];
  Vector3d first, second;
  if (next.aim_child >= 0 && !next.branching() && child_count(rig, child) == 1) {
    first = point(poses, frame, child) - placed[joint];  // this bone and the next one
    second = point(poses, frame, next.aim_child) - point(poses, frame, child);
  } else if (next.aim_child < 0 && rig.parents[joint] >= 0) {
    first = placed[joint] - placed[rig.parents[joint]];  // the parent's bone and this one (to a leaf)
    second = point(poses, frame, child) - placed[joint];
  } else {
    return Vector3d::Zero();
  }
  const double lengths = first.norm() * second.norm();
  return lengths > kTiny ? Vector3d(first.cross(second) / lengths) : Vector3d::Zero();
}

// The global rotation of a joint with one child bone: its bone aims at the child's position, its
// twist comes from the bend plane, or (straight limb) from swinging its parent's frame.
Matrix3d aimed_rotation(const SkeletonRig& rig, const PoseSequence& poses, int frame, int joint,
                        const std::vector<Vector3d>& placed, const Matrix3d& parent_global) {
  const JointRig& rig_joint = rig.joints[joint];
  const Vector3d unswung_aim = parent_global * rig_joint.rest_aim;
  const Vector3d to_child = point(poses, frame, rig_joint.aim_child) - placed[joint];
  const Vector3d aim = to_child.norm() > kTiny ? Vector3d(to_child.normalized()) : unswung_aim;
  const Eigen::Quaterniond swing = Eigen::Quaterniond::FromTwoVectors(unswung_aim, aim);
  const Vector3d swung_hinge =
      perpendicular_unit(swing * (parent_global * rig_joint.rest_hinge), aim, any_perpendicular(aim));

  Vector3d normal = bend_normal(rig, poses, frame, joint, placed);
  const double sine = normal.norm();
  Vector3d hinge = swung_hinge;
  if (sine > kTiny) {
    if (normal.dot(swung_hinge) < 0) normal = -normal;  // a bend's axis keeps the side the parent gives it
    const double weight = std::min(1.0, sine / kFullPlaneSine);
    hinge = perpendicular_unit(weight * normal / sine + (1.0 - weight) * swung_hinge, aim, swung_hinge);
  }
  return frame_of(aim, hinge) * frame_of(rig_joint.rest_aim, rig_joint.rest_hinge).transpose();
}

void check_positions(const PoseSequence& positions, const SkeletonRig& rig) {
  if (positions.frames < 1) throw InputError("no frames to solve joint rotations from");
  if (positions.joints != static_cast<int>(rig.parents.size()))
    throw InputError("poses have " + std::to_string(positions.joints) + " joints, the skeleton " +
                     std::to_string(rig.parents.size()));
  for (float value : positions.values)
    if (!std::isfinite(value)) throw InputError("joint positions with NaN or infinite values have no rotations");
}

std::vector<double> median_bone_lengths(const PoseSequence& positions, const SkeletonRig& rig) {
  std::vector<double> lengths(rig.parents.size(), 0.0);
  for (std::size_t j = 0; j < rig.parents.size(); ++j) {
    if (rig.parents[j] < 0) continue;
    std::vector<double> per_frame;
    for (int f = 0; f < positions.frames; ++f)
      per_frame.push_back((point(positions, f, static_cast<int>(j)) - point(positions, f, rig.parents[j])).norm());
    lengths[j] = median(per_frame);
  }
  return lengths;
}

// Rest offsets: along the parent's rest aim for a parent with one bone; for the children of a
// branching joint, the median of their offsets in its frame over the sequence.
void set_rest_pose(const PoseSequence& positions, const SkeletonRig& rig, SkeletonMotion& motion) {
  const std::size_t joints = rig.parents.size();
  motion.rest_offsets.assign(joints, Vector3d::Zero());
  motion.end_sites.assign(joints, Vector3d::Zero());
  for (std::size_t j = 0; j < joints; ++j) {
    const int parent = rig.parents[j];
    if (parent < 0) continue;
    const JointRig& parent_rig = rig.joints[parent];
    if (!parent_rig.branching()) {
      motion.rest_offsets[j] = parent_rig.rest_aim * motion.bone_lengths[j];
      continue;
    }
    std::vector<double> local[3];
    Matrix3d frame = Matrix3d::Identity();
    for (int f = 0; f < positions.frames; ++f) {
      const Vector3d origin = point(positions, f, parent);
      frame = branching_frame(parent_rig, origin, positions, f, frame);
      const Vector3d offset = frame.transpose() * (point(positions, f, static_cast<int>(j)) - origin);
      for (int k = 0; k < 3; ++k) local[k].push_back(offset[k]);
    }
    const Vector3d typical(median(local[0]), median(local[1]), median(local[2]));
    motion.rest_offsets[j] = typical.norm() > kTiny ? Vector3d(typical.normalized() * motion.bone_lengths[j])
                                                    : Vector3d::Zero();
  }
  for (std::size_t j = 0; j < joints; ++j)
    if (rig.joints[j].aim_child < 0 && rig.parents[j] >= 0 && motion.rest_offsets[j].norm() > kTiny)
      motion.end_sites[j] = motion.rest_offsets[j].normalized() * kEndSiteLength;
}

// One frame's rotations. Median: each joint is placed from its parent and rest offset, and aims at
// its child's given position. Exact: each joint is placed at its given position, and its offset
// from its parent on this frame is recorded in the parent's frame.
void solve_frame(const PoseSequence& positions, const SkeletonRig& rig, int frame, BoneLengths lengths,
                 std::vector<Matrix3d>& previous, SkeletonMotion& motion) {
  const std::size_t joints = rig.parents.size();
  std::vector<Vector3d> placed(joints);
  std::vector<Matrix3d> global(joints);
  for (std::size_t j = 0; j < joints; ++j) {
    const int parent = rig.parents[j];
    const Matrix3d parent_global = parent < 0 ? Matrix3d::Identity() : global[parent];
    if (parent < 0 || lengths == BoneLengths::Exact)
      placed[j] = point(positions, frame, static_cast<int>(j));
    else
      placed[j] = placed[parent] + parent_global * motion.rest_offsets[j];
    if (lengths == BoneLengths::Exact)
      motion.frame_offsets.push_back(parent < 0 ? Vector3d::Zero()
                                                : Vector3d(parent_global.transpose() * (placed[j] - placed[parent])));
    const JointRig& rig_joint = rig.joints[j];
    if (rig_joint.branching())
      global[j] = branching_frame(rig_joint, placed[j], positions, frame, previous[j]);
    else if (rig_joint.aim_child >= 0)
      global[j] = aimed_rotation(rig, positions, frame, static_cast<int>(j), placed, parent_global);
    else
      global[j] = parent_global;  // a leaf turns with its parent
    previous[j] = global[j];
    motion.local_rotations.push_back(parent_global.transpose() * global[j]);
  }
  motion.root_positions.push_back(placed[0]);
}

int joint_index(const std::vector<std::string>& names, const std::string& name, std::vector<std::string>& missing) {
  const auto it = std::find(names.begin(), names.end(), name);
  if (it == names.end()) {
    missing.push_back(name);
    return -1;
  }
  return static_cast<int>(it - names.begin());
}

}  // namespace

SkeletonRig human36m_rig(const std::vector<std::string>& joint_names, const std::vector<int>& parents) {
  SkeletonRig rig;
  rig.joint_names = joint_names;
  rig.parents = parents;
  rig.joints.assign(joint_names.size(), JointRig{});
  std::vector<std::string> missing;
  const auto index = [&](const std::string& name) { return joint_index(joint_names, name, missing); };
  // (joint, child it aims at, rest direction of that bone, rest hinge axis); +X is the body's left.
  struct Aim { const char* joint; const char* child; Vector3d aim; Vector3d hinge; };
  const Vector3d up = Vector3d::UnitY(), left = Vector3d::UnitX();
  const Aim aims[] = {
      {"right_hip", "right_knee", -up, left},     {"right_knee", "right_ankle", -up, left},
      {"left_hip", "left_knee", -up, left},       {"left_knee", "left_ankle", -up, left},
      {"spine", "thorax", up, left},              {"neck", "head", up, left},
      {"left_shoulder", "left_elbow", left, up},  {"left_elbow", "left_wrist", left, up},
      {"right_shoulder", "right_elbow", -left, up}, {"right_elbow", "right_wrist", -left, up},
  };
  for (const Aim& aim : aims) {
    const int joint = index(aim.joint), child = index(aim.child);
    if (joint < 0 || child < 0) continue;
    rig.joints[joint].aim_child = child;
    rig.joints[joint].rest_aim = aim.aim;
    rig.joints[joint].rest_hinge = aim.hinge;
  }
  struct Branch { const char* joint; const char* left; const char* right; const char* aim; };
  for (const Branch& branch : {Branch{"pelvis", "left_hip", "right_hip", "spine"},
                               Branch{"thorax", "left_shoulder", "right_shoulder", "neck"}}) {
    const int joint = index(branch.joint), l = index(branch.left), r = index(branch.right), a = index(branch.aim);
    if (joint < 0 || l < 0 || r < 0 || a < 0) continue;
    rig.joints[joint].left_child = l;
    rig.joints[joint].right_child = r;
    rig.joints[joint].aim_child = a;
  }
  if (!missing.empty())
    throw UsageError("joint rotations need the Human3.6M 17-joint skeleton; these joints are missing: " +
                     join(missing));
  if (parents.size() != joint_names.size()) throw InternalError("skeleton with unequal name and parent lists");
  for (std::size_t j = 0; j < parents.size(); ++j)
    if (parents[j] >= static_cast<int>(j) || (parents[j] < 0) != (j == 0))
      throw InternalError("skeleton joints must follow their parents, with the root first");
  for (std::size_t j = 0; j < parents.size(); ++j) {
    const JointRig& joint = rig.joints[j];
    const auto child_of_j = [&](int child) { return child >= 0 && parents[child] == static_cast<int>(j); };
    if ((joint.aim_child >= 0 && !child_of_j(joint.aim_child)) ||
        (joint.branching() && !(child_of_j(joint.left_child) && child_of_j(joint.right_child))) ||
        (joint.aim_child < 0 && child_count(rig, static_cast<int>(j)) > 0))
      throw UsageError("joint rotations need the Human3.6M 17-joint skeleton; '" + joint_names[j] +
                       "' has other children here");
  }
  return rig;
}

SkeletonMotion solve_skeleton_motion(const PoseSequence& positions, const SkeletonRig& rig, BoneLengths lengths) {
  check_positions(positions, rig);
  SkeletonMotion motion;
  motion.parents = rig.parents;
  motion.frames = positions.frames;
  motion.bone_lengths = median_bone_lengths(positions, rig);
  set_rest_pose(positions, rig, motion);
  motion.local_rotations.reserve(static_cast<std::size_t>(positions.frames) * rig.parents.size());
  std::vector<Matrix3d> previous(rig.parents.size(), Matrix3d::Identity());
  if (lengths == BoneLengths::Exact)
    motion.frame_offsets.reserve(static_cast<std::size_t>(positions.frames) * rig.parents.size());
  for (int f = 0; f < positions.frames; ++f) solve_frame(positions, rig, f, lengths, previous, motion);
  return motion;
}

PoseSequence forward_kinematics(const SkeletonMotion& motion) {
  const int joints = static_cast<int>(motion.parents.size());
  PoseSequence positions(motion.frames, joints);
  std::vector<Matrix3d> global(joints);
  std::vector<Vector3d> placed(joints);
  for (int f = 0; f < motion.frames; ++f) {
    for (int j = 0; j < joints; ++j) {
      const int parent = motion.parents[j];
      if (parent < 0) {
        placed[j] = motion.root_positions[f];
        global[j] = motion.local(f, j);
      } else {
        placed[j] = placed[parent] + global[parent] * motion.offset(f, j);
        global[j] = global[parent] * motion.local(f, j);
      }
      for (int k = 0; k < 3; ++k) positions.at(f, j, k) = static_cast<float>(placed[j][k]);
    }
  }
  return positions;
}

Eigen::Vector3d euler_degrees(const Eigen::Matrix3d& rotation, const EulerOrder& order, const Eigen::Vector3d* near) {
  constexpr double kDegrees = 180.0 / M_PI;
  const auto [i, j, k] = order;
  // +1 for the cyclic orders (XYZ, YZX, ZXY), -1 for the others.
  const double sign = (j - i + 3) % 3 == 1 ? 1.0 : -1.0;
  const double b = std::asin(std::clamp(sign * rotation(i, k), -1.0, 1.0));
  Vector3d angles;
  if (std::cos(b) > 1e-9) {
    angles = {std::atan2(-sign * rotation(j, k), rotation(k, k)), b, std::atan2(-sign * rotation(i, j), rotation(i, i))};
  } else {  // gimbal lock: the first and third angles turn about the same axis; put it all in the first
    angles = {std::atan2(sign * rotation(k, j), rotation(j, j)), b, 0.0};
  }
  angles *= kDegrees;
  if (!near) return angles;
  // The same rotation as (a + 180, 180 - b, c + 180); each angle may also move by whole turns.
  const auto closest = [&](Vector3d candidate) {
    for (int n = 0; n < 3; ++n) candidate[n] += 360.0 * std::round(((*near)[n] - candidate[n]) / 360.0);
    return candidate;
  };
  const Vector3d first = closest(angles);
  const Vector3d second = closest(Vector3d(angles[0] + 180.0, 180.0 - angles[1], angles[2] + 180.0));
  return (first - *near).squaredNorm() <= (second - *near).squaredNorm() ? first : second;
}

Eigen::Matrix3d rotation_from_euler_degrees(const Eigen::Vector3d& angles, const EulerOrder& order) {
  constexpr double kRadians = M_PI / 180.0;
  Matrix3d rotation = Matrix3d::Identity();
  for (int n = 0; n < 3; ++n)
    rotation = rotation * Eigen::AngleAxisd(angles[n] * kRadians, Vector3d::Unit(order[n])).toRotationMatrix();
  return rotation;
}

EulerOrder euler_order_for(const std::vector<Eigen::Matrix3d>& rotations) {
  // Every order's middle angle b has |sin b| = |R(first, third)|; the worst frame decides.
  const auto worst_sine = [&](const EulerOrder& order) {
    double worst = 0.0;
    for (const Matrix3d& rotation : rotations) worst = std::max(worst, std::abs(rotation(order[0], order[2])));
    return worst;
  };
  const double kNearLock = std::cos(15.0 * M_PI / 180.0);  // |sin b| above this: b within 15 degrees of +-90
  EulerOrder best = kEulerZXY;
  double best_sine = worst_sine(best);
  if (best_sine <= kNearLock) return best;
  for (const EulerOrder& order : {EulerOrder{0, 1, 2}, EulerOrder{1, 2, 0}, EulerOrder{2, 1, 0},
                                  EulerOrder{1, 0, 2}, EulerOrder{0, 2, 1}}) {
    const double sine = worst_sine(order);
    if (sine < best_sine) {
      best = order;
      best_sine = sine;
    }
  }
  return best;
}

PoseSequence rotate_points(const PoseSequence& poses, const Eigen::Matrix3d& rotation) {
  PoseSequence rotated(poses.frames, poses.joints);
  for (int f = 0; f < poses.frames; ++f)
    for (int j = 0; j < poses.joints; ++j) {
      const Vector3d turned = rotation * point(poses, f, j);
      for (int k = 0; k < 3; ++k) rotated.at(f, j, k) = static_cast<float>(turned[k]);
    }
  return rotated;
}

}  // namespace lift3d::core
