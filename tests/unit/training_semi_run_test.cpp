// Semi-supervised lift3d train against VideoPose3D's own run.py (tests/fixtures/training/run_py_semi,
// written by tools/make_semi_run_fixtures.py from runs of the reference on the tiny Human3.6M fixtures:
// -str S1 -sun S9 -ste S11 -arc 3,3 -ch 16 -drop 0 -b 50 from the checkpoint init.bin, which holds both
// models and the unlabelled generator's RandomState(4321)):
//  - semi: three epochs (the first a warm-up on labelled data only, then the reprojection with
//    distortion and the bone-length term): every value of run.py's epoch lines, and the weights and
//    BatchNorm statistics of both models after the last epoch;
//  - resumed: the third epoch from run.py's own epoch_2.bin (its single Adam over both models, its two
//    pickled RandomStates; the unlabelled stream starts a fresh permutation, as run.py's does);
//  - linear (--linear-projection --no-bone-length --warmup 0), noproj (--no-proj --warmup 0 -b 100) and
//    causal (--causal --warmup 0 -b 100: the reprojection target is pad frames before the predicted one);
//  - stride (--stride 3, 3 epochs, the first a warm-up) and full (--disable-optimizations --warmup 0
//    -b 100): both models in run.py's full TemporalModel form, on chunks of 3 output frames and of 1.
// Tolerances: as the supervised run test (training_run_test.cpp): lift3d and PyTorch sum in different
// orders, so each step differs by float32 round-off, and Adam carries it through the steps. 3D and
// trajectory losses within 0.01 mm of run.py's printed values (hundreds of mm, printed to 1e-6 mm), 2D
// losses (normalised screen units, about 0.4, printed to 1e-6) within 1e-5, weights within 1e-5 absolute
// (an Adam step moves a weight by up to lr = 1e-3). run.py agrees with itself (1 thread against 2) to
// 3e-6 or better on these runs (fixtures' jitter.txt).
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "io/torch_checkpoint.hpp"
#include "pipeline/training.hpp"
#include "support/training_comparisons.hpp"

namespace fs = std::filesystem;

namespace {

const std::string kRunPy = std::string(LIFT3D_FIXTURES_DIR) + "/training/run_py_semi/";
const std::string kEval = std::string(LIFT3D_FIXTURES_DIR) + "/eval/";

std::vector<lift3d::testing::RunPySemiEpoch> run_py_epochs(const std::string& variant) {
  return lift3d::testing::read_run_py_semi_epochs(kRunPy + variant + "_epochs.txt");
}

struct TempDir {
  fs::path path = fs::temp_directory_path() / ("lift3d-train-semi-" + std::to_string(::getpid()));
  TempDir() { fs::create_directories(path); }
  ~TempDir() { fs::remove_all(path); }
};

lift3d::pipeline::TrainingRequest run_py_request(const fs::path& checkpoints, int epochs) {
  lift3d::pipeline::TrainingRequest request;
  request.dataset = "h36m";
  request.data_3d = kEval + "data_3d_h36m_tiny.npz";
  request.data_2d = kEval + "data_2d_h36m_tiny.npz";
  request.subjects_train = {"S1"};
  request.subjects_unlabeled = {"S9"};
  request.subjects_test = {"S11"};
  request.architecture = {3, 3};
  request.channels = 16;
  request.dropout = 0;
  request.epochs = epochs;
  request.batch_size = 50;
  request.checkpoint_dir = checkpoints.string();
  request.checkpoint_frequency = 1;
  request.resume = kRunPy + "init.bin";
  return request;
}

double worst_state_difference(const std::vector<std::string>& names, const std::vector<std::vector<float>>& values,
                              const std::string& run_py_checkpoint, const std::string& key) {
  const lift3d::io::TorchCheckpoint checkpoint(run_py_checkpoint);
  const std::optional<lift3d::io::StateDict> expected = lift3d::io::read_state_dict(checkpoint, key);
  EXPECT_TRUE(expected);
  if (!expected) return INFINITY;
  double worst = 0;
  std::size_t compared = 0;
  for (const lift3d::io::NamedTensor& tensor : *expected) {
    const auto it = std::find(names.begin(), names.end(), tensor.name);
    if (it == names.end()) continue;  // num_batches_tracked
    const std::vector<float>& ours = values[it - names.begin()];
    const std::vector<float> theirs = tensor.array.to_float();
    EXPECT_EQ(ours.size(), theirs.size()) << tensor.name;
    for (std::size_t i = 0; i < ours.size() && i < theirs.size(); ++i)
      worst = std::max(worst, std::abs(double(ours[i]) - theirs[i]));
    ++compared;
  }
  EXPECT_EQ(compared, names.size()) << key;
  return worst;
}

void expect_states_match(const lift3d::pipeline::TrainingResult& result, const std::string& variant) {
  const std::string file = kRunPy + variant + "_final.bin";
  const double pose = worst_state_difference(result.state_names, result.state, file, "model_pos");
  const double trajectory = worst_state_difference(result.traj_state_names, result.traj_state, file, "model_traj");
  EXPECT_LE(pose, 1e-5) << variant;
  EXPECT_LE(trajectory, 1e-5) << variant;
  std::printf("%s: largest weight difference model_pos %.3g, model_traj %.3g\n", variant.c_str(), pose, trajectory);
}

double expect_epoch_matches(const lift3d::pipeline::EpochLosses& ours, const lift3d::testing::RunPySemiEpoch& theirs) {
  EXPECT_EQ(ours.epoch, theirs.epoch);
  EXPECT_NEAR(ours.lr, theirs.lr, 5e-7);  // printed with 6 decimals
  const double mm[][2] = {{ours.train * 1000, theirs.train},           {ours.train_eval * 1000, theirs.train_eval},
                          {ours.traj_eval * 1000, theirs.traj_eval},   {ours.valid * 1000, theirs.valid},
                          {ours.traj_valid * 1000, theirs.traj_valid}};
  double worst_mm = 0;
  for (const auto& pair : mm) {
    EXPECT_NEAR(pair[0], pair[1], 0.01) << "epoch " << theirs.epoch;
    worst_mm = std::max(worst_mm, std::abs(pair[0] - pair[1]));
  }
  EXPECT_NEAR(ours.reprojection_train, theirs.reprojection_train, 1e-5) << "epoch " << theirs.epoch;
  EXPECT_NEAR(ours.reprojection_unlabeled, theirs.reprojection_unlabeled, 1e-5) << "epoch " << theirs.epoch;
  EXPECT_NEAR(ours.reprojection_valid, theirs.reprojection_valid, 1e-5) << "epoch " << theirs.epoch;
  return worst_mm;
}

void run_variant(const std::string& variant, lift3d::pipeline::TrainingRequest request) {
  const std::vector<lift3d::testing::RunPySemiEpoch> expected = run_py_epochs(variant);
  ASSERT_FALSE(expected.empty());
  std::vector<std::string> lines;
  request.on_epoch = [&](const std::string& line) { lines.push_back(line); };
  const lift3d::pipeline::TrainingResult result = lift3d::pipeline::run_training(request);
  ASSERT_EQ(result.epochs.size(), expected.size());
  double worst_mm = 0;
  for (std::size_t e = 0; e < expected.size(); ++e) {
    worst_mm = std::max(worst_mm, expect_epoch_matches(result.epochs[e], expected[e]));
    std::printf("lift3d: %s\n", lines[e].c_str());
  }
  std::printf("%s: largest 3D/trajectory loss difference %.3g mm\n", variant.c_str(), worst_mm);
  expect_states_match(result, variant);
}

TEST(TrainingSemiRun, ThreeEpochsWithWarmupMatchRunPy) {
  const TempDir dir;
  run_variant("semi", run_py_request(dir.path, 3));
  EXPECT_TRUE(fs::exists(dir.path / "epoch_3.bin"));
}

TEST(TrainingSemiRun, ResumingRunPysEpoch2CheckpointGivesRunPysResumedThirdEpoch) {
  const TempDir dir;
  lift3d::pipeline::TrainingRequest request = run_py_request(dir.path, 3);
  request.resume = kRunPy + "semi_epoch_2.bin";
  run_variant("resumed", request);
}

TEST(TrainingSemiRun, LinearProjectionWithoutBoneLengthMatchesRunPy) {
  const TempDir dir;
  lift3d::pipeline::TrainingRequest request = run_py_request(dir.path, 2);
  request.linear_projection = true;
  request.bone_length_loss = false;
  request.warmup = 0;
  run_variant("linear", request);
}

TEST(TrainingSemiRun, NoProjectionMatchesRunPy) {
  const TempDir dir;
  lift3d::pipeline::TrainingRequest request = run_py_request(dir.path, 2);
  request.projection_loss = false;
  request.warmup = 0;
  request.batch_size = 100;
  run_variant("noproj", request);
}

TEST(TrainingSemiRun, CausalMatchesRunPy) {
  const TempDir dir;
  lift3d::pipeline::TrainingRequest request = run_py_request(dir.path, 2);
  request.causal = true;
  request.warmup = 0;
  request.batch_size = 100;
  run_variant("causal", request);
}

TEST(TrainingSemiRun, ChunksOfThreeFramesMatchRunPy) {
  const TempDir dir;
  lift3d::pipeline::TrainingRequest request = run_py_request(dir.path, 3);
  request.stride = 3;
  run_variant("stride", request);
}

TEST(TrainingSemiRun, FullModelsWithoutTheStridedFormMatchRunPy) {
  const TempDir dir;
  lift3d::pipeline::TrainingRequest request = run_py_request(dir.path, 2);
  request.disable_optimizations = true;
  request.warmup = 0;
  request.batch_size = 100;
  run_variant("full", request);
}

TEST(TrainingSemiRun, SupervisedCheckpointCannotResumeSemiSupervisedTraining) {
  const TempDir dir;
  lift3d::pipeline::TrainingRequest request = run_py_request(dir.path, 1);
  request.resume = std::string(LIFT3D_FIXTURES_DIR) + "/training/run_py/epoch_2.bin";
  request.architecture = {3, 3};
  try {
    lift3d::pipeline::run_training(request);
    ADD_FAILURE() << "a supervised checkpoint resumed semi-supervised training";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("model_traj"), std::string::npos) << e.what();
  }
}

}  // namespace
