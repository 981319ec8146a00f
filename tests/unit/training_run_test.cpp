// lift3d train against VideoPose3D's own run.py (tests/fixtures/training/run_py, written by
// tools/make_training_run_fixtures.py from a run of the reference on the tiny Human3.6M fixtures:
// -str S1,S9 -ste S11 -arc 3,3 -ch 16 -drop 0 -e 3 -b 64 from the checkpoint init.bin):
//  - from init.bin, three epochs: every loss of run.py's epoch lines, and the weights and BatchNorm
//    statistics of its epoch_3.bin;
//  - from run.py's own epoch_2.bin (its optimizer state and its pickled NumPy RandomState), the third
//    epoch as run.py resuming from that file gives it (resumed_*: run.py keeps the BatchNorm momentum at
//    0.1 in the first epoch after a resume, so its running statistics and evaluation losses differ from
//    the uninterrupted run's; lift3d does the same).
// Tolerances: lift3d and PyTorch sum in different orders, so every training step differs by float32
// round-off, and Adam carries that through 60 steps. The losses are compared within 0.01 mm of run.py's
// printed values (hundreds of mm, printed to 1e-6 mm), the weights within 1e-5 absolute (each Adam step
// moves a weight by up to lr = 1e-3).
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

using lift3d::testing::read_run_py_epochs;
using lift3d::testing::RunPyEpoch;

const std::string kRunPy = std::string(LIFT3D_FIXTURES_DIR) + "/training/run_py/";
const std::string kEval = std::string(LIFT3D_FIXTURES_DIR) + "/eval/";

std::vector<RunPyEpoch> run_py_epochs(const std::string& name = "epochs.txt") {
  return read_run_py_epochs(kRunPy + name);
}

lift3d::pipeline::TrainingRequest run_py_request(const fs::path& checkpoints) {
  lift3d::pipeline::TrainingRequest request;
  request.dataset = "h36m";
  request.data_3d = kEval + "data_3d_h36m_tiny.npz";
  request.data_2d = kEval + "data_2d_h36m_tiny.npz";
  request.subjects_train = {"S1", "S9"};
  request.subjects_test = {"S11"};
  request.architecture = {3, 3};
  request.channels = 16;
  request.dropout = 0;
  request.epochs = 3;
  request.batch_size = 64;
  request.checkpoint_dir = checkpoints.string();
  request.checkpoint_frequency = 1;
  return request;
}

struct TempDir {
  fs::path path = fs::temp_directory_path() / ("lift3d-train-run-" + std::to_string(::getpid()));
  TempDir() { fs::create_directories(path); }
  ~TempDir() { fs::remove_all(path); }
};

void expect_state_matches_run_py(const lift3d::pipeline::TrainingResult& result, const std::string& run_py_checkpoint) {
  const lift3d::io::TorchCheckpoint checkpoint(run_py_checkpoint);
  const std::optional<lift3d::io::StateDict> expected = lift3d::io::read_state_dict(checkpoint, "model_pos");
  ASSERT_TRUE(expected);
  std::size_t compared = 0;
  for (const lift3d::io::NamedTensor& tensor : *expected) {
    const auto it = std::find(result.state_names.begin(), result.state_names.end(), tensor.name);
    if (it == result.state_names.end()) continue;  // num_batches_tracked
    const std::vector<float>& ours = result.state[it - result.state_names.begin()];
    const std::vector<float> theirs = tensor.array.to_float();
    ASSERT_EQ(ours.size(), theirs.size()) << tensor.name;
    double worst = 0;
    for (std::size_t i = 0; i < ours.size(); ++i) worst = std::max(worst, std::abs(double(ours[i]) - theirs[i]));
    EXPECT_LE(worst, 1e-5) << tensor.name;
    ++compared;
  }
  EXPECT_EQ(compared, result.state_names.size());
}

void expect_epoch_matches(const lift3d::pipeline::EpochLosses& ours, const RunPyEpoch& theirs) {
  EXPECT_EQ(ours.epoch, theirs.epoch);
  EXPECT_NEAR(ours.lr, theirs.lr, 5e-7);  // printed with 6 decimals
  EXPECT_NEAR(ours.train * 1000, theirs.train, 0.01) << "epoch " << theirs.epoch;
  EXPECT_NEAR(ours.train_eval * 1000, theirs.train_eval, 0.01) << "epoch " << theirs.epoch;
  EXPECT_NEAR(ours.valid * 1000, theirs.valid, 0.01) << "epoch " << theirs.epoch;
}

TEST(TrainingRun, ThreeEpochsFromInitMatchRunPy) {
  const std::vector<RunPyEpoch> expected = run_py_epochs();
  ASSERT_EQ(expected.size(), 3u);
  const TempDir dir;
  lift3d::pipeline::TrainingRequest request = run_py_request(dir.path);
  request.resume = kRunPy + "init.bin";
  std::vector<std::string> lines;
  request.on_epoch = [&](const std::string& line) { lines.push_back(line); };
  const lift3d::pipeline::TrainingResult result = lift3d::pipeline::run_training(request);
  ASSERT_EQ(result.epochs.size(), 3u);
  for (int e = 0; e < 3; ++e) {
    expect_epoch_matches(result.epochs[e], expected[e]);
    std::printf("lift3d:  %s\nrun.py:  3d_train %f 3d_eval %f 3d_valid %f\n", lines[e].c_str(), expected[e].train,
                expected[e].train_eval, expected[e].valid);
  }
  expect_state_matches_run_py(result, kRunPy + "epoch_3.bin");
  EXPECT_EQ(result.checkpoints.size(), 3u);
  EXPECT_TRUE(fs::exists(dir.path / "epoch_3.bin"));
}

TEST(TrainingRun, ResumingRunPysEpoch2CheckpointGivesRunPysResumedThirdEpoch) {
  const std::vector<RunPyEpoch> expected = run_py_epochs("resumed_epochs.txt");
  ASSERT_EQ(expected.size(), 1u);
  const TempDir dir;
  lift3d::pipeline::TrainingRequest request = run_py_request(dir.path);
  request.resume = kRunPy + "epoch_2.bin";
  const lift3d::pipeline::TrainingResult result = lift3d::pipeline::run_training(request);
  ASSERT_EQ(result.epochs.size(), 1u);
  expect_epoch_matches(result.epochs[0], expected[0]);
  expect_state_matches_run_py(result, kRunPy + "resumed_epoch_3.bin");
}

}  // namespace
