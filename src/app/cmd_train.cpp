// `lift3d train --dataset h36m --data-3d FILE --data-2d FILE ...`: training as the reference's run.py
// does it, supervised or (with --subjects-unlabeled) semi-supervised, with run.py's long option names.
#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <sstream>

#include "app/commands.hpp"
#include "app/option_checks.hpp"
#include "app/process_group.hpp"
#include "base/log.hpp"
#include "core/model_config.hpp"
#include "core/parallel.hpp"
#include "lift3d/error.hpp"
#include "pipeline/training.hpp"

namespace lift3d::app {
namespace {

struct TrainOptions {
  pipeline::TrainingRequest request;
  std::string subjects_train, subjects_test, subjects_unlabeled, actions;
  std::string architecture = "3,3,3";
  bool no_augmentation = false;
  bool no_eval = false;
  bool no_time = false;
  bool no_projection = false, no_bone_length = false;
  // Options of semi-supervision given without --subjects-unlabeled (run.py ignores them; lift3d refuses).
  std::vector<std::string> semi_only_given;
};

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> items;
  std::stringstream stream(text);
  std::string item;
  while (std::getline(stream, item, ','))
    if (!item.empty()) items.push_back(item);
  return items;
}

// Under mpirun: the other processes say nothing but errors (process 0 notes what they all do), and
// when the BLAS threads are not set, the processes on one host share its cores.
void settle_in_group(const core::training::Collective& group) {
  if (group.alone()) return;
  if (group.rank() != 0) logger().set_level(spdlog::level::err);
  if (!std::getenv("OPENBLAS_NUM_THREADS") && !std::getenv("OMP_NUM_THREADS"))
    core::set_blas_threads(std::max(1, core::hardware_threads() / processes_on_this_host()));
}

int run_train(TrainOptions& options) {
  pipeline::TrainingRequest& request = options.request;
  request.subjects_train = split_list(options.subjects_train);
  request.subjects_test = split_list(options.subjects_test);
  request.subjects_unlabeled = split_list(options.subjects_unlabeled);
  if (request.subjects_unlabeled.empty() && !options.semi_only_given.empty())
    throw UsageError(options.semi_only_given.front() + ": only for semi-supervised training (--subjects-unlabeled)");
  request.projection_loss = !options.no_projection;
  request.bone_length_loss = !options.no_bone_length;
  request.actions = split_list(options.actions);
  request.architecture = core::parse_filter_widths(options.architecture);
  request.augment = !options.no_augmentation;
  request.evaluate_epochs = !options.no_eval;
  request.print_time = !options.no_time;
  request.on_epoch = [](const std::string& line) { std::cout << line << std::endl; };
  const std::unique_ptr<core::training::Collective> group = join_process_group();
  settle_in_group(*group);
  request.collective = group.get();
  pipeline::run_training(request);
  return kSuccess;
}

}  // namespace

void add_train_command(CLI::App& cli, int& exit_code) {
  auto options = std::make_shared<TrainOptions>();
  pipeline::TrainingRequest& request = options->request;
  CLI::App* cmd = cli.add_subcommand("train", "Train a pose model on Human3.6M or HumanEva-I as run.py does (supervised or semi-supervised)");
  cmd->add_option("--dataset", request.dataset, "h36m or humaneva15")
      ->capture_default_str()
      ->check(CLI::IsMember({"h36m", "humaneva15"}));
  cmd->add_option("--data-3d", request.data_3d, "3D ground truth, e.g. data_3d_h36m.npz")->required();
  cmd->add_option("--data-2d", request.data_2d, "2D keypoints, e.g. data_2d_h36m_cpn_ft_h36m_dbb.npz")->required();
  cmd->add_option("--subjects-train", options->subjects_train,
                  "Comma-separated training subjects (default S1,S5,S6,S7,S8; HumanEva Train/S1,Train/S2,Train/S3)");
  cmd->add_option("--subjects-test", options->subjects_test,
                  "Comma-separated test subjects (default S9,S11; HumanEva Validate/S1,Validate/S2,Validate/S3)");
  cmd->add_option("--actions", options->actions, "Comma-separated action prefixes as run.py -a (default: all)");
  cmd->add_option("--architecture", options->architecture, "Filter widths, e.g. 3,3,3,3,3")->capture_default_str();
  cmd->add_option("--channels", request.channels, "Convolution channels")->capture_default_str()->check(whole_number(1, 65536));
  cmd->add_option("--dropout", request.dropout, "Dropout probability")->capture_default_str()->check(finite_number(0.0, 0.99));
  cmd->add_flag("--causal", request.causal, "Causal convolutions");
  cmd->add_option("--epochs", request.epochs, "Training epochs")->capture_default_str()->check(whole_number(1, 1000000));
  cmd->add_option("--batch-size", request.batch_size, "Batch size in output frames")
      ->capture_default_str()
      ->check(whole_number(1, 1 << 24));
  cmd->add_option("--learning-rate", request.learning_rate, "Initial learning rate")
      ->capture_default_str()
      ->check(finite_number(0.0, 10.0));
  cmd->add_option("--lr-decay", request.lr_decay, "Learning rate factor after each epoch")
      ->capture_default_str()
      ->check(finite_number(0.0, 1.0));
  cmd->add_option("--stride", request.stride, "Output frames per example (only 1 so far)")
      ->capture_default_str()
      ->check(whole_number(1, 1 << 20));
  cmd->add_flag("--no-data-augmentation", options->no_augmentation, "Do not add flipped copies of the training frames");
  cmd->add_flag("--no-eval", options->no_eval, "Skip the evaluation-mode losses after each epoch");
  cmd->add_option("--checkpoint", request.checkpoint_dir,
                  "Folder for the checkpoints epoch_<N>.bin (created if missing; '' for none)")
      ->capture_default_str();
  cmd->add_option("--checkpoint-frequency", request.checkpoint_frequency,
                  "Epochs between checkpoints (the last epoch is always saved)")
      ->capture_default_str()
      ->check(whole_number(1, 1000000));
  cmd->add_option("--resume", request.resume,
                  "Continue from this checkpoint (lift3d's or run.py's): model_pos, epoch, lr, optimizer and shuffling state");
  cmd->add_option("--seed", request.seed, "Seed of the initial weights and of the dropout masks")->capture_default_str();
  cmd->add_flag("--no-time", options->no_time, "Leave the time out of the epoch lines (reproducible output)");
  cmd->add_option("--subjects-unlabeled", options->subjects_unlabeled,
                  "Comma-separated unlabelled subjects (2D only): semi-supervised training, h36m only");
  CLI::Option* warmup = cmd->add_option("--warmup", request.warmup, "Semi-supervised: epochs on labelled data only first")
                            ->capture_default_str()
                            ->check(whole_number(0, 1000000));
  CLI::Option* linear = cmd->add_flag("--linear-projection", request.linear_projection,
                                      "Semi-supervised: project without the lens distortion");
  CLI::Option* no_proj = cmd->add_flag("--no-proj", options->no_projection,
                                       "Semi-supervised: do not train on the 2D reprojection loss");
  CLI::Option* no_bone = cmd->add_flag("--no-bone-length", options->no_bone_length,
                                       "Semi-supervised: leave out the bone-length term");
  cmd->callback([options, &exit_code, warmup, linear, no_proj, no_bone] {
    for (CLI::Option* option : {warmup, linear, no_proj, no_bone})
      if (option->count() > 0) options->semi_only_given.push_back(option->get_name());
    exit_code = run_train(*options);
  });
}

}  // namespace lift3d::app
