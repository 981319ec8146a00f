// Detector files list every person found in every frame; the model lifts one person. This module
// picks one per frame, the same way for every format: the highest person score, or a fixed track id.
#pragma once

#include <optional>

#include "base/detections.hpp"
#include "lift3d/sequence.hpp"

namespace lift3d::core {

struct PersonSelectionOptions {
  // Follow this track id (AlphaPose idx, MMPose track_id, OpenPose person_id) instead of taking
  // the highest-scoring person in each frame; frames where it is absent count as missing.
  std::optional<long long> track_id;
  // Frame numbers are video frame indices: the sequence spans frames 0..max and numbers absent
  // from the file become frames without a detection. Off: one frame per number present, in order.
  bool dense_frames = false;
};

// One person per frame, stacked into frames x joints x 3 (x, y, score; the file's joint order and
// coordinates, image size from the file). A frame without a (matching) person has all scores 0
// and coordinates 0. Ties in score keep the earlier detection. Throws InputError("<source>: ...")
// for an unknown track id or a frame range too sparse to expand; UsageError when a track id is
// asked of a file without ids or frame indices of a file whose frames are not numbered.
KeypointSequence select_person(const Detections2D& detections, const PersonSelectionOptions& options);

}  // namespace lift3d::core
