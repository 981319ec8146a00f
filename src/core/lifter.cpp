#include "core/lifter.hpp"

#include <algorithm>
#include <numeric>
#include <string>
#include <utility>

#include "core/parallel.hpp"
#include "lift3d/error.hpp"

namespace lift3d::core {
namespace {

// perm[j] = the index whose values land at j after mirroring (a true swap of the two lists).
std::vector<int> swap_permutation(int count, const std::vector<int>& left, const std::vector<int>& right) {
  std::vector<int> perm(count);
  std::iota(perm.begin(), perm.end(), 0);
  // Lists from files are checked where they are read; here a bad list is a bug.
  if (left.size() != right.size()) throw InternalError("left/right joint lists differ in length");
  for (std::size_t i = 0; i < left.size(); ++i) {
    if (left[i] < 0 || left[i] >= count || right[i] < 0 || right[i] >= count)
      throw InternalError("left/right joint index out of range for " + std::to_string(count) + " joints");
    perm[left[i]] = right[i];
    perm[right[i]] = left[i];
  }
  return perm;
}

// The values per joint that the model reads from each frame (the first ones of each joint's
// features). Throws UsageError when the sequence is empty or does not fit the model's input.
int input_features(const ModelConfig& config, const KeypointSequence& seq) {
  if (seq.frames < 1) throw UsageError("cannot lift an empty sequence");
  if (seq.joints < 1 || config.input_channels % seq.joints != 0 || config.input_channels / seq.joints > seq.features)
    throw UsageError("the model expects " + std::to_string(config.input_channels) + " input values per frame, the input has " +
                     std::to_string(seq.joints) + " joints with " + std::to_string(seq.features) + " features");
  return config.input_channels / seq.joints;
}

// Flip test-time augmentation: a mirrored copy of the input (x negated, left and right keypoints
// swapped) runs as a second stream, and its output, mirrored back, is averaged with the plain one.
struct Mirror {
  bool enabled = false;
  bool trajectory = false;     // a trajectory model (one output joint): mirrored in x only, never joint-swapped
  std::vector<int> keypoints;  // the mirrored input's keypoint j is the input's keypoints[j]
  std::vector<int> joints;     // the plain output's joint j is averaged with the mirrored output's joints[j]
  int streams() const { return enabled ? 2 : 1; }
};

Mirror make_mirror(const ModelConfig& config, const KeypointSequence& seq, const FlipPairs* flip, bool flip_tta) {
  Mirror mirror;
  mirror.enabled = flip_tta;
  mirror.trajectory = config.joints_out == 1;
  if (!flip_tta) return mirror;
  if (!flip) throw InternalError("flip augmentation requested without flip pairs");
  if (flip->kps_left.empty())
    throw UsageError("flip augmentation needs the input's left/right keypoint lists, which are unknown; use --no-tta");
  if (!mirror.trajectory && flip->joints_left.empty())
    throw UsageError("flip augmentation needs the left/right joints of the model's " + std::to_string(config.joints_out) +
                     "-joint skeleton, which is unknown; use --no-tta");
  mirror.keypoints = swap_permutation(seq.joints, flip->kps_left, flip->kps_right);
  if (!mirror.trajectory) mirror.joints = swap_permutation(config.joints_out, flip->joints_left, flip->joints_right);
  return mirror;
}

// What every time segment of one run_model call shares.
struct ModelRun {
  const TemporalModel& model;
  const KeypointSequence& seq;
  int features;    // see input_features
  Mirror mirror;
  long long chunk;  // input frames per push, per stream
};

// The model input for padded frames [start, start + n): column c is the plain copy of padded frame
// start + c, column n + c its mirrored copy under flip TTA. Edge padding: padded frame p shows
// original frame clamp(p - pad_left).
void fill_input(const ModelRun& run, long long start, long long n, Matrix& input) {
  const KeypointSequence& seq = run.seq;
  const int features = run.features;
  const long long pad_left = run.model.config().pad_left();
  input.resize(run.model.config().input_channels, run.mirror.streams() * n);
  for (long long c = 0; c < n; ++c) {
    const int frame = static_cast<int>(std::clamp<long long>(start + c - pad_left, 0, seq.frames - 1));
    for (int j = 0; j < seq.joints; ++j)
      for (int f = 0; f < features; ++f) input(j * features + f, c) = seq.at(frame, j, f);
    if (!run.mirror.enabled) continue;
    for (int j = 0; j < seq.joints; ++j)
      for (int f = 0; f < features; ++f) {
        const float value = seq.at(frame, run.mirror.keypoints[j], f);
        input(j * features + f, n + c) = f == 0 ? -value : value;
      }
  }
}

// Writes the frames of one push's output `out` (m columns per stream) to `result` from frame
// `produced` on, averaging the plain and the mirrored-back copy under flip TTA. Returns the next
// frame to write; the segment ends at `end`.
long long store_output(const ModelRun& run, const Matrix& out, long long produced, long long end, PoseSequence& result) {
  const int joints_out = run.model.config().joints_out;
  const Mirror& mirror = run.mirror;
  const Eigen::Index m = out.cols() / mirror.streams();
  for (Eigen::Index t = 0; t < m; ++t, ++produced) {
    if (produced >= end) throw InternalError("model produced more frames than the segment has");
    for (int j = 0; j < joints_out; ++j)
      for (int d = 0; d < 3; ++d) {
        float value = out(3 * j + d, t);
        if (mirror.enabled) {
          const int source = mirror.trajectory ? j : mirror.joints[j];
          float mirrored = out(3 * source + d, m + t);
          if (d == 0) mirrored = -mirrored;
          value = (value + mirrored) / 2.0f;  // torch.mean over the two copies, in float32
        }
        result.at(static_cast<int>(produced), j, d) = value;
      }
  }
  return produced;
}

// Output frames [begin, end) need padded input frames [begin, end + RF - 1), streamed in chunks.
// A segment depends on no other, so segments can run on separate threads, each writing only its
// own frames of `result`.
void run_segment(const ModelRun& run, long long begin, long long end, PoseSequence& result) {
  TemporalModel::Stream stream(run.model, run.mirror.streams(), begin);  // begin: so every frame is computed alike
  long long produced = begin;
  Matrix input;
  const long long input_end = end + run.model.config().receptive_field() - 1;
  for (long long start = begin; start < input_end; start += run.chunk) {
    const long long n = std::min(run.chunk, input_end - start);
    fill_input(run, start, n, input);
    produced = store_output(run, stream.push(input, /*last=*/start + n == input_end), produced, end, result);
  }
  if (produced != end)
    throw InternalError("model produced " + std::to_string(produced - begin) + " frames for " + std::to_string(end - begin));
}

}  // namespace

int time_segments(const ModelConfig& config, int frames, int threads) {
  // Each extra segment recomputes RF - 1 frames of warm-up; keep that a small fraction.
  const long long per_segment = std::max<long long>(4LL * config.receptive_field(), 256);
  return static_cast<int>(std::clamp<long long>(frames / per_segment, 1, std::max(1, threads)));
}

PoseSequence run_model(const TemporalModel& model, const KeypointSequence& seq, const FlipPairs* flip,
                       const LiftOptions& options) {
  const ModelConfig& config = model.config();
  const int features = input_features(config, seq);
  Mirror mirror = make_mirror(config, seq, flip, options.flip_tta);
  const int segments = time_segments(config, seq.frames, options.threads);
  // The chunk bounds the frames in flight over all streams and segments, so neither flip TTA nor
  // splitting across threads raises the memory.
  const long long chunk = std::max(1, options.chunk_frames / mirror.streams() / segments);
  const ModelRun run{model, seq, features, std::move(mirror), chunk};
  PoseSequence result(seq.frames, config.joints_out);
  const long long frames = seq.frames;
  parallel_for(segments, segments, [&](int s) {
    run_segment(run, frames * s / segments, frames * (s + 1) / segments, result);
  });
  return result;
}

PoseSequence lift(const Lifter& lifter, const KeypointSequence& normalised, const FlipPairs& flip,
                  const LiftOptions& options, bool add_trajectory) {
  PoseSequence poses = run_model(lifter.pose, normalised, &flip, options);
  if (add_trajectory && lifter.trajectory) {
    const PoseSequence root = run_model(*lifter.trajectory, normalised, &flip, options);
    for (int t = 0; t < poses.frames; ++t)
      for (int j = 0; j < poses.joints; ++j)
        for (int d = 0; d < 3; ++d) poses.at(t, j, d) += root.at(t, 0, d);
  }
  return poses;
}

}  // namespace lift3d::core
