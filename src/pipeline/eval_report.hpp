// `eval --report-html report.html`: the evaluation as a self-contained HTML page
// (io/html_report.hpp): the per-action table and a bar chart of MPJPE / P-MPJPE per action (per
// subject with --by-subject), each video's MPJPE over time, the worst videos and frames, and a
// player of prediction and ground truth together for one video (the worst, or the one chosen).
//
// Size: curves are averaged into at most kCurvePoints points per video (0.1 mm), so a full
// Human3.6M test set stays a few hundred kB; the played video is integer millimetres.
#pragma once

#include <string>

#include "pipeline/evaluation.hpp"

namespace lift3d::pipeline {

constexpr int kCurvePoints = 400;
constexpr int kWorstVideos = 10;
constexpr int kWorstFrames = 20;

struct EvalReportHeader {
  std::string dataset;     // "h36m"
  std::string keypoints;   // the 2D file
  std::string checkpoint;  // path
  bool tta = true;
};

// Needs the result of a run with keep_video_details.
std::string eval_report_json(const EvalReportHeader& header, const EvaluationResult& result);
void write_eval_report(const std::string& path, const EvalReportHeader& header, const EvaluationResult& result);

}  // namespace lift3d::pipeline
