#include "pipeline/training.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <cmath>
#include <limits>

#include "base/joint_sets.hpp"
#include "base/log.hpp"
#include "base/text.hpp"
#include "core/ground_truth.hpp"
#include "core/lifter.hpp"
#include "core/normalization.hpp"
#include "core/training/adam.hpp"
#include "core/training/chunked_batches.hpp"
#include "core/training/losses.hpp"
#include "core/training/training_model.hpp"
#include "core/training/training_weights.hpp"
#include "io/videopose_2d.hpp"
#include "io/videopose_3d.hpp"
#include "lift3d/error.hpp"
#include "pipeline/ground_truth_files.hpp"
#include "pipeline/training_checkpoint.hpp"

namespace lift3d::pipeline {
namespace {

namespace training = core::training;

constexpr double kInitialMomentum = 0.1, kFinalMomentum = 0.001;  // run.py's BatchNorm schedule
constexpr std::uint32_t kShuffleSeed = 1234;                      // ChunkedGenerator's default seed

// What run.py's fetch() returns for some subjects: one entry per camera view.
struct Videos {
  std::vector<KeypointSequence> keypoints;  // normalised screen coordinates
  std::vector<PoseSequence> poses;          // camera space, metres, joint 0 absolute
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
// (filtered by prefix), cameras in index order; 2D normalised with the camera's image size.
Videos fetch(const std::vector<std::string>& subjects, const std::vector<std::string>& actions,
             const io::VideoPose2DFile& keypoints, const core::GroundTruth& truth, const std::string& role) {
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
      }
    }
  }
  if (videos.keypoints.empty())
    throw UsageError("no " + role + " videos: no action of " + join(subjects) + " matches --actions '" +
                     join(actions, ",") + "'");
  return videos;
}

// The loss run.py computes in evaluation mode over unchunked videos: per video the float32 MPJPE
// against the root-zeroed ground truth, weighted by its frame count.
double evaluation_loss(const core::TemporalModel& model, const Videos& videos) {
  core::LiftOptions options;
  options.flip_tta = false;
  double sum = 0;
  long long frames = 0;
  for (std::size_t v = 0; v < videos.keypoints.size(); ++v) {
    const PoseSequence predicted = core::run_model(model, videos.keypoints[v], nullptr, options);
    const PoseSequence target = core::evaluation_target(videos.poses[v]);
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
    const float loss = static_cast<float>(distances / (static_cast<double>(target.frames) * target.joints));
    sum += static_cast<double>(target.frames) * loss;
    frames += target.frames;
  }
  return sum / static_cast<double>(frames);
}

std::string millimetres(double metres) { return fmt::format("{:f}", metres * 1000); }

}  // namespace

std::string epoch_line(const EpochLosses& losses, bool evaluated, bool with_time) {
  std::string line = "[" + std::to_string(losses.epoch) + "]";
  if (with_time) line += fmt::format(" time {:.2f}", losses.elapsed_minutes);
  line += fmt::format(" lr {:f} 3d_train {}", losses.lr, millimetres(losses.train));
  if (evaluated) line += " 3d_eval " + millimetres(losses.train_eval) + " 3d_valid " + millimetres(losses.valid);
  return line;
}

TrainingResult run_training(const TrainingRequest& request) {
  const core::Dataset dataset = core::parse_dataset(request.dataset);
  if (dataset == core::Dataset::Custom) throw UsageError("train needs a dataset with 3D ground truth: h36m or humaneva15");
  if (request.stride != 1)
    throw UsageError("--stride " + std::to_string(request.stride) +
                     ": only 1 (one output frame per example, the strided training model) is implemented");
  if (request.epochs < 1 || request.batch_size < 1) throw UsageError("--epochs and --batch-size must be at least 1");

  const core::GroundTruth truth = build_ground_truth(io::read_videopose_3d(request.data_3d), dataset);
  io::VideoPose2DFile keypoints = io::read_videopose_2d(request.data_2d);
  reconcile_2d_with_3d(keypoints, truth);
  const Skeleton& skel = dataset_skeleton(dataset);
  const std::vector<std::string> train_subjects =
      request.subjects_train.empty() ? default_subjects(dataset, true) : request.subjects_train;
  const std::vector<std::string> test_subjects =
      request.subjects_test.empty() ? default_subjects(dataset, false) : request.subjects_test;
  const Videos valid = fetch(test_subjects, request.actions, keypoints, truth, "test");
  const Videos train = fetch(train_subjects, request.actions, keypoints, truth, "train");

  core::ModelConfig config;
  config.filter_widths = request.architecture;
  config.channels = request.channels;
  config.causal = request.causal;
  config.input_channels = valid.keypoints.front().joints * valid.keypoints.front().features;
  config.joints_out = skel.num_joints();
  training::TrainingModel model(config, request.dropout, request.seed);

  TrainingResult result;
  result.receptive_field = config.receptive_field();
  result.parameter_count = config.parameter_count();
  result.training_frames = train.frames();
  result.test_frames = valid.frames();
  logger().info("receptive field {} frames, {} trainable parameters; training on {} frames, testing on {}",
                result.receptive_field, result.parameter_count, result.training_frames, result.test_frames);

  const int pad = (config.receptive_field() - 1) / 2;
  training::FlipLists flips{keypoints.kps_left, keypoints.kps_right, skel.joints_left, skel.joints_right};
  training::ChunkedBatches batches(train.keypoints, train.poses, request.batch_size / request.stride, pad,
                                   request.causal, request.augment, flips, kShuffleSeed);
  int epoch = 0;
  double lr = request.learning_rate;
  training::Adam adam(lr);
  if (!request.resume.empty()) {
    const ResumedTraining resumed = read_training_checkpoint(request.resume, model, adam, batches.random_state());
    epoch = resumed.epoch;
    lr = resumed.lr;
    adam.set_lr(lr);
    logger().info("{}: resuming after epoch {} with lr {}", request.resume, epoch, lr);
    if (!resumed.optimizer)
      logger().warn("{}: holds no optimizer state; Adam starts afresh and the shuffling from seed {} (as run.py does)",
                    request.resume, kShuffleSeed);
  }
  if (!request.checkpoint_dir.empty()) std::filesystem::create_directories(request.checkpoint_dir);
  const double nan = std::numeric_limits<double>::quiet_NaN();

  while (epoch < request.epochs) {
    const auto start = std::chrono::steady_clock::now();
    EpochLosses losses;
    losses.epoch = epoch + 1;
    losses.lr = lr;
    batches.start_epoch();
    double loss_sum = 0;
    long long examples = 0;
    for (int b = 0; b < batches.batches_per_epoch(); ++b) {
      const training::Batch batch = batches.batch(b);
      const training::Matrix output = model.forward(batch.input, batch.examples);
      const training::LossWithGradient loss = training::mpjpe(output, batch.target);
      loss_sum += batch.examples * loss.loss;
      examples += batch.examples;
      model.backward(loss.gradient);
      adam.step(model.parameters());
    }
    losses.train = loss_sum / static_cast<double>(examples);
    losses.train_eval = losses.valid = nan;
    if (request.evaluate_epochs) {
      const core::TemporalModel evaluated(config, training::to_model_weights(model));
      losses.valid = evaluation_loss(evaluated, valid);
      losses.train_eval = evaluation_loss(evaluated, train);
    }
    losses.elapsed_minutes = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() / 60;
    if (request.on_epoch) request.on_epoch(epoch_line(losses, request.evaluate_epochs, request.print_time));
    result.epochs.push_back(losses);

    lr *= request.lr_decay;
    adam.set_lr(adam.lr() * request.lr_decay);
    ++epoch;
    model.set_bn_momentum(kInitialMomentum * std::exp(-static_cast<double>(epoch) / request.epochs *
                                                      std::log(kInitialMomentum / kFinalMomentum)));
    const bool due = request.checkpoint_frequency > 0 && epoch % request.checkpoint_frequency == 0;
    if (!request.checkpoint_dir.empty() && (due || epoch == request.epochs)) {
      const std::string path = (std::filesystem::path(request.checkpoint_dir) / ("epoch_" + std::to_string(epoch) + ".bin")).string();
      write_training_checkpoint(path, epoch, lr, model, adam, batches.random_state());
      logger().info("saved checkpoint {}", path);
      result.checkpoints.push_back(path);
    }
  }
  for (const training::NamedTensor* entry : model.state_dict()) {
    result.state_names.push_back(entry->name);
    result.state.push_back(entry->values);
  }
  return result;
}

}  // namespace lift3d::pipeline
