// The reports of `lift3d eval`: the console table, the JSON that CI scripts read (field names are an
// interface: see README), and a Markdown table in the paper's layout.
#pragma once

#include <string>
#include <vector>

#include "core/metrics.hpp"
#include "pipeline/checkpoint_model.hpp"

namespace lift3d::app {

struct EvalReport {
  std::string dataset;    // "h36m", "humaneva15"
  std::string keypoints;  // the 2D file the predictions came from
  bool tta = true;
  bool causal = false;
  pipeline::CheckpointInfo checkpoint;
  // One summary over all test subjects (subject empty), or one per subject with --by-subject.
  std::vector<core::EvaluationSummary> summaries;
};

// Per group: MPJPE, P-MPJPE, N-MPJPE, MPJVE in mm with the videos and frames behind them; then the
// action-wise averages, rounded as run.py prints them (1 decimal, velocity 2).
std::string console_report(const EvalReport& report);
// Unrounded values; NaN (e.g. velocity of one-frame videos) becomes null.
std::string json_report(const EvalReport& report);
// Actions as columns, protocols as rows, values to one decimal (velocity two), as papers print them.
std::string markdown_report(const EvalReport& report);

// The exact text run.py prints for an average: round(np.float64(x), digits), i.e. NumPy's
// scale-round-half-even-unscale (not Python's correctly rounded round()), then repr.
std::string python_round_text(double value, int digits);

}  // namespace lift3d::app
