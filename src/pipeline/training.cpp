#include "pipeline/training.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <cmath>
#include <limits>
#include <optional>

#include "base/joint_sets.hpp"
#include "base/log.hpp"
#include "base/text.hpp"
#include "core/camera.hpp"
#include "core/frame_selection.hpp"
#include "core/ground_truth.hpp"
#include "core/lifter.hpp"
#include "core/normalization.hpp"
#include "core/training/adam.hpp"
#include "core/training/chunked_batches.hpp"
#include "core/training/losses.hpp"
#include "core/training/semi_losses.hpp"
#include "core/training/semi_supervised_step.hpp"
#include "core/training/training_model.hpp"
#include "core/training/training_weights.hpp"
#include "io/videopose_2d.hpp"
#include "io/videopose_3d.hpp"
#include "lift3d/error.hpp"
#include "pipeline/camera_rigs.hpp"
#include "pipeline/ground_truth_files.hpp"
#include "pipeline/training_checkpoint.hpp"

namespace lift3d::pipeline {
namespace {

namespace training = core::training;

constexpr double kInitialMomentum = 0.1, kFinalMomentum = 0.001;  // run.py's BatchNorm schedule
constexpr std::uint32_t kShuffleSeed = 1234;                      // ChunkedGenerator's default seed
constexpr std::uint32_t kUnlabeledShuffleSeed = 4321;             // run.py's seed for the unlabelled generator

// What run.py's fetch() returns for some subjects: one entry per camera view.
struct Videos {
  std::vector<KeypointSequence> keypoints;  // normalised screen coordinates
  std::vector<PoseSequence> poses;          // camera space, metres, joint 0 absolute; empty when unlabelled
  std::vector<training::Intrinsics> cameras;  // semi-supervised runs only
  long long frames() const {
    long long total = 0;
    for (const KeypointSequence& k : keypoints) total += k.frames;
    return total;
  }
};

const Skeleton& dataset_skeleton(core::Dataset dataset) {
  return skeleton(dataset == core::Dataset::H36M ? "h36m" : "humaneva15");
}

std::vector<std::string> default_subjects(core::Dataset dataset, bool train) {
  if (dataset == core::Dataset::H36M)
    return train ? std::vector<std::string>{"S1", "S5", "S6", "S7", "S8"} : std::vector<std::string>{"S9", "S11"};
  return train ? std::vector<std::string>{"Train/S1", "Train/S2", "Train/S3"}
               : std::vector<std::string>{"Validate/S1", "Validate/S2", "Validate/S3"};
}

bool starts_with_any(const std::string& action, const std::vector<std::string>& prefixes) {
  if (prefixes.empty()) return true;
  return std::any_of(prefixes.begin(), prefixes.end(),
                     [&](const std::string& p) { return action.compare(0, p.size(), p) == 0; });
}

// run.py's fetch(): subjects in the given order, each subject's actions in the 2D file's order
// (filtered by prefix), cameras in index order; 2D normalised with the camera's image size. With
// `with_cameras`, each view's intrinsics as well (semi-supervised runs project with them).
Videos fetch(const std::vector<std::string>& subjects, const std::vector<std::string>& actions,
             const io::VideoPose2DFile& keypoints, const core::GroundTruth& truth, const std::string& role,
             bool with_cameras) {
  Videos videos;
  const std::vector<std::string> known = truth.subjects();
  for (const std::string& subject : subjects) {
    if (std::find(known.begin(), known.end(), subject) == known.end())
      throw UsageError("--subjects-" + role + ": no subject '" + subject + "' with 3D ground truth (has: " +
                       join(known) + ")");
    for (const io::VideoPose2DSequence& sequence : keypoints.sequences) {
      if (sequence.subject != subject || !starts_with_any(sequence.action, actions)) continue;
      const core::GroundTruthSequence* found = truth.find(subject, sequence.action);
      if (!found)
        throw InputError(keypoints.path + ": " + subject + "/" + sequence.action + " has no 3D ground truth to " +
                         (role == "train" ? "train on" : "test on"));
      for (std::size_t c = 0; c < sequence.cameras.size(); ++c) {
        const core::Camera& camera = found->views.at(c).camera;
        videos.keypoints.push_back(core::normalize_screen_coordinates(sequence.cameras[c], camera.res_w, camera.res_h));
        videos.poses.push_back(found->views[c].positions);
        if (with_cameras) videos.cameras.push_back(camera.normalized_intrinsics());
      }
    }
  }
  if (videos.keypoints.empty())
    throw UsageError("no " + role + " videos: no action of " + join(subjects) + " matches --actions '" +
                     join(actions, ",") + "'");
  return videos;
}

// run.py's fetch(..., parse_3d_poses=False) for the unlabelled subjects: their 2D videos (trimmed to
// the mocap length where the 3D file has the sequence, as every subject's) and their cameras from
// `rigs`, 3D or not.
Videos fetch_unlabeled(const std::vector<std::string>& subjects, const std::vector<std::string>& actions,
                       const io::VideoPose2DFile& keypoints, const CameraRigs& rigs) {
  Videos videos;
  for (const std::string& subject : subjects) {
    const bool in_file = std::any_of(keypoints.sequences.begin(), keypoints.sequences.end(),
                                     [&](const io::VideoPose2DSequence& s) { return s.subject == subject; });
    if (!in_file) throw UsageError("--subjects-unlabeled: no subject '" + subject + "' in " + keypoints.path);
    const std::vector<core::Camera> cameras = rigs.of(subject);
    for (const io::VideoPose2DSequence& sequence : keypoints.sequences) {
      if (sequence.subject != subject || !starts_with_any(sequence.action, actions)) continue;
      if (sequence.cameras.size() != cameras.size())
        throw InputError(keypoints.path + ": " + subject + "/" + sequence.action + " has " +
                         std::to_string(sequence.cameras.size()) + " camera views, " + rigs.origin() + " " +
                         std::to_string(cameras.size()));
      for (std::size_t c = 0; c < sequence.cameras.size(); ++c) {
        videos.keypoints.push_back(
            core::normalize_screen_coordinates(sequence.cameras[c], cameras[c].res_w, cameras[c].res_h));
        videos.cameras.push_back(cameras[c].normalized_intrinsics());
      }
    }
  }
  if (videos.keypoints.empty())
    throw UsageError("no unlabelled videos: no action of " + join(subjects) + " matches --actions '" +
                     join(actions, ",") + "'");
  return videos;
}

// run.py's fetch() after gathering: --subset keeps one window of each video (training videos only),
// --downsample every N-th frame. A video left without a frame is dropped with a warning (run.py keeps
// it, and its evaluation losses become NaN).
void select_frames(Videos& videos, double subset, int downsample, const std::string& role) {
  if (subset >= 1 && downsample <= 1) return;
  Videos kept;
  int dropped = 0;
  for (std::size_t v = 0; v < videos.keypoints.size(); ++v) {
    const core::FrameSelection selection = core::select_frames(videos.keypoints[v].frames, subset, downsample);
    if (selection.frames() == 0) {
      ++dropped;
      continue;
    }
    kept.keypoints.push_back(core::keep_frames(videos.keypoints[v], selection));
    if (!videos.poses.empty()) kept.poses.push_back(core::keep_frames(videos.poses[v], selection));
    if (!videos.cameras.empty()) kept.cameras.push_back(videos.cameras[v]);
  }
  if (dropped > 0)
    logger().warn("{} {} video(s) keep no frame under --subset {:g} --downsample {} and are left out", dropped, role,
                  subset, downsample);
  if (kept.keypoints.empty())
    throw UsageError("--subset " + fmt::format("{:g}", subset) + " --downsample " + std::to_string(downsample) +
                     ": no " + role + " video keeps a frame");
  videos = std::move(kept);
}

// --- Evaluation-mode losses (run.py's end-of-epoch evaluation over unchunked videos) ------------------

// Per video the float32 mean distance, as PyTorch's mpjpe on the whole video.
float mean_distance(const PoseSequence& predicted, const PoseSequence& target) {
  double distances = 0;
  for (int t = 0; t < target.frames; ++t)
    for (int j = 0; j < target.joints; ++j) {
      float squared = 0;
      for (int d = 0; d < 3; ++d) {
        const float delta = predicted.at(t, j, d) - target.at(t, j, d);
        squared += delta * delta;
      }
      distances += std::sqrt(squared);
    }
  return static_cast<float>(distances / (static_cast<double>(target.frames) * target.joints));
}

// The trajectory model's target: joint 0 before the root is zeroed.
PoseSequence root_of(const PoseSequence& poses) {
  PoseSequence root(poses.frames, 1);
  for (int t = 0; t < poses.frames; ++t)
    for (int d = 0; d < 3; ++d) root.at(t, 0, d) = poses.at(t, 0, d);
  return root;
}

// run.py's 2D loss in evaluation: project_to_2d (always with distortion) of pose + trajectory, against
// inputs_2d[:, pad:-pad, :, :2] of the edge-padded video, i.e. frame t - causal shift (clamped).
float reprojection_loss(const PoseSequence& pose, const PoseSequence& trajectory, const training::Intrinsics& camera,
                        const KeypointSequence& keypoints, int causal_shift) {
  using training::Matrix;
  const Eigen::Index frames = pose.frames;
  const Matrix pose_m = Eigen::Map<const Matrix>(pose.values.data(), 3 * pose.joints, frames);
  const Matrix traj_m = Eigen::Map<const Matrix>(trajectory.values.data(), 3, frames);
  Matrix cameras(9, frames);
  for (Eigen::Index t = 0; t < frames; ++t)
    for (int i = 0; i < 9; ++i) cameras(i, t) = camera[i];
  Matrix target(2 * keypoints.joints, frames);
  for (Eigen::Index t = 0; t < frames; ++t) {
    const int source = std::clamp(static_cast<int>(t) - causal_shift, 0, keypoints.frames - 1);
    for (int j = 0; j < keypoints.joints; ++j)
      for (int d = 0; d < 2; ++d) target(2 * j + d, t) = keypoints.at(source, j, d);
  }
  return static_cast<float>(training::reprojection_mpjpe(pose_m, traj_m, cameras, target, false).loss);
}

// Frame-weighted mean of per-video losses.
struct FrameWeighted {
  double sum = 0;
  long long frames = 0;
  void add(float loss, int video_frames) {
    sum += static_cast<double>(video_frames) * loss;
    frames += video_frames;
  }
  double mean() const { return sum / static_cast<double>(frames); }
};

struct SetLosses {
  double pose = 0, trajectory = 0, reprojection = 0;
};

// Over labelled videos: the pose MPJPE against the root-zeroed ground truth, and with a trajectory
// model its MPJPE and the reprojection loss; over unlabelled ones (no poses) only the reprojection.
SetLosses evaluation_losses(const core::TemporalModel& model, const core::TemporalModel* trajectory_model,
                            const Videos& videos, int causal_shift) {
  core::LiftOptions options;
  options.flip_tta = false;
  FrameWeighted pose, trajectory, reprojection;
  for (std::size_t v = 0; v < videos.keypoints.size(); ++v) {
    const int frames = videos.keypoints[v].frames;
    const PoseSequence predicted = core::run_model(model, videos.keypoints[v], nullptr, options);
    if (!videos.poses.empty()) pose.add(mean_distance(predicted, core::evaluation_target(videos.poses[v])), frames);
    if (!trajectory_model) continue;
    const PoseSequence path = core::run_model(*trajectory_model, videos.keypoints[v], nullptr, options);
    if (!videos.poses.empty()) trajectory.add(mean_distance(path, root_of(videos.poses[v])), frames);
    reprojection.add(reprojection_loss(predicted, path, videos.cameras[v], videos.keypoints[v], causal_shift), frames);
  }
  const double nan = std::numeric_limits<double>::quiet_NaN();
  return {pose.frames ? pose.mean() : nan, trajectory.frames ? trajectory.mean() : nan,
          reprojection.frames ? reprojection.mean() : nan};
}

std::string millimetres(double metres) { return fmt::format("{:f}", metres * 1000); }

// --- Training steps ------------------------------------------------------------------------------------

// The models and optimisers of a semi-supervised run beside the pose model's.
struct Trajectory {
  training::TrainingModel model;
  training::Adam adam;
};

// run.py's supervised step: MPJPE of the pose model's output against the root-zeroed target. With
// several processes, `batch` is this one's share: its part of the batch's loss, summed over the
// processes (and rounded to float32 as PyTorch's mean), is the batch's loss.
double supervised_step(const training::Batch& batch, training::TrainingModel& model, training::Adam& adam,
                       training::Collective& group) {
  const training::Matrix output = model.forward(batch.input, batch.examples, nullptr, batch.frames_per_example);
  const training::LossWithGradient loss =
      training::mpjpe_share(output, batch.target, batch.batch_examples * batch.frames_per_example);
  model.backward(loss.gradient);
  adam.step(model.parameters());
  return static_cast<float>(group.sum(loss.loss));
}

// run.py's semi-supervised step (core/training/semi_supervised_step.hpp) and both optimisers' steps.
// With several processes, `labelled` and `unlabelled` are this one's shares. Returns the labelled
// batch's pose loss.
double semi_supervised_step(const TrainingRequest& request, bool warming_up, const training::Batch& labelled,
                            const training::Batch& unlabelled, const std::vector<int>& parents,
                            training::TrainingModel& model, training::Adam& adam, Trajectory& trajectory,
                            training::Collective& group) {
  training::SemiSupervisedTerms terms;
  terms.warming_up = warming_up;
  terms.projection_loss = request.projection_loss;
  terms.bone_length_loss = request.bone_length_loss;
  terms.linear_projection = request.linear_projection;
  const training::SemiSupervisedLosses losses =
      training::semi_supervised_pass(labelled, unlabelled, terms, parents, model, trajectory.model, group);
  adam.step(model.parameters());
  trajectory.adam.step(trajectory.model.parameters());
  return losses.pose;
}

void check_semi_supervised(const TrainingRequest& request, core::Dataset dataset, const io::VideoPose2DFile& keypoints,
                           const Skeleton& skel) {
  if (dataset != core::Dataset::H36M && request.cameras.empty())
    throw UsageError("--subjects-unlabeled: semi-supervised training needs camera intrinsics, which of the built-in "
                     "tables only h36m has (run.py refuses it too); give them with --cameras");
  if (request.warmup < 0) throw UsageError("--warmup must be at least 0");
  // The reprojection is compared keypoint by keypoint with the skeleton's joints: a file in another
  // layout of the same size (COCO's 17 keypoints) would pass run.py's shape check and train on nonsense.
  if (!keypoints.layout_name.empty() && keypoints.layout_name != skel.name)
    throw UsageError("--subjects-unlabeled: the reprojected " + skel.name + " joints are compared one for one with the "
                     "2D keypoints, but " + keypoints.path + " holds the '" + keypoints.layout_name + "' layout");
  const int keypoint_count = keypoints.sequences.empty() || keypoints.sequences.front().cameras.empty()
                                 ? 0
                                 : keypoints.sequences.front().cameras.front().joints;
  if (keypoint_count != skel.num_joints())
    throw UsageError("--subjects-unlabeled: the reprojected joints are compared one for one with the 2D keypoints, "
                     "but " + keypoints.path + " has " + std::to_string(keypoint_count) + " keypoints and the " +
                     skel.name + " skeleton " + std::to_string(skel.num_joints()) + " joints");
}

// Several processes: each trains on its share of every batch (semi-supervised: of every labelled and
// every unlabelled batch, both models synchronised; the full model: its share of the batch's chunks).
void join_group(training::Collective& group, const std::vector<training::TrainingModel*>& models,
                const std::vector<training::ChunkedBatches*>& generators) {
  if (group.alone()) return;
  for (training::TrainingModel* model : models) model->set_collective(group);
  for (training::ChunkedBatches* batches : generators) batches->set_share(group.rank(), group.size());
  logger().info("training in {} processes, each on its share of every batch; process 0 reports and saves",
                group.size());
}

std::string checkpoint_path(const std::string& dir, int epoch) {
  return (std::filesystem::path(dir) / ("epoch_" + std::to_string(epoch) + ".bin")).string();
}

// run.py's end-of-run evaluation: the final weights (evaluation model: running BatchNorm statistics,
// no dropout) through `lift3d eval`'s pipeline on the test subjects, per action group, every protocol,
// flip test-time augmentation on.
EvaluationResult final_evaluation(const TrainingRequest& request, const core::ModelConfig& config,
                                  const training::TrainingModel& model, const std::vector<std::string>& test_subjects,
                                  const std::string& dataset, const std::string& last_checkpoint, int epochs) {
  LoadedModel trained{{}, {core::TemporalModel(config, training::to_model_weights(model)), std::nullopt}};
  trained.info.path = last_checkpoint.empty() ? "the trained model" : last_checkpoint;
  trained.info.format = "zip";
  trained.info.pose = config;
  trained.info.epoch = epochs;
  EvaluationRequest evaluation;
  evaluation.checkpoint = trained.info.path;
  evaluation.model = &trained;
  evaluation.dataset = dataset;
  evaluation.data_3d = request.data_3d;
  evaluation.data_2d = request.data_2d;
  evaluation.cameras = request.cameras;
  evaluation.subjects = test_subjects;
  evaluation.actions = request.actions;
  evaluation.flip_tta = true;
  evaluation.downsample = request.downsample;
  return run_evaluation(evaluation);
}

// The folder the checkpoints go to, made before the first epoch so that a path that cannot be a
// folder (a file in the way, no permission) stops the run at once, naming it.
void create_checkpoint_folder(const std::string& folder) {
  std::error_code error;
  std::filesystem::create_directories(folder, error);
  if (error) throw InputError(folder + ": cannot create the checkpoint folder: " + error.message());
}

}  // namespace

std::string epoch_line(const EpochLosses& losses, bool evaluated, bool with_time, bool semi) {
  std::string line = "[" + std::to_string(losses.epoch) + "]";
  if (with_time) line += fmt::format(" time {:.2f}", losses.elapsed_minutes);
  line += fmt::format(" lr {:f} 3d_train {}", losses.lr, millimetres(losses.train));
  if (evaluated && !semi) line += " 3d_eval " + millimetres(losses.train_eval) + " 3d_valid " + millimetres(losses.valid);
  if (evaluated && semi)
    line += " 3d_eval " + millimetres(losses.train_eval) + " traj_eval " + millimetres(losses.traj_eval) +
            " 3d_valid " + millimetres(losses.valid) + " traj_valid " + millimetres(losses.traj_valid) +
            fmt::format(" 2d_train_sup {:f} 2d_train_unsup {:f} 2d_valid {:f}", losses.reprojection_train,
                        losses.reprojection_unlabeled, losses.reprojection_valid);
  return line;
}

TrainingResult run_training(const TrainingRequest& request) {
  const core::Dataset dataset = core::parse_dataset(request.dataset);
  if (dataset == core::Dataset::Custom) throw UsageError("train needs a dataset with 3D ground truth: h36m or humaneva15");
  if (request.stride < 1) throw UsageError("--stride must be at least 1");
  // run.py trains its TemporalModel itself, on chunks of --stride frames, unless one frame per
  // example with dilated convolutions lets it use the strided Optimized1f form.
  const bool full_model = request.stride > 1 || request.dense || request.disable_optimizations;
  if (request.epochs < 1 || request.batch_size < 1) throw UsageError("--epochs and --batch-size must be at least 1");
  if (!(request.subset > 0 && request.subset <= 1)) throw UsageError("--subset must be in (0, 1]");
  if (request.downsample < 1) throw UsageError("--downsample must be at least 1");
  const bool semi = !request.subjects_unlabeled.empty();

  const CameraRigs rigs = CameraRigs::chosen(request.cameras, dataset);
  const core::GroundTruth truth = build_ground_truth(io::read_videopose_3d(request.data_3d), dataset, rigs);
  io::VideoPose2DFile keypoints = io::read_videopose_2d(request.data_2d);
  reconcile_2d_with_3d(keypoints, truth);
  const Skeleton& skel = dataset_skeleton(dataset);
  if (semi) check_semi_supervised(request, dataset, keypoints, skel);
  const std::vector<std::string> train_subjects =
      request.subjects_train.empty() ? default_subjects(dataset, true) : request.subjects_train;
  const std::vector<std::string> test_subjects =
      request.subjects_test.empty() ? default_subjects(dataset, false) : request.subjects_test;
  Videos valid = fetch(test_subjects, request.actions, keypoints, truth, "test", semi);
  Videos train = fetch(train_subjects, request.actions, keypoints, truth, "train", semi);
  Videos unlabeled = semi ? fetch_unlabeled(request.subjects_unlabeled, request.actions, keypoints, rigs) : Videos{};
  select_frames(valid, 1.0, request.downsample, "test");
  select_frames(train, request.subset, request.downsample, "training");
  if (semi) select_frames(unlabeled, 1.0, request.downsample, "unlabelled");

  core::ModelConfig config;
  config.filter_widths = request.architecture;
  config.channels = request.channels;
  config.causal = request.causal;
  config.dense = request.dense;
  config.input_channels = valid.keypoints.front().joints * valid.keypoints.front().features;
  config.joints_out = skel.num_joints();
  training::TrainingModel model(config, request.dropout, request.seed, full_model);
  core::ModelConfig trajectory_config = config;
  trajectory_config.joints_out = 1;  // run.py's model_traj: the same architecture, one output joint

  TrainingResult result;
  result.receptive_field = config.receptive_field();
  result.parameter_count = config.parameter_count();
  result.training_frames = train.frames();
  result.test_frames = valid.frames();
  result.unlabeled_frames = unlabeled.frames();
  logger().info("receptive field {} frames, {} trainable parameters; training on {} frames, testing on {}",
                result.receptive_field, result.parameter_count, result.training_frames, result.test_frames);
  if (semi)
    logger().info("semi-supervision on {} frames of {} (warm-up {} epoch{}, {} projection{}{})",
                  result.unlabeled_frames, join(request.subjects_unlabeled), request.warmup, request.warmup == 1 ? "" : "s",
                  request.linear_projection ? "linear" : "distorted", request.projection_loss ? "" : ", not trained on",
                  request.bone_length_loss ? ", bone-length term" : "");

  const int pad = (config.receptive_field() - 1) / 2;
  const int causal_shift = request.causal ? pad : 0;
  training::FlipLists flips{keypoints.kps_left, keypoints.kps_right, skel.joints_left, skel.joints_right};
  const int batch_size = request.batch_size / request.stride;
  training::ChunkedBatches batches(train.keypoints, train.poses, batch_size, pad, request.causal, request.augment,
                                   flips, kShuffleSeed, {}, request.stride);
  std::optional<training::ChunkedBatches> unlabeled_batches;
  std::optional<training::EndlessBatches> unlabeled_stream;
  if (semi) {
    unlabeled_batches.emplace(unlabeled.keypoints, unlabeled.poses, batch_size, pad, request.causal, request.augment,
                              flips, kUnlabeledShuffleSeed, unlabeled.cameras, request.stride);
    unlabeled_stream.emplace(*unlabeled_batches);
  }
  int epoch = 0;
  double lr = request.learning_rate;
  training::Adam adam(lr);
  std::optional<Trajectory> trajectory;
  if (semi)
    trajectory.emplace(Trajectory{training::TrainingModel(trajectory_config, request.dropout, request.seed + 1, full_model),
                                  training::Adam(lr)});
  training::Collective& group = request.collective ? *request.collective : training::single_process();
  if (semi)
    join_group(group, {&model, &trajectory->model}, {&batches, &*unlabeled_batches});
  else
    join_group(group, {&model}, {&batches});
  const bool reporting = group.rank() == 0;  // evaluates, reports the epochs and writes checkpoints
  TrajectoryTraining semi_state;
  if (semi) semi_state = {&trajectory->model, &trajectory->adam, &unlabeled_batches->random_state()};
  const TrajectoryTraining* semi_checkpoint = semi ? &semi_state : nullptr;
  if (!request.resume.empty()) {
    const ResumedTraining resumed =
        read_training_checkpoint(request.resume, model, adam, batches.random_state(), semi_checkpoint);
    epoch = resumed.epoch;
    lr = resumed.lr;
    adam.set_lr(lr);
    if (semi) trajectory->adam.set_lr(lr);
    logger().info("{}: resuming after epoch {} with lr {}", request.resume, epoch, lr);
    if (!resumed.optimizer)
      logger().warn("{}: holds no optimizer state; Adam starts afresh and the shuffling from seed {} (as run.py does)",
                    request.resume, kShuffleSeed);
  }
  if (reporting && !request.checkpoint_dir.empty()) create_checkpoint_folder(request.checkpoint_dir);
  const double nan = std::numeric_limits<double>::quiet_NaN();

  while (epoch < request.epochs) {
    const auto start = std::chrono::steady_clock::now();
    EpochLosses losses;
    losses.epoch = epoch + 1;
    losses.lr = lr;
    batches.start_epoch();
    double loss_sum = 0;
    long long examples = 0;
    bool stopping = false;
    for (int b = 0; b < batches.batches_per_epoch(); ++b) {
      const training::Batch batch = batches.batch(b);
      // run.py draws an unlabelled batch beside every labelled one, in the warm-up epochs too.
      const double loss = semi ? semi_supervised_step(request, epoch < request.warmup, batch, unlabeled_stream->next(),
                                                      skel.parents, model, adam, *trajectory, group)
                               : supervised_step(batch, model, adam, group);
      // run.py weighs each batch's loss by its output frames (examples x chunk length).
      const long long frames = static_cast<long long>(batch.batch_examples) * batch.frames_per_example;
      loss_sum += static_cast<double>(frames) * loss;
      examples += frames;
      if (request.on_batch) request.on_batch(b + 1, batches.batches_per_epoch(), static_cast<int>(frames), loss);
      stopping = request.stop_requested && request.stop_requested();
      // Every process stops after the same batch, or the others would wait for it in the next sum.
      if (!group.alone()) stopping = group.sum(stopping ? 1.0 : 0.0) > 0;
      if (stopping) break;
    }
    if (stopping) {
      result.stopped = true;
      result.stopped_in_epoch = epoch + 1;
      break;
    }
    losses.train = loss_sum / static_cast<double>(examples);
    losses.train_eval = losses.valid = losses.traj_eval = losses.traj_valid = nan;
    losses.reprojection_train = losses.reprojection_unlabeled = losses.reprojection_valid = nan;
    if (request.evaluate_epochs && reporting) {
      const core::TemporalModel evaluated(config, training::to_model_weights(model));
      std::optional<core::TemporalModel> evaluated_trajectory;
      if (semi) evaluated_trajectory.emplace(trajectory_config, training::to_model_weights(trajectory->model));
      const core::TemporalModel* path_model = semi ? &*evaluated_trajectory : nullptr;
      const SetLosses on_valid = evaluation_losses(evaluated, path_model, valid, causal_shift);
      const SetLosses on_train = evaluation_losses(evaluated, path_model, train, causal_shift);
      losses.valid = on_valid.pose;
      losses.train_eval = on_train.pose;
      if (semi) {
        losses.traj_valid = on_valid.trajectory;
        losses.traj_eval = on_train.trajectory;
        losses.reprojection_valid = on_valid.reprojection;
        losses.reprojection_train = on_train.reprojection;
        losses.reprojection_unlabeled = evaluation_losses(evaluated, path_model, unlabeled, causal_shift).reprojection;
      }
    }
    losses.elapsed_minutes = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() / 60;
    if (request.on_epoch && reporting)
      request.on_epoch(epoch_line(losses, request.evaluate_epochs, request.print_time, semi));
    result.epochs.push_back(losses);

    lr *= request.lr_decay;
    adam.set_lr(adam.lr() * request.lr_decay);
    if (semi) trajectory->adam.set_lr(trajectory->adam.lr() * request.lr_decay);
    ++epoch;
    const double momentum = kInitialMomentum * std::exp(-static_cast<double>(epoch) / request.epochs *
                                                         std::log(kInitialMomentum / kFinalMomentum));
    model.set_bn_momentum(momentum);
    if (semi) trajectory->model.set_bn_momentum(momentum);
    const bool due = request.checkpoint_frequency > 0 && epoch % request.checkpoint_frequency == 0;
    if (reporting && !request.checkpoint_dir.empty() && (due || epoch == request.epochs)) {
      const std::string path = checkpoint_path(request.checkpoint_dir, epoch);
      write_training_checkpoint(path, epoch, lr, model, adam, batches.random_state(), semi_checkpoint);
      logger().info("saved checkpoint {}", path);
      result.checkpoints.push_back(path);
    }
  }
  if (request.final_evaluation && !result.stopped && reporting)
    result.final_evaluation = final_evaluation(request, config, model, test_subjects, dataset_name(dataset),
                                               result.checkpoints.empty() ? "" : result.checkpoints.back(), epoch);
  for (const training::NamedTensor* entry : model.state_dict()) {
    result.state_names.push_back(entry->name);
    result.state.push_back(entry->values);
  }
  if (semi)
    for (const training::NamedTensor* entry : trajectory->model.state_dict()) {
      result.traj_state_names.push_back(entry->name);
      result.traj_state.push_back(entry->values);
    }
  return result;
}

}  // namespace lift3d::pipeline
