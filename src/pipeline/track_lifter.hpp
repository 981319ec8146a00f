// One person of a live stream lifted frame by frame: the frame's keypoints made ready as infer
// makes them (off-image check, gaps, normalisation by the image size), then one new column through
// each model (core::TemporalModel::Stream keeps every layer's recent columns), flip TTA and the
// trajectory as infer applies them. Memory is bounded by the receptive field, whatever the length.
//
// Timing: output frame t reads input frames t - pad_left .. t + pad_right (edge-padded at the
// sequence's ends, as infer pads). A causal model (pad_right 0) gives frame t's 3D as soon as frame
// t arrives; a symmetric one when frame t + pad_right has arrived, or at finish() with the unseen
// future edge-padded (then equal to infer on the whole sequence). With max_delay K < pad_right,
// frame t is given when frame t + K arrives, the K + 1 .. pad_right frames after it replaced by
// copies of frame t + K (the edge padding infer applies at a sequence's end).
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/lifter.hpp"
#include "lift3d/sequence.hpp"

namespace lift3d::pipeline {

// What every track of a stream shares.
struct StreamModel {
  const core::Lifter* lifter = nullptr;
  core::FlipPairs flip;  // input keypoints of `layout`, output joints of the model's skeleton
  bool flip_tta = true;
  bool add_trajectory = true;  // when the checkpoint has a trajectory model
  std::string layout = "coco";  // the model's input layout
  int width = 0, height = 0;  // image size, pixels
  float min_score = 0.0f;
  std::optional<int> max_delay;  // frames; nullopt: the model's full future context
};

// Frames after its own arrival that a frame's 3D waits for (the larger over pose and trajectory models).
int stream_delay_frames(const StreamModel& model);

struct LiftedFrame {
  long long frame = 0;     // the input's frame number
  int delay_frames = 0;    // frames of this track that had arrived after it when it was lifted
  int padded_frames = 0;   // future frames the model read as edge padding instead of real frames
  std::vector<int> filled;  // keypoints (model layout) not observed in this frame: held or from the body model
  std::vector<float> positions;  // joints x 3, camera frame, metres
};

class TrackLifter {
 public:
  // `source` starts messages ("<stdin>: track 3").
  TrackLifter(const StreamModel& model, std::string source);
  ~TrackLifter();
  TrackLifter(TrackLifter&&) noexcept;

  // The next frame: 1 x joints x 3 (x, y, score) pixels in the model's layout. Returns the frames
  // now lifted, oldest first. Throws InputError (naming the source) for a frame that cannot be
  // lifted (mostly outside the image; nothing usable yet); the track is then unchanged.
  std::vector<LiftedFrame> push(long long frame, KeypointSequence keypoints);
  // End of this track's input: every frame still waiting, lifted with the future edge-padded.
  std::vector<LiftedFrame> finish();

  bool started() const;
  long long last_frame() const;  // valid once started

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace lift3d::pipeline
