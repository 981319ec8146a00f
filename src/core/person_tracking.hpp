// Who is who across frames. Detector files without tracking (OpenPose, COCO results, untracked
// AlphaPose) list the people of each frame in no lasting order; this module links each frame's
// detections to the people of the frames before (tracks), so that a sequence follows one person.
//
// Where the file carries a tracker's ids (AlphaPose PoseFlow `idx`, MMPose `track_id`, OpenPose
// `person_id`), those ids are the tracks. Otherwise, frame by frame, an optimal assignment
// (core/assignment) pairs the tracks alive with the frame's detections, at a cost made of box
// overlap and keypoint distance; a pair further apart than a gate is not made, so a far detection
// starts a new track instead of taking over one. A track missing from a frame keeps its last
// position (moved on by its recent velocity) and can be matched again for `max_gap_frames`.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "base/detections.hpp"

namespace lift3d::core {

struct TrackingOptions {
  // Frame numbers a track may miss and still be continued (an occlusion, a missed detection).
  long long max_gap_frames = 15;
  // Largest keypoint distance, in person sizes, at which a detection may continue a track seen in
  // the previous frame; it widens by gate_growth_per_frame for each frame missed, up to
  // max_gate_person_sizes.
  double gate_person_sizes = 0.5;
  double gate_growth_per_frame = 0.1;
  double max_gate_person_sizes = 1.0;
};

// One person followed over frames. Box figures are over the confidently detected keypoints.
struct PersonTrack {
  // The file's tracker id when the file has ids, else lift3d's number: 1, 2, ... in the order of
  // prominence (the most prominent person is 1).
  long long id = 0;
  std::vector<std::size_t> frame_indices;  // indices into Detections2D::frames, increasing
  std::vector<std::size_t> detections;     // the detection in each of those frames
  // Statistics over the frames present.
  long long first_frame = 0, last_frame = 0;  // frame numbers (Detections2D::frames values)
  double mean_box_area = 0.0;   // square pixels (the file's units squared)
  double mean_size = 0.0;       // the box's larger side, pixels
  double mean_score = 0.0;      // mean keypoint score (undetected joints count as 0)
  // Sum over the frames present of size x mean keypoint score: how much of the video this person
  // is, and how clearly (person_selection.hpp explains the choice).
  double prominence = 0.0;

  std::size_t frames_present() const { return detections.size(); }
};

struct PeopleTracks {
  std::vector<PersonTrack> tracks;  // most prominent first
  // The tracks are the file's tracker ids; false when lift3d tracked the people itself (also when
  // the file's ids repeat within a frame and so cannot be a tracker's: then `ids_ignored`).
  bool ids_from_file = false;
  bool ids_ignored = false;
  // Detections no track holds: too few usable keypoints to place, or no id in a file with ids.
  std::size_t detections_left_out = 0;
};

// Tracks the people of one video. Deterministic: the same detections and options give the same
// tracks and numbers. A detection needs at least 2 keypoints with a score above 0 to be tracked.
// When no frame holds more than one trackable detection (and the file has no ids), they all form
// one track: a single-person file is never split, whatever its jumps.
PeopleTracks track_people(const Detections2D& detections, const TrackingOptions& options = {});

// The ids of the tracks, in order, for messages: "1, 2, 3" (at most `shown`, then ", ...").
std::string track_id_list(const PeopleTracks& people, std::size_t shown = 10);

}  // namespace lift3d::core
