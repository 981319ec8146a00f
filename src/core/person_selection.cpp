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

std::string id_list(const std::set<long long>& ids) {
  std::string text;
  int shown = 0;
  for (long long id : ids) {
    if (shown++ == 10) return text + ", ...";
    text += (text.empty() ? "" : ", ") + std::to_string(id);
  }
  return text.empty() ? "none" : text;
}

void check_track_id(const Detections2D& detections, long long track_id) {
  if (!detections.has_track_ids)
    throw UsageError(detections.source + ": a track id was requested, but this " + detections.format +
                     " file carries no track ids");
  std::set<long long> ids;
  for (const Detection& detection : detections.detections)
    if (detection.track_id) ids.insert(*detection.track_id);
  if (!ids.count(track_id))
    throw InputError(detections.source + ": no person with track id " + std::to_string(track_id) +
                     " (ids present: " + id_list(ids) + ")");
}

// Row of the output sequence for each frame number of the file, and the number of rows.
std::vector<long long> frame_rows(const Detections2D& detections, bool dense_frames, long long& row_count) {
  const std::vector<long long>& frames = detections.frames;
  row_count = static_cast<long long>(frames.size());
  std::vector<long long> rows(frames.size());
  if (!dense_frames || frames.empty()) {
    for (std::size_t i = 0; i < frames.size(); ++i) rows[i] = static_cast<long long>(i);
    return rows;
  }
  if (detections.frames_are_ranks)
    throw UsageError(detections.source + ": frame names without frame numbers cannot be used as frame indices");
  if (frames.front() < 0)
    throw InputError(detections.source + ": frame number " + std::to_string(frames.front()) +
                     " is negative; frame numbers cannot be used as frame indices");
  const long long last = frames.back();
  if (last >= kMaxDenseExpansion * row_count + kDenseSlack)
    throw InputError(detections.source + ": frame numbers reach " + std::to_string(last) + " but only " +
                     std::to_string(row_count) + " frames are present; not expanding to frame indices");
  row_count = last + 1;
  return frames;
}

}  // namespace

KeypointSequence select_person(const Detections2D& detections, const PersonSelectionOptions& options) {
  if (options.track_id) check_track_id(detections, *options.track_id);
  long long row_count = 0;
  const std::vector<long long> rows = frame_rows(detections, options.dense_frames, row_count);
  const int joints = detections.joints;
  const std::size_t stride = static_cast<std::size_t>(joints) * 3;

  KeypointSequence seq;
  seq.frames = static_cast<int>(row_count);
  seq.joints = joints;
  seq.features = 3;
  seq.image_width = detections.image_width;
  seq.image_height = detections.image_height;
  seq.values.assign(static_cast<std::size_t>(row_count) * stride, 0.0f);
  // Detections and frames are both ordered by frame number: walk them together.
  std::size_t d = 0;
  for (std::size_t i = 0; i < detections.frames.size(); ++i) {
    const long long number = detections.frames[i];
    const std::size_t first = d;
    while (d < detections.count() && detections.detections[d].frame == number) ++d;
    std::optional<std::size_t> best;
    for (std::size_t k = first; k < d; ++k) {
      const Detection& candidate = detections.detections[k];
      if (options.track_id && candidate.track_id != options.track_id) continue;
      if (!best || candidate.score > detections.detections[*best].score) best = k;
    }
    if (!best) continue;
    const float* source = detections.keypoints_of(*best);
    std::copy(source, source + stride, seq.values.begin() + static_cast<std::ptrdiff_t>(rows[i] * stride));
  }
  if (d != detections.count())
    throw InternalError(detections.source + ": detections of frames the file does not list");
  return seq;
}

}  // namespace lift3d::core
