// `infer --output clip.html`: the lifted sequences of one input as a self-contained HTML player
// (io/html_report.hpp): the 3D skeleton (rotate, zoom, frame slider, play/pause) beside the 2D
// keypoints it was lifted from, keypoints that were interpolated or placed from the body model
// marked, one sequence at a time (a chooser when there are several).
//
// Data kept small for long sequences: 3D joints as integer millimetres, 2D keypoints as integers
// in thousandths of the normalised image coordinates (x in [-1, 1]), fill marks as one digit per
// keypoint (0 observed, 1 interpolated, 2 from the body model) in one string per sequence.
#pragma once

#include <string>
#include <vector>

#include "io/pose_output.hpp"
#include "pipeline/inference_jobs.hpp"

namespace lift3d::pipeline {

// The JSON the page reads (kind "infer"); `jobs[i]` gave `sequences[i]`.
std::string infer_report_json(const std::string& input, const std::vector<io::NamedPoses>& sequences,
                              const std::vector<InferenceJob>& jobs, const io::PoseOutputInfo& info);

void write_infer_report(const std::string& path, const std::string& input, const std::vector<io::NamedPoses>& sequences,
                        const std::vector<InferenceJob>& jobs, const io::PoseOutputInfo& info);

// Shared with the evaluation report: the output skeleton for the player, and joints in integer
// millimetres (frames x joints x 3, flat).
struct PlayerSkeleton {
  std::vector<std::string> names;
  std::vector<int> parents;
};
PlayerSkeleton player_skeleton(const std::vector<std::string>& joint_names);
std::vector<long long> joints_in_mm(const PoseSequence& poses);

}  // namespace lift3d::pipeline
