#include "core/lifter.hpp"

#include <algorithm>
#include <numeric>
#include <string>

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

}  // namespace

int time_segments(const ModelConfig& config, int frames, int threads) {
  // Each extra segment recomputes RF - 1 frames of warm-up; keep that a small fraction.
  const long long per_segment = std::max<long long>(4LL * config.receptive_field(), 256);
  return static_cast<int>(std::clamp<long long>(frames / per_segment, 1, std::max(1, threads)));
}

PoseSequence run_model(const TemporalModel& model, const KeypointSequence& seq, const FlipPairs* flip,
                       const LiftOptions& options) {
  const ModelConfig& config = model.config();
  if (seq.frames < 1) throw UsageError("cannot lift an empty sequence");
  if (seq.joints < 1 || config.input_channels % seq.joints != 0 || config.input_channels / seq.joints > seq.features)
    throw UsageError("the model expects " + std::to_string(config.input_channels) + " input values per frame, the input has " +
                     std::to_string(seq.joints) + " joints with " + std::to_string(seq.features) + " features");
  const int features = config.input_channels / seq.joints;
  const bool tta = options.flip_tta;
  if (tta && !flip) throw InternalError("flip augmentation requested without flip pairs");
  const int streams = tta ? 2 : 1;
  const int joints_out = config.joints_out;
  const bool trajectory = joints_out == 1;

  if (tta && flip->kps_left.empty())
    throw UsageError("flip augmentation needs the input's left/right keypoint lists, which are unknown; use --no-tta");
  if (tta && !trajectory && flip->joints_left.empty())
    throw UsageError("flip augmentation needs the left/right joints of the model's " + std::to_string(joints_out) +
                     "-joint skeleton, which is unknown; use --no-tta");
  const std::vector<int> kps_perm = tta ? swap_permutation(seq.joints, flip->kps_left, flip->kps_right) : std::vector<int>{};
  const std::vector<int> joint_perm = (tta && !trajectory)
                                          ? swap_permutation(joints_out, flip->joints_left, flip->joints_right)
                                          : std::vector<int>{};

  PoseSequence result(seq.frames, joints_out);
  // Output frames [begin, end) need padded input frames [begin, end + RF - 1); each segment streams
  // its own range, so segments are independent and can run on separate threads.
  const long long pad_left = config.pad_left();
  const long long rf = config.receptive_field();
  const long long frames = seq.frames;
  const int segments = time_segments(config, seq.frames, options.threads);
  // The chunk bounds the frames in flight over all streams and segments, so neither flip TTA nor
  // splitting across threads raises the memory.
  const long long chunk = std::max(1, options.chunk_frames / streams / segments);
  auto run_segment = [&](long long begin, long long end) {
    TemporalModel::Stream stream(model, streams, begin);  // begin: so every frame is computed alike
    long long produced = begin;
    Matrix input;
    const long long input_end = end + rf - 1;
    for (long long start = begin; start < input_end; start += chunk) {
      const long long n = std::min(chunk, input_end - start);
      input.resize(config.input_channels, streams * n);
      for (long long c = 0; c < n; ++c) {
        // Edge padding: padded frame p shows original frame clamp(p - pad_left).
        const int frame = static_cast<int>(std::clamp<long long>(start + c - pad_left, 0, seq.frames - 1));
        for (int j = 0; j < seq.joints; ++j)
          for (int f = 0; f < features; ++f) input(j * features + f, c) = seq.at(frame, j, f);
        if (tta) {
          for (int j = 0; j < seq.joints; ++j)
            for (int f = 0; f < features; ++f) {
              const float value = seq.at(frame, kps_perm[j], f);
              input(j * features + f, n + c) = f == 0 ? -value : value;
            }
        }
      }
      const Matrix out = stream.push(input, /*last=*/start + n == input_end);
      const Eigen::Index m = out.cols() / streams;
      for (Eigen::Index t = 0; t < m; ++t, ++produced) {
        if (produced >= end) throw InternalError("model produced more frames than the segment has");
        for (int j = 0; j < joints_out; ++j)
          for (int d = 0; d < 3; ++d) {
            float value = out(3 * j + d, t);
            if (tta) {
              const int source = trajectory ? j : joint_perm[j];
              float mirrored = out(3 * source + d, m + t);
              if (d == 0) mirrored = -mirrored;
              value = (value + mirrored) / 2.0f;  // torch.mean over the two copies, in float32
            }
            result.at(static_cast<int>(produced), j, d) = value;
          }
      }
    }
    if (produced != end)
      throw InternalError("model produced " + std::to_string(produced - begin) + " frames for " + std::to_string(end - begin));
  };

  parallel_for(segments, segments, [&](int s) { run_segment(frames * s / segments, frames * (s + 1) / segments); });
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
