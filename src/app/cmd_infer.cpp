// `lift3d infer [CHECKPOINT] --input FILE --output OUT ...`: 2D keypoints in, camera-space 3D out.
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>

#include "lift3d/app/commands.hpp"
#include "lift3d/app/inference_jobs.hpp"
#include "lift3d/core/checkpoint_model.hpp"
#include "lift3d/core/parallel.hpp"
#include "lift3d/error.hpp"
#include "lift3d/io/pose_output.hpp"

namespace lift3d::app {
namespace {

struct InferOptions {
  std::string checkpoint;
  std::vector<std::string> inputs;
  std::string output;
  SelectionOptions selection;
  bool causal = false;
  bool dense = false;
  bool no_tta = false;
  bool no_trajectory = false;
  std::string architecture;
  int channels = 0;
  int threads = 0;
  int chunk_frames = 2048;
};

std::string default_checkpoint() {
  return std::string(LIFT3D_DATA_DIR) + "/models/default_coco_h36m_81f.bin";
}

void run_infer(const InferOptions& options) {
  if (options.output.empty()) throw UsageError("--output is required (.npy for one sequence, .npz for several)");
  const std::string checkpoint = options.checkpoint.empty() ? default_checkpoint() : options.checkpoint;
  core::ArchitectureHints hints;
  hints.causal = options.causal;
  if (options.dense) hints.dense = true;
  if (!options.architecture.empty()) hints.filter_widths = core::parse_filter_widths(options.architecture);
  if (options.channels > 0) hints.channels = options.channels;
  const core::LoadedModel model = core::load_model(checkpoint, hints);

  std::vector<InferenceJob> jobs;
  for (const std::string& input : options.inputs) {
    std::vector<InferenceJob> found = collect_jobs(input, options.selection, model.info.pose);
    for (auto& job : found) jobs.push_back(std::move(job));
  }
  if (jobs.empty()) throw UsageError("no input sequences selected");

  const int threads = options.threads > 0 ? options.threads : core::hardware_threads();
  core::LiftOptions lift_options;
  lift_options.flip_tta = !options.no_tta;
  lift_options.chunk_frames = options.chunk_frames;
  // One sequence: all threads inside its matrix products. Several: one sequence per thread.
  const int sequence_threads = std::min<int>(threads, static_cast<int>(jobs.size()));
  core::set_blas_threads(sequence_threads > 1 ? 1 : threads);

  std::vector<io::NamedPoses> results(jobs.size());
  core::parallel_for(static_cast<int>(jobs.size()), sequence_threads, [&](int i) {
    const InferenceJob& job = jobs[i];
    results[i].name = job.name;
    results[i].poses = core::lift(model.lifter, job.keypoints, job.flip, lift_options, !options.no_trajectory);
  });

  io::PoseOutputInfo info;
  info.joint_names = output_joint_names(model.info.pose);
  info.frame = "camera";
  info.root_relative = !(model.lifter.trajectory && !options.no_trajectory);
  info.fps = jobs.front().fps;
  io::write_poses(options.output, results, info);
}

}  // namespace

void add_infer_command(CLI::App& cli, int& exit_code) {
  auto options = std::make_shared<InferOptions>();
  CLI::App* cmd = cli.add_subcommand("infer", "Lift 2D keypoint sequences to camera-space 3D (metres)");
  cmd->add_option("checkpoint", options->checkpoint,
                  "VideoPose3D checkpoint (default: the shipped model, data/models/default_coco_h36m_81f.bin)");
  cmd->add_option("-i,--input", options->inputs, "2D keypoints: VideoPose3D .npz")->required();
  cmd->add_option("-o,--output", options->output,
                  "Output: .npy (one sequence, float32 frames x joints x 3) or .npz (one array per sequence)");
  cmd->add_option("--dataset", options->selection.dataset,
                  "How the npz's image sizes are known: h36m, humaneva15 (fixed cameras) or custom (video_metadata)")
      ->check(CLI::IsMember({"h36m", "humaneva15", "custom"}));
  cmd->add_option("--subject", options->selection.subject, "Only this subject (custom files: video name)");
  cmd->add_option("--action", options->selection.action, "Only this action (exact name, e.g. 'Walking 1')");
  cmd->add_option("--camera", options->selection.camera, "Only this camera index")->check(CLI::NonNegativeNumber);
  cmd->add_flag("--causal", options->causal, "The checkpoint is a causal model (not stored in checkpoints)");
  cmd->add_flag("--dense", options->dense, "The checkpoint is a dense (non-dilated) model");
  cmd->add_option("--architecture", options->architecture, "Check the checkpoint has these filter widths, e.g. 3,3,3,3,3");
  cmd->add_option("--channels", options->channels, "Check the checkpoint has this many channels");
  cmd->add_flag("--no-tta", options->no_tta, "Disable flip test-time augmentation");
  cmd->add_flag("--no-trajectory", options->no_trajectory,
                "Do not add the trajectory model's root position (root-relative output)");
  cmd->add_option("--width", options->selection.width, "Image width in pixels (overrides the file/dataset)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--height", options->selection.height, "Image height in pixels (overrides the file/dataset)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--threads", options->threads, "Threads (default: all cores)")->check(CLI::PositiveNumber);
  cmd->add_option("--chunk-frames", options->chunk_frames, "Frames per model call (memory bound; results identical)")
      ->check(CLI::Range(1, 1 << 20));
  cmd->callback([options, &exit_code] {
    run_infer(*options);
    exit_code = kSuccess;
  });
}

}  // namespace lift3d::app
