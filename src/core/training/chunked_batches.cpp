#include "core/training/chunked_batches.hpp"

#include <algorithm>

#include "lift3d/error.hpp"

namespace lift3d::core::training {

ChunkedBatches::ChunkedBatches(const std::vector<KeypointSequence>& keypoints, const std::vector<PoseSequence>& poses,
                               int batch_size, int pad, bool causal, bool augment, FlipLists flip, std::uint32_t seed,
                               std::vector<Intrinsics> cameras, int chunk_length)
    : keypoints_(keypoints), poses_(poses), cameras_(std::move(cameras)), batch_size_(batch_size), pad_(pad),
      chunk_length_(chunk_length), causal_(causal), flip_(std::move(flip)), random_(seed) {
  if (chunk_length < 1) throw InternalError("training batches: chunk length below 1");
  if (!poses.empty() && keypoints.size() != poses.size())
    throw InternalError("training batches: one 3D sequence per 2D sequence expected");
  if (!cameras_.empty() && cameras_.size() != keypoints.size())
    throw InternalError("training batches: one camera per 2D sequence expected");
  if (batch_size < 1) throw InternalError("training batches: batch size below 1");
  for (std::size_t v = 0; v < keypoints.size(); ++v) {
    if (!poses.empty() && keypoints[v].frames != poses[v].frames)
      throw InternalError("training batches: 2D and 3D of a video differ in length");
    // ceil(n / L) chunks of L frames, the overhang split before and after the video (the smaller half
    // before); the flipped copies follow the video's plain ones.
    const int frames = keypoints[v].frames, chunks = (frames + chunk_length - 1) / chunk_length;
    const int offset = (chunks * chunk_length - frames) / 2;
    for (const bool flipped : {false, true}) {
      if (flipped && !augment) break;
      for (int c = 0; c < chunks; ++c) examples_.push_back({static_cast<int>(v), c * chunk_length - offset, flipped});
    }
  }
  if (examples_.empty()) throw InternalError("training batches: no training frames");
  order_ = examples_;
}

int ChunkedBatches::batches_per_epoch() const {
  return static_cast<int>((examples_.size() + batch_size_ - 1) / batch_size_);
}

void ChunkedBatches::start_epoch() {
  order_ = examples_;
  random_.shuffle(order_);
}

Batch ChunkedBatches::batch(int b) const {
  const std::size_t first = static_cast<std::size_t>(b) * batch_size_;
  if (b < 0 || first >= order_.size()) throw InternalError("training batches: batch index out of range");
  const int whole = static_cast<int>(std::min<std::size_t>(batch_size_, order_.size() - first));
  const Share share = share_of(whole, part_, parts_);
  const int count = share.count;
  const KeypointSequence& k0 = keypoints_.front();
  const int window = chunk_length_ + 2 * pad_;
  Batch batch;
  batch.examples = count;
  batch.batch_examples = whole;
  batch.frames_per_example = chunk_length_;
  batch.input.resize(static_cast<Eigen::Index>(k0.joints) * k0.features, static_cast<Eigen::Index>(count) * window);
  if (!poses_.empty()) {
    batch.target.resize(3 * poses_.front().joints, static_cast<Eigen::Index>(count) * chunk_length_);
    batch.trajectory.resize(3, static_cast<Eigen::Index>(count) * chunk_length_);
  }
  if (!cameras_.empty()) batch.cameras.resize(9, static_cast<Eigen::Index>(count) * chunk_length_);
  batch.keypoints_2d.resize(2 * k0.joints, static_cast<Eigen::Index>(count) * chunk_length_);
  for (int i = 0; i < count; ++i) fill_example(order_[first + share.first + i], batch, i);
  return batch;
}

void ChunkedBatches::set_share(int part, int parts) {
  if (parts < 1 || part < 0 || part >= parts) throw InternalError("training batches: share out of range");
  part_ = part;
  parts_ = parts;
}

// The window [frame - pad - shift, frame + L - 1 + pad - shift] (shift = pad for causal models, L the
// chunk length), frames outside the video replaced by its first or last frame; mirrored when the
// example is flipped. The target: frames [frame, frame + L), outside the video likewise.
void ChunkedBatches::fill_example(const Example& example, Batch& batch, int slot) const {
  const KeypointSequence& keypoints = keypoints_[example.video];
  const int rf = chunk_length_ + 2 * pad_, shift = causal_ ? pad_ : 0;
  const int joints = keypoints.joints, features = keypoints.features;
  for (int w = 0; w < rf; ++w) {
    const int t = std::clamp(example.frame - pad_ - shift + w, 0, keypoints.frames - 1);
    float* column = batch.input.col(static_cast<Eigen::Index>(slot) * rf + w).data();
    std::copy_n(&keypoints.values[static_cast<std::size_t>(t) * joints * features], joints * features, column);
    if (!example.flip) continue;
    for (int j = 0; j < joints; ++j) column[j * features] = -column[j * features];
    for (std::size_t s = 0; s < flip_.kps_left.size(); ++s)
      for (int f = 0; f < features; ++f)
        std::swap(column[flip_.kps_left[s] * features + f], column[flip_.kps_right[s] * features + f]);
  }
  // Per output frame f: the window's frame pad + f (run.py's inputs_2d[:, pad:-pad]) and the camera.
  for (int f = 0; f < chunk_length_; ++f) {
    const Eigen::Index column = static_cast<Eigen::Index>(slot) * chunk_length_ + f;
    const float* frame = batch.input.col(static_cast<Eigen::Index>(slot) * rf + pad_ + f).data();
    for (int j = 0; j < joints; ++j)
      for (int d = 0; d < 2; ++d) batch.keypoints_2d(2 * j + d, column) = frame[j * features + d];
    if (cameras_.empty()) continue;
    const Intrinsics& camera = cameras_[example.video];
    std::copy(camera.begin(), camera.end(), batch.cameras.col(column).data());
    if (example.flip) {
      batch.cameras(2, column) = -batch.cameras(2, column);
      batch.cameras(7, column) = -batch.cameras(7, column);
    }
  }
  if (poses_.empty()) return;
  const PoseSequence& pose = poses_[example.video];
  for (int f = 0; f < chunk_length_; ++f) {
    const Eigen::Index column = static_cast<Eigen::Index>(slot) * chunk_length_ + f;
    const int t = std::clamp(example.frame + f, 0, pose.frames - 1);
    float* target = batch.target.col(column).data();
    std::copy_n(&pose.values[static_cast<std::size_t>(t) * pose.joints * 3], pose.joints * 3, target);
    if (example.flip) {
      for (int j = 0; j < pose.joints; ++j) target[3 * j] = -target[3 * j];
      for (std::size_t s = 0; s < flip_.joints_left.size(); ++s)
        for (int d = 0; d < 3; ++d) std::swap(target[3 * flip_.joints_left[s] + d], target[3 * flip_.joints_right[s] + d]);
    }
    for (int d = 0; d < 3; ++d) {
      batch.trajectory(d, column) = target[d];
      target[d] = 0.0f;
    }
  }
}

Batch EndlessBatches::next() {
  if (next_ < 0 || next_ >= batches_.batches_per_epoch()) {
    batches_.start_epoch();
    next_ = 0;
  }
  return batches_.batch(next_++);
}

}  // namespace lift3d::core::training
