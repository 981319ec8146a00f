// From a 2D keypoint file to one person's sequence in the model's joint layout: read every
// detection (io), choose the person (core), map the joints (base), fill gaps over time (core).
// VideoPose3D .npz datasets have their own path (inference_jobs.hpp).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/detections.hpp"
#include "lift3d/sequence.hpp"

namespace lift3d::pipeline {

// Which people of a multi-person file become sequences (people are tracked across frames first:
// core/person_tracking.hpp).
enum class PersonChoice {
  // One per video, over all its frames: the track_id's person, else the most prominent one
  // (core/person_selection.hpp).
  Best,
  // Every person of every video long enough to lift (core::long_enough_to_lift), each over the
  // frames from its first to its last appearance; named person_<id>.
  All,
};

struct KeypointReadOptions {
  PersonChoice people = PersonChoice::Best;
  // Joints scoring below this count as missing and are interpolated; a score of 0 is always missing
  // (OpenPose writes undetected joints as 0, 0, 0). 0 keeps every detected joint, as VideoPose3D does.
  float min_score = 0.0f;
  // With PersonChoice::Best: follow this person instead of the most prominent one: the file's
  // tracker id (AlphaPose idx, MMPose track_id, OpenPose person_id), or lift3d's track number when
  // the file has none (as PersonChoice::All names them). Frames where it is absent count as missing.
  std::optional<long long> track_id;
  // Layout to map the joints onto (the model's input layout); empty keeps the file's own layout.
  std::string target_layout = "coco";
  // The file's layout when it cannot be told from the joint count or the file (e.g. a 17-joint MMPose
  // file in h36m order); empty: declared by the file or inferred from the count.
  std::string source_layout;
  // Frame numbers (file names, image_id, frame_id) are video frame indices: the sequence spans
  // frames 0..max and numbers absent from the file become frames without a detection. Off: one
  // frame per number present, in order.
  bool dense_frames = false;
  // Interpolate missing joints (core::fill_keypoint_gaps); off leaves them as read.
  bool fill_gaps = true;
};

// One person's 2D keypoints from a detector's file, before normalisation.
struct Keypoints2D {
  std::string source;  // the file, directory or glob it was read from (named in errors)
  // Which sequence of the input this is: empty for the chosen person of the only video, else the
  // video and/or person ("Kick_1", "person_2", "Kick_1/person_2"); outputs are keyed by it.
  std::string name;
  // The frame of the input the sequence starts at (0-based, counting the frames of the video as the
  // whole-video sequence has them): 0 unless PersonChoice::All trimmed it to the person's frames.
  long long first_frame = 0;
  std::string format;  // the file's format, as the reader names it ("coco results json", ...)
  std::string file_layout;  // the file's own joint layout
  std::string layout;  // joint layout of `seq` (base/joint_sets.hpp)
  // frames x joints x 3 (x, y, score), pixels; the image size when the file gives it. A joint the
  // detector did not find has score 0 until gaps are filled.
  KeypointSequence seq;
  double fps = 0.0;       // 0 when the file does not say
  Coordinates coordinates = Coordinates::Unknown;  // what the file's format declares
  int filled_joints = 0;  // (frame, joint) entries replaced by the gap filler
};

// Reads the chosen people of every video an input holds, each mapped onto options.target_layout
// and, when options.fill_gaps, with missing joints filled. Throws InputError naming the file for bad
// data, UsageError for options that do not fit the file (a .npz input, a track id in a format
// without ids, a layout that cannot be mapped onto the target).
std::vector<Keypoints2D> read_people_2d(const std::string& path_or_glob, const KeypointReadOptions& options);

// The same for an input that holds one sequence; throws UsageError naming the sequences otherwise.
Keypoints2D read_keypoints_2d(const std::string& path_or_glob, const KeypointReadOptions& options);

// x, y only (frames x joints x 2), what the model consumes after normalisation.
KeypointSequence xy_only(const KeypointSequence& keypoints);
// The same in place: the values compacted, the memory of the dropped features handed back (a long
// sequence is never held twice).
void keep_xy_only(KeypointSequence& keypoints);

}  // namespace lift3d::pipeline
