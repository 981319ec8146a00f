// The four errors VideoPose3D reports (the reference's common/loss.py) and the way its evaluation loop
// aggregates them over videos and action groups (run.py's evaluation loop).
//
// Inputs are PoseSequences in metres, frames x joints x 3, prediction and ground truth of the same
// video with the same shape; every joint counts, the root included. Results are in millimetres.
//
// Precision: the reference computes one video's errors in float32 (torch for MPJPE and N-MPJPE,
// NumPy, its SVD included, for P-MPJPE and the velocity error) and accumulates over
// videos in float64. Here every per-video error is computed in float64 from the float32 inputs, so
// it is the value the reference approximates; the two differ by float32 rounding (relative ~1e-7,
// about 1e-5 mm on a 50 mm error), far below the 0.001 mm the evaluation reports need and of the
// order of the reference's own run-to-run jitter. Aggregation follows the reference operation by
// operation in float64, including NumPy's pairwise summation for the mean over groups.
#pragma once

#include <string>
#include <vector>

#include "lift3d/sequence.hpp"

namespace lift3d::core {

// One video's errors, in millimetres.
struct MetricErrors {
  double mpjpe_mm = 0.0;    // Protocol #1: mean Euclidean joint error
  double p_mpjpe_mm = 0.0;  // Protocol #2: after per-frame similarity (Procrustes) alignment
  double n_mpjpe_mm = 0.0;  // Protocol #3: after per-frame scale alignment
  double mpjve_mm = 0.0;    // velocity error, per frame (not per second)
};

// Every function below throws UsageError when the two sequences differ in shape and InputError when
// they have no frame or no joint. Non-finite inputs propagate as NaN results.

// Mean over frames and joints of |p - g| (loss.py mpjpe).
double mpjpe_mm(const PoseSequence& predicted, const PoseSequence& target);

// MPJPE after aligning each predicted frame to its target by the similarity transform (scale,
// rotation, translation) that minimises the squared error: orthogonal Procrustes via the SVD of the
// 3x3 cross-covariance of the centred, norm-scaled poses, with the reference's reflection fix (the
// sign of det R flips the last column of V and the last singular value), aligned = a * p R + t in
// the row-vector convention (loss.py p_mpjpe; Umeyama 1991).
// A frame whose target or prediction is a single point (zero spread) has no rotation to estimate;
// the reference then divides by zero (and NumPy's SVD fails on the NaNs). Here such a frame takes
// the limit of the alignment instead: the prediction collapses onto the target's centroid, so its
// error is the target's mean distance from its own centroid (0 when the target is a point).
double p_mpjpe_mm(const PoseSequence& predicted, const PoseSequence& target);

// MPJPE after scaling each predicted frame by s = sum_j <g_j, p_j> / sum_j |p_j|^2, the scale
// that minimises the squared error; no centring or rotation (loss.py n_mpjpe). A frame whose
// prediction is all zeros gets s = 0 (any scale leaves it at zero); the reference yields NaN there.
double n_mpjpe_mm(const PoseSequence& predicted, const PoseSequence& target);

// Mean over the frames-1 consecutive-frame differences and the joints of |dp - dg|
// (loss.py mean_velocity_error). NaN for a single-frame video, as in the reference.
double mpjve_mm(const PoseSequence& predicted, const PoseSequence& target);

// All four at once.
MetricErrors sequence_errors(const PoseSequence& predicted, const PoseSequence& target);

// --- Aggregation -------------------------------------------------------------------------------

// One evaluated video: one camera of one (subject, action) sequence.
struct SequenceResult {
  std::string subject;   // "S9", "Validate/S1"
  std::string action;    // as named in the dataset: "Walking 1", "Walking 1 chunk0"
  long long frames = 0;  // the video's weight: frames evaluated (after any downsampling)
  MetricErrors errors;
};

// One action group: every video whose action name starts with `name` followed by a space or end.
struct GroupErrors {
  std::string name;      // "Walking"
  long long frames = 0;  // total over the group's videos
  int videos = 0;
  MetricErrors errors;  // frame-weighted mean over the group's videos
};

struct EvaluationSummary {
  std::string subject;              // empty for the summary over all subjects
  std::vector<GroupErrors> groups;  // in order of first appearance
  MetricErrors average;             // unweighted mean over `groups`; NaN when there is none
};

// The action group of an action name: its text before the first space ("Walking 1" -> "Walking",
// "Walking 1 chunk0" -> "Walking", "Eating" -> "Eating").
std::string action_group(const std::string& action);

// True when `name` starts with one of `prefixes`, or when `prefixes` is empty (the reference's
// `-a '*'`). This is a prefix test: "Walk" selects Walking, WalkDog and WalkTogether.
bool matches_action_filter(const std::string& name, const std::vector<std::string>& prefixes);

// Collects per-video results and reproduces run.py's final report. Results must be added in the
// order the reference evaluates them (test subjects in the given order, each subject's actions in
// dataset order, cameras in index order): group order and the order of the floating-point sums
// follow the insertion order, exactly as the reference's dictionaries and loops do.
class Aggregator {
 public:
  // Throws UsageError when `result.frames` < 1.
  void add(SequenceResult result);
  const std::vector<SequenceResult>& results() const { return results_; }

  // Groups over all subjects; only groups whose name passes `action_filter` (run_evaluation).
  EvaluationSummary summary(const std::vector<std::string>& action_filter = {}) const;
  // One summary per subject, in order of first appearance (--by-subject).
  std::vector<EvaluationSummary> summaries_by_subject(
      const std::vector<std::string>& action_filter = {}) const;

 private:
  EvaluationSummary summarise(const std::string& subject,
                              const std::vector<std::string>& action_filter) const;
  std::vector<SequenceResult> results_;
};

// NumPy's np.mean of a float64 vector, bit for bit: pairwise summation (8-way unrolled blocks of
// up to 128 values) divided by the count. NaN for an empty vector.
double numpy_mean(const std::vector<double>& values);

}  // namespace lift3d::core
