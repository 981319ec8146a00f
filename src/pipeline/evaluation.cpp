#include "pipeline/evaluation.hpp"

#include <algorithm>
#include <limits>
#include <mutex>
#include <optional>

#include "base/joint_sets.hpp"
#include "base/log.hpp"
#include "base/text.hpp"
#include "core/frame_errors.hpp"
#include "core/frame_selection.hpp"
#include "core/ground_truth.hpp"
#include "core/normalization.hpp"
#include "core/parallel.hpp"
#include "io/videopose_2d.hpp"
#include "io/videopose_3d.hpp"
#include "lift3d/error.hpp"
#include "pipeline/camera_rigs.hpp"
#include "pipeline/ground_truth_files.hpp"
#include "pipeline/inference_jobs.hpp"
#include "pipeline/thread_plan.hpp"

namespace lift3d::pipeline {
namespace {

// One video to evaluate: one camera of one (subject, action).
struct Video {
  std::string subject;
  std::string action;
  const KeypointSequence* keypoints;
  const core::GroundTruthView* truth;
  int camera = 0;
};

std::vector<std::string> test_subjects(const EvaluationRequest& request, core::Dataset dataset) {
  if (!request.subjects.empty()) return request.subjects;
  if (dataset == core::Dataset::H36M) return {"S9", "S11"};
  return {"Validate/S1", "Validate/S2", "Validate/S3"};
}

const Skeleton& dataset_skeleton(core::Dataset dataset) {
  return skeleton(dataset == core::Dataset::H36M ? "h36m" : "humaneva15");
}

const io::VideoPose2DSequence& keypoints_of(const io::VideoPose2DFile& keypoints, const std::string& subject,
                                            const std::string& action) {
  const io::VideoPose2DSequence* found = nullptr;
  for (const auto& candidate : keypoints.sequences)
    if (candidate.subject == subject && candidate.action == action) found = &candidate;
  if (!found) throw InputError(keypoints.path + ": no 2D keypoints for " + subject + "/" + action);
  return *found;
}

// Test videos in the reference's order: subjects as given, each subject's actions in the 3D file's
// order, cameras by index.
std::vector<Video> test_videos(const EvaluationRequest& request, const std::vector<std::string>& subjects,
                               const core::GroundTruth& truth, const io::VideoPose2DFile& keypoints) {
  std::vector<Video> videos;
  const std::vector<std::string> known = truth.subjects();
  for (const std::string& subject : subjects) {
    if (std::find(known.begin(), known.end(), subject) == known.end())
      throw UsageError(request.data_3d + ": no subject '" + subject + "' (has: " + join(known) + ")");
    for (const core::GroundTruthSequence& sequence : truth.sequences) {
      if (sequence.subject != subject) continue;
      if (!core::matches_action_filter(core::action_group(sequence.action), request.actions)) continue;
      const io::VideoPose2DSequence& found = keypoints_of(keypoints, subject, sequence.action);
      for (std::size_t c = 0; c < sequence.views.size(); ++c)
        videos.push_back({subject, sequence.action, &found.cameras.at(c), &sequence.views[c], static_cast<int>(c)});
    }
  }
  if (videos.empty())
    throw UsageError("no test videos: no action of the test subjects matches --actions '" + join(request.actions, ",") +
                     "'");
  return videos;
}

// run.py --downsample: every N-th frame of the video, 2D and 3D alike.
core::FrameSelection downsampled(int frames, int downsample) { return {0, frames, downsample}; }

PoseSequence predict_video(const LoadedModel& model, const Video& video, const core::FlipPairs& flip,
                           const core::LiftOptions& options, int downsample) {
  const core::Camera& camera = video.truth->camera;
  KeypointSequence input = core::normalize_screen_coordinates(*video.keypoints, camera.res_w, camera.res_h);
  if (downsample > 1) input = core::keep_frames(input, downsampled(input.frames, downsample));
  return core::run_model(model.lifter.pose, input, &flip, options);
}

PoseSequence target_of(const Video& video, int downsample) {
  const PoseSequence& positions = video.truth->positions;
  if (downsample <= 1) return core::evaluation_target(positions);
  return core::evaluation_target(core::keep_frames(positions, downsampled(positions.frames, downsample)));
}

// `frame_errors` (optional) receives each video's per-frame MPJPE.
std::vector<core::MetricErrors> evaluate_videos(const EvaluationRequest& request, const LoadedModel& model,
                                                const std::vector<Video>& videos, const core::FlipPairs& flip,
                                                std::vector<std::vector<double>>* frame_errors) {
  std::vector<int> frames;
  for (const Video& video : videos) frames.push_back(video.keypoints->frames);
  const ThreadPlan plan = plan_threads(request.threads, frames, model.info.pose);
  apply_thread_plan(plan);
  core::LiftOptions options;
  options.flip_tta = request.flip_tta;
  options.threads = plan.segment_threads;
  std::vector<core::MetricErrors> errors(videos.size());
  if (frame_errors) frame_errors->assign(videos.size(), {});
  std::mutex progress_mutex;
  int done = 0;
  core::parallel_for(static_cast<int>(videos.size()), plan.sequence_threads, [&](int i) {
    const Video& video = videos[i];
    const PoseSequence predicted = predict_video(model, video, flip, options, request.downsample);
    const PoseSequence target = target_of(video, request.downsample);
    errors[i] = core::sequence_errors(predicted, target);
    if (frame_errors) (*frame_errors)[i] = core::per_frame_mpjpe_mm(predicted, target);
    if (request.on_progress) {
      const std::lock_guard<std::mutex> lock(progress_mutex);
      request.on_progress(++done, static_cast<int>(videos.size()));
    }
  });
  return errors;
}

// run.py --by-subject reports every test subject, also one without a selected action (NaN averages).
std::vector<core::EvaluationSummary> per_subject(const core::Aggregator& aggregator,
                                                 const std::vector<std::string>& subjects,
                                                 const std::vector<std::string>& actions) {
  const std::vector<core::EvaluationSummary> found = aggregator.summaries_by_subject(actions);
  std::vector<core::EvaluationSummary> summaries;
  for (const std::string& subject : subjects) {
    const auto reported = [&](const core::EvaluationSummary& s) { return s.subject == subject; };
    if (std::any_of(summaries.begin(), summaries.end(), reported)) continue;
    const auto it = std::find_if(found.begin(), found.end(), reported);
    core::EvaluationSummary summary;
    if (it != found.end()) {
      summary = *it;
    } else {
      const double nan = std::numeric_limits<double>::quiet_NaN();
      summary.subject = subject;
      summary.average = {nan, nan, nan, nan};
    }
    summaries.push_back(summary);
  }
  return summaries;
}

std::string video_name(const Video& video) {
  return video.subject + "/" + video.action + "/" + std::to_string(video.camera);
}

// Before any work: the video the report is to play must be one of the test videos.
void check_player_video(const EvaluationRequest& request, const std::vector<Video>& videos) {
  if (request.player_video.empty()) return;
  std::vector<std::string> names;
  for (const Video& video : videos) {
    if (video_name(video) == request.player_video) return;
    if (names.size() < 6) names.push_back(video_name(video));
  }
  throw UsageError("--report-video '" + request.player_video + "' is not an evaluated video (e.g. " + join(names) +
                   (videos.size() > names.size() ? ", ..." : "") + ")");
}

// The report's details: every video's errors, and the chosen video (or the worst) lifted again
// for its player.
void keep_details(const EvaluationRequest& request, const LoadedModel& model, const std::vector<Video>& videos,
                  const core::FlipPairs& flip, const std::vector<core::MetricErrors>& errors,
                  std::vector<std::vector<double>>& frame_errors, core::Dataset dataset, EvaluationResult& result) {
  std::size_t played = 0;
  for (std::size_t i = 0; i < videos.size(); ++i) {
    result.videos.push_back({video_name(videos[i]), videos[i].subject, videos[i].action, videos[i].camera, errors[i],
                             std::move(frame_errors[i])});
    if (request.player_video.empty() ? errors[i].mpjpe_mm > errors[played].mpjpe_mm
                                     : result.videos.back().name == request.player_video)
      played = i;
  }
  core::LiftOptions options;
  options.flip_tta = request.flip_tta;
  result.played.name = result.videos[played].name;
  result.played.predicted = predict_video(model, videos[played], flip, options, request.downsample);
  result.played.target = target_of(videos[played], request.downsample);
  result.played.fps = dataset == core::Dataset::H36M ? 50.0 : 60.0;  // the datasets' capture rates
}

}  // namespace

EvaluationResult run_evaluation(const EvaluationRequest& request) {
  const core::Dataset dataset = core::parse_dataset(request.dataset);
  if (dataset == core::Dataset::Custom) throw UsageError("eval needs a dataset with ground truth: h36m or humaneva15");
  std::vector<NamedPath> inputs{{request.data_3d, "--data-3d"}, {request.data_2d, "--data-2d"}};
  if (!request.model) inputs.push_back({request.checkpoint, "the checkpoint"});
  if (!request.cameras.empty()) inputs.push_back({request.cameras, "--cameras"});
  check_outputs_spare_inputs(inputs, request.outputs);
  std::optional<LoadedModel> loaded;
  if (!request.model) loaded = load_model(request.checkpoint, request.hints);
  const LoadedModel& model = request.model ? *request.model : *loaded;
  const core::GroundTruth truth = build_ground_truth(io::read_videopose_3d(request.data_3d), dataset,
                                                      CameraRigs::chosen(request.cameras, dataset));
  logger().debug("{}: 3D ground truth, {} subject(s), {} recording(s)", request.data_3d, truth.subjects().size(),
                truth.sequences.size());
  io::VideoPose2DFile keypoints = io::read_videopose_2d(request.data_2d);
  logger().debug("{}: VideoPose3D 2D .npz ({} layout), {} keypoints, {} recording(s)", request.data_2d,
                keypoints.layout_name.empty() ? "unnamed" : keypoints.layout_name, keypoints.num_joints,
                keypoints.sequences.size());
  reconcile_2d_with_3d(keypoints, truth);

  const Skeleton& skeleton = dataset_skeleton(dataset);
  if (model.info.pose.joints_out != skeleton.num_joints())
    throw ModelError(request.checkpoint + ": predicts " + std::to_string(model.info.pose.joints_out) + " joints, the " +
                     request.dataset + " skeleton has " + std::to_string(skeleton.num_joints()));
  const core::FlipPairs flip = videopose_flip_pairs(keypoints, model.info.pose.input_channels / 2, model.info.pose);

  const std::vector<std::string> subjects = test_subjects(request, dataset);
  const std::vector<Video> videos = test_videos(request, subjects, truth, keypoints);
  check_player_video(request, videos);
  long long frames = 0;
  for (const Video& video : videos) frames += downsampled(video.keypoints->frames, request.downsample).frames();
  logger().debug("evaluating {} video(s) of {}, {} frames, flip test-time augmentation {}", videos.size(),
                join(subjects), frames, request.flip_tta ? "on" : "off");
  std::vector<std::vector<double>> frame_errors;
  const std::vector<core::MetricErrors> errors =
      evaluate_videos(request, model, videos, flip, request.keep_video_details ? &frame_errors : nullptr);

  core::Aggregator aggregator;
  for (std::size_t i = 0; i < videos.size(); ++i)
    aggregator.add({videos[i].subject, videos[i].action,
                    downsampled(videos[i].keypoints->frames, request.downsample).frames(), errors[i]});
  EvaluationResult result;
  result.checkpoint = model.info;
  result.overall = aggregator.summary(request.actions);
  result.summaries = request.by_subject ? per_subject(aggregator, subjects, request.actions)
                                        : std::vector<core::EvaluationSummary>{result.overall};
  result.joint_names = skeleton.joint_names;
  if (request.keep_video_details) keep_details(request, model, videos, flip, errors, frame_errors, dataset, result);
  return result;
}

}  // namespace lift3d::pipeline
