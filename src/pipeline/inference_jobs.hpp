// Turning input files into the sequences `infer` lifts: reading, selecting, finding each
// sequence's image size, normalising, and pairing it with the left/right lists for flip TTA.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/detections.hpp"
#include "core/input_coordinates.hpp"
#include "core/lifter.hpp"
#include "pipeline/image_sizes.hpp"
#include "pipeline/keypoint_input.hpp"
#include "core/model_config.hpp"
#include "io/videopose_2d.hpp"
#include "lift3d/sequence.hpp"

namespace lift3d::pipeline {

// What to do with joints a sequence never (or too rarely) shows.
enum class MissingJoints {
  Fill,    // place them from the body model (core/body_fill.hpp), unless too little is seen for 3D
  Refuse,  // refuse the sequence, naming them
};

struct SelectionOptions {
  std::string dataset;  // "h36m" | "humaneva15" | "custom"; empty: custom if the file has video_metadata
  std::string subject;
  std::string action;
  std::optional<int> camera;
  int width = 0;  // override of the image size
  int height = 0;
  // Detector JSON inputs: joints below min_score are interpolated; people chooses the most prominent
  // person or every person, track_id one person (KeypointReadOptions); layout is the model's input
  // layout the joints are mapped onto.
  float min_score = 0.0f;
  std::optional<long long> track_id;
  std::string layout = "coco";
  bool dense_frames = false;  // frame numbers are video frame indices; gaps become missing frames
  PersonChoice people = PersonChoice::Best;  // one person per video, or every person
  // Input formats: the file's joint layout when the file cannot tell it (--input-layout); per-input
  // image sizes (--image-size, --size-from; image_sizes.hpp), which beat width/height for the
  // inputs they name.
  std::string source_layout;
  std::vector<ImageSizeOption> image_sizes;
  MissingJoints missing_joints = MissingJoints::Fill;
  core::CoordinateChoice coordinates = core::CoordinateChoice::Auto;
};

// Joints placed from the body model, for the warning.
struct BodyFillReport {
  std::vector<int> never_seen;     // joints never usable
  std::vector<int> rarely_seen;    // joints usable in fewer than core::kRarelySeenFraction of the frames
  std::vector<int> usable_frames;  // per joint
  int filled = 0;                  // (frame, joint) entries placed
  double yaw_degrees = 0.0;        // the template's turn (core::describe_yaw)
};

struct InferenceJob {
  std::string name;                  // output key: "SUBJECT/ACTION/CAMERA", "person_2", ...
  long long first_frame = 0;         // the input frame the sequence starts at (Keypoints2D::first_frame)
  KeypointSequence keypoints;  // normalised screen coordinates
  core::FlipPairs flip;
  double fps = 0.0;
  int filled_joints = 0;  // (frame, joint) entries interpolated because they were missing
  int total_joints = 0;
  BodyFillReport body_fill;  // joints placed from the body model
  // Detector inputs: frames x input joints, what was done to each keypoint (KeypointFill), and the
  // input joints' names; empty for VideoPose3D datasets.
  std::vector<std::uint8_t> keypoint_fill;
  std::vector<std::string> keypoint_names;
};

// What was done to an input keypoint before lifting.
enum KeypointFill : std::uint8_t {
  kObserved = 0,      // used as the detector gave it
  kInterpolated = 1,  // missing or below --min-score in this frame: interpolated over time
  kFromBodyModel = 2,  // never (or too rarely) seen: placed from the body model fitted to the seen joints
};

// Reads one input and returns the selected sequences, ready for the model. Throws InputError /
// UsageError naming the file when nothing matches the selection or the data do not fit the model.
std::vector<InferenceJob> collect_jobs(const std::string& input, const SelectionOptions& selection,
                                       const core::ModelConfig& pose_model);

// Flip pairs of a VideoPose3D 2D file's sequences: the 2D lists from its keypoints_symmetry (or its
// layout), the 3D lists from the model's skeleton. Throws InputError naming the file for an index
// outside its `joints_in` keypoints.
core::FlipPairs videopose_flip_pairs(const io::VideoPose2DFile& file, int joints_in, const core::ModelConfig& pose_model);

// One person's keypoints from a file or from memory, and what to do with them.
struct PersonInput {
  std::string source;       // named in messages: the file, or what the caller calls it
  std::string layout = "coco";  // the keypoints' joint layout (the model's input layout)
  float min_score = 0.0f;   // as SelectionOptions::min_score
  int width = 0;            // overrides of the image size the keypoints carry
  int height = 0;
  // No image size anywhere means the keypoints are already normalised (library callers);
  // otherwise it is an error (files must say, or the user must).
  bool normalised_without_size = false;
  MissingJoints missing_joints = MissingJoints::Fill;
  core::CoordinateChoice coordinates = core::CoordinateChoice::Auto;
  Coordinates declared_coordinates = Coordinates::Unknown;  // what the file's format says (Normalized is believed)
};

// frames x joints x (2|3) keypoints (x, y[, score]) made ready for the model, in these steps:
// normalised coordinates scaled to pixels (core/input_coordinates.hpp; a note says so); the
// refusal rule (core::check_enough_seen); joints seen often enough interpolated over time
// (core::fill_keypoint_gaps); joints never or too rarely seen placed from the body model
// (core::fill_from_body_template; with MissingJoints::Refuse a never-seen joint is an error);
// normalised by the image size; flip pairs from the layout and the model's skeleton. Throws
// UsageError when the joints fit neither layout nor model, or the image size is unknown or the
// coordinates undecidable; InputError when too little is seen or (Refuse) a joint is never usable.
InferenceJob person_job(std::string name, KeypointSequence keypoints, const PersonInput& person,
                        const core::ModelConfig& pose_model);

// Warnings on what was filled in a job's keypoints: by interpolation over time, and from the body
// model (naming the joints). `label` starts each message ("clip.json: clip").
void report_keypoint_fill(const std::string& label, const InferenceJob& job);

// Joint names of the model's output skeleton (Human3.6M 17 or HumanEva 15), or "joint_<i>".
std::vector<std::string> output_joint_names(const core::ModelConfig& pose_model);

}  // namespace lift3d::pipeline
