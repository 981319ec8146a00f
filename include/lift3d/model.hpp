// lift3d as a library: load a VideoPose3D checkpoint (or the model lift3d ships) and lift 2D keypoint
// sequences held in memory to 3D, exactly as `lift3d infer` does.
//
//   lift3d::Model model = lift3d::Model::load_default();
//   lift3d::KeypointSequence keypoints = ...;   // frames x 17 x 3 (x, y, score), COCO order, pixels
//   keypoints.image_width = 1920;
//   keypoints.image_height = 1080;
//   lift3d::Poses3D result = model.lift(keypoints);   // frames x 17 x 3, metres, camera frame
//
// A Model may be used from several threads at once. Errors are thrown as lift3d::Error subclasses.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "lift3d/export.hpp"
#include "lift3d/sequence.hpp"

namespace lift3d {

// What a checkpoint does not record about its model.
struct LoadOptions {
  bool causal = false;  // trained with --causal
  bool dense = false;   // trained with --dense (non-dilated convolutions)
};

struct ModelInfo {
  std::string path;          // the checkpoint file
  std::string architecture;  // filter widths, "3,3,3,3,3"
  int receptive_field = 0;   // frames
  int channels = 0;
  int input_joints = 0;   // 2D keypoints per frame the model reads
  int output_joints = 0;  // 3D joints per frame it predicts
  bool causal = false;
  bool dense = false;
  bool has_trajectory = false;  // a trajectory model predicts the root's camera-space position
  long long parameters = 0;     // of the pose model
  std::vector<std::string> output_joint_names;  // Human3.6M-17, HumanEva-15, or "joint_<i>"
};

enum class Frame {
  Camera,  // the model's frame: x right, y down, z forward, metres
  World,   // rotated by the reference's render camera, z up, lowest joint of the sequence at z = 0
};

// Joints a sequence never shows (legs of an upper-body video, an eye hidden in a side view), or
// shows in fewer than 10% of its frames.
enum class MissingJoints {
  Fill,    // placed from a body model fitted to the seen joints (refused when too little is seen)
  Refuse,  // a never-seen joint is an InputError naming it
};

// What the keypoints' x, y are when an image size is given.
enum class InputCoordinates {
  Auto,        // told apart from the values: all within [-1.05, 1.05] is normalised, else pixels
  Pixels,
  Normalized,  // fractions of the image, [0, 1] or [-1, 1] (from the smallest value), y down
};

struct LiftOptions {
  // The keypoints' joint layout: "coco" (COCO-17), "h36m", "humaneva15", ... (the model's input
  // layout; it decides which joints trade places under flip test-time augmentation).
  std::string layout = "coco";
  bool flip_tta = true;        // average with the mirrored input, as the reference evaluates
  bool add_trajectory = true;  // add the root's position when the checkpoint has a trajectory model
  Frame frame = Frame::Camera;
  // Keypoints scoring below this, or with a score of 0 or non-finite x/y, are missing and are
  // interpolated over time per joint (held at the ends); a joint never seen is placed from the body
  // model or refused, as missing_joints says.
  float min_score = 0.0f;
  MissingJoints missing_joints = MissingJoints::Fill;
  InputCoordinates coordinates = InputCoordinates::Auto;
  int threads = 0;  // 0: every hardware thread
};

struct Poses3D {
  PoseSequence poses;  // frames x joints x 3, metres
  std::vector<std::string> joint_names;
  Frame frame = Frame::Camera;
  bool root_relative = true;  // false when the trajectory was added or the frame is World
  int filled_keypoints = 0;   // input (frame, joint) entries that were missing and filled (either way)
  // What was done to each input keypoint, frames x keypoint_names.size(): 0 observed, 1 missing and
  // interpolated over time, 2 never (or too rarely) seen and placed from the body model.
  std::vector<std::uint8_t> keypoint_fill;
  std::vector<std::string> keypoint_names;  // the input layout's joints
};

class LIFT3D_API Model {
 public:
  // Reads a VideoPose3D checkpoint (torch legacy or zip format, as run.py saves it). Throws
  // ModelError naming the file when it is not one.
  static Model load(const std::string& checkpoint, const LoadOptions& options = {});
  // The model lift3d ships (81 frames, 256 channels, COCO-17 in, Human3.6M-17 out), found beside the
  // installed library or through the LIFT3D_DATA_DIR environment variable.
  static Model load_default();

  Model(Model&&) noexcept;
  Model& operator=(Model&&) noexcept;
  ~Model();

  const ModelInfo& info() const;

  // Lifts one person's keypoints: frames x joints x (2 or 3) with x, y in pixels of an image of
  // keypoints.image_width x image_height (or fractions of it, see options.coordinates; both 0:
  // already in VideoPose3D's normalised screen coordinates) and an optional score. Warns (through
  // the "lift3d" logger) about filled joints. Throws UsageError when the joints do not fit the model
  // or the layout, InputError when too little of the body is seen, or a joint is never seen and
  // options.missing_joints is Refuse.
  Poses3D lift(const KeypointSequence& keypoints, const LiftOptions& options = {}) const;

 private:
  struct State;
  explicit Model(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace lift3d
