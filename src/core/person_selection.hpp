// Which tracked people (person_tracking.hpp) become sequences, and over which frames.
//
// The default person is the most prominent track: the largest sum over the frames it is present in
// of its size (the larger side of the box its confident keypoints span, pixels) times its mean
// keypoint score. Present long, large (near the camera) and clearly seen wins: the dancer in front
// over those behind, a player over the smaller, partly hidden spectators, a speaker present all
// along over someone walking past close to the camera for a few seconds. When the runner-up has at
// least kAmbiguousProminence of the winner's prominence the choice is called ambiguous.
#pragma once

#include <cstddef>
#include <vector>

#include "base/detections.hpp"
#include "core/person_tracking.hpp"
#include "lift3d/sequence.hpp"

namespace lift3d::core {

constexpr double kAmbiguousProminence = 0.8;
// A track present in fewer frames than this (or than the video has, if fewer) is too short to
// lift as a person of its own.
constexpr std::size_t kMinTrackFrames = 10;

struct DefaultPerson {
  const PersonTrack* chosen = nullptr;     // nullptr when there are no tracks
  const PersonTrack* runner_up = nullptr;  // the next most prominent, if any
  bool ambiguous = false;
};

// The most prominent track and whether another comes close (tracks ordered as track_people gives them).
DefaultPerson default_person(const PeopleTracks& people);

// The track with this id (the file's tracker id, or lift3d's number when the file has none). Throws
// InputError "<source>: no person with track id N (ids present: ...)".
const PersonTrack& track_with_id(const Detections2D& detections, const PeopleTracks& people, long long id);

// Whether a track is long enough to be lifted as a person of its own (kMinTrackFrames).
bool long_enough_to_lift(const PersonTrack& track, const Detections2D& detections);

// The row of the output sequence each frame of the file becomes. dense_frames: frame numbers are
// video frame indices, rows 0..max, numbers absent from the file are rows without detections; off:
// one row per frame number present, in order. Throws InputError for frame numbers too sparse to
// expand or negative, UsageError when the frames are ranks rather than numbers from the file.
struct FrameRows {
  std::vector<long long> row_of_frame;  // per index into Detections2D::frames
  long long count = 0;
};
FrameRows frame_rows(const Detections2D& detections, bool dense_frames);

// Over which rows a track's sequence runs.
enum class SequenceSpan {
  AllRows,    // every row of the video: rows before its first and after its last frame are missing
  TrackRows,  // from the track's first to its last frame
};

struct PersonSequence {
  // rows x joints x 3 (x, y, score; the file's joint order and coordinates, image size from the
  // file). Rows without the person have all scores and coordinates 0 (missing).
  KeypointSequence keypoints;
  long long first_row = 0;  // the row of the video its first frame is
};

PersonSequence track_sequence(const Detections2D& detections, const PersonTrack& track, const FrameRows& rows,
                              SequenceSpan span);

// The same sequence, built by taking over detections.keypoints (left empty) when the sequence is
// exactly that buffer: the track is every detection, one per row, in order (one person seen in
// every frame). A long video's keypoints are then never held twice. Otherwise as track_sequence,
// and `detections` is left as it was.
PersonSequence take_track_sequence(Detections2D& detections, const PersonTrack& track, const FrameRows& rows,
                                   SequenceSpan span);

}  // namespace lift3d::core
