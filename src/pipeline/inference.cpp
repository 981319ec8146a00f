#include "pipeline/inference.hpp"

#include <chrono>
#include <filesystem>
#include <mutex>

#include "base/log.hpp"
#include "base/text.hpp"
#include "core/parallel.hpp"
#include "core/world_frame.hpp"
#include "io/keypoint_files.hpp"
#include "io/pose_writers.hpp"
#include "lift3d/error.hpp"
#include "pipeline/bvh_export.hpp"
#include "pipeline/infer_report.hpp"
#include "pipeline/checkpoint_model.hpp"
#include "pipeline/default_model.hpp"
#include "pipeline/output_safety.hpp"
#include "pipeline/input_names.hpp"
#include "pipeline/thread_plan.hpp"

namespace lift3d::pipeline {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// One input file, its sequences and where their result goes.
struct Task {
  InputResult result;
  std::vector<InferenceJob> jobs;
  std::vector<io::NamedPoses> poses;
};

void check_request(const InferenceRequest& request) {
  if (request.output.empty() == request.output_dir.empty())
    throw UsageError("give exactly one of --output FILE (one input) or --output-dir DIR (any number of inputs)");
  if (!request.output.empty() && request.inputs.size() > 1)
    throw UsageError("several inputs need --output-dir DIR, not --output");
  if (!request.output.empty()) {  // fail on a bad extension or a missing folder before any work
    io::pose_file_format(request.output);
    const std::filesystem::path folder = std::filesystem::path(request.output).parent_path();
    std::error_code error;
    if (!folder.empty() && !std::filesystem::is_directory(folder, error))
      throw UsageError(request.output + ": the folder " + folder.string() + " does not exist");
  }
  check_image_size_options(request.selection.image_sizes, request.inputs,
                           request.selection.width > 0 || request.selection.height > 0);
  if (!request.output_dir.empty()) {
    std::error_code error;
    if (!std::filesystem::is_directory(request.output_dir, error))
      throw UsageError(request.output_dir + ": --output-dir is not an existing directory");
  }
  const bool writes_bvh = request.output.empty() ? request.output_format == "bvh"
                                                 : io::pose_file_format(request.output) == io::PoseFileFormat::Bvh;
  if (request.bvh_bones && !writes_bvh)
    throw UsageError("--bvh-bones applies to .bvh outputs only (--output FILE.bvh, or --output-dir with --format bvh)");
}

// Errors raised while lifting know no file: re-throws `e` with the input in front, as the same
// class (the class decides the exit code).
[[noreturn]] void rethrow_naming_input(const Error& e, const std::string& input) {
  if (const auto* usage = dynamic_cast<const UsageError*>(&e)) rethrow_with_context(*usage, input);
  if (const auto* bad_input = dynamic_cast<const InputError*>(&e)) rethrow_with_context(*bad_input, input);
  if (const auto* model = dynamic_cast<const ModelError*>(&e)) rethrow_with_context(*model, input);
  if (const auto* internal = dynamic_cast<const InternalError*>(&e)) rethrow_with_context(*internal, input);
  rethrow_with_context(e, input);
}

std::string output_path(const InferenceRequest& request, const std::string& input, std::size_t sequences) {
  if (!request.output.empty()) return request.output;
  const std::string format =
      request.output_format.empty() ? (sequences > 1 ? "npz" : "npy") : request.output_format;
  return output_path_in_dir(request.output_dir, input, format);
}

// "a, b, c, ... (12 in all)" for messages.
std::string sequence_names(const std::vector<InferenceJob>& jobs) {
  constexpr std::size_t kShown = 4;
  std::vector<std::string> names;
  for (std::size_t j = 0; j < jobs.size() && j < kShown; ++j) names.push_back(jobs[j].name);
  return join(names) + (jobs.size() > kShown ? ", ..." : "");
}

// How to get one sequence out of an input that gives several.
std::string narrowing_hint(const std::string& input) {
  if (io::keypoint_format_from_path(input) == io::KeypointFileFormat::VideoPoseNpz)
    return "narrow with --subject/--action/--camera";
  return "lift one person with --track ID (--person best lifts one per video)";
}

Task prepare_task(const InferenceRequest& request, const std::string& input, const core::ModelConfig& pose_model) {
  Task task;
  task.result.input = input;
  try {
    task.jobs = collect_jobs(input, request.selection, pose_model);
    task.result.sequences = static_cast<int>(task.jobs.size());
    task.result.output = output_path(request, input, task.jobs.size());
    const io::PoseFileFormat format = io::pose_file_format(task.result.output);
    if (task.jobs.size() > 1 && (format == io::PoseFileFormat::Npy || format == io::PoseFileFormat::Bvh))
      throw UsageError(task.result.output + ": a ." + (format == io::PoseFileFormat::Npy ? "npy" : "bvh") +
                       " output holds one sequence, but " + input + " gives " +
                       std::to_string(task.jobs.size()) + " (" + sequence_names(task.jobs) +
                       "); write .npz (one array per sequence), .json or .csv, or " + narrowing_hint(input));
  } catch (const Error& e) {
    if (!request.keep_going) throw;
    task.result.error = e.what();
  }
  return task;
}

// Every sequence of every input, lifted on the planned threads.
bool shows_input(const std::string& output) {
  return io::pose_file_format(output) == io::PoseFileFormat::Html;
}

void lift_all(const InferenceRequest& request, const LoadedModel& model, std::vector<Task>& tasks) {
  std::vector<std::pair<std::size_t, std::size_t>> work;  // (task, job)
  std::vector<int> frames;
  for (std::size_t t = 0; t < tasks.size(); ++t) {
    tasks[t].poses.resize(tasks[t].jobs.size());
    for (std::size_t j = 0; j < tasks[t].jobs.size(); ++j) {
      work.emplace_back(t, j);
      frames.push_back(tasks[t].jobs[j].keypoints.frames);
    }
  }
  const ThreadPlan plan = plan_threads(request.threads, frames, model.info.pose);
  apply_thread_plan(plan);
  logger().debug("lifting {} sequence(s): flip test-time augmentation {}, trajectory {}, {} frames per model call",
                 work.size(), request.flip_tta ? "on" : "off",
                 !model.lifter.trajectory ? "none in the checkpoint" : request.add_trajectory ? "added" : "not added",
                 request.chunk_frames);
  core::LiftOptions options;
  options.flip_tta = request.flip_tta;
  options.chunk_frames = request.chunk_frames;
  options.threads = plan.segment_threads;
  std::mutex mutex;  // guards task errors (several sequences of one input may fail at once) and progress
  int done = 0;
  core::parallel_for(static_cast<int>(work.size()), plan.sequence_threads, [&](int w) {
    Task& task = tasks[work[w].first];
    InferenceJob& job = task.jobs[work[w].second];
    io::NamedPoses& result = task.poses[work[w].second];
    try {
      result.name = job.name;
      result.first_frame = job.first_frame;
      // The input is not needed once lifted, so a long sequence's input and output are not held whole
      // at once; only an HTML report, which draws the 2D keypoints beside the 3D, keeps it.
      result.keypoint_names = job.keypoint_names;
      if (shows_input(task.result.output)) {
        result.keypoint_fill = job.keypoint_fill;
        result.poses = core::lift_consuming(model.lifter, KeypointSequence(job.keypoints), job.flip, options,
                                            request.add_trajectory);
      } else {
        result.keypoint_fill = std::move(job.keypoint_fill);
        result.poses = core::lift_consuming(model.lifter, std::move(job.keypoints), job.flip, options,
                                            request.add_trajectory);
      }
      if (request.frame == "world") result.poses = core::reference_world_from_camera(result.poses);
    } catch (const Error& e) {
      if (!request.keep_going) rethrow_naming_input(e, task.result.input);
      const std::lock_guard<std::mutex> lock(mutex);
      if (task.result.error.empty()) task.result.error = task.result.input + ": " + e.what();
    }
    if (request.on_progress) {
      const std::lock_guard<std::mutex> lock(mutex);
      request.on_progress(++done, static_cast<int>(work.size()));
    }
  });
}

io::PoseOutputInfo output_info(const InferenceRequest& request, const LoadedModel& model, const Task& task) {
  io::PoseOutputInfo info;
  info.joint_names = output_joint_names(model.info.pose);
  info.frame = request.frame;
  info.root_relative = !(model.lifter.trajectory && request.add_trajectory) && request.frame == "camera";
  info.fps = task.jobs.empty() ? 0.0 : task.jobs.front().fps;
  info.bvh_bones = request.bvh_bones.value_or(io::BvhBones::Exact);
  return info;
}

void report_filled_joints(const Task& task) {
  for (const InferenceJob& job : task.jobs) report_keypoint_fill(task.result.input + ": " + job.name, job);
}

// The output format decides who writes it: the io writers, or the pipeline when it needs more math.
void write_poses(const Task& task, const io::PoseOutputInfo& info) {
  switch (io::pose_file_format(task.result.output)) {
    case io::PoseFileFormat::Bvh: write_bvh_output(task.result.output, task.poses, info); return;
    case io::PoseFileFormat::Html:
      write_infer_report(task.result.output, task.result.input, task.poses, task.jobs, info);
      return;
    default: io::write_pose_file(task.result.output, task.poses, info); return;
  }
}

void write_all(const InferenceRequest& request, const LoadedModel& model, std::vector<Task>& tasks) {
  for (Task& task : tasks) {
    if (!task.result.error.empty()) continue;
    report_filled_joints(task);
    try {
      const io::PoseOutputInfo info = output_info(request, model, task);
      write_poses(task, info);
      long long frames = 0;
      for (const io::NamedPoses& poses : task.poses) frames += poses.poses.frames;
      logger().debug("{}: wrote {} sequence(s) from {}, {} frames of {} joints, metres, {} frame{}", task.result.output,
                    task.poses.size(), task.result.input, frames, info.joint_names.size(), info.frame,
                    info.root_relative ? ", root-relative" : "");
    } catch (const Error& e) {
      if (!request.keep_going) throw;
      task.result.error = e.what();
    }
  }
}

std::vector<NamedPath> named_inputs(const InferenceRequest& request) {
  std::vector<NamedPath> inputs;
  for (const std::string& input : request.inputs) inputs.push_back({input, "--input"});
  if (!request.checkpoint.empty()) inputs.push_back({request.checkpoint, "the checkpoint"});
  return inputs;
}

std::vector<NamedPath> named_outputs(const std::vector<Task>& tasks) {
  std::vector<NamedPath> outputs;
  for (const Task& task : tasks)
    if (task.result.error.empty()) outputs.push_back({task.result.output, "the output of " + task.result.input});
  return outputs;
}

}  // namespace

std::string output_path_in_dir(const std::string& dir, const std::string& input, const std::string& format) {
  std::string stem = input_stem(input);
  if (stem.empty()) stem = "poses";
  return (std::filesystem::path(dir) / (stem + "." + format)).string();
}

InferenceSummary run_inference(const InferenceRequest& request) {
  check_request(request);
  const Clock::time_point load_start = Clock::now();
  const LoadedModel model =
      load_model(request.checkpoint.empty() ? default_model_path() : request.checkpoint, request.hints);
  std::vector<Task> tasks;
  for (const std::string& input : request.inputs) tasks.push_back(prepare_task(request, input, model.info.pose));
  check_outputs_spare_inputs(named_inputs(request), named_outputs(tasks));

  InferenceSummary summary;
  summary.load_seconds = seconds_since(load_start);
  const Clock::time_point lift_start = Clock::now();
  lift_all(request, model, tasks);
  summary.lift_seconds = seconds_since(lift_start);
  const Clock::time_point write_start = Clock::now();
  write_all(request, model, tasks);
  summary.write_seconds = seconds_since(write_start);

  for (Task& task : tasks) {
    for (const InferenceJob& job : task.jobs) summary.frames += job.keypoints.frames;
    if (!task.result.error.empty()) ++summary.failed;
    summary.inputs.push_back(std::move(task.result));
  }
  return summary;
}

}  // namespace lift3d::pipeline
