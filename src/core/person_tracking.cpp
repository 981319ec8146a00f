#include "core/person_tracking.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <set>

#include "core/assignment.hpp"
#include "lift3d/error.hpp"

namespace lift3d::core {
namespace {

constexpr double kForbidden = std::numeric_limits<double>::infinity();
// Keypoints at or above this score place a person (box, distances); below it a detector is
// guessing. When fewer than kMinPlacingKeypoints reach it, every keypoint scoring above 0 is used.
constexpr float kConfidentScore = 0.2f;
constexpr int kMinPlacingKeypoints = 2;
// A person's size is never taken below this fraction of the file's median person size, so that a
// detection collapsed to a few close keypoints does not make every distance huge.
constexpr double kSmallestSizeOfMedian = 0.1;
// A detection more than this many times larger or smaller than a track is someone else (a
// spectator behind a player), whatever the distance.
constexpr double kMaxSizeRatio = 3.0;
// Weight of a new velocity measurement against the running estimate.
constexpr double kVelocitySmoothing = 0.5;

struct Point {
  double x = 0.0, y = 0.0;
};

struct Box {
  double left = 0.0, top = 0.0, right = 0.0, bottom = 0.0;
  double width() const { return right - left; }
  double height() const { return bottom - top; }
  double size() const { return std::max(width(), height()); }
  double area() const { return width() * height(); }
  Point centre() const { return {(left + right) / 2, (top + bottom) / 2}; }
  Box moved(Point by) const { return {left + by.x, top + by.y, right + by.x, bottom + by.y}; }
};

double intersection_over_union(const Box& a, const Box& b) {
  const double width = std::min(a.right, b.right) - std::max(a.left, b.left);
  const double height = std::min(a.bottom, b.bottom) - std::max(a.top, b.top);
  if (width <= 0 || height <= 0) return 0.0;
  const double overlap = width * height;
  const double both = a.area() + b.area() - overlap;
  return both > 0 ? overlap / both : 0.0;
}

bool finite_point(const float* keypoint) { return std::isfinite(keypoint[0]) && std::isfinite(keypoint[1]); }

// Where a detection is: the keypoints that place it (read from the Detections2D, which outlives
// tracking) and the box they span.
struct PlacedDetection {
  std::size_t index = 0;  // into Detections2D::detections
  const float* keypoints = nullptr;  // joints x (x, y, score)
  int joints = 0;
  float threshold = kConfidentScore;  // keypoints scoring at least this place the person
  Box box;
  double mean_score = 0.0;

  bool places(int joint) const {
    const float* keypoint = keypoints + 3 * joint;
    return finite_point(keypoint) && keypoint[2] >= threshold;
  }
  Point point(int joint) const { return {keypoints[3 * joint], keypoints[3 * joint + 1]}; }
};

// The detection's placing keypoints and box; false when it has too few keypoints to be placed.
bool place(const Detections2D& detections, std::size_t index, PlacedDetection& placed) {
  placed.index = index;
  placed.keypoints = detections.keypoints_of(index);
  placed.joints = detections.joints;
  int confident = 0;
  double score_sum = 0.0;
  for (int j = 0; j < placed.joints; ++j) {
    const float score = placed.keypoints[3 * j + 2];
    if (std::isfinite(score) && score > 0) score_sum += score;
    if (placed.places(j)) ++confident;
  }
  placed.mean_score = placed.joints > 0 ? score_sum / placed.joints : 0.0;
  if (confident < kMinPlacingKeypoints) placed.threshold = std::numeric_limits<float>::min();
  int used = 0;
  for (int j = 0; j < placed.joints; ++j) {
    if (!placed.places(j)) continue;
    const Point p = placed.point(j);
    if (used++ == 0) {
      placed.box = {p.x, p.y, p.x, p.y};
    } else {
      placed.box = {std::min(placed.box.left, p.x), std::min(placed.box.top, p.y), std::max(placed.box.right, p.x),
                    std::max(placed.box.bottom, p.y)};
    }
  }
  return used >= kMinPlacingKeypoints;
}

// The placeable detections of every frame, in frame order (file order within a frame).
struct PlacedFrames {
  std::vector<std::vector<PlacedDetection>> of_frame;  // per index into Detections2D::frames
  std::size_t left_out = 0;
  double median_size = 0.0;
};

PlacedFrames place_all(const Detections2D& detections) {
  PlacedFrames placed;
  placed.of_frame.resize(detections.frames.size());
  std::vector<double> sizes;
  std::size_t d = 0;
  for (std::size_t f = 0; f < detections.frames.size(); ++f) {
    for (; d < detections.count() && detections.detections[d].frame == detections.frames[f]; ++d) {
      PlacedDetection detection;
      if (!place(detections, d, detection)) {
        ++placed.left_out;
        continue;
      }
      sizes.push_back(detection.box.size());
      placed.of_frame[f].push_back(std::move(detection));
    }
  }
  if (d != detections.count())
    throw InternalError(detections.source + ": detections of frames the file does not list");
  if (!sizes.empty()) {
    std::nth_element(sizes.begin(), sizes.begin() + static_cast<std::ptrdiff_t>(sizes.size() / 2), sizes.end());
    placed.median_size = sizes[sizes.size() / 2];
  }
  return placed;
}

// A track being built, with what matching needs: its last detection and its motion.
struct LiveTrack {
  std::size_t track = 0;  // index into the tracks being built
  PlacedDetection last;
  long long last_frame = 0;
  Point velocity;  // per frame number
  bool has_velocity = false;
};

Point mean_displacement(const PlacedDetection& from, const PlacedDetection& to) {
  Point sum;
  int common = 0;
  for (int j = 0; j < from.joints; ++j) {
    if (!from.places(j) || !to.places(j)) continue;
    const Point a = from.point(j), b = to.point(j);
    sum.x += b.x - a.x;
    sum.y += b.y - a.y;
    ++common;
  }
  if (common == 0) {
    const Point a = from.box.centre(), b = to.box.centre();
    return {b.x - a.x, b.y - a.y};
  }
  return {sum.x / common, sum.y / common};
}

// Mean distance between the keypoints both place, `from` moved by `shift` (box centres when they
// share none).
double mean_keypoint_distance(const PlacedDetection& from, Point shift, const PlacedDetection& to) {
  double sum = 0.0;
  int common = 0;
  for (int j = 0; j < from.joints; ++j) {
    if (!from.places(j) || !to.places(j)) continue;
    const Point a = from.point(j), b = to.point(j);
    sum += std::hypot(b.x - a.x - shift.x, b.y - a.y - shift.y);
    ++common;
  }
  if (common > 0) return sum / common;
  const Point a = from.box.centre(), b = to.box.centre();
  return std::hypot(b.x - a.x - shift.x, b.y - a.y - shift.y);
}

class Tracker {
 public:
  Tracker(const Detections2D& detections, const TrackingOptions& options, double median_size)
      : detections_(detections), options_(options), smallest_size_(kSmallestSizeOfMedian * median_size) {}

  void add_frame(std::size_t frame_index, const std::vector<PlacedDetection>& placed) {
    const long long frame = detections_.frames[frame_index];
    end_lost_tracks(frame);
    const std::vector<int> track_of_detection = match(frame, placed);
    for (std::size_t d = 0; d < placed.size(); ++d) {
      if (track_of_detection[d] >= 0) {
        continue_track(live_[track_of_detection[d]], frame, frame_index, placed[d]);
      } else {
        start_track(frame, frame_index, placed[d]);
      }
    }
  }

  std::vector<PersonTrack> finish() && { return std::move(tracks_); }

 private:
  void end_lost_tracks(long long frame) {
    live_.erase(std::remove_if(live_.begin(), live_.end(),
                               [&](const LiveTrack& live) { return frame - live.last_frame - 1 > options_.max_gap_frames; }),
                live_.end());
  }

  // Where the track is expected `elapsed` frames after its last detection, relative to it.
  static Point predicted_shift(const LiveTrack& live, long long elapsed) {
    if (!live.has_velocity) return {};
    return {live.velocity.x * static_cast<double>(elapsed), live.velocity.y * static_cast<double>(elapsed)};
  }

  // The largest distance, in person sizes, at which a detection may continue a track last seen
  // `elapsed` frames ago.
  double gate(long long elapsed) const {
    return std::min(options_.max_gate_person_sizes,
                    options_.gate_person_sizes + options_.gate_growth_per_frame * static_cast<double>(elapsed - 1));
  }

  // Cost of continuing `live` with `detection` in `frame`, from 0 (same box, same keypoints) to 1;
  // kForbidden for someone of another size or beyond the gate.
  double cost(const LiveTrack& live, long long frame, const PlacedDetection& detection) const {
    const double track_size = std::max(live.last.box.size(), smallest_size_);
    const double detection_size = std::max(detection.box.size(), smallest_size_);
    if (std::max(track_size, detection_size) > kMaxSizeRatio * std::min(track_size, detection_size)) return kForbidden;
    const long long elapsed = frame - live.last_frame;
    const Point shift = predicted_shift(live, elapsed);
    const double person_size = std::max((track_size + detection_size) / 2, 1e-9);
    const double distance = mean_keypoint_distance(live.last, shift, detection) / person_size;
    if (!(distance <= gate(elapsed))) return kForbidden;
    const double overlap = intersection_over_union(live.last.box.moved(shift), detection.box);
    return 0.5 * (1.0 - overlap) + 0.5 * distance / options_.max_gate_person_sizes;
  }

  // For each detection, the live track it continues, or -1.
  std::vector<int> match(long long frame, const std::vector<PlacedDetection>& placed) const {
    std::vector<int> track_of_detection(placed.size(), -1);
    if (live_.empty() || placed.empty()) return track_of_detection;
    CostMatrix costs(static_cast<int>(live_.size()), static_cast<int>(placed.size()), 0.0);
    for (std::size_t t = 0; t < live_.size(); ++t)
      for (std::size_t d = 0; d < placed.size(); ++d)
        costs.at(static_cast<int>(t), static_cast<int>(d)) = cost(live_[t], frame, placed[d]);
    const std::vector<int> detection_of_track = solve_assignment(costs);
    for (std::size_t t = 0; t < live_.size(); ++t)
      if (detection_of_track[t] >= 0) track_of_detection[detection_of_track[t]] = static_cast<int>(t);
    return track_of_detection;
  }

  void continue_track(LiveTrack& live, long long frame, std::size_t frame_index, const PlacedDetection& detection) {
    const double elapsed = static_cast<double>(frame - live.last_frame);
    const Point moved = mean_displacement(live.last, detection);
    const Point measured{moved.x / elapsed, moved.y / elapsed};
    if (live.has_velocity) {
      live.velocity = {kVelocitySmoothing * measured.x + (1 - kVelocitySmoothing) * live.velocity.x,
                       kVelocitySmoothing * measured.y + (1 - kVelocitySmoothing) * live.velocity.y};
    } else {
      live.velocity = measured;
      live.has_velocity = true;
    }
    live.last = detection;
    live.last_frame = frame;
    tracks_[live.track].frame_indices.push_back(frame_index);
    tracks_[live.track].detections.push_back(detection.index);
  }

  void start_track(long long frame, std::size_t frame_index, const PlacedDetection& detection) {
    LiveTrack live;
    live.track = tracks_.size();
    live.last = detection;
    live.last_frame = frame;
    live_.push_back(std::move(live));
    PersonTrack track;
    track.frame_indices.push_back(frame_index);
    track.detections.push_back(detection.index);
    tracks_.push_back(std::move(track));
  }

  const Detections2D& detections_;
  const TrackingOptions& options_;
  const double smallest_size_;
  std::vector<LiveTrack> live_;  // in order of creation
  std::vector<PersonTrack> tracks_;
};

// Tracker ids can only be used when no id appears twice in one frame (untracked AlphaPose writes
// idx 0 for everybody).
bool ids_unique_per_frame(const Detections2D& detections) {
  std::set<std::pair<long long, long long>> seen;  // (frame, id)
  for (const Detection& detection : detections.detections)
    if (detection.track_id && !seen.emplace(detection.frame, *detection.track_id).second) return false;
  return true;
}

bool at_most_one_per_frame(const PlacedFrames& placed) {
  return std::all_of(placed.of_frame.begin(), placed.of_frame.end(),
                     [](const std::vector<PlacedDetection>& frame) { return frame.size() <= 1; });
}

std::vector<PersonTrack> one_track_of_everything(const PlacedFrames& placed) {
  PersonTrack track;
  for (std::size_t f = 0; f < placed.of_frame.size(); ++f)
    for (const PlacedDetection& detection : placed.of_frame[f]) {
      track.frame_indices.push_back(f);
      track.detections.push_back(detection.index);
    }
  if (track.detections.empty()) return {};
  return {std::move(track)};
}

std::vector<PersonTrack> tracks_from_file_ids(const Detections2D& detections, const PlacedFrames& placed,
                                              std::size_t& left_out) {
  std::map<long long, PersonTrack> by_id;
  for (std::size_t f = 0; f < placed.of_frame.size(); ++f)
    for (const PlacedDetection& detection : placed.of_frame[f]) {
      const std::optional<long long>& id = detections.detections[detection.index].track_id;
      if (!id) {
        ++left_out;
        continue;
      }
      PersonTrack& track = by_id[*id];
      track.id = *id;
      track.frame_indices.push_back(f);
      track.detections.push_back(detection.index);
    }
  std::vector<PersonTrack> tracks;
  for (auto& entry : by_id) tracks.push_back(std::move(entry.second));
  return tracks;
}

// Sums over a track's detections, in the track's order, turned into its statistics at the end.
struct TrackSums {
  double area = 0.0, size = 0.0, score = 0.0;

  void add(const PlacedDetection& detection, PersonTrack& track) {
    area += detection.box.area();
    size += detection.box.size();
    score += detection.mean_score;
    track.prominence += detection.box.size() * detection.mean_score;
  }

  void finish(const Detections2D& detections, PersonTrack& track) const {
    const double present = static_cast<double>(track.frames_present());
    track.mean_box_area = area / present;
    track.mean_size = size / present;
    track.mean_score = score / present;
    track.first_frame = detections.frames[track.frame_indices.front()];
    track.last_frame = detections.frames[track.frame_indices.back()];
  }
};

void add_statistics(const Detections2D& detections, const PlacedFrames& placed, PersonTrack& track) {
  TrackSums sums;
  for (std::size_t k = 0; k < track.detections.size(); ++k) {
    const std::vector<PlacedDetection>& frame = placed.of_frame[track.frame_indices[k]];
    const auto found = std::find_if(frame.begin(), frame.end(),
                                    [&](const PlacedDetection& d) { return d.index == track.detections[k]; });
    if (found == frame.end()) throw InternalError(detections.source + ": a track holds an unplaced detection");
    sums.add(*found, track);
  }
  sums.finish(detections, track);
}

// Most prominent first; equal prominence: more frames, then the higher mean keypoint score, then
// the earlier start, then the order the tracks were found in.
void order_by_prominence(std::vector<PersonTrack>& tracks) {
  std::stable_sort(tracks.begin(), tracks.end(), [](const PersonTrack& a, const PersonTrack& b) {
    if (a.prominence != b.prominence) return a.prominence > b.prominence;
    if (a.frames_present() != b.frames_present()) return a.frames_present() > b.frames_present();
    if (a.mean_score != b.mean_score) return a.mean_score > b.mean_score;
    return a.first_frame < b.first_frame;
  });
}

// place_all, one_track_of_everything and add_statistics in one, for a video where no frame has two
// placeable detections, keeping no placed detection (a long single-person video would otherwise
// hold a placed copy of every detection beside its keypoints). False, with `people` untouched, when
// some frame has two.
bool track_the_only_person(const Detections2D& detections, PeopleTracks& people) {
  const auto for_each_placed = [&](auto&& use) {
    std::size_t d = 0;
    for (std::size_t f = 0; f < detections.frames.size(); ++f)
      for (; d < detections.count() && detections.detections[d].frame == detections.frames[f]; ++d) {
        PlacedDetection detection;
        if (!use(f, place(detections, d, detection), detection)) return false;
      }
    if (d != detections.count())
      throw InternalError(detections.source + ": detections of frames the file does not list");
    return true;
  };
  std::size_t left_out = 0, placed = 0, last_frame = detections.frames.size();
  const bool one_per_frame = for_each_placed([&](std::size_t f, bool placeable, const PlacedDetection&) {
    if (!placeable) return ++left_out, true;
    if (placed++ > 0 && last_frame == f) return false;
    last_frame = f;
    return true;
  });
  if (!one_per_frame) return false;
  people.detections_left_out = left_out;
  if (placed == 0) return true;
  PersonTrack track;
  track.frame_indices.reserve(placed);
  track.detections.reserve(placed);
  TrackSums sums;
  for_each_placed([&](std::size_t f, bool placeable, const PlacedDetection& detection) {
    if (!placeable) return true;
    track.frame_indices.push_back(f);
    track.detections.push_back(detection.index);
    sums.add(detection, track);
    return true;
  });
  sums.finish(detections, track);
  people.tracks.push_back(std::move(track));
  return true;
}

}  // namespace

PeopleTracks track_people(const Detections2D& detections, const TrackingOptions& options) {
  PeopleTracks people;
  people.ids_ignored = detections.has_track_ids && !ids_unique_per_frame(detections);
  people.ids_from_file = detections.has_track_ids && !people.ids_ignored;
  // A detector that never sees two people in a frame has seen one person (as below).
  if (!people.ids_from_file && track_the_only_person(detections, people)) {
    if (!people.tracks.empty()) people.tracks.front().id = 1;
    return people;
  }
  const PlacedFrames placed = place_all(detections);
  people.detections_left_out = placed.left_out;
  if (people.ids_from_file) {
    people.tracks = tracks_from_file_ids(detections, placed, people.detections_left_out);
  } else if (at_most_one_per_frame(placed)) {
    // A detector that never sees two people in a frame has seen one person: nobody to confuse them
    // with, so no jump, however large, starts another track.
    people.tracks = one_track_of_everything(placed);
  } else {
    Tracker tracker(detections, options, placed.median_size);
    for (std::size_t f = 0; f < placed.of_frame.size(); ++f) tracker.add_frame(f, placed.of_frame[f]);
    people.tracks = std::move(tracker).finish();
  }
  for (PersonTrack& track : people.tracks) add_statistics(detections, placed, track);
  order_by_prominence(people.tracks);
  if (!people.ids_from_file)
    for (std::size_t t = 0; t < people.tracks.size(); ++t) people.tracks[t].id = static_cast<long long>(t) + 1;
  return people;
}

std::string track_id_list(const PeopleTracks& people, std::size_t shown) {
  std::string text;
  for (std::size_t t = 0; t < people.tracks.size(); ++t) {
    if (t == shown) return text + ", ...";
    text += (t ? ", " : "") + std::to_string(people.tracks[t].id);
  }
  return text.empty() ? "none" : text;
}

}  // namespace lift3d::core
