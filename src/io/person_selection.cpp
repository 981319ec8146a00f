#include "lift3d/io/person_selection.hpp"

#include <algorithm>
#include <set>

#include "lift3d/error.hpp"

namespace lift3d::io {
namespace {

// Frame numbers are claims made by the file; expanding them must not allocate far more than the
// file holds (a stray frame number 10^9 would otherwise ask for gigabytes).
constexpr long long kMaxDenseExpansion = 10;
constexpr long long kDenseSlack = 1000;

const PersonCandidate* choose(const FrameCandidates& frame, const std::optional<long long>& track_id) {
  const PersonCandidate* best = nullptr;
  for (const PersonCandidate& person : frame.people) {
    if (track_id && person.track_id != track_id) continue;
    if (!best || person.score > best->score) best = &person;
  }
  return best;
}

std::string id_list(const std::set<long long>& ids) {
  std::string text;
  int shown = 0;
  for (long long id : ids) {
    if (shown++ == 10) return text + ", ...";
    text += (text.empty() ? "" : ", ") + std::to_string(id);
  }
  return text.empty() ? "none" : text;
}

}  // namespace

double mean_keypoint_score(const std::vector<float>& keypoints) {
  const std::size_t joints = keypoints.size() / 3;
  if (joints == 0) return 0.0;
  double sum = 0.0;
  for (std::size_t j = 0; j < joints; ++j) sum += keypoints[j * 3 + 2];
  return sum / static_cast<double>(joints);
}

core::KeypointSequence select_person(std::vector<FrameCandidates> frames, int joints, bool has_track_ids,
                                     const PersonSelectionOptions& options, const std::string& source,
                                     const std::string& format) {
  for (const FrameCandidates& frame : frames)
    for (const PersonCandidate& person : frame.people)
      if (person.keypoints.size() != static_cast<std::size_t>(joints) * 3)
        throw InternalError(source + ": candidate with " + std::to_string(person.keypoints.size()) +
                            " values, expected " + std::to_string(joints * 3));

  std::stable_sort(frames.begin(), frames.end(),
                   [](const FrameCandidates& a, const FrameCandidates& b) { return a.number < b.number; });
  for (std::size_t i = 1; i < frames.size(); ++i)
    if (frames[i].number == frames[i - 1].number)
      throw InputError(source + ": frame " + std::to_string(frames[i].number) + " appears more than once");

  if (options.track_id) {
    if (!has_track_ids)
      throw UsageError(source + ": a track id was requested, but " + format + " files carry no track ids");
    std::set<long long> ids;
    for (const FrameCandidates& frame : frames)
      for (const PersonCandidate& person : frame.people)
        if (person.track_id) ids.insert(*person.track_id);
    if (!ids.count(*options.track_id))
      throw InputError(source + ": no person with track id " + std::to_string(*options.track_id) +
                       " (ids present: " + id_list(ids) + ")");
  }

  // Row of the output sequence for each frame.
  std::vector<long long> rows(frames.size());
  long long frame_count = static_cast<long long>(frames.size());
  if (options.dense_frames && !frames.empty()) {
    if (frames.front().number < 0)
      throw InputError(source + ": frame number " + std::to_string(frames.front().number) +
                       " is negative; frame numbers cannot be used as frame indices");
    const long long last = frames.back().number;
    if (last >= kMaxDenseExpansion * frame_count + kDenseSlack)
      throw InputError(source + ": frame numbers reach " + std::to_string(last) + " but only " +
                       std::to_string(frame_count) + " frames are present; not expanding to frame indices");
    frame_count = last + 1;
    for (std::size_t i = 0; i < frames.size(); ++i) rows[i] = frames[i].number;
  } else {
    for (std::size_t i = 0; i < frames.size(); ++i) rows[i] = static_cast<long long>(i);
  }

  core::KeypointSequence seq;
  seq.frames = static_cast<int>(frame_count);
  seq.joints = joints;
  seq.features = 3;
  seq.values.assign(static_cast<std::size_t>(frame_count) * joints * 3, 0.0f);
  for (std::size_t i = 0; i < frames.size(); ++i) {
    const PersonCandidate* person = choose(frames[i], options.track_id);
    if (!person) continue;
    std::copy(person->keypoints.begin(), person->keypoints.end(),
              seq.values.begin() + static_cast<std::ptrdiff_t>(rows[i] * joints * 3));
  }
  return seq;
}

}  // namespace lift3d::io
