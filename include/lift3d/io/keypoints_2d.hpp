// One person's 2D keypoints read from a detector's output file, before normalisation: pixel
// coordinates with a per-joint score, plus what the file says about the video.
#pragma once

#include <optional>
#include <string>

#include "lift3d/core/sequence.hpp"

namespace lift3d::io {

struct Keypoints2D {
  std::string source;  // the file, directory or glob it was read from (named in errors)
  // Joint layout of `seq`: a core::keypoint_layout name ("coco", "h36m", ...) or a detector layout
  // from keypoint_mapping.hpp ("body25", "coco18", "halpe26", ...).
  std::string layout;
  // frames x joints x 3 (x, y, score), pixels. A joint the detector did not find has score 0; what
  // counts as missing is decided by core::fill_keypoint_gaps (score 0 or below --min-score).
  core::KeypointSequence seq;
  int image_width = 0;  // 0 when the file does not say (also mirrored into seq)
  int image_height = 0;
  double fps = 0.0;       // 0 when the file does not say
  int filled_joints = 0;  // (frame, joint) entries replaced by the gap filler
};

// How read_keypoints_2d (keypoint_input.hpp) and the per-format readers (keypoint_formats.hpp)
// turn a file into one person's sequence.
struct KeypointReadOptions {
  // Joints scoring below this count as missing and are interpolated; a score of 0 is always missing
  // (OpenPose writes undetected joints as 0, 0, 0). 0 keeps every detected joint, as VideoPose3D does.
  float min_score = 0.0f;
  // Follow this track id (AlphaPose idx, MMPose track_id, OpenPose person_id) instead of taking the
  // highest-scoring person in each frame; frames where it is absent count as missing.
  std::optional<long long> track_id;
  // Layout to map the joints onto (the model's input layout); empty keeps the file's own layout.
  std::string target_layout = "coco";
  // The file's layout when it cannot be told from the joint count or the file (e.g. a 17-joint MMPose
  // file in h36m order); empty: declared by the file or inferred from the count.
  std::string source_layout;
  // Frame numbers (file names, image_id, frame_id) are video frame indices: the sequence spans
  // frames 0..max and numbers absent from the file become frames without a detection. Off: one
  // frame per number present, in order.
  bool dense_frames = false;
  // Interpolate missing joints (core::fill_keypoint_gaps); off leaves them as read.
  bool fill_gaps = true;
};

// x, y only (frames x joints x 2), what the model consumes after normalisation.
core::KeypointSequence keypoint_positions(const Keypoints2D& keypoints);

}  // namespace lift3d::io
