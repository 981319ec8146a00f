#include "pipeline/bvh_export.hpp"

#include <algorithm>
#include <cstdio>

#include "base/joint_sets.hpp"
#include "base/log.hpp"
#include "core/skeleton_rotations.hpp"
#include "lift3d/error.hpp"

namespace lift3d::pipeline {
namespace {

std::array<double, 3> scaled(const Eigen::Vector3d& metres) {
  return {metres.x() * kBvhUnitsPerMetre, metres.y() * kBvhUnitsPerMetre, metres.z() * kBvhUnitsPerMetre};
}

const Skeleton& human36m_output(const io::NamedPoses& poses, const io::PoseOutputInfo& info) {
  const Skeleton& h36m = skeleton("h36m");
  if (info.joint_names != h36m.joint_names || poses.poses.joints != h36m.num_joints())
    throw UsageError("a .bvh output needs a model that predicts the Human3.6M 17-joint skeleton; this one predicts " +
                     std::to_string(poses.poses.joints) + " joints");
  return h36m;
}

std::string frame_description(const io::PoseOutputInfo& info) {
  if (info.frame == "world")
    return "from lift3d's world frame (z up, lowest joint on the ground): BVH (x, y, z) = (x, z, -y)";
  return "from lift3d's camera frame (x right, y down, z forward): BVH (x, y, z) = (x, -y, -z)";
}

std::string root_description(const io::PoseOutputInfo& info) {
  if (info.root_relative) return "root position: the pelvis, kept at the origin (root-relative poses)";
  if (info.frame == "world") return "root position: the pelvis in the world frame";
  return "root position: the pelvis along the camera-frame trajectory";
}

std::string bones_description(const io::PoseOutputInfo& info) {
  if (info.bvh_bones == io::BvhBones::Median)
    return "bones: rigid, at their median lengths (rotation channels only below the root)";
  return "bones: every joint at its lifted position; position channels below the root hold the joint's offset "
         "from its parent on that frame, in the parent's frame (in place of OFFSET, which is the rest pose)";
}

std::vector<std::string> header_comments(const io::NamedPoses& poses, const io::PoseOutputInfo& info, double fps) {
  char rate[128];
  std::snprintf(rate, sizeof rate, "frame rate: %g fps%s", fps,
                info.fps > 0 ? "" : " (assumed: the input does not say)");
  return {"lift3d BVH: Human3.6M 17-joint skeleton" + (poses.name.empty() ? std::string() : " of " + poses.name),
          "units: centimetres; axes: Y up, right-handed; at rest the skeleton faces +Z with its left side to +X",
          frame_description(info),
          root_description(info),
          "rest pose: T-pose with the sequence's median bone lengths; rotations in degrees, applied in each joint's "
          "channel order (Zrotation Xrotation Yrotation: R = Rz Rx Ry; another order for a joint that would come near "
          "gimbal lock in that one)",
          bones_description(info),
          rate};
}

std::vector<Eigen::Matrix3d> local_rotations(const core::SkeletonMotion& motion, int joint) {
  std::vector<Eigen::Matrix3d> rotations;
  for (int f = 0; f < motion.frames; ++f) rotations.push_back(motion.local(f, joint));
  return rotations;
}

io::BvhClip clip_of(const core::SkeletonMotion& motion, const std::vector<std::string>& names) {
  io::BvhClip clip;
  clip.frames = motion.frames;
  for (std::size_t j = 0; j < names.size(); ++j)
    clip.joints.push_back({names[j], motion.parents[j], scaled(motion.rest_offsets[j]), scaled(motion.end_sites[j])});
  std::vector<core::EulerOrder> orders;
  for (std::size_t j = 0; j < names.size(); ++j) {
    orders.push_back(core::euler_order_for(local_rotations(motion, static_cast<int>(j))));
    for (int n = 0; n < 3; ++n) clip.joints[j].rotation_axes[n] = "XYZ"[orders[j][n]];
  }
  std::vector<Eigen::Vector3d> previous(names.size(), Eigen::Vector3d::Zero());
  const bool per_frame_offsets = !motion.frame_offsets.empty();
  for (int f = 0; f < motion.frames; ++f) {
    clip.root_positions.push_back(scaled(motion.root_positions[f]));
    for (std::size_t j = 0; j < names.size(); ++j) {
      const int joint = static_cast<int>(j);
      previous[j] = core::euler_degrees(motion.local(f, joint), orders[j], &previous[j]);
      clip.rotations_deg.push_back({previous[j].x(), previous[j].y(), previous[j].z()});
      if (per_frame_offsets) clip.joint_offsets.push_back(scaled(motion.offset(f, joint)));
    }
  }
  return clip;
}

void measure_distances(const PoseSequence& lifted, BvhExport& result) {
  double sum = 0.0;
  const PoseSequence& placed = result.skeleton_positions;
  for (int f = 0; f < lifted.frames; ++f)
    for (int j = 0; j < lifted.joints; ++j) {
      const Eigen::Vector3d a(lifted.at(f, j, 0), lifted.at(f, j, 1), lifted.at(f, j, 2));
      const Eigen::Vector3d b(placed.at(f, j, 0), placed.at(f, j, 1), placed.at(f, j, 2));
      const double distance = (a - b).norm();
      sum += distance;
      result.max_distance_m = std::max(result.max_distance_m, distance);
    }
  result.mean_distance_m = sum / (static_cast<double>(lifted.frames) * lifted.joints);
}

}  // namespace

Eigen::Matrix3d bvh_axes_from(const std::string& frame) {
  Eigen::Matrix3d axes;
  if (frame == "camera")
    axes << 1, 0, 0, 0, -1, 0, 0, 0, -1;
  else if (frame == "world")
    axes << 1, 0, 0, 0, 0, 1, 0, -1, 0;
  else
    throw InternalError("pose output frame '" + frame + "' is neither 'camera' nor 'world'");
  return axes;
}

BvhExport bvh_export(const io::NamedPoses& poses, const io::PoseOutputInfo& info) {
  const Skeleton& h36m = human36m_output(poses, info);
  const Eigen::Matrix3d axes = bvh_axes_from(info.frame);
  const core::SkeletonRig rig = core::human36m_rig(h36m.joint_names, h36m.parents);
  const core::BoneLengths lengths =
      info.bvh_bones == io::BvhBones::Exact ? core::BoneLengths::Exact : core::BoneLengths::Median;
  const core::SkeletonMotion motion = core::solve_skeleton_motion(core::rotate_points(poses.poses, axes), rig, lengths);
  BvhExport result;
  const double fps = info.fps > 0 ? info.fps : kBvhDefaultFps;
  result.clip = clip_of(motion, h36m.joint_names);
  result.clip.comments = header_comments(poses, info, fps);
  result.clip.frame_time_seconds = 1.0 / fps;
  result.skeleton_positions = core::rotate_points(core::forward_kinematics(motion), axes.transpose());
  measure_distances(poses.poses, result);
  return result;
}

void write_bvh_output(const std::string& path, const std::vector<io::NamedPoses>& sequences,
                      const io::PoseOutputInfo& info) {
  if (sequences.size() != 1)
    throw UsageError(path + ": a .bvh file holds one skeleton, got " + std::to_string(sequences.size()) +
                     " sequences (write one .bvh per sequence)");
  BvhExport result;
  try {
    result = bvh_export(sequences.front(), info);
  } catch (const UsageError& e) {
    rethrow_with_context(e, path);
  }
  if (!(info.fps > 0))
    logger().warn("{}: the input does not give a frame rate; the BVH plays at {:g} fps", path, kBvhDefaultFps);
  io::write_bvh_file(path, result.clip);
  if (info.bvh_bones == io::BvhBones::Exact)
    logger().info("{}: BVH of {} frames, centimetres, Y up; every joint at its lifted position (at most {:.3f} mm "
                  "off), bones stretching through position channels on every joint; rest pose: median bone lengths",
                  path, result.clip.frames, result.max_distance_m * 1000.0);
  else
    logger().info("{}: BVH of {} frames, centimetres, Y up; bones held at their median lengths put the joints "
                  "{:.1f} mm (at most {:.1f} mm) from the lifted ones (--bvh-bones exact keeps them there)",
                  path, result.clip.frames, result.mean_distance_m * 1000.0, result.max_distance_m * 1000.0);
}

}  // namespace lift3d::pipeline
