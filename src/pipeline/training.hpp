// `train` as one call: training of a VideoPose3D pose model with run.py's semantics: the training and
// test videos fetched as run.py fetches them, ChunkedGenerator's shuffled batches, the strided
// single-frame training model, Adam with AMSGrad, the learning rate multiplied by lr_decay after every
// epoch and the BatchNorm momentum following 0.1 * 0.01^(epoch / epochs), and after every epoch the
// losses run.py prints. Supervised, or semi-supervised with unlabelled subjects (run.py's
// --subjects-unlabeled): a trajectory model trained beside the pose model, the unlabelled examples'
// predictions projected back to 2D and compared with their input, and the bone-length term.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/training/collective.hpp"
#include "pipeline/evaluation.hpp"

namespace lift3d::pipeline {

struct TrainingRequest {
  std::string dataset = "h36m";  // h36m or humaneva15
  std::string data_3d;           // data_3d_<dataset>.npz
  std::string data_2d;           // data_2d_<dataset>_<keypoints>.npz
  // A camera file (io/camera_file.hpp) that replaces the dataset's built-in camera tables for every
  // subject; empty: the tables.
  std::string cameras;
  std::vector<std::string> subjects_train;  // empty: run.py's defaults (S1,S5,S6,S7,S8 for h36m)
  std::vector<std::string> subjects_test;   // empty: S9,S11 (h36m)
  std::vector<std::string> actions;         // action prefixes; empty: all
  std::vector<int> architecture{3, 3, 3};
  int channels = 1024;
  double dropout = 0.25;
  bool causal = false;
  int epochs = 60;
  int batch_size = 1024;
  double learning_rate = 0.001;
  double lr_decay = 0.95;
  // run.py's --stride: output frames per training example (chunk length); above 1 the full
  // TemporalModel trains on chunks, as run.py does.
  int stride = 1;
  bool dense = false;                  // run.py's --dense: dense convolutions (full model)
  bool disable_optimizations = false;  // run.py's --disable-optimizations: the full model even at stride 1
  // run.py's --subset: the fraction of each training video kept (one window of it, picked from the
  // video's length; see core/frame_selection.hpp); 1 keeps all.
  double subset = 1.0;
  // run.py's --downsample: every N-th frame of the training, test and unlabelled videos (and of the
  // end-of-run evaluation's).
  int downsample = 1;
  bool augment = true;   // run.py's data augmentation (flips); --no-data-augmentation turns it off
  bool evaluate_epochs = true;  // false: --no-eval
  // After the last epoch, the final model evaluated on the test subjects as `lift3d eval` does it
  // (run.py's end-of-run evaluation: every protocol per action, flip test-time augmentation);
  // false: --no-final-eval.
  bool final_evaluation = true;
  // Checkpoints: <checkpoint_dir>/epoch_<N>.bin every checkpoint_frequency epochs, and after the last
  // epoch (run.py writes none there unless the epoch count is a multiple of the frequency). Empty: none.
  std::string checkpoint_dir = "checkpoint";
  int checkpoint_frequency = 10;
  // A checkpoint to continue from (run.py's --resume, but a path): model_pos, epoch and lr, and when it
  // has one the optimizer state and the shuffling generator's state.
  std::string resume;
  std::uint64_t seed = 0;  // lift3d's own: the initial weights and the dropout masks
  // Semi-supervision (Human3.6M only): unlabelled subjects (2D and cameras only); empty: supervised.
  std::vector<std::string> subjects_unlabeled;
  int warmup = 1;                  // epochs of labelled data only before the unlabelled terms join
  bool linear_projection = false;  // project without the distortion (the evaluation losses keep it)
  bool projection_loss = true;     // false: --no-proj (the reprojection loss is not trained on)
  bool bone_length_loss = true;    // false: --no-bone-length
  // Called after each epoch with run.py's line (without its time field when times are off); in process 0
  // only when several train together.
  std::function<void(const std::string& line)> on_epoch;
  // Data-parallel training (e.g. under mpirun): the processes that train together, each on its share of
  // every batch, with the result of one process training alone (within float32 round-off). Every
  // process reads the same files; only process 0 evaluates, reports the epochs and writes checkpoints.
  // Supervised (also the chunked full model) and semi-supervised training. Null: this process alone.
  core::training::Collective* collective = nullptr;
  bool print_time = true;
  // Called after every training batch: batches done and in all in this epoch, the batch's output
  // frames (examples x chunk length: the samples it trained on), and its loss (metres).
  std::function<void(int done, int total, int samples, double loss)> on_batch;
  // Asked after every training batch; true stops the run there (Ctrl-C): nothing more is trained or
  // written, and the result says where it stopped.
  std::function<bool()> stop_requested;
};

struct EpochLosses {
  int epoch = 0;           // 1-based
  double elapsed_minutes = 0;
  double lr = 0;           // the rate the epoch used
  double train = 0;        // metres: mean MPJPE over the epoch's training batches (dropout on)
  double train_eval = 0;   // metres: evaluation mode over the training videos (NaN without evaluation)
  double valid = 0;        // metres: evaluation mode over the test videos (NaN without evaluation)
  // Semi-supervised runs, evaluation mode (NaN otherwise): the trajectory's MPJPE in metres over the
  // training and test videos, and the 2D reprojection MPJPE (normalised screen units) over the training,
  // unlabelled and test videos.
  double traj_eval = 0, traj_valid = 0;
  double reprojection_train = 0, reprojection_unlabeled = 0, reprojection_valid = 0;
};

struct TrainingResult {
  std::vector<EpochLosses> epochs;
  int receptive_field = 0;
  long long parameter_count = 0;
  long long training_frames = 0;
  long long test_frames = 0;
  long long unlabeled_frames = 0;  // semi-supervised runs
  std::vector<std::string> checkpoints;  // written, in order
  bool stopped = false;      // stop_requested() ended the run part-way through an epoch
  int stopped_in_epoch = 0;  // the epoch (1-based) it was in
  std::optional<EvaluationResult> final_evaluation;  // after the last epoch, unless turned off or stopped
  std::vector<std::string> state_names;   // the final state_dict's names, PyTorch's order
  std::vector<std::vector<float>> state;  // and values
  std::vector<std::string> traj_state_names;  // the trajectory model's (semi-supervised runs)
  std::vector<std::vector<float>> traj_state;
};

// run.py's epoch line: "[e] time T lr L 3d_train X 3d_eval Y 3d_valid Z" (losses in millimetres); for
// semi-supervised runs "... 3d_eval Y traj_eval . 3d_valid Z traj_valid . 2d_train_sup . 2d_train_unsup .
// 2d_valid ." (trajectories in millimetres, 2D losses in normalised screen units, as run.py prints them).
std::string epoch_line(const EpochLosses& losses, bool evaluated, bool with_time, bool semi = false);

// Throws UsageError for options that do not fit (unknown subject, semi-supervision with chunks, ...),
// InputError for files that do not fit each other.
TrainingResult run_training(const TrainingRequest& request);

}  // namespace lift3d::pipeline
