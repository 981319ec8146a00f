// The BVH export checked by a real importer: Blender (headless) imports the file lift3d writes for a
// lifted sequence, and the world position of every bone on every frame is within 1 mm of the lifted
// joint (exact bones, the default) or of where lift3d's rigid skeleton put it (median bones). Skipped, saying so, only when blender is not installed (CI installs it:
// scripts/setup.sh --viewers).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <unistd.h>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "base/joint_sets.hpp"
#include "core/world_frame.hpp"
#include "io/npy.hpp"
#include "pipeline/bvh_export.hpp"
#include "pipeline/inference.hpp"

namespace lift3d::pipeline {
namespace {

namespace fs = std::filesystem;

constexpr double kToleranceCm = 0.1;  // 1 mm in the file's centimetres

bool have_blender() { return std::system("command -v blender >/dev/null 2>&1") == 0; }

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("lift3d_bvh_" + std::to_string(::getpid()));
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
};

// The shipped sample (CMU mocap seen by a virtual camera, COCO keypoints) lifted by the default
// model: 500 frames of a person walking, camera frame, root-relative.
PoseSequence lifted_sample(const fs::path& dir) {
  InferenceRequest request;
  request.checkpoint = std::string(LIFT3D_SOURCE_DIR) + "/data/models/default_coco_h36m_81f.bin";
  request.inputs = {std::string(LIFT3D_SOURCE_DIR) + "/data/samples/cmu_02_06_coco.json"};
  request.output = (dir / "sample.npy").string();
  request.threads = 2;
  run_inference(request);
  const io::Array array = *io::read_npy(request.output).array;
  PoseSequence poses(static_cast<int>(array.shape[0]), static_cast<int>(array.shape[1]));
  poses.values = array.to_float();
  return poses;
}

io::PoseOutputInfo h36m_info(const std::string& frame, bool root_relative, io::BvhBones bones) {
  io::PoseOutputInfo info;
  info.bvh_bones = bones;
  info.joint_names = skeleton("h36m").joint_names;
  info.frame = frame;
  info.root_relative = root_relative;
  info.fps = 50.0;
  return info;
}

nlohmann::json blender_positions(const fs::path& bvh, const fs::path& out) {
  const std::string command = "blender -b --factory-startup --python '" + std::string(LIFT3D_TOOLS_DIR) +
                              "/check_bvh_in_blender.py' -- '" + bvh.string() + "' '" + out.string() +
                              "' >'" + out.string() + ".log' 2>&1";
  EXPECT_EQ(std::system(command.c_str()), 0) << "blender failed; see " << out << ".log";
  std::ifstream in(out);
  return nlohmann::json::parse(in);
}

// Blender's bone heads (file axes, centimetres) against `placed` (lift3d's frame, metres), every
// joint of every frame.
void expect_blender_matches(const PoseSequence& placed, const io::PoseOutputInfo& info, const nlohmann::json& blender) {
  ASSERT_EQ(blender["frames"].get<int>(), placed.frames);
  EXPECT_NEAR(blender["fps"].get<double>(), info.fps, 1e-6);
  const Eigen::Matrix3d axes = bvh_axes_from(info.frame) * kBvhUnitsPerMetre;
  const auto& bones = blender["bones"];
  ASSERT_EQ(bones.size(), info.joint_names.size());
  double worst = 0.0;
  for (std::size_t b = 0; b < bones.size(); ++b) {
    const auto name = std::find(info.joint_names.begin(), info.joint_names.end(), bones[b].get<std::string>());
    ASSERT_NE(name, info.joint_names.end()) << bones[b];
    const int joint = static_cast<int>(name - info.joint_names.begin());
    for (int f = 0; f < placed.frames; ++f) {
      const Eigen::Vector3d wanted =
          axes * Eigen::Vector3d(placed.at(f, joint, 0), placed.at(f, joint, 1), placed.at(f, joint, 2));
      const auto& head = blender["heads"][f][b];
      const Eigen::Vector3d got(head[0].get<double>(), head[1].get<double>(), head[2].get<double>());
      worst = std::max(worst, (got - wanted).norm());
      ASSERT_LT((got - wanted).norm(), kToleranceCm) << *name << " frame " << f;
    }
  }
  std::cout << "largest Blender - lift3d distance: " << worst * 10.0 << " mm\n";
}

// What the file plays is lift3d's rigid skeleton of the lifted joints: the pelvis where it was
// lifted, every bone at the median of its lifted lengths on every frame.
void expect_rigid_skeleton_of(const BvhExport& exported, const PoseSequence& lifted) {
  const PoseSequence& placed = exported.skeleton_positions;
  const auto point = [](const PoseSequence& poses, int f, int j) {
    return Eigen::Vector3d(poses.at(f, j, 0), poses.at(f, j, 1), poses.at(f, j, 2));
  };
  const std::vector<int>& parents = skeleton("h36m").parents;
  for (int j = 1; j < lifted.joints; ++j) {
    std::vector<double> lengths;
    for (int f = 0; f < lifted.frames; ++f)
      lengths.push_back((point(lifted, f, j) - point(lifted, f, parents[j])).norm());
    std::sort(lengths.begin(), lengths.end());
    const double median = 0.5 * (lengths[(lengths.size() - 1) / 2] + lengths[lengths.size() / 2]);
    for (int f = 0; f < lifted.frames; ++f)
      ASSERT_NEAR((point(placed, f, j) - point(placed, f, parents[j])).norm(), median, 1e-5) << j << " frame " << f;
  }
  for (int f = 0; f < lifted.frames; ++f) ASSERT_LT((point(placed, f, 0) - point(lifted, f, 0)).norm(), 1e-5) << f;
  std::cout << "skeleton - lifted joints: mean " << exported.mean_distance_m * 1000 << " mm, max "
            << exported.max_distance_m * 1000 << " mm (the lifted bones' length changes)\n";
}

class BvhInBlender : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!have_blender()) GTEST_SKIP() << "blender is not installed (scripts/setup.sh --viewers installs it)";
  }
};

// Exact bones: the file's joints are the lifted ones (to the 6 decimals of its centimetres).
void expect_lifted_joints(const BvhExport& exported, const PoseSequence& lifted) {
  EXPECT_LT(exported.max_distance_m, 1e-5);
  for (std::size_t k = 0; k < lifted.values.size(); ++k)
    ASSERT_NEAR(exported.skeleton_positions.values[k], lifted.values[k], 1e-5) << k;
}

// Camera frame with a root trajectory: the sample walks 1.5 m sideways and 0.5 m away.
io::NamedPoses walking_sample(const fs::path& dir) {
  io::NamedPoses named;
  named.name = "cmu_02_06";
  named.poses = lifted_sample(dir);
  for (int f = 0; f < named.poses.frames; ++f)
    for (int j = 0; j < named.poses.joints; ++j) {
      named.poses.at(f, j, 0) += 1.5f * f / named.poses.frames;
      named.poses.at(f, j, 2) += 4.0f + 0.5f * f / named.poses.frames;
    }
  return named;
}

TEST_F(BvhInBlender, ExactBonesCameraFrameWithTrajectoryPutsEveryLiftedJoint) {
  TempDir dir;
  const io::NamedPoses named = walking_sample(dir.path);
  const io::PoseOutputInfo info = h36m_info("camera", false, io::BvhBones::Exact);
  const BvhExport exported = bvh_export(named, info);
  expect_lifted_joints(exported, named.poses);
  io::write_bvh_file((dir.path / "clip.bvh").string(), exported.clip);
  expect_blender_matches(named.poses, info, blender_positions(dir.path / "clip.bvh", dir.path / "clip.json"));
}

TEST_F(BvhInBlender, ExactBonesWorldFramePutsEveryLiftedJoint) {
  TempDir dir;
  io::NamedPoses named;
  named.poses = core::reference_world_from_camera(lifted_sample(dir.path));
  const io::PoseOutputInfo info = h36m_info("world", false, io::BvhBones::Exact);
  const BvhExport exported = bvh_export(named, info);
  expect_lifted_joints(exported, named.poses);
  write_bvh_output((dir.path / "world.bvh").string(), {named}, info);
  expect_blender_matches(named.poses, info, blender_positions(dir.path / "world.bvh", dir.path / "world.json"));
}

TEST_F(BvhInBlender, MedianBonesCameraFrameWithTrajectoryMatchesTheRigidSkeleton) {
  TempDir dir;
  const io::NamedPoses named = walking_sample(dir.path);
  const io::PoseOutputInfo info = h36m_info("camera", false, io::BvhBones::Median);
  const BvhExport exported = bvh_export(named, info);
  io::write_bvh_file((dir.path / "clip.bvh").string(), exported.clip);
  expect_blender_matches(exported.skeleton_positions, info,
                         blender_positions(dir.path / "clip.bvh", dir.path / "clip.json"));
  expect_rigid_skeleton_of(exported, named.poses);
}

TEST_F(BvhInBlender, MedianBonesWorldFrameMatchesTheRigidSkeleton) {
  TempDir dir;
  io::NamedPoses named;
  named.poses = core::reference_world_from_camera(lifted_sample(dir.path));
  const io::PoseOutputInfo info = h36m_info("world", false, io::BvhBones::Median);
  const BvhExport exported = bvh_export(named, info);
  write_bvh_output((dir.path / "world.bvh").string(), {named}, info);
  expect_blender_matches(exported.skeleton_positions, info,
                         blender_positions(dir.path / "world.bvh", dir.path / "world.json"));
  expect_rigid_skeleton_of(exported, named.poses);
}

}  // namespace
}  // namespace lift3d::pipeline
