#include "pipeline/infer_report.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "base/joint_sets.hpp"
#include "io/html_report.hpp"
#include "lift3d/error.hpp"

namespace lift3d::pipeline {
namespace {

using nlohmann::json;

// Limbs of the 2D layouts, by joint name; pairs whose joints a layout lacks are left out.
const std::vector<std::pair<const char*, const char*>>& named_limbs() {
  static const std::vector<std::pair<const char*, const char*>> limbs = {
      {"nose", "left_eye"},          {"nose", "right_eye"},           {"left_eye", "left_ear"},
      {"right_eye", "right_ear"},    {"left_shoulder", "right_shoulder"}, {"left_shoulder", "left_elbow"},
      {"left_elbow", "left_wrist"},  {"right_shoulder", "right_elbow"}, {"right_elbow", "right_wrist"},
      {"left_shoulder", "left_hip"}, {"right_shoulder", "right_hip"},  {"left_hip", "right_hip"},
      {"left_hip", "left_knee"},     {"left_knee", "left_ankle"},      {"right_hip", "right_knee"},
      {"right_knee", "right_ankle"}, {"neck", "nose"},                 {"neck", "left_shoulder"},
      {"neck", "right_shoulder"}};
  return limbs;
}

json keypoint_edges(const std::vector<std::string>& names) {
  json edges = json::array();
  const Skeleton& h36m = skeleton("h36m");
  if (names == h36m.joint_names) {
    for (int j = 1; j < h36m.num_joints(); ++j) edges.push_back({h36m.parents[j], j});
    return edges;
  }
  const auto index = [&](const char* name) {
    return static_cast<int>(std::find(names.begin(), names.end(), name) - names.begin());
  };
  for (const auto& [a, b] : named_limbs()) {
    const int i = index(a), j = index(b);
    if (i < static_cast<int>(names.size()) && j < static_cast<int>(names.size())) edges.push_back({i, j});
  }
  return edges;
}

json keypoints_json(const InferenceJob& job) {
  const KeypointSequence& keypoints = job.keypoints;
  std::vector<std::string> names = job.keypoint_names;
  if (static_cast<int>(names.size()) != keypoints.joints) {
    names.clear();  // dataset inputs name no joints: points only
    for (int j = 0; j < keypoints.joints; ++j) names.push_back("joint_" + std::to_string(j));
  }
  std::vector<long long> xy;
  xy.reserve(static_cast<std::size_t>(keypoints.frames) * keypoints.joints * 2);
  for (int f = 0; f < keypoints.frames; ++f)
    for (int j = 0; j < keypoints.joints; ++j)
      for (int k = 0; k < 2; ++k) xy.push_back(std::llround(keypoints.at(f, j, k) * 1000.0));
  json out = {{"names", names}, {"edges", keypoint_edges(names)}, {"xy", xy}};
  if (job.keypoint_fill.size() == static_cast<std::size_t>(keypoints.frames) * keypoints.joints) {
    std::string fill;
    fill.reserve(job.keypoint_fill.size());
    for (std::uint8_t mark : job.keypoint_fill) fill += static_cast<char>('0' + std::min<int>(mark, 9));
    out["fill"] = fill;
  }
  return out;
}

json sequence_json(const io::NamedPoses& named, const InferenceJob* job, const io::PoseOutputInfo& info) {
  json out = {{"name", named.name},
              {"frames", named.poses.frames},
              {"fps", info.fps > 0 ? json(info.fps) : json(nullptr)},
              {"first_frame", named.first_frame},
              {"frame", info.frame},
              {"root_relative", info.root_relative}};
  json lifted = json::object();
  lifted["label"] = "lifted 3D joints";
  lifted["joints_mm"] = joints_in_mm(named.poses);
  out["skeletons"] = json::array();
  out["skeletons"].push_back(lifted);
  if (job && job->keypoints.frames == named.poses.frames) out["keypoints"] = keypoints_json(*job);
  return out;
}

}  // namespace

PlayerSkeleton player_skeleton(const std::vector<std::string>& joint_names) {
  for (const char* name : {"h36m", "humaneva15"}) {
    const Skeleton& known = skeleton(name);
    if (known.joint_names == joint_names) return {known.joint_names, known.parents};
  }
  throw UsageError("an HTML report needs a model that predicts the Human3.6M or HumanEva-I skeleton; this one "
                   "predicts " + std::to_string(joint_names.size()) + " unnamed joints");
}

std::vector<long long> joints_in_mm(const PoseSequence& poses) {
  std::vector<long long> mm;
  mm.reserve(poses.values.size());
  for (float value : poses.values) mm.push_back(std::isfinite(value) ? std::llround(value * 1000.0) : 0);
  return mm;
}

std::string infer_report_json(const std::string& input, const std::vector<io::NamedPoses>& sequences,
                              const std::vector<InferenceJob>& jobs, const io::PoseOutputInfo& info) {
  const PlayerSkeleton skeleton = player_skeleton(info.joint_names);
  json out = {{"kind", "infer"},
              {"title", "lift3d: " + std::filesystem::path(input).filename().string()},
              {"subtitle", input + " · " + std::to_string(sequences.size()) + " sequence(s) · " + info.frame +
                               " frame, metres" + (info.root_relative ? ", root-relative" : "")},
              {"skeleton", {{"names", skeleton.names}, {"parents", skeleton.parents}}},
              {"sequences", json::array()}};
  for (std::size_t s = 0; s < sequences.size(); ++s)
    out["sequences"].push_back(sequence_json(sequences[s], s < jobs.size() ? &jobs[s] : nullptr, info));
  return out.dump();
}

void write_infer_report(const std::string& path, const std::string& input, const std::vector<io::NamedPoses>& sequences,
                        const std::vector<InferenceJob>& jobs, const io::PoseOutputInfo& info) {
  std::string data;
  try {
    data = infer_report_json(input, sequences, jobs, info);
  } catch (const UsageError& e) {
    rethrow_with_context(e, path);
  }
  io::write_report_html(path, "lift3d: " + std::filesystem::path(input).filename().string(), data);
}

}  // namespace lift3d::pipeline
