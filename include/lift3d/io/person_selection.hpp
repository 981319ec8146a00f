// Detector files list every person found in every frame; the model lifts one person. The readers
// collect the candidates per frame and this module picks one per frame, the same way for every
// format: the highest person score, or a fixed track id.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "lift3d/core/sequence.hpp"

namespace lift3d::io {

struct PersonCandidate {
  std::vector<float> keypoints;  // joints * 3: x, y, score (pixels, the file's own joint order)
  double score = 0.0;            // the format's person score, else the mean keypoint score
  std::optional<long long> track_id;
};

struct FrameCandidates {
  long long number = 0;  // frame index, image id or frame_id: orders the frames
  std::vector<PersonCandidate> people;
};

struct PersonSelectionOptions {
  std::optional<long long> track_id;  // as KeypointReadOptions::track_id
  bool dense_frames = false;          // as KeypointReadOptions::dense_frames
};

// Mean of the per-joint scores (the person score of formats that have none).
double mean_keypoint_score(const std::vector<float>& keypoints);

// Orders the frames by number and stacks one person per frame into frames x joints x 3; a frame
// without a (matching) person has all scores 0 and coordinates 0. Ties in score keep the earlier
// candidate. Throws InputError("<source>: ...") for duplicate frame numbers, an unknown track id or
// a frame range too sparse to expand; UsageError when a track id is asked of a file without ids
// (`has_track_ids` false; `format` names the format in that message).
core::KeypointSequence select_person(std::vector<FrameCandidates> frames, int joints, bool has_track_ids,
                                     const PersonSelectionOptions& options, const std::string& source,
                                     const std::string& format);

}  // namespace lift3d::io
