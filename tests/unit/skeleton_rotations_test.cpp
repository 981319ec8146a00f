// Joint rotations from positions: a rigid skeleton moved by known rotations comes back through
// positions -> rotations -> forward kinematics; bones of varying length keep their directions and
// take their median lengths; knees and elbows bend about their hinge axis; Euler angles round-trip.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include <Eigen/Geometry>

#include "base/joint_sets.hpp"
#include "core/skeleton_rotations.hpp"
#include "lift3d/error.hpp"

namespace lift3d::core {
namespace {

using Eigen::Matrix3d;
using Eigen::Vector3d;

const Skeleton& h36m() { return skeleton("h36m"); }
SkeletonRig rig() { return human36m_rig(h36m().joint_names, h36m().parents); }
int index_of(const std::string& name) {
  const auto& names = h36m().joint_names;
  return static_cast<int>(std::find(names.begin(), names.end(), name) - names.begin());
}

Vector3d at(const PoseSequence& poses, int f, int j) {
  return {poses.at(f, j, 0), poses.at(f, j, 1), poses.at(f, j, 2)};
}

// A plausible body in its rest frame (Y up, left +X), metres, with bones that are not all in the
// rig's T-pose directions (hips a little below the pelvis, shoulders below the neck).
std::vector<Vector3d> rest_offsets() {
  std::vector<Vector3d> offsets(17, Vector3d::Zero());
  const auto set = [&](const char* name, Vector3d offset) { offsets[index_of(name)] = offset; };
  set("right_hip", {-0.13, -0.02, 0.01});
  set("right_knee", {0, -0.45, 0});
  set("right_ankle", {0, -0.44, 0});
  set("left_hip", {0.13, -0.02, 0.01});
  set("left_knee", {0, -0.45, 0});
  set("left_ankle", {0, -0.44, 0});
  set("spine", {0.0, 0.23, -0.02});
  set("thorax", {0, 0.25, 0});
  set("neck", {0.0, 0.11, 0.03});
  set("head", {0, 0.12, 0});
  set("left_shoulder", {0.15, -0.03, 0.0});
  set("left_elbow", {0.28, 0, 0});
  set("left_wrist", {0.25, 0, 0});
  set("right_shoulder", {-0.15, -0.03, 0.0});
  set("right_elbow", {-0.28, 0, 0});
  set("right_wrist", {-0.25, 0, 0});
  return offsets;
}

Matrix3d random_rotation(std::mt19937& random, double max_degrees) {
  std::uniform_real_distribution<double> unit(-1.0, 1.0);
  const Vector3d axis = Vector3d(unit(random), unit(random), unit(random)).normalized();
  return Eigen::AngleAxisd(unit(random) * max_degrees * M_PI / 180.0, axis).toRotationMatrix();
}

// A rigid skeleton moved by random joint rotations (knees and elbows as hinges, as bodies bend).
SkeletonMotion random_rigid_motion(int frames, unsigned seed) {
  std::mt19937 random(seed);
  SkeletonMotion motion;
  motion.parents = h36m().parents;
  motion.rest_offsets = rest_offsets();
  motion.end_sites.assign(17, Vector3d::Zero());
  motion.frames = frames;
  // Bent by more than the ~14.5 degrees above which a limb's plane alone sets its twist.
  std::uniform_real_distribution<double> bend(16.0, 100.0);
  for (int f = 0; f < frames; ++f) {
    motion.root_positions.push_back(Vector3d(0.1 * f, 0.9, 3.0 + 0.05 * f));
    for (int j = 0; j < 17; ++j) {
      const std::string& name = h36m().joint_names[j];
      Matrix3d local = random_rotation(random, j == 0 ? 180.0 : 60.0);
      if (name == "right_knee" || name == "left_knee")
        local = Eigen::AngleAxisd(-bend(random) * M_PI / 180.0, Vector3d::UnitX()).toRotationMatrix();
      if (name == "left_elbow" || name == "right_elbow")
        local = Eigen::AngleAxisd((name[0] == 'l' ? -1 : 1) * bend(random) * M_PI / 180.0, Vector3d::UnitY())
                    .toRotationMatrix();
      motion.local_rotations.push_back(local);
    }
  }
  return motion;
}

double max_distance(const PoseSequence& a, const PoseSequence& b) {
  double worst = 0.0;
  for (int f = 0; f < a.frames; ++f)
    for (int j = 0; j < a.joints; ++j) worst = std::max(worst, (at(a, f, j) - at(b, f, j)).norm());
  return worst;
}

TEST(SkeletonRotations, RigidMotionRoundTripsThroughRotations) {
  const PoseSequence positions = forward_kinematics(random_rigid_motion(40, 7));
  const SkeletonMotion solved = solve_skeleton_motion(positions, rig());
  EXPECT_LT(max_distance(forward_kinematics(solved), positions), 1e-5);  // metres; float32 positions
  for (int j = 1; j < 17; ++j) EXPECT_NEAR(solved.bone_lengths[j], rest_offsets()[j].norm(), 1e-5) << j;
}

TEST(SkeletonRotations, KneesAndElbowsBendAboutTheirHingeAxis) {
  const PoseSequence positions = forward_kinematics(random_rigid_motion(20, 11));
  const SkeletonMotion solved = solve_skeleton_motion(positions, rig());
  for (const char* name : {"left_knee", "right_knee"})
    for (int f = 0; f < solved.frames; ++f)  // a pure turn about X leaves X where it was
      EXPECT_LT((solved.local(f, index_of(name)) * Vector3d::UnitX() - Vector3d::UnitX()).norm(), 1e-6) << name << f;
  for (const char* name : {"left_elbow", "right_elbow"})
    for (int f = 0; f < solved.frames; ++f)
      EXPECT_LT((solved.local(f, index_of(name)) * Vector3d::UnitY() - Vector3d::UnitY()).norm(), 1e-6) << name << f;
}

// Lifted poses: bone lengths change from frame to frame. The skeleton keeps median lengths, and
// each single bone points from where its joint was placed exactly towards the lifted child.
TEST(SkeletonRotations, VaryingBonesKeepTheirDirectionsAndTakeMedianLengths) {
  PoseSequence positions = forward_kinematics(random_rigid_motion(31, 3));
  std::mt19937 random(5);
  std::uniform_real_distribution<double> jitter(-0.01, 0.01);
  for (float& value : positions.values) value += static_cast<float>(jitter(random));
  const SkeletonMotion solved = solve_skeleton_motion(positions, rig());
  const PoseSequence placed = forward_kinematics(solved);
  const int hip = index_of("left_hip"), knee = index_of("left_knee"), ankle = index_of("left_ankle");
  std::vector<double> lengths;
  for (int f = 0; f < positions.frames; ++f) {
    lengths.push_back((at(positions, f, ankle) - at(positions, f, knee)).norm());
    const Vector3d bone = at(placed, f, ankle) - at(placed, f, knee);
    const Vector3d wanted = at(positions, f, ankle) - at(placed, f, knee);
    EXPECT_NEAR(bone.norm(), solved.bone_lengths[ankle], 1e-5);
    EXPECT_LT((bone.normalized() - wanted.normalized()).norm(), 1e-5) << f;
    EXPECT_LT((at(placed, f, knee) - at(positions, f, knee)).norm(), 0.06) << f;  // a few jitters at most
  }
  std::nth_element(lengths.begin(), lengths.begin() + 15, lengths.end());
  EXPECT_NEAR(solved.bone_lengths[ankle], lengths[15], 1e-6);
  EXPECT_GT(solved.bone_lengths[knee], 0.4);
  (void)hip;
}

// Exact bone lengths: the same jittered poses come back joint for joint; the rest pose is still the
// median skeleton, and a single bone's offset on a frame lies along its rest direction (its length
// change), so the rotations are those of the median solve's bone directions.
TEST(SkeletonRotations, ExactLengthsPlaceEveryJointWhereItWas) {
  PoseSequence positions = forward_kinematics(random_rigid_motion(31, 3));
  std::mt19937 random(5);
  std::uniform_real_distribution<double> jitter(-0.01, 0.01);
  for (float& value : positions.values) value += static_cast<float>(jitter(random));
  const SkeletonMotion median = solve_skeleton_motion(positions, rig());
  const SkeletonMotion exact = solve_skeleton_motion(positions, rig(), BoneLengths::Exact);
  EXPECT_GT(max_distance(forward_kinematics(median), positions), 0.01);  // the jitter shows in the rigid skeleton
  EXPECT_LT(max_distance(forward_kinematics(exact), positions), 1e-6);
  ASSERT_EQ(exact.frame_offsets.size(), static_cast<std::size_t>(31 * 17));
  for (int j = 0; j < 17; ++j) {
    EXPECT_LT((exact.rest_offsets[j] - median.rest_offsets[j]).norm(), 1e-12) << j;
    EXPECT_NEAR(exact.bone_lengths[j], median.bone_lengths[j], 1e-12) << j;
  }
  const int knee = index_of("left_knee"), ankle = index_of("left_ankle");
  for (int f = 0; f < positions.frames; ++f) {
    const Vector3d offset = exact.offset(f, ankle);
    EXPECT_NEAR(offset.norm(), (at(positions, f, ankle) - at(positions, f, knee)).norm(), 1e-6) << f;
    EXPECT_LT((offset.normalized() - exact.rest_offsets[ankle].normalized()).norm(), 1e-9) << f;
    EXPECT_LT((exact.offset(f, 0)).norm(), 1e-12);
  }
  EXPECT_TRUE(median.frame_offsets.empty());
}

// A straight arm has no bend plane: frame to frame its twist follows the swing from the thorax,
// so its global rotation turns only as much as the arm swings (0.05 rad a frame), never spins.
TEST(SkeletonRotations, StraightLimbDoesNotSpin) {
  SkeletonMotion motion = random_rigid_motion(10, 2);
  const int shoulder = index_of("left_shoulder");
  for (int f = 0; f < motion.frames; ++f) {
    for (int j = 0; j < 17; ++j) motion.local_rotations[f * 17 + j] = Matrix3d::Identity();
    motion.local_rotations[f * 17 + shoulder] = Eigen::AngleAxisd(0.05 * f, Vector3d::UnitZ()).toRotationMatrix();
  }
  const SkeletonMotion solved = solve_skeleton_motion(forward_kinematics(motion), rig());
  const auto global = [&](int f) {
    Matrix3d rotation = Matrix3d::Identity();
    for (int j = shoulder; j >= 0; j = solved.parents[j]) rotation = solved.local(f, j) * rotation;
    return rotation;
  };
  for (int f = 0; f + 1 < solved.frames; ++f) {
    const double turn = Eigen::AngleAxisd(global(f).transpose() * global(f + 1)).angle();
    EXPECT_NEAR(turn, 0.05, 1e-6) << f;
  }
}

const std::vector<EulerOrder> kAllOrders{{2, 0, 1}, {0, 1, 2}, {1, 2, 0}, {2, 1, 0}, {1, 0, 2}, {0, 2, 1}};

TEST(SkeletonRotations, EulerAnglesRoundTripInEveryOrderAndStayNearThePreviousAngles) {
  std::mt19937 random(1);
  for (const EulerOrder& order : kAllOrders)
    for (int i = 0; i < 200; ++i) {
      const Matrix3d rotation = random_rotation(random, 180.0);
      const Vector3d angles = euler_degrees(rotation, order);
      EXPECT_LT((rotation_from_euler_degrees(angles, order) - rotation).norm(), 1e-9);
      EXPECT_LE(std::abs(angles[1]), 90.0);
      const Vector3d near(angles[0] + 350.0, angles[1], angles[2] - 710.0);
      const Vector3d unwrapped = euler_degrees(rotation, order, &near);
      EXPECT_LT((rotation_from_euler_degrees(unwrapped, order) - rotation).norm(), 1e-9);
      EXPECT_LT((unwrapped - near).cwiseAbs().maxCoeff(), 180.0 + 1e-9);
    }
  // The order's axes: ZXY is Rz Rx Ry.
  const Vector3d zxy(30.0, 40.0, 50.0);
  const Matrix3d expected = (Eigen::AngleAxisd(30.0 * M_PI / 180, Vector3d::UnitZ()) *
                             Eigen::AngleAxisd(40.0 * M_PI / 180, Vector3d::UnitX()) *
                             Eigen::AngleAxisd(50.0 * M_PI / 180, Vector3d::UnitY()))
                                .toRotationMatrix();
  EXPECT_LT((rotation_from_euler_degrees(zxy, kEulerZXY) - expected).norm(), 1e-12);
  // Gimbal lock (middle angle 90 degrees) still gives the same rotation.
  for (const EulerOrder& order : kAllOrders) {
    const Matrix3d locked = rotation_from_euler_degrees({30.0, 90.0, 20.0}, order);
    EXPECT_LT((rotation_from_euler_degrees(euler_degrees(locked, order), order) - locked).norm(), 1e-9);
  }
}

// A knee bent 90 degrees about X is ZXY's gimbal lock: another order is chosen, whose middle angle
// stays far from 90; a joint that never comes near keeps ZXY.
TEST(SkeletonRotations, EulerOrderAvoidsGimbalLock) {
  std::vector<Matrix3d> knee, elbow;
  for (int f = 0; f <= 90; ++f) {
    knee.push_back(rotation_from_euler_degrees({0.0, f * 1.0, 3.0}, kEulerZXY));
    elbow.push_back(rotation_from_euler_degrees({-f * 1.0, 10.0, 5.0}, kEulerZXY));
  }
  EXPECT_EQ(euler_order_for(elbow), kEulerZXY);
  const EulerOrder chosen = euler_order_for(knee);
  EXPECT_NE(chosen, kEulerZXY);
  for (const Matrix3d& rotation : knee) EXPECT_LT(std::abs(euler_degrees(rotation, chosen)[1]), 75.0);
}

TEST(SkeletonRotations, RefusesWhatItCannotSolve) {
  PoseSequence positions = forward_kinematics(random_rigid_motion(3, 1));
  positions.at(1, 4, 2) = std::nanf("");
  EXPECT_THROW(solve_skeleton_motion(positions, rig()), InputError);
  EXPECT_THROW(solve_skeleton_motion(PoseSequence(0, 17), rig()), InputError);
  EXPECT_THROW(human36m_rig(skeleton("humaneva15").joint_names, skeleton("humaneva15").parents), UsageError);
}

}  // namespace
}  // namespace lift3d::core
