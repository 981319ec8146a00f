#include "core/person_selection.hpp"

#include <algorithm>
#include <set>

#include "lift3d/error.hpp"

namespace lift3d::core {
namespace {

// Frame numbers are claims made by the file; expanding them must not allocate far more than the
// file holds (a stray frame number 10^9 would otherwise ask for gigabytes).
constexpr long long kMaxDenseExpansion = 10;
constexpr long long kDenseSlack = 1000;

}  // namespace

DefaultPerson default_person(const PeopleTracks& people) {
  DefaultPerson result;
  if (people.tracks.empty()) return result;
  result.chosen = &people.tracks[0];
  if (people.tracks.size() < 2) return result;
  result.runner_up = &people.tracks[1];
  result.ambiguous = result.runner_up->prominence >= kAmbiguousProminence * result.chosen->prominence;
  return result;
}

const PersonTrack& track_with_id(const Detections2D& detections, const PeopleTracks& people, long long id) {
  for (const PersonTrack& track : people.tracks)
    if (track.id == id) return track;
  std::set<long long> ids;
  for (const PersonTrack& track : people.tracks) ids.insert(track.id);
  std::string present;
  int shown = 0;
  for (long long known : ids) {
    if (shown++ == 10) {
      present += ", ...";
      break;
    }
    present += (present.empty() ? "" : ", ") + std::to_string(known);
  }
  throw InputError(detections.source + ": no person with track id " + std::to_string(id) +
                   " (ids present: " + (present.empty() ? "none" : present) + ")");
}

bool long_enough_to_lift(const PersonTrack& track, const Detections2D& detections) {
  return track.frames_present() >= std::min(kMinTrackFrames, detections.frames.size());
}

FrameRows frame_rows(const Detections2D& detections, bool dense_frames) {
  const std::vector<long long>& frames = detections.frames;
  FrameRows rows;
  rows.count = static_cast<long long>(frames.size());
  rows.row_of_frame.resize(frames.size());
  if (!dense_frames || frames.empty()) {
    for (std::size_t i = 0; i < frames.size(); ++i) rows.row_of_frame[i] = static_cast<long long>(i);
    return rows;
  }
  if (detections.frames_are_ranks)
    throw UsageError(detections.source + ": frame names without frame numbers cannot be used as frame indices");
  if (frames.front() < 0)
    throw InputError(detections.source + ": frame number " + std::to_string(frames.front()) +
                     " is negative; frame numbers cannot be used as frame indices");
  const long long last = frames.back();
  if (last >= kMaxDenseExpansion * rows.count + kDenseSlack)
    throw InputError(detections.source + ": frame numbers reach " + std::to_string(last) + " but only " +
                     std::to_string(rows.count) + " frames are present; not expanding to frame indices");
  rows.count = last + 1;
  rows.row_of_frame = frames;
  return rows;
}

PersonSequence track_sequence(const Detections2D& detections, const PersonTrack& track, const FrameRows& rows,
                              SequenceSpan span) {
  if (track.detections.empty()) throw InternalError(detections.source + ": a person tracked in no frame");
  PersonSequence result;
  long long end_row = rows.count;
  if (span == SequenceSpan::TrackRows) {
    result.first_row = rows.row_of_frame[track.frame_indices.front()];
    end_row = rows.row_of_frame[track.frame_indices.back()] + 1;
  }
  const std::size_t stride = static_cast<std::size_t>(detections.joints) * 3;
  KeypointSequence& seq = result.keypoints;
  seq.frames = static_cast<int>(end_row - result.first_row);
  seq.joints = detections.joints;
  seq.features = 3;
  seq.image_width = detections.image_width;
  seq.image_height = detections.image_height;
  seq.values.assign(static_cast<std::size_t>(seq.frames) * stride, 0.0f);
  for (std::size_t k = 0; k < track.detections.size(); ++k) {
    const long long row = rows.row_of_frame[track.frame_indices[k]] - result.first_row;
    const float* source = detections.keypoints_of(track.detections[k]);
    std::copy(source, source + stride, seq.values.begin() + static_cast<std::ptrdiff_t>(row * stride));
  }
  return result;
}

namespace {

// Whether the track's sequence is detections.keypoints as it is: detection k on row k, every row.
bool sequence_is_every_detection(const Detections2D& detections, const PersonTrack& track, const FrameRows& rows,
                                 SequenceSpan span) {
  const std::size_t count = detections.count();
  if (track.detections.size() != count || count == 0) return false;
  const long long first_row = span == SequenceSpan::TrackRows ? rows.row_of_frame[track.frame_indices.front()] : 0;
  const long long end_row = span == SequenceSpan::TrackRows ? rows.row_of_frame[track.frame_indices.back()] + 1 : rows.count;
  if (end_row - first_row != static_cast<long long>(count)) return false;
  for (std::size_t k = 0; k < count; ++k)
    if (track.detections[k] != k || rows.row_of_frame[track.frame_indices[k]] - first_row != static_cast<long long>(k))
      return false;
  return detections.keypoints.size() == count * static_cast<std::size_t>(detections.joints) * 3;
}

}  // namespace

PersonSequence take_track_sequence(Detections2D& detections, const PersonTrack& track, const FrameRows& rows,
                                   SequenceSpan span) {
  if (!sequence_is_every_detection(detections, track, rows, span)) return track_sequence(detections, track, rows, span);
  PersonSequence result;
  result.first_row = span == SequenceSpan::TrackRows ? rows.row_of_frame[track.frame_indices.front()] : 0;
  KeypointSequence& seq = result.keypoints;
  seq.frames = static_cast<int>(detections.count());
  seq.joints = detections.joints;
  seq.features = 3;
  seq.image_width = detections.image_width;
  seq.image_height = detections.image_height;
  seq.values = std::move(detections.keypoints);
  detections.keypoints.clear();
  return result;
}

}  // namespace lift3d::core
