#include "core/lifter.hpp"

#include <algorithm>
#include <numeric>
#include <optional>
#include <string>
#include <utility>

#include "base/memory_pages.hpp"
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

// The input frames a segment reads and no other segment does, handed back (core::return_pages)
// once the segment has read them, when the caller gives its input up (lift_consuming).
class InputRelease {
 public:
  InputRelease(KeypointSequence* input, const ModelConfig& config, long long begin, long long end)
      : input_(input), pad_left_(config.pad_left()),
        first_(begin + (config.receptive_field() - 1 - config.pad_left())), end_(end - config.pad_left()) {
    released_ = first_;
  }
  // Every padded frame before `next_padded` has been read: their input frames are not needed again.
  // Handed back in batches of at least kBatchBytes (a chunk's frames are fewer than a page's worth
  // of whole pages).
  void read_up_to(long long next_padded) {
    if (!input_) return;
    const long long upto = std::min(next_padded - pad_left_, end_);
    if (upto <= released_) return;
    const std::size_t frame_bytes = static_cast<std::size_t>(input_->joints) * input_->features * sizeof(float);
    const std::size_t bytes = static_cast<std::size_t>(upto - released_) * frame_bytes;
    if (bytes < kBatchBytes) return;
    return_pages(reinterpret_cast<char*>(input_->values.data()) + static_cast<std::size_t>(released_) * frame_bytes,
                 bytes);
    released_ = upto;
  }

 private:
  static constexpr std::size_t kBatchBytes = std::size_t{1} << 20;
  KeypointSequence* input_;  // nullptr: nothing is released
  long long pad_left_;
  long long first_, end_;  // the segment's own input frames: [first_, end_)
  long long released_;
};

// Output frames [begin, end) need padded input frames [begin, end + RF - 1), streamed in chunks,
// through every model of `runs` (they share the receptive field and chunk). A segment depends on no
// other, so segments can run on separate threads, each writing only its own frames of `results`.
void run_segment(const std::vector<const ModelRun*>& runs, long long begin, long long end,
                 const std::vector<PoseSequence*>& results, InputRelease release) {
  std::vector<TemporalModel::Stream> streams;
  std::vector<long long> produced(runs.size(), begin);
  for (const ModelRun* run : runs)
    streams.emplace_back(run->model, run->mirror.streams(), begin);  // begin: so every frame is computed alike
  Matrix input;
  const long long chunk = runs.front()->chunk;
  const long long input_end = end + runs.front()->model.config().receptive_field() - 1;
  for (long long start = begin; start < input_end; start += chunk) {
    const long long n = std::min(chunk, input_end - start);
    for (std::size_t r = 0; r < runs.size(); ++r) {
      fill_input(*runs[r], start, n, input);
      produced[r] = store_output(*runs[r], streams[r].push(input, /*last=*/start + n == input_end), produced[r], end,
                                 *results[r]);
    }
    release.read_up_to(start + n);
  }
  for (long long frames : produced)
    if (frames != end)
      throw InternalError("model produced " + std::to_string(frames - begin) + " frames for " +
                          std::to_string(end - begin));
}

ModelRun model_run(const TemporalModel& model, const KeypointSequence& seq, const FlipPairs* flip,
                   const LiftOptions& options) {
  const ModelConfig& config = model.config();
  const int features = input_features(config, seq);
  Mirror mirror = make_mirror(config, seq, flip, options.flip_tta);
  const int segments = time_segments(config, seq.frames, options.threads);
  // The chunk bounds the frames in flight over all streams and segments, so neither flip TTA nor
  // splitting across threads raises the memory.
  const long long chunk = std::max(1, options.chunk_frames / mirror.streams() / segments);
  return ModelRun{model, seq, features, std::move(mirror), chunk};
}

// The output of every run over the whole sequence, its pages touched only as frames are written.
// With `consumed`, each segment's own input frames are handed back once read.
std::vector<PoseSequence> run_models(const std::vector<const ModelRun*>& runs, const LiftOptions& options,
                                     KeypointSequence* consumed) {
  const KeypointSequence& seq = runs.front()->seq;
  const ModelConfig& config = runs.front()->model.config();
  std::vector<PoseSequence> results;
  std::vector<PoseSequence*> outputs;
  results.reserve(runs.size());
  for (const ModelRun* run : runs) {
    PoseSequence& result = results.emplace_back();
    result.frames = seq.frames;
    result.joints = run->model.config().joints_out;
    resize_untouched(result.values, static_cast<std::size_t>(result.frames) * result.joints * 3);
  }
  for (PoseSequence& result : results) outputs.push_back(&result);
  const int segments = time_segments(config, seq.frames, options.threads);
  const long long frames = seq.frames;
  parallel_for(segments, segments, [&](int s) {
    const long long begin = frames * s / segments, end = frames * (s + 1) / segments;
    run_segment(runs, begin, end, outputs, InputRelease(consumed, config, begin, end));
  });
  return results;
}

// The pose plus the trajectory (the root's position, broadcast to every joint).
PoseSequence add_root(PoseSequence poses, const PoseSequence& root) {
  for (int t = 0; t < poses.frames; ++t)
    for (int j = 0; j < poses.joints; ++j)
      for (int d = 0; d < 3; ++d) poses.at(t, j, d) += root.at(t, 0, d);
  return poses;
}

}  // namespace

int time_segments(const ModelConfig& config, int frames, int threads) {
  // Each extra segment recomputes RF - 1 frames of warm-up; keep that a small fraction.
  const long long per_segment = std::max<long long>(4LL * config.receptive_field(), 256);
  return static_cast<int>(std::clamp<long long>(frames / per_segment, 1, std::max(1, threads)));
}

PoseSequence run_model(const TemporalModel& model, const KeypointSequence& seq, const FlipPairs* flip,
                       const LiftOptions& options) {
  const ModelRun run = model_run(model, seq, flip, options);
  return std::move(run_models({&run}, options, nullptr).front());
}

PoseSequence lift(const Lifter& lifter, const KeypointSequence& normalised, const FlipPairs& flip,
                  const LiftOptions& options, bool add_trajectory) {
  PoseSequence poses = run_model(lifter.pose, normalised, &flip, options);
  if (add_trajectory && lifter.trajectory) {
    const PoseSequence root = run_model(*lifter.trajectory, normalised, &flip, options);
    poses = add_root(std::move(poses), root);
  }
  return poses;
}

PoseSequence lift_consuming(const Lifter& lifter, KeypointSequence&& normalised, const FlipPairs& flip,
                            const LiftOptions& options, bool add_trajectory) {
  const ModelRun pose = model_run(lifter.pose, normalised, &flip, options);
  std::vector<const ModelRun*> runs{&pose};
  std::optional<ModelRun> trajectory;
  if (add_trajectory && lifter.trajectory) {
    trajectory.emplace(model_run(*lifter.trajectory, normalised, &flip, options));
    // Both models read each chunk once when they cut the sequence alike; else the input must stay
    // whole for the second model, and the two run one after the other.
    const ModelConfig& a = lifter.pose.config();
    const ModelConfig& b = lifter.trajectory->config();
    if (a.receptive_field() != b.receptive_field() || a.pad_left() != b.pad_left() || pose.chunk != trajectory->chunk ||
        time_segments(a, normalised.frames, options.threads) != time_segments(b, normalised.frames, options.threads)) {
      PoseSequence poses = lift(lifter, normalised, flip, options, add_trajectory);
      normalised.values = {};
      return poses;
    }
    runs.push_back(&*trajectory);
  }
  std::vector<PoseSequence> results = run_models(runs, options, &normalised);
  normalised.values = {};
  if (results.size() == 1) return std::move(results.front());
  const PoseSequence root = std::move(results.back());
  results.pop_back();
  return add_root(std::move(results.front()), root);
}

}  // namespace lift3d::core
