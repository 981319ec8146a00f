// `lift3d infer [CHECKPOINT] --input FILE... (--output OUT | --output-dir DIR)`: 2D keypoints in,
// 3D joints out (camera frame by default, metres).
#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>

#include "lift3d/app/commands.hpp"
#include "lift3d/app/inference_jobs.hpp"
#include "lift3d/core/checkpoint_model.hpp"
#include "lift3d/core/parallel.hpp"
#include "lift3d/core/world_frame.hpp"
#include "lift3d/error.hpp"
#include "lift3d/io/pose_writers.hpp"

namespace lift3d::app {
namespace {

struct InferOptions {
  std::string checkpoint;
  std::vector<std::string> inputs;
  std::string output;
  std::string output_dir;
  std::string output_format;  // extension for --output-dir
  std::string frame = "camera";
  SelectionOptions selection;
  bool causal = false;
  bool dense = false;
  bool no_tta = false;
  bool no_trajectory = false;
  bool keep_going = false;
  bool timing = false;
  std::string architecture;
  int channels = 0;
  int threads = 0;
  int chunk_frames = 512;
};

std::string default_checkpoint() { return std::string(LIFT3D_DATA_DIR) + "/models/default_coco_h36m_81f.bin"; }

// One input file and where its result goes.
struct Task {
  std::string input;
  std::string output;
  std::vector<InferenceJob> jobs;
  std::vector<io::NamedPoses> results;
  std::string error;  // set when the task failed (with --keep-going)
};

std::string output_path_in_dir(const std::string& dir, const std::string& input, const std::string& format) {
  std::filesystem::path path(input);
  std::string stem = path.has_stem() && path.stem() != "*" ? path.stem().string() : path.parent_path().filename().string();
  if (stem.empty()) stem = "poses";
  return (std::filesystem::path(dir) / (stem + "." + format)).string();
}

// Lifting errors know no file: re-throws `e` with the input in front, as the same class (the class
// decides the exit code).
[[noreturn]] void rethrow_naming_input(const Error& e, const std::string& input) {
  if (const auto* usage = dynamic_cast<const UsageError*>(&e)) rethrow_with_context(*usage, input);
  if (const auto* bad_input = dynamic_cast<const InputError*>(&e)) rethrow_with_context(*bad_input, input);
  if (const auto* model = dynamic_cast<const ModelError*>(&e)) rethrow_with_context(*model, input);
  if (const auto* internal = dynamic_cast<const InternalError*>(&e)) rethrow_with_context(*internal, input);
  rethrow_with_context(e, input);
}

void run_infer(const InferOptions& options, int& exit_code) {
  if (options.output.empty() == options.output_dir.empty())
    throw UsageError("give exactly one of --output FILE (one input) or --output-dir DIR (any number of inputs)");
  if (!options.output.empty() && options.inputs.size() > 1)
    throw UsageError("several inputs need --output-dir DIR, not --output");
  if (!options.output.empty()) io::pose_file_format(options.output);  // fail on a bad extension before any work
  if (!options.output_dir.empty()) {
    std::error_code error;
    if (!std::filesystem::is_directory(options.output_dir, error))
      throw UsageError(options.output_dir + ": --output-dir is not an existing directory");
  }

  using Clock = std::chrono::steady_clock;
  const auto seconds_since = [](Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
  };
  const Clock::time_point load_start = Clock::now();
  const std::string checkpoint = options.checkpoint.empty() ? default_checkpoint() : options.checkpoint;
  core::ArchitectureHints hints;
  hints.causal = options.causal;
  if (options.dense) hints.dense = true;
  if (!options.architecture.empty()) hints.filter_widths = core::parse_filter_widths(options.architecture);
  if (options.channels > 0) hints.channels = options.channels;
  const core::LoadedModel model = core::load_model(checkpoint, hints);

  std::vector<Task> tasks;
  for (const std::string& input : options.inputs) {
    Task task;
    task.input = input;
    try {
      task.jobs = collect_jobs(input, options.selection, model.info.pose);
      const bool several = task.jobs.size() > 1;
      task.output = !options.output.empty()
                        ? options.output
                        : output_path_in_dir(options.output_dir, input,
                                             options.output_format.empty() ? (several ? "npz" : "npy")
                                                                           : options.output_format);
      if (several && io::pose_file_format(task.output) == io::PoseFileFormat::Npy)
        throw UsageError(task.output + ": a .npy output holds one sequence, but " + input + " gives " +
                         std::to_string(task.jobs.size()) +
                         "; use .npz/.json/.csv or narrow with --subject/--action/--camera");
    } catch (const Error& e) {
      if (!options.keep_going) throw;
      task.error = e.what();
    }
    tasks.push_back(std::move(task));
  }

  const double load_seconds = seconds_since(load_start);
  const Clock::time_point lift_start = Clock::now();
  // Flatten to (task, job) pairs so that every sequence of every input can run in parallel.
  std::vector<std::pair<int, int>> work;
  for (int t = 0; t < static_cast<int>(tasks.size()); ++t) {
    tasks[t].results.resize(tasks[t].jobs.size());
    for (int j = 0; j < static_cast<int>(tasks[t].jobs.size()); ++j) work.emplace_back(t, j);
  }
  const int threads = options.threads > 0 ? options.threads : core::hardware_threads();
  const int sequence_threads = std::max(1, std::min<int>(threads, static_cast<int>(work.size())));
  core::LiftOptions lift_options;
  lift_options.flip_tta = !options.no_tta;
  lift_options.chunk_frames = options.chunk_frames;
  // Several sequences: one per thread. One long sequence: segments of it on separate threads. One
  // short sequence: all threads inside its matrix products.
  if (sequence_threads == 1 && work.size() == 1 &&
      core::time_segments(model.info.pose, tasks[work[0].first].jobs[work[0].second].keypoints.frames, threads) > 1)
    lift_options.threads = threads;
  core::set_blas_threads(sequence_threads > 1 || lift_options.threads > 1 ? 1 : threads);
  const bool add_trajectory = !options.no_trajectory;
  std::mutex error_mutex;
  core::parallel_for(static_cast<int>(work.size()), sequence_threads, [&](int w) {
    Task& task = tasks[work[w].first];
    const InferenceJob& job = task.jobs[work[w].second];
    io::NamedPoses& result = task.results[work[w].second];
    try {
      result.name = job.name;
      result.poses = core::lift(model.lifter, job.keypoints, job.flip, lift_options, add_trajectory);
      if (options.frame == "world") result.poses = core::reference_world_from_camera(result.poses);
    } catch (const Error& e) {
      if (!options.keep_going) rethrow_naming_input(e, task.input);
      const std::lock_guard<std::mutex> lock(error_mutex);  // several sequences of one input may fail at once
      if (task.error.empty()) task.error = task.input + ": " + e.what();
    }
  });

  const double lift_seconds = seconds_since(lift_start);
  const Clock::time_point write_start = Clock::now();
  long long frames = 0;
  for (const Task& task : tasks)
    for (const InferenceJob& job : task.jobs) frames += job.keypoints.frames;
  int failed = 0;
  for (Task& task : tasks) {
    if (task.error.empty()) {
      for (const InferenceJob& job : task.jobs)
        if (job.filled_joints > 0)
          std::cerr << "lift3d: note: " << task.input << ": " << job.name << ": filled " << job.filled_joints << " of "
                    << job.total_joints << " joint positions by interpolation over time\n";
      io::PoseOutputInfo info;
      info.joint_names = output_joint_names(model.info.pose);
      info.frame = options.frame;
      info.root_relative = !(model.lifter.trajectory && add_trajectory) && options.frame == "camera";
      info.fps = task.jobs.empty() ? 0.0 : task.jobs.front().fps;
      try {
        io::write_pose_file(task.output, task.results, info);
        continue;
      } catch (const Error& e) {
        if (!options.keep_going) throw;
        task.error = e.what();
      }
    }
    ++failed;
    std::cerr << "lift3d: error: " << task.error << "\n";
  }
  if (options.timing)
    std::cerr << "lift3d: timing: load " << load_seconds << " s, lift " << lift_seconds << " s ("
              << (lift_seconds > 0 ? static_cast<double>(frames) / lift_seconds : 0.0) << " frames/s), write "
              << seconds_since(write_start) << " s\n";
  exit_code = failed ? kSomeFailed : kSuccess;
  if (failed)
    std::cerr << "lift3d: " << failed << " of " << tasks.size() << " inputs failed; the others were written\n";
}

}  // namespace

void add_infer_command(CLI::App& cli, int& exit_code) {
  auto options = std::make_shared<InferOptions>();
  CLI::App* cmd = cli.add_subcommand("infer", "Lift 2D keypoint sequences to 3D joints (metres)");
  cmd->add_option("checkpoint", options->checkpoint,
                  "VideoPose3D checkpoint, either torch format (default: the shipped model, "
                  "data/models/default_coco_h36m_81f.bin)");
  cmd->add_option("-i,--input", options->inputs,
                  "2D keypoints: VideoPose3D .npz, lift3d JSON, OpenPose directory or glob, COCO results, "
                  "AlphaPose or MMPose JSON (repeatable)")
      ->required();
  cmd->add_option("-o,--output", options->output,
                  "Output file; format by extension: .npy (one sequence, float32 frames x joints x 3), .npz (one "
                  "array per sequence, named SUBJECT/ACTION/CAMERA), .json, .csv");
  cmd->add_option("--output-dir", options->output_dir, "Write one file per input into this directory");
  cmd->add_option("--format", options->output_format, "Output format with --output-dir (default npy, npz for several)")
      ->check(CLI::IsMember({"npy", "npz", "json", "csv"}));
  cmd->add_option("--frame", options->frame,
                  "camera: camera frame as the model predicts (x right, y down, z forward); world: rotated by the "
                  "reference's render camera, z up, lowest joint on the ground (as run.py --render shows it)")
      ->check(CLI::IsMember({"camera", "world"}));
  cmd->add_option("--dataset", options->selection.dataset,
                  ".npz inputs: image sizes from fixed cameras (h36m, humaneva15) or the file's video_metadata (custom)")
      ->check(CLI::IsMember({"h36m", "humaneva15", "custom"}));
  cmd->add_option("--subject", options->selection.subject, ".npz inputs: only this subject (custom files: video name)");
  cmd->add_option("--action", options->selection.action, ".npz inputs: only this action (exact name, e.g. 'Walking 1')");
  cmd->add_option("--camera", options->selection.camera, ".npz inputs: only this camera index")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--layout", options->selection.layout, "JSON inputs: the model's 2D input layout (default coco)")
      ->check(CLI::IsMember({"coco", "h36m"}));
  cmd->add_option("--min-score", options->selection.min_score,
                  "JSON inputs: joints scoring below this are missing and interpolated over time (default 0)")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--track", options->selection.track_id,
                  "JSON inputs: follow this track/person id instead of the highest-scoring person per frame");
  cmd->add_flag("--dense-frames", options->selection.dense_frames,
                "JSON inputs: frame numbers (file names, image_id, frame_id) are video frames; frames without a "
                "detection are interpolated, so the output has one pose per video frame");
  cmd->add_flag("--causal", options->causal, "The checkpoint is a causal model (not stored in checkpoints)");
  cmd->add_flag("--dense", options->dense, "The checkpoint is a dense (non-dilated) model");
  cmd->add_option("--architecture", options->architecture, "Check the checkpoint has these filter widths, e.g. 3,3,3,3,3");
  cmd->add_option("--channels", options->channels, "Check the checkpoint has this many channels");
  cmd->add_flag("--no-tta", options->no_tta, "Disable flip test-time augmentation");
  cmd->add_flag("--no-trajectory", options->no_trajectory,
                "Do not add the trajectory model's root position (root-relative output, as run.py for labelled data)");
  cmd->add_option("--width", options->selection.width, "Image width in pixels (overrides the file/dataset)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--height", options->selection.height, "Image height in pixels (overrides the file/dataset)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--threads", options->threads, "Threads (default: all cores)")->check(CLI::PositiveNumber);
  cmd->add_option("--chunk-frames", options->chunk_frames, "Input frames in flight per model call, over all threads and TTA copies (bounds memory; results equal to float32 round-off)")
      ->check(CLI::Range(1, 1 << 20));
  cmd->add_flag("--timing", options->timing,
                "Print the seconds spent loading (checkpoint and inputs), lifting and writing to stderr");
  cmd->add_flag("--keep-going", options->keep_going,
                "Report a bad input and go on with the others (exit code 4 when any failed)");
  cmd->callback([options, &exit_code] { run_infer(*options, exit_code); });
}

}  // namespace lift3d::app
