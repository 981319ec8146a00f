#include "pipeline/keypoint_input.hpp"

#include "base/joint_mapping.hpp"
#include "base/joint_sets.hpp"
#include "base/log.hpp"
#include "base/text.hpp"
#include "core/gap_filling.hpp"
#include "core/person_selection.hpp"
#include "io/keypoint_files.hpp"
#include "lift3d/error.hpp"

namespace lift3d::pipeline {
namespace {

void map_onto_target_layout(Keypoints2D& keypoints, const std::string& target_layout) {
  if (target_layout.empty() || target_layout == keypoints.layout) return;
  try {
    keypoints.seq = map_keypoint_layout(keypoints.seq, keypoints.layout, target_layout);
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

}  // namespace

namespace {

// The people of one video chosen by options.people, as sequences in the file's own layout.
std::vector<Keypoints2D> choose_people(const Detections2D& detections, const KeypointReadOptions& options) {
  if (options.people == PersonChoice::All)
    throw UsageError(detections.source + ": lifting every person is not available yet");
  Keypoints2D keypoints;
  keypoints.source = detections.source;
  keypoints.name = detections.video;
  keypoints.format = detections.format;
  keypoints.file_layout = detections.layout;
  keypoints.layout = detections.layout;
  keypoints.fps = detections.fps;
  keypoints.coordinates = detections.coordinates;
  keypoints.seq = core::select_person(detections, {options.track_id, options.dense_frames});
  return {std::move(keypoints)};
}

}  // namespace

std::vector<Keypoints2D> read_people_2d(const std::string& path_or_glob, const KeypointReadOptions& options) {
  if (!options.target_layout.empty()) keypoint_layout(options.target_layout);  // unknown names fail first
  if (!options.source_layout.empty()) keypoint_layout(options.source_layout);
  std::vector<Keypoints2D> people;
  for (const Detections2D& detections : io::read_detections(path_or_glob, {options.source_layout})) {
    logger().debug("{}: {}{}: {} detection(s) of {} {} keypoints over {} frame number(s){}", detections.source,
                   detections.video.empty() ? "" : detections.video + ": ", detections.format, detections.count(),
                   detections.joints, detections.layout, detections.frames.size(),
                   detections.has_track_ids ? ", with track ids" : "");
    for (Keypoints2D& keypoints : choose_people(detections, options)) {
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

}  // namespace lift3d::pipeline
