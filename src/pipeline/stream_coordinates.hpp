// A live stream's keypoint coordinates turned into pixels (infer's --coordinates, one frame at a
// time). infer decides pixels or normalised from every value of a sequence; a stream cannot wait
// for them, so the decision (core::decide_coordinates: pixels, normalised [0, 1] or [-1, 1]) is
// taken on the first frame that gives one, then held for every later frame of every track (one
// stream comes from one detector). A later frame whose values do not fit a normalised decision
// (beyond the normalised bound, or below 0 for [0, 1]) is refused rather than lifted wrong.
#pragma once

#include <optional>
#include <string>

#include "core/input_coordinates.hpp"
#include "lift3d/sequence.hpp"

namespace lift3d::pipeline {

class StreamCoordinates {
 public:
  StreamCoordinates(core::CoordinateChoice choice, int width, int height);
  // One frame (1 x joints x 3: x, y, score), in place. Throws InputError naming `where` for a frame
  // that cannot be decided on or does not fit the decision; nothing is decided then.
  void to_pixels(KeypointSequence& keypoints, const std::string& where);

 private:
  void check_fits(const KeypointSequence& keypoints, const std::string& where) const;
  core::CoordinateChoice choice_;
  int width_, height_;
  std::optional<core::CoordinateDecision> decision_;
};

}  // namespace lift3d::pipeline
