// `eval` as one call: the reference's `run.py --evaluate`. Every test video
// (one camera of one recording) is lifted with edge padding and optional flip TTA, compared with
// its camera-space root-relative ground truth, and aggregated by action group.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/metrics.hpp"
#include "pipeline/checkpoint_model.hpp"
#include "pipeline/output_safety.hpp"

namespace lift3d::pipeline {

struct EvaluationRequest {
  std::string checkpoint;
  // A model already in memory (train's end-of-run evaluation); when set, `checkpoint` only names it.
  const LoadedModel* model = nullptr;
  ArchitectureHints hints;
  std::string dataset;  // "h36m" or "humaneva15"
  std::string data_3d;  // data_3d_<dataset>.npz
  std::string data_2d;  // data_2d_<dataset>_<keypoints>.npz
  std::string cameras;  // a camera file replacing the dataset's built-in tables; empty: the tables
  // Test subjects; empty: S9, S11 (Human3.6M) or Validate/S1..S3 (HumanEva-I), as run.py.
  std::vector<std::string> subjects;
  std::vector<std::string> actions;  // action prefixes as run.py -a; empty: all
  bool by_subject = false;
  // Files the caller will write with the results (reports): checked before any work never to name
  // an input or each other.
  std::vector<NamedPath> outputs;
  bool flip_tta = true;
  int downsample = 1;  // every N-th frame of each test video, as run.py --downsample
  int threads = 0;  // 0: every hardware thread
  // For the HTML report: keep each video's per-frame MPJPE, and the poses of one video to play
  // ("SUBJECT/ACTION/CAMERA"; empty: the video with the largest MPJPE).
  bool keep_video_details = false;
  std::string player_video;
  // Called after each video is evaluated, from the evaluating threads (one call at a time).
  std::function<void(int done, int total)> on_progress;
};

// One evaluated video, for the report.
struct VideoDetails {
  std::string name;  // "S9/Walking 1/0": subject, action, camera index
  std::string subject, action;
  int camera = 0;
  core::MetricErrors errors;
  std::vector<double> frame_mpjpe_mm;
};

// The video the report plays: prediction and ground truth, camera frame, root-relative, metres.
struct PlayedVideo {
  std::string name;
  PoseSequence predicted, target;
  double fps = 0.0;
};

struct EvaluationResult {
  CheckpointInfo checkpoint;
  core::EvaluationSummary overall;  // over all test subjects: what --max-mpjpe gates
  // With by_subject: one summary per test subject, in the given order (a subject without a selected
  // action has NaN averages, as run.py prints); otherwise {overall}.
  std::vector<core::EvaluationSummary> summaries;
  std::vector<std::string> joint_names;  // of the dataset's skeleton
  // With keep_video_details: every video in evaluation order, and the one to play.
  std::vector<VideoDetails> videos;
  PlayedVideo played;
};

// Throws UsageError for unknown subjects or actions that select no video, a player_video that is
// not one of the videos, InputError for files
// that do not fit each other, ModelError for a model that does not fit the dataset.
EvaluationResult run_evaluation(const EvaluationRequest& request);

}  // namespace lift3d::pipeline
