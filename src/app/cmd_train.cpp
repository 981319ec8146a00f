// `lift3d train --dataset h36m --data-3d FILE --data-2d FILE ...`: training as the reference's run.py
// does it, supervised or (with --subjects-unlabeled) semi-supervised, with run.py's long option names.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <sstream>

#include "app/commands.hpp"
#include "app/eval_report.hpp"
#include "app/option_checks.hpp"
#include "app/process_group.hpp"
#include "app/progress_line.hpp"
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
  bool no_final_eval = false;
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

// Ctrl-C stops training at the next batch boundary; a second Ctrl-C ends the process at once.
std::atomic<int> g_interrupted{0};

extern "C" void note_interrupt(int signal_number) {
  g_interrupted.store(1);
  ::signal(signal_number, SIG_DFL);
}

void stop_at_next_batch_on_interrupt() {
  struct sigaction action {};
  action.sa_handler = note_interrupt;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  ::sigaction(SIGINT, &action, nullptr);
}

// Training samples (output frames) per second over the epoch so far, for the progress line.
class BatchRate {
 public:
  std::string after(int done, int samples) {
    const auto now = std::chrono::steady_clock::now();
    if (done == 1) {
      // The first batch's start is not seen (the clock starts at its end): counted from the second on.
      start_ = now;
      samples_since_start_ = 0;
      return "- samples/s";
    }
    samples_since_start_ += samples;
    const double seconds = std::chrono::duration<double>(now - start_).count();
    if (seconds <= 0) return "- samples/s";
    return fmt::format("{:.0f} samples/s", static_cast<double>(samples_since_start_) / seconds);
  }

 private:
  std::chrono::steady_clock::time_point start_;
  long long samples_since_start_ = 0;
};

// Ctrl-C: every checkpoint written so far is whole (each was written to a temporary file and renamed);
// the last of them (or the --resume file) is where to continue from. Exit 130 as a shell reports it.
int report_interruption(const pipeline::TrainingRequest& request, const pipeline::TrainingResult& result) {
  const std::string last_good = !result.checkpoints.empty() ? result.checkpoints.back() : request.resume;
  if (last_good.empty())
    logger().warn("interrupted in epoch {}: no checkpoint was written (nothing to --resume from)",
                  result.stopped_in_epoch);
  else
    logger().warn("interrupted in epoch {}: the last good checkpoint is {} (continue with --resume {})",
                  result.stopped_in_epoch, last_good, last_good);
  return 130;
}

// run.py's end-of-run evaluation, printed as `lift3d eval` prints it.
void print_final_evaluation(const pipeline::TrainingRequest& request, const pipeline::EvaluationResult& evaluation) {
  EvalReport report;
  report.dataset = request.dataset;
  report.keypoints = request.data_2d;
  report.tta = true;
  report.causal = request.causal;
  report.checkpoint = evaluation.checkpoint;
  report.summaries = evaluation.summaries;
  std::cout << "Final evaluation (test subjects, flip test-time augmentation):\n" << console_report(report);
  std::cout.flush();
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
  request.final_evaluation = !options.no_final_eval;
  ProgressLine progress("training", "batches");
  // The epoch line goes to stdout: the progress line (stderr, same terminal) is erased first.
  request.on_epoch = [&progress](const std::string& line) {
    progress.clear();
    std::cout << line << std::endl;
  };
  BatchRate rate;
  auto last_drawn = std::chrono::steady_clock::now();
  request.on_batch = [&progress, &rate, &last_drawn](int done, int total, int samples, double loss) {
    const std::string speed = rate.after(done, samples);
    // Redrawn at most ten times a second (small batches run by the thousand per second).
    const auto now = std::chrono::steady_clock::now();
    if (done != total && now - last_drawn < std::chrono::milliseconds(100)) return;
    last_drawn = now;
    progress.update(done, total, speed + fmt::format(", loss {:.1f} mm", loss * 1000));
  };
  request.stop_requested = [] { return g_interrupted.load() != 0; };
  stop_at_next_batch_on_interrupt();
  const std::unique_ptr<core::training::Collective> group = join_process_group();
  settle_in_group(*group);
  request.collective = group.get();
  const pipeline::TrainingResult result = pipeline::run_training(request);
  progress.clear();
  std::signal(SIGINT, SIG_DFL);
  if (result.stopped) return report_interruption(request, result);
  if (result.final_evaluation) print_final_evaluation(request, *result.final_evaluation);
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
  cmd->add_option("--cameras", request.cameras,
                  "Camera file replacing the dataset's built-in camera tables for every subject (the layout of "
                  "data/cameras/h36m.json; a subject's entries may carry their own intrinsics)");
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
  cmd->add_option("--stride", request.stride,
                  "Output frames per training example (chunk length); above 1 the full model trains on chunks")
      ->capture_default_str()
      ->check(whole_number(1, 1 << 20));
  cmd->add_flag("--dense", request.dense, "Dense convolutions (the full model, kernels spanning each dilated one)");
  cmd->add_flag("--disable-optimizations", request.disable_optimizations,
                "Train the full model even at --stride 1 (run.py's option)");
  cmd->add_option("--subset", request.subset, "Fraction of each training video to train on, as run.py's window")
      ->capture_default_str()
      ->check(finite_number(1e-9, 1.0));
  cmd->add_option("--downsample", request.downsample, "Every N-th frame of the training and test videos")
      ->capture_default_str()
      ->check(whole_number(1, 1 << 20));
  cmd->add_flag("--no-final-eval", options->no_final_eval,
                "Skip the evaluation of the final model on the test subjects after the last epoch");
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
