#include "pipeline/track_lifter.hpp"

#include <algorithm>
#include <numeric>

#include "base/joint_sets.hpp"
#include "base/log.hpp"
#include "base/text.hpp"
#include "core/body_fill.hpp"
#include "core/body_template.hpp"
#include "core/image_bounds.hpp"
#include "core/keypoint_hold.hpp"
#include "core/normalization.hpp"
#include "lift3d/error.hpp"
#include "pipeline/keypoint_input.hpp"

namespace lift3d::pipeline {
namespace {

using core::Matrix;

// perm[j] = the index whose values land at j after mirroring.
std::vector<int> swap_permutation(int count, const std::vector<int>& left, const std::vector<int>& right) {
  std::vector<int> perm(count);
  std::iota(perm.begin(), perm.end(), 0);
  if (left.size() != right.size()) throw InternalError("left/right joint lists differ in length");
  for (std::size_t i = 0; i < left.size(); ++i) {
    if (left[i] < 0 || left[i] >= count || right[i] < 0 || right[i] >= count)
      throw InternalError("left/right joint index out of range for " + std::to_string(count) + " joints");
    perm[left[i]] = right[i];
    perm[right[i]] = left[i];
  }
  return perm;
}

// The model's outputs for one frame, waiting for the other model's.
struct Output {
  std::vector<float> values;  // joints_out x 3, flip TTA averaged
  int padded_frames = 0;
};

// One model of a track: its stream of 1 or 2 copies (plain, mirrored for flip TTA) fed one frame at
// a time, as core::run_model feeds a whole sequence (same input columns, same averaging).
class ModelStream {
 public:
  ModelStream(const core::TemporalModel& model, const StreamModel& shared, int joints_in)
      : model_(model),
        tta_(shared.flip_tta),
        trajectory_(model.config().joints_out == 1),
        stream_(model, shared.flip_tta ? 2 : 1),
        joints_in_(joints_in) {
    const core::ModelConfig& config = model.config();
    pad_left_ = config.pad_left();
    pad_right_ = config.pad_right();
    if (shared.max_delay && *shared.max_delay < pad_right_) max_delay_ = *shared.max_delay;
    if (!tta_) return;
    keypoint_perm_ = swap_permutation(joints_in, shared.flip.kps_left, shared.flip.kps_right);
    if (!trajectory_) joint_perm_ = swap_permutation(config.joints_out, shared.flip.joints_left, shared.flip.joints_right);
  }

  int delay() const { return max_delay_ ? *max_delay_ : pad_right_; }

  // Frame `index` of the track (normalised x, y per keypoint) arrives: outputs now ready go to `ready`.
  void advance(const std::vector<float>& xy, long long index, std::map<long long, Output>& ready) {
    const int copies = index == 0 ? pad_left_ + 1 : 1;  // the first frame also fills the left edge padding
    // `last`: emit every output whose inputs are in, so none waits for a later frame (the stream
    // computes a held-back output by the same steps either way).
    collect(stream_.push(input(xy, copies), /*last=*/true), produced_, index, ready);
    if (!max_delay_ || index - *max_delay_ < 0 || index - *max_delay_ <= delivered_) return;
    // The frame max_delay frames back, its remaining future edge-padded on a copy of the stream.
    core::TemporalModel::Stream probe = stream_;
    long long probe_produced = produced_;
    const core::Matrix out = probe.push(input(xy, pad_right_ - *max_delay_), /*last=*/true);
    collect(out, probe_produced, index, ready);
  }

  // No more frames: the last one repeated as the right edge padding.
  void finish(const std::vector<float>& last_xy, long long newest, std::map<long long, Output>& ready) {
    if (pad_right_ > 0) collect(stream_.push(input(last_xy, pad_right_), /*last=*/true), produced_, newest, ready);
  }

 private:
  Matrix input(const std::vector<float>& xy, int copies) const {
    const int streams = tta_ ? 2 : 1;
    Matrix columns(model_.config().input_channels, static_cast<Eigen::Index>(streams) * copies);
    for (int c = 0; c < copies; ++c) {
      for (int j = 0; j < joints_in_; ++j)
        for (int f = 0; f < 2; ++f) columns(j * 2 + f, c) = xy[j * 2 + f];
      if (!tta_) continue;
      for (int j = 0; j < joints_in_; ++j)
        for (int f = 0; f < 2; ++f) {
          const float value = xy[keypoint_perm_[j] * 2 + f];
          columns(j * 2 + f, copies + c) = f == 0 ? -value : value;
        }
    }
    return columns;
  }

  // Outputs of one push, from frame `produced` on; frames already delivered are dropped.
  void collect(const Matrix& out, long long& produced, long long newest, std::map<long long, Output>& ready) {
    const int joints_out = model_.config().joints_out;
    const Eigen::Index m = out.cols() / (tta_ ? 2 : 1);
    for (Eigen::Index t = 0; t < m; ++t, ++produced) {
      if (produced <= delivered_) continue;
      Output& output = ready[produced];
      output.padded_frames = static_cast<int>(std::max<long long>(0, produced + pad_right_ - newest));
      output.values.resize(static_cast<std::size_t>(joints_out) * 3);
      for (int j = 0; j < joints_out; ++j)
        for (int d = 0; d < 3; ++d) {
          float value = out(3 * j + d, t);
          if (tta_) {
            const int source = trajectory_ ? j : joint_perm_[j];
            float mirrored = out(3 * source + d, m + t);
            if (d == 0) mirrored = -mirrored;
            value = (value + mirrored) / 2.0f;  // as core::run_model averages, in float32
          }
          output.values[static_cast<std::size_t>(j) * 3 + d] = value;
        }
      delivered_ = produced;
    }
  }

  const core::TemporalModel& model_;
  bool tta_, trajectory_;
  core::TemporalModel::Stream stream_;
  int joints_in_;
  int pad_left_ = 0, pad_right_ = 0;
  std::optional<int> max_delay_;
  std::vector<int> keypoint_perm_, joint_perm_;
  long long produced_ = 0;    // outputs of stream_ so far
  long long delivered_ = -1;  // the last frame put in `ready`
};

// A frame waiting for its 3D.
struct Pending {
  long long frame = 0;
  std::vector<int> filled;
};

}  // namespace

int stream_delay_frames(const StreamModel& model) {
  auto delay = [&](const core::ModelConfig& config) {
    return model.max_delay ? std::min(*model.max_delay, config.pad_right()) : config.pad_right();
  };
  int frames = delay(model.lifter->pose.config());
  if (model.add_trajectory && model.lifter->trajectory) frames = std::max(frames, delay(model.lifter->trajectory->config()));
  return frames;
}

struct TrackLifter::State {
  const StreamModel& model;
  std::string source;
  int joints_in;
  core::KeypointHold hold;
  ModelStream pose;
  std::optional<ModelStream> trajectory;
  std::map<long long, Output> pose_ready, trajectory_ready;
  std::deque<Pending> pending;  // frames pushed and not yet lifted; the first is frame `first_pending`
  long long first_pending = 0;
  long long next_index = 0;
  long long last_frame = -1;
  std::vector<float> last_xy;
  // What was filled, for the warnings: each joint is named the first time it is held or placed,
  // and the totals are given when the track ends.
  std::vector<bool> named_held, named_placed;
  long long held_total = 0, placed_total = 0;

  State(const StreamModel& shared, std::string name)
      : model(shared),
        source(std::move(name)),
        joints_in(keypoint_layout(shared.layout).num_joints()),
        hold(joints_in),
        pose(shared.lifter->pose, shared, joints_in),
        named_held(joints_in, false),
        named_placed(joints_in, false) {
    if (shared.add_trajectory && shared.lifter->trajectory) trajectory.emplace(*shared.lifter->trajectory, shared, joints_in);
  }

  // Held positions for joints seen before; joints never seen yet placed from the body model fitted
  // to this frame's other joints (infer's rule for joints a sequence never shows).
  std::vector<int> fill_missing(KeypointSequence& keypoints, core::HoldResult& held) {
    held = hold.apply(keypoints, model.min_score);
    std::vector<int> filled = held.held;
    if (held.never_seen.empty()) return filled;
    if (static_cast<int>(held.never_seen.size()) == joints_in)
      throw InputError(source + ": no usable keypoint in this frame and none seen before");
    if (!core::body_template(model.layout))
      throw InputError(source + ": " + std::to_string(held.never_seen.size()) +
                       " keypoint(s) not seen yet, and the '" + model.layout + "' layout has no body model to place them");
    core::BodyFillOptions body;
    body.layout = model.layout;
    body.min_score = model.min_score;
    body.joints = held.never_seen;
    body.source = source;
    core::fill_from_body_template(keypoints, body);
    filled.insert(filled.end(), held.never_seen.begin(), held.never_seen.end());
    std::sort(filled.begin(), filled.end());
    return filled;
  }

  // Once the frame is accepted: counts, and a warning for each joint filled for the first time.
  void report_filled(const core::HoldResult& held, const std::vector<int>& filled, long long frame) {
    const std::vector<std::string>& names = keypoint_layout(model.layout).joint_names;
    std::vector<std::string> newly_held, newly_placed;
    for (int j : filled) {
      const bool was_held = std::find(held.held.begin(), held.held.end(), j) != held.held.end();
      std::vector<bool>& named = was_held ? named_held : named_placed;
      (was_held ? held_total : placed_total) += 1;
      if (named[j]) continue;
      named[j] = true;
      (was_held ? newly_held : newly_placed).push_back(names.at(j));
    }
    if (!newly_held.empty())
      logger().warn("{}: frame {}: {} not observed: held at the last position seen (listed in the output's "
                    "\"filled\"; each joint is named once)",
                    source, frame, join(newly_held));
    if (!newly_placed.empty())
      logger().warn("{}: frame {}: {} not seen yet: placed from the body model fitted to this frame's joints (listed "
                    "in the output's \"filled\"; each joint is named once)",
                    source, frame, join(newly_placed));
  }

  std::vector<LiftedFrame> lifted(bool flushing) {
    std::vector<LiftedFrame> frames;
    const long long newest = next_index - 1;
    while (!pending.empty()) {
      auto pose_output = pose_ready.find(first_pending);
      auto root_output = trajectory ? trajectory_ready.find(first_pending) : trajectory_ready.end();
      if (pose_output == pose_ready.end() || (trajectory && root_output == trajectory_ready.end())) break;
      LiftedFrame frame;
      frame.frame = pending.front().frame;
      frame.filled = std::move(pending.front().filled);
      frame.delay_frames = static_cast<int>(newest - first_pending);
      frame.padded_frames = pose_output->second.padded_frames;
      frame.positions = std::move(pose_output->second.values);
      if (trajectory) {
        const std::vector<float>& root = root_output->second.values;
        for (std::size_t j = 0; j < frame.positions.size() / 3; ++j)
          for (int d = 0; d < 3; ++d) frame.positions[j * 3 + d] += root[d];
        frame.padded_frames = std::max(frame.padded_frames, root_output->second.padded_frames);
        trajectory_ready.erase(root_output);
      }
      pose_ready.erase(pose_output);
      pending.pop_front();
      ++first_pending;
      frames.push_back(std::move(frame));
    }
    if (flushing && !pending.empty())
      throw InternalError(source + ": " + std::to_string(pending.size()) + " frame(s) not lifted at the end");
    return frames;
  }
};

TrackLifter::TrackLifter(const StreamModel& model, std::string source)
    : state_(std::make_unique<State>(model, std::move(source))) {}
TrackLifter::~TrackLifter() = default;
TrackLifter::TrackLifter(TrackLifter&&) noexcept = default;

bool TrackLifter::started() const { return state_->next_index > 0; }
long long TrackLifter::last_frame() const { return state_->last_frame; }

std::vector<LiftedFrame> TrackLifter::push(long long frame, KeypointSequence keypoints) {
  State& s = *state_;
  if (keypoints.frames != 1 || keypoints.joints != s.joints_in || keypoints.features != 3)
    throw InternalError(s.source + ": a streamed frame must be 1 x " + std::to_string(s.joints_in) + " x 3");
  core::drop_keypoints_off_image(keypoints, s.model.width, s.model.height, s.model.min_score, s.source);
  // The hold remembers positions: work on a copy so that a refused frame leaves the track as it was.
  core::KeypointHold hold_before = s.hold;
  std::vector<int> filled;
  core::HoldResult held;
  try {
    filled = s.fill_missing(keypoints, held);
  } catch (const Error&) {
    s.hold = std::move(hold_before);
    throw;
  }
  s.report_filled(held, filled, frame);
  const KeypointSequence normalised = core::normalize_screen_coordinates(xy_only(keypoints), s.model.width, s.model.height);
  s.last_xy = normalised.values;
  const long long index = s.next_index++;
  s.last_frame = frame;
  s.pending.push_back({frame, std::move(filled)});
  s.pose.advance(s.last_xy, index, s.pose_ready);
  if (s.trajectory) s.trajectory->advance(s.last_xy, index, s.trajectory_ready);
  return s.lifted(false);
}

std::vector<LiftedFrame> TrackLifter::finish() {
  State& s = *state_;
  if (!started()) return {};
  const long long newest = s.next_index - 1;
  if (s.held_total + s.placed_total > 0)
    logger().warn("{}: filled {} of {} keypoint positions ({} held at the last position seen, {} placed from the body "
                  "model)",
                  s.source, s.held_total + s.placed_total, s.next_index * s.joints_in, s.held_total, s.placed_total);
  s.pose.finish(s.last_xy, newest, s.pose_ready);
  if (s.trajectory) s.trajectory->finish(s.last_xy, newest, s.trajectory_ready);
  return s.lifted(true);
}

}  // namespace lift3d::pipeline
