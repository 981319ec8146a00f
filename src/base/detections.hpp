// What a 2D keypoint file says before anything is chosen: every person a detector found in every
// frame, in the file's own joint layout and coordinates. The readers (io) produce it; choosing and
// following people (core) and mapping joints (base) turn it into one sequence per person.
//
// Keypoints of all detections live in one flat buffer, so a long video costs little more than its
// numbers (no allocation per frame or per person).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace lift3d {

// What the x, y numbers of a format are. Readers report what the format says; what to do with
// normalised or unknown coordinates is decided above io.
enum class Coordinates {
  Pixels,      // image pixels (OpenPose, COCO results, AlphaPose, MMPose, lift3d JSON, keypoints.npz)
  Normalized,  // fractions of the image width and height, 0..1 (MediaPipe landmarks)
  Unknown,     // the format does not say (plain arrays, keypoint CSV)
};
// "pixels", "normalized", "unknown".
const char* coordinates_name(Coordinates coordinates);

struct Detection {
  long long frame = 0;  // the frame number it belongs to (file name number, image_id, frame_id)
  double score = 0.0;   // the format's person score, else the mean keypoint score
  std::optional<long long> track_id;  // a tracker's id when the file carries one
};

struct Detections2D {
  std::string source;  // the file, directory or glob it was read from (named in messages)
  // Which video of the input this is, when one input holds several (an OpenPose folder with the
  // frames of several videos); empty when the input is one video.
  std::string video;
  std::string format;  // "openpose json", "coco results json", ... (named in messages)
  std::string layout;  // joint layout of every detection (base/joint_sets.hpp)
  int joints = 0;
  // Frame numbers the file covers, strictly increasing; a frame may have no detection.
  std::vector<long long> frames;
  // The numbers are ranks a reader gave (e.g. image names without digits), not video frame indices.
  bool frames_are_ranks = false;
  // One entry per detection, ordered by frame (file order within a frame).
  std::vector<Detection> detections;
  // detections x joints x 3: x, y, score. A joint the detector did not find has score 0.
  std::vector<float> keypoints;
  bool has_track_ids = false;  // the format can carry track ids and this file does
  int image_width = 0;  // pixels; 0 when the file does not say
  int image_height = 0;
  double fps = 0.0;  // 0 when the file does not say
  Coordinates coordinates = Coordinates::Pixels;

  std::size_t count() const { return detections.size(); }
  const float* keypoints_of(std::size_t detection) const {
    return keypoints.data() + detection * static_cast<std::size_t>(joints) * 3;
  }
};

// Mean of the per-joint scores of x, y, score triples (the person score of formats that have none).
double mean_keypoint_score(const float* keypoints, int joints);

}  // namespace lift3d
