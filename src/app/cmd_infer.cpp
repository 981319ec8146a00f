// `lift3d infer [CHECKPOINT] --input FILE... (--output OUT | --output-dir DIR)`: 2D keypoints in,
// 3D joints out (camera frame by default, metres).
#include <fmt/format.h>

#include <memory>

#include "app/commands.hpp"
#include "app/logging.hpp"
#include "app/model_options.hpp"
#include "app/option_checks.hpp"
#include "app/progress_line.hpp"
#include "base/joint_sets.hpp"
#include "base/log.hpp"
#include "core/person_selection.hpp"
#include "pipeline/inference.hpp"

namespace lift3d::app {
namespace {

struct InferOptions {
  pipeline::InferenceRequest request;
  ModelOptions model;
  bool no_tta = false;
  bool no_trajectory = false;
  bool timing = false;
  std::string person = "best";
  std::vector<std::string> image_sizes;  // --image-size, parsed when the command runs
  std::vector<std::string> size_from;    // --size-from
  std::string missing_joints = "fill";
  std::string coordinates = "auto";
  std::string bvh_bones = "exact";
  bool bvh_bones_given = false;
};

// An info record, printed whenever --timing asks for it (also without --verbose, and with --quiet).
void log_timing(const pipeline::InferenceSummary& summary) {
  const double rate = summary.lift_seconds > 0 ? static_cast<double>(summary.frames) / summary.lift_seconds : 0.0;
  log_regardless_of_level(spdlog::level::info,
                          fmt::format("timing: load {:g} s, lift {:g} s ({:g} frames/s), write {:g} s",
                                      summary.load_seconds, summary.lift_seconds, rate, summary.write_seconds));
}

int run_infer(InferOptions& options) {
  pipeline::InferenceRequest& request = options.request;
  for (const std::string& text : options.image_sizes)
    request.selection.image_sizes.push_back(pipeline::parse_image_size_option(text));
  for (const std::string& text : options.size_from)
    request.selection.image_sizes.push_back(pipeline::parse_size_from_option(text));
  request.hints = architecture_hints(options.model);
  request.selection.people = options.person == "all" ? pipeline::PersonChoice::All : pipeline::PersonChoice::Best;
  request.flip_tta = !options.no_tta;
  request.add_trajectory = !options.no_trajectory;
  request.selection.missing_joints =
      options.missing_joints == "refuse" ? pipeline::MissingJoints::Refuse : pipeline::MissingJoints::Fill;
  request.selection.coordinates = options.coordinates == "pixels"       ? core::CoordinateChoice::Pixels
                                  : options.coordinates == "normalized" ? core::CoordinateChoice::Normalized
                                                                        : core::CoordinateChoice::Auto;
  if (options.bvh_bones_given)
    request.bvh_bones = options.bvh_bones == "median" ? io::BvhBones::Median : io::BvhBones::Exact;
  ProgressLine progress("lifting", "sequences");
  request.on_progress = [&progress](int done, int total) { progress.update(done, total); };
  const pipeline::InferenceSummary summary = pipeline::run_inference(request);
  progress.clear();

  // --keep-going: one error line per failed input (never hidden), then a warning that sums up.
  for (const pipeline::InputResult& input : summary.inputs)
    if (!input.error.empty()) logger().error("{}", input.error);
  if (options.timing) log_timing(summary);
  if (summary.failed == 0) return kSuccess;
  logger().warn("{} of {} inputs failed; the others were written", summary.failed, summary.inputs.size());
  return kSomeFailed;
}

}  // namespace

void add_infer_command(CLI::App& cli, int& exit_code) {
  auto options = std::make_shared<InferOptions>();
  pipeline::InferenceRequest& request = options->request;
  pipeline::SelectionOptions& selection = request.selection;
  CLI::App* cmd = cli.add_subcommand("infer", "Lift 2D keypoint sequences to 3D joints (metres)");
  cmd->add_option("checkpoint", request.checkpoint,
                  "VideoPose3D checkpoint, either torch format (default: the shipped model, "
                  "default_coco_h36m_81f.bin)");
  cmd->add_option("-i,--input", request.inputs,
                  "2D keypoints: VideoPose3D .npz, lift3d JSON, OpenPose directory or glob, COCO results, "
                  "AlphaPose, MMPose (0.x or 1.x) or MediaPipe JSON, MediaPipe or keypoint CSV, keypoints.npz, "
                  ".npy (repeatable)")
      ->required();
  cmd->add_option("-o,--output", request.output,
                  "Output file; format by extension: .npy (one sequence, float32 frames x joints x 3), .npz (one "
                  "array per sequence, named SUBJECT/ACTION/CAMERA), .json, .csv, .bvh (one sequence: Human3.6M skeleton "
                  "animation, centimetres, Y up), .html (a 3D player beside the 2D input, self-contained)");
  cmd->add_option("--output-dir", request.output_dir, "Write one file per input into this directory");
  cmd->add_option("--format", request.output_format, "Output format with --output-dir (default npy, npz for several)")
      ->check(CLI::IsMember({"npy", "npz", "json", "csv", "bvh", "html"}));
  cmd->add_option("--frame", request.frame,
                  "camera: camera frame as the model predicts (x right, y down, z forward); world: rotated by the "
                  "reference's render camera, z up, lowest joint on the ground (as run.py --render shows it)")
      ->check(CLI::IsMember({"camera", "world"}));
  cmd->add_option("--bvh-bones", options->bvh_bones,
                  ".bvh outputs: exact (default) puts every joint at its lifted position on every frame (position "
                  "channels on every joint carry the bones' length changes; rest pose: median bone lengths); median "
                  "keeps rigid bones at their median lengths (rotations only; joints off by the length changes)")
      ->check(CLI::IsMember({"exact", "median"}))
      ->each([options](const std::string&) { options->bvh_bones_given = true; });
  cmd->add_option("--dataset", selection.dataset,
                  ".npz inputs: image sizes from fixed cameras (h36m, humaneva15) or the file's video_metadata (custom)")
      ->check(CLI::IsMember({"h36m", "humaneva15", "custom"}));
  cmd->add_option("--subject", selection.subject, ".npz inputs: only this subject (custom files: video name)");
  cmd->add_option("--action", selection.action, ".npz inputs: only this action (exact name, e.g. 'Walking 1')");
  cmd->add_option("--camera", selection.camera, ".npz inputs: only this camera index")
      ->check(whole_number(0, 1000));
  cmd->add_option("--layout", selection.layout, "JSON inputs: the model's 2D input layout (default coco)")
      ->check(CLI::IsMember({"coco", "h36m"}));
  cmd->add_option("--min-score", selection.min_score,
                  "JSON inputs: joints scoring below this are missing and interpolated over time (default 0)")
      ->check(finite_number(0.0, 1.0));
  cmd->add_option("--person", options->person,
                  fmt::format("JSON inputs with several people: best (default) lifts the most prominent person of "
                              "each video (frames x size x keypoint score); all lifts every person tracked in {} "
                              "frames or more, each named person_<id> over its own frames",
                              core::kMinTrackFrames))
      ->check(CLI::IsMember({"best", "all"}));
  cmd->add_option("--track", selection.track_id,
                  "JSON inputs: lift this person instead of the most prominent: the file's track id (AlphaPose idx, "
                  "MMPose track_id, OpenPose person_id), else lift3d's number as --person all names it");
  cmd->add_option("--missing-joints", options->missing_joints,
                  "JSON inputs: joints never seen (or seen in under 10% of the frames): fill places them from a body "
                  "model fitted to the seen joints (default); refuse rejects a sequence with a joint never seen")
      ->check(CLI::IsMember({"fill", "refuse"}));
  cmd->add_option("--coordinates", options->coordinates,
                  "JSON inputs: x, y are pixels, normalized ([0, 1] or [-1, 1] of the image, y down; needs the "
                  "image size), or auto: told apart from the values (default)")
      ->check(CLI::IsMember({"pixels", "normalized", "auto"}));
  cmd->add_flag("--dense-frames", selection.dense_frames,
                "JSON inputs: frame numbers (file names, image_id, frame_id) are video frames; frames without a "
                "detection are interpolated, so the output has one pose per video frame");
  add_model_options(*cmd, options->model);
  cmd->add_flag("--no-tta", options->no_tta, "Disable flip test-time augmentation");
  cmd->add_flag("--no-trajectory", options->no_trajectory,
                "Do not add the trajectory model's root position (root-relative output, as run.py for labelled data)");
  // Input formats: joint layout and image sizes.
  cmd->add_option("--input-layout", selection.source_layout,
                  "The inputs' joint layout when the file cannot tell it: body25b (OpenPose BODY_25B, 25 joints "
                  "like BODY_25), coco or h36m for keypoints.npz, .npy and numbered CSV columns, ...")
      ->check(CLI::IsMember(keypoint_layout_names()));
  cmd->add_option("--image-size", options->image_sizes,
                  "Image size in pixels: WxH for every input, or NAME=WxH for the inputs NAME names (the input as "
                  "given, its file or folder name, or its stem); repeatable")
      ->type_name("[NAME=]WxH");
  cmd->add_option("--size-from", options->size_from,
                  "Image size from a frame image's or video's header (PNG, JPEG, MP4/MOV): FILE for every input, or "
                  "NAME=FILE per input; repeatable")
      ->type_name("[NAME=]FILE");
  cmd->add_option("--width", selection.width, "Image width in pixels for every input (with --height: --image-size WxH)")
      ->check(whole_number(1, 1'000'000));
  cmd->add_option("--height", selection.height, "Image height in pixels for every input (see --width)")
      ->check(whole_number(1, 1'000'000));
  cmd->add_option("--threads", request.threads, "Threads (default: all cores)")->check(whole_number(1, 4096));
  cmd->add_option("--chunk-frames", request.chunk_frames,
                  "Input frames in flight per model call, over all threads and TTA copies (bounds memory; results "
                  "equal to float32 round-off)")
      ->check(whole_number(1, 1 << 20));
  cmd->add_flag("--timing", options->timing,
                "Print the seconds spent loading (checkpoint and inputs), lifting and writing to stderr (a note, "
                "shown whatever the logging level)");
  cmd->add_flag("--keep-going", request.keep_going,
                "Report a bad input and go on with the others (exit code 4 when any failed)");
  cmd->callback([options, &exit_code] { exit_code = run_infer(*options); });
}

}  // namespace lift3d::app
