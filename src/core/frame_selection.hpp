// Which frames of a video run.py's fetch() keeps under --subset and --downsample:
//  - --downsample N: every N-th frame from the first (training, test and unlabelled videos alike);
//  - --subset F < 1 (training videos only): one window of n = round(length // N * F) * N frames,
//    every N-th frame of it, starting at a frame picked from the SHA-256 digest of the video's
//    length written in decimal (common/utils.py's deterministic_random): the same window on every
//    run and machine, and the same window for videos of equal length. round() is Python's: halves
//    go to the even neighbour.
#pragma once

#include <string>

#include "lift3d/sequence.hpp"

namespace lift3d::core {

struct FrameSelection {
  int start = 0;  // first frame kept
  int end = 0;    // one past the window's last frame
  int step = 1;   // every step-th frame of [start, end)
  int frames() const { return end > start ? (end - start + step - 1) / step : 0; }
};

// `subset` in (0, 1]; `downsample` >= 1.
FrameSelection select_frames(int length, double subset, int downsample);

// deterministic_random(min_value, max_value, text): an integer in [min_value, max_value) from the
// first four bytes of SHA-256(text), read little-endian.
int deterministic_random(int min_value, int max_value, const std::string& text);

// The selected frames of a video (keypoints or poses).
KeypointSequence keep_frames(const KeypointSequence& sequence, const FrameSelection& selection);
PoseSequence keep_frames(const PoseSequence& sequence, const FrameSelection& selection);

}  // namespace lift3d::core
