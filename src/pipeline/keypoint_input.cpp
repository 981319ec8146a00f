#include "pipeline/keypoint_input.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "base/joint_mapping.hpp"
#include "base/joint_sets.hpp"
#include "base/log.hpp"
#include "base/memory_pages.hpp"
#include "base/text.hpp"
#include "core/gap_filling.hpp"
#include "core/person_selection.hpp"
#include "core/person_tracking.hpp"
#include "io/keypoint_files.hpp"
#include "lift3d/error.hpp"

namespace lift3d::pipeline {
namespace {

void map_onto_target_layout(Keypoints2D& keypoints, const std::string& target_layout) {
  if (target_layout.empty() || target_layout == keypoints.layout) return;
  try {
    keypoints.seq = map_keypoint_layout(keypoints.seq, keypoints.layout, target_layout);
    for (const JointMapping* step : joint_mapping_chain(keypoints.layout, target_layout))
      if (!step->approximation.empty())
        logger().warn("{}: mapping {} onto {}: {}", keypoints.source, step->from, step->to, step->approximation);
  } catch (const UsageError& e) {
    rethrow_with_context(e, keypoints.source);
  }
  keypoints.layout = target_layout;
}

void fill_gaps(Keypoints2D& keypoints, float min_score) {
  core::GapFillOptions fill;
  fill.min_score = min_score;
  fill.source = keypoints.source;
  fill.joint_names = keypoint_layout(keypoints.layout).joint_names;
  keypoints.filled_joints = core::fill_keypoint_gaps(keypoints.seq, fill).filled;
}

// The input, and the video when it holds several, for messages.
std::string input_label(const Detections2D& detections) {
  return detections.source + (detections.video.empty() ? "" : ": " + detections.video);
}

std::string person_name(const Detections2D& detections, long long id) {
  const std::string person = "person_" + std::to_string(id);
  return detections.video.empty() ? person : detections.video + "/" + person;
}

std::string describe(const core::PersonTrack& track, const Detections2D& detections) {
  return fmt::format("in {} of {} frames ({} to {}), size {:.0f} px, mean keypoint score {:.2f}",
                     track.frames_present(), detections.frames.size(), track.first_frame, track.last_frame,
                     track.mean_size, track.mean_score);
}

void report_tracking(const Detections2D& detections, const core::PeopleTracks& people) {
  const std::string label = input_label(detections);
  if (people.ids_ignored)
    logger().info("{}: the track ids repeat within frames, so they are not a tracker's; people are tracked by "
                  "position instead",
                  label);
  logger().debug("{}: {} track(s) {} ({}){}", label, people.tracks.size(),
                 people.ids_from_file ? "by the file's track ids" : "followed by position",
                 core::track_id_list(people),
                 people.detections_left_out
                     ? fmt::format(", {} detection(s) left out (under 2 keypoints{})", people.detections_left_out,
                                   people.ids_from_file ? " or no track id" : "")
                     : "");
  for (const core::PersonTrack& track : people.tracks)
    logger().debug("{}: person {}: {}, mean box area {:.0f} px^2, prominence {:.0f}", label, track.id,
                   describe(track, detections), track.mean_box_area, track.prominence);
}

// With `take`, the sequence may take over the detections' keypoint buffer (core::take_track_sequence).
Keypoints2D person_keypoints(Detections2D& detections, const core::PersonTrack& track, const core::FrameRows& rows,
                             core::SequenceSpan span, std::string name, bool take = false) {
  Keypoints2D keypoints;
  keypoints.source = detections.source;
  keypoints.name = std::move(name);
  keypoints.format = detections.format;
  keypoints.file_layout = detections.layout;
  keypoints.layout = detections.layout;
  keypoints.fps = detections.fps;
  keypoints.coordinates = detections.coordinates;
  core::PersonSequence sequence = take ? core::take_track_sequence(detections, track, rows, span)
                                      : core::track_sequence(detections, track, rows, span);
  keypoints.seq = std::move(sequence.keypoints);
  keypoints.first_frame = sequence.first_row;
  return keypoints;
}

// The person named by track_id, else the most prominent one, over every frame of the video.
const core::PersonTrack& chosen_person(const Detections2D& detections, const core::PeopleTracks& people,
                                       const std::optional<long long>& track_id) {
  if (track_id) {
    const core::PersonTrack& track = core::track_with_id(detections, people, *track_id);
    logger().debug("{}: following person {}: {}", input_label(detections), track.id, describe(track, detections));
    return track;
  }
  const core::DefaultPerson choice = core::default_person(people);
  // A clear choice is detail; a doubtful one is a warning (below).
  if (people.tracks.size() > 1)
    logger().debug("{}: lifting person {}, the most prominent of {} people tracked: {}", input_label(detections),
                   choice.chosen->id, people.tracks.size(), describe(*choice.chosen, detections));
  if (choice.ambiguous) {
    const double percent =
        choice.chosen->prominence > 0 ? 100.0 * choice.runner_up->prominence / choice.chosen->prominence : 100.0;
    logger().warn("{}: the person to lift is ambiguous: person {} ({}) and person {} ({}) are about equally "
                  "prominent ({:.0f}%); lifting person {}; choose one with --track {} or --track {}, or lift "
                  "everybody with --person all",
                  input_label(detections), choice.chosen->id, describe(*choice.chosen, detections),
                  choice.runner_up->id, describe(*choice.runner_up, detections), percent, choice.chosen->id,
                  choice.chosen->id, choice.runner_up->id);
  }
  return *choice.chosen;
}

// The whole-video sequence of a person seen in few of its frames is mostly made up.
void warn_if_mostly_absent(const Detections2D& detections, const core::PersonTrack& track) {
  if (2 * track.frames_present() >= detections.frames.size()) return;
  logger().warn("{}: person {} is present in only {} of {} frames; the others are interpolated from its nearest "
                "frames, or hold its first or last pose",
                input_label(detections), track.id, track.frames_present(), detections.frames.size());
}

// Every person long enough to lift, each over its own frames.
std::vector<Keypoints2D> every_person(Detections2D& detections, const core::PeopleTracks& people,
                                      const core::FrameRows& rows) {
  constexpr std::size_t kSkippedNamed = 5;  // people named in the note, the most prominent first
  std::vector<Keypoints2D> chosen;
  std::vector<std::string> skipped;
  std::size_t skipped_count = 0, longest = 0;
  for (const core::PersonTrack& track : people.tracks) {
    longest = std::max(longest, track.frames_present());
    if (!core::long_enough_to_lift(track, detections)) {
      if (++skipped_count <= kSkippedNamed)
        skipped.push_back(fmt::format("person {} ({} frame(s))", track.id, track.frames_present()));
      continue;
    }
    chosen.push_back(person_keypoints(detections, track, rows, core::SequenceSpan::TrackRows,
                                      person_name(detections, track.id)));
  }
  const std::size_t needed = std::min(core::kMinTrackFrames, detections.frames.size());
  if (chosen.empty())
    throw InputError(input_label(detections) + ": no person is present in " + std::to_string(needed) +
                     " or more frames (" + std::to_string(people.tracks.size()) + " tracked, the longest in " +
                     std::to_string(longest) + "); lift the most prominent one with --person best");
  if (skipped_count > 0)
    logger().info("{}: skipped {} of {} people present in fewer than {} frames: {}{}", input_label(detections),
                  skipped_count, people.tracks.size(), needed, join(skipped),
                  skipped_count > skipped.size() ? fmt::format(" and {} more", skipped_count - skipped.size()) : "");
  for (const Keypoints2D& person : chosen)
    logger().debug("{}: {}: frames {} to {} ({} frames)", detections.source, person.name, person.first_frame,
                   person.first_frame + person.seq.frames - 1, person.seq.frames);
  return chosen;
}

// The people of one video chosen by options.people, as sequences in the file's own layout. The one
// person of PersonChoice::Best may take over the detections' keypoints (they are not needed after).
std::vector<Keypoints2D> choose_people(Detections2D& detections, const KeypointReadOptions& options) {
  const core::PeopleTracks people = core::track_people(detections);
  report_tracking(detections, people);
  if (people.tracks.empty())
    throw InputError(input_label(detections) + ": no usable keypoints (no detection has 2 or more keypoints "
                                                "scoring above 0)");
  const core::FrameRows rows = core::frame_rows(detections, options.dense_frames);
  if (options.people == PersonChoice::All) return every_person(detections, people, rows);
  const core::PersonTrack& track = chosen_person(detections, people, options.track_id);
  warn_if_mostly_absent(detections, track);
  std::vector<Keypoints2D> chosen;  // (a braced list would copy the sequence)
  chosen.push_back(person_keypoints(detections, track, rows, core::SequenceSpan::AllRows, detections.video, /*take=*/true));
  return chosen;
}

}  // namespace

std::vector<Keypoints2D> read_people_2d(const std::string& path_or_glob, const KeypointReadOptions& options) {
  if (!options.target_layout.empty()) keypoint_layout(options.target_layout);  // unknown names fail first
  if (!options.source_layout.empty()) keypoint_layout(options.source_layout);
  if (options.people == PersonChoice::All && options.track_id)
    throw UsageError("--track follows one person and --person all lifts every person: give one of them");
  std::vector<Keypoints2D> people;
  std::vector<Detections2D> videos = io::read_detections(path_or_glob, {options.source_layout});
  for (Detections2D& detections : videos) {
    logger().debug("{}: {}{}: {} detection(s) of {} {} keypoints over {} frame number(s){}", detections.source,
                   detections.video.empty() ? "" : detections.video + ": ", detections.format, detections.count(),
                   detections.joints, detections.layout, detections.frames.size(),
                   detections.has_track_ids ? ", with track ids" : "");
    std::vector<Keypoints2D> chosen = choose_people(detections, options);
    detections = Detections2D();  // what follows needs the chosen sequences only: a long video is not held twice
    for (Keypoints2D& keypoints : chosen) {
      map_onto_target_layout(keypoints, options.target_layout);
      if (options.fill_gaps) fill_gaps(keypoints, options.min_score);
      people.push_back(std::move(keypoints));
    }
  }
  return people;
}

Keypoints2D read_keypoints_2d(const std::string& path_or_glob, const KeypointReadOptions& options) {
  std::vector<Keypoints2D> people = read_people_2d(path_or_glob, options);
  if (people.size() != 1) {
    std::vector<std::string> names;
    for (const Keypoints2D& person : people) names.push_back(person.name);
    throw UsageError(path_or_glob + ": holds " + std::to_string(people.size()) + " sequences (" + join(names) +
                     "), expected one");
  }
  return std::move(people.front());
}

KeypointSequence xy_only(const KeypointSequence& in) {
  KeypointSequence out;
  out.frames = in.frames;
  out.joints = in.joints;
  out.features = 2;
  out.image_width = in.image_width;
  out.image_height = in.image_height;
  out.values.resize(static_cast<std::size_t>(in.frames) * in.joints * 2);
  for (int f = 0; f < in.frames; ++f)
    for (int j = 0; j < in.joints; ++j)
      for (int k = 0; k < 2; ++k) out.at(f, j, k) = in.at(f, j, k);
  return out;
}

void keep_xy_only(KeypointSequence& keypoints) {
  if (keypoints.features == 2) return;
  if (keypoints.features < 2) throw InternalError("keypoints with fewer than 2 features have no x, y");
  const std::size_t points = static_cast<std::size_t>(keypoints.frames) * keypoints.joints;
  const std::size_t features = static_cast<std::size_t>(keypoints.features);
  float* values = keypoints.values.data();
  // Point i moves from i * features to i * 2, never past a value still to be read.
  for (std::size_t i = 0; i < points; ++i) {
    values[i * 2] = values[i * features];
    values[i * 2 + 1] = values[i * features + 1];
  }
  keypoints.values.resize(points * 2);
  keypoints.features = 2;
  return_unused_capacity(keypoints.values);
}

}  // namespace lift3d::pipeline
