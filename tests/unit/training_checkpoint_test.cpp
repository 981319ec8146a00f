// Training checkpoints: what lift3d writes it reads back bit for bit (weights, BatchNorm statistics,
// Adam's moments and steps, the shuffling generator), and torch.load reads it as run.py --resume does
// (model_pos strictly into the training model, the optimizer into torch.optim.Adam(amsgrad=True), the
// random state as a numpy RandomState) with the same values, checked by tools/check_training_checkpoint.py
// (skipped when python3-torch is missing).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <random>

#include "core/training/adam.hpp"
#include "core/training/losses.hpp"
#include "core/training/numpy_random.hpp"
#include "core/training/training_model.hpp"
#include "io/npy.hpp"
#include "lift3d/error.hpp"
#include "pipeline/training_checkpoint.hpp"

namespace fs = std::filesystem;
namespace training = lift3d::core::training;

namespace {

lift3d::core::ModelConfig small_config(int joints_out = 17) {
  lift3d::core::ModelConfig config;
  config.filter_widths = {3, 3};
  config.channels = 8;
  config.input_channels = 34;
  config.joints_out = joints_out;
  return config;
}

// A model, its optimizer and a generator after two training steps on random data.
struct Trained {
  int joints_out;
  training::TrainingModel model;
  training::Adam adam{0.001};
  training::NumpyRandomState random;
  explicit Trained(int joints = 17, std::uint32_t seed = 1234)
      : joints_out(joints), model(small_config(joints), 0.25, 5 + joints), random(seed) {
    std::mt19937 rng(3 + joints);
    std::normal_distribution<float> normal(0.0f, 0.5f);
    for (int step = 0; step < 2; ++step) {
      training::Matrix input(34, 4 * 9), target(3 * joints_out, 4);
      for (Eigen::Index i = 0; i < input.size(); ++i) input.data()[i] = normal(rng);
      for (Eigen::Index i = 0; i < target.size(); ++i) target.data()[i] = normal(rng);
      const training::Matrix output = model.forward(input, 4);
      model.backward(training::mpjpe(output, target).gradient);
      adam.step(model.parameters());
    }
    std::vector<int> items(100);
    random.shuffle(items);
  }
};

struct TempDir {
  fs::path path = fs::temp_directory_path() / ("lift3d-train-ckpt-" + std::to_string(::getpid()));
  TempDir() { fs::create_directories(path); }
  ~TempDir() { fs::remove_all(path); }
};

TEST(TrainingCheckpoint, ReadsBackWhatItWroteExactly) {
  const Trained trained;
  const TempDir dir;
  const std::string path = (dir.path / "epoch_2.bin").string();
  lift3d::pipeline::write_training_checkpoint(path, 2, 0.00095, trained.model, trained.adam, trained.random);

  training::TrainingModel model(small_config(), 0.25, 99);
  training::Adam adam(0.5);
  training::NumpyRandomState random(1);
  const lift3d::pipeline::ResumedTraining resumed = lift3d::pipeline::read_training_checkpoint(path, model, adam, random);
  EXPECT_EQ(resumed.epoch, 2);
  EXPECT_EQ(resumed.lr, 0.00095);
  EXPECT_TRUE(resumed.optimizer);
  const auto original = trained.model.state_dict();
  const auto loaded = model.state_dict();
  ASSERT_EQ(original.size(), loaded.size());
  for (std::size_t i = 0; i < original.size(); ++i) EXPECT_EQ(original[i]->values, loaded[i]->values) << original[i]->name;
  EXPECT_EQ(model.batches_tracked(), 2);
  ASSERT_EQ(adam.slots().size(), trained.adam.slots().size());
  for (std::size_t p = 0; p < adam.slots().size(); ++p) {
    EXPECT_EQ(adam.slots()[p].step, 2);
    EXPECT_EQ(adam.slots()[p].exp_avg, trained.adam.slots()[p].exp_avg);
    EXPECT_EQ(adam.slots()[p].exp_avg_sq, trained.adam.slots()[p].exp_avg_sq);
    EXPECT_EQ(adam.slots()[p].max_exp_avg_sq, trained.adam.slots()[p].max_exp_avg_sq);
  }
  EXPECT_EQ(random.key(), trained.random.key());
  EXPECT_EQ(random.position(), trained.random.position());
}

void expect_same(const Trained& trained, const training::TrainingModel& model, const training::Adam& adam,
                 const training::NumpyRandomState& random) {
  const auto original = trained.model.state_dict();
  const auto loaded = model.state_dict();
  ASSERT_EQ(original.size(), loaded.size());
  for (std::size_t i = 0; i < original.size(); ++i) EXPECT_EQ(original[i]->values, loaded[i]->values) << original[i]->name;
  ASSERT_EQ(adam.slots().size(), trained.adam.slots().size());
  for (std::size_t p = 0; p < adam.slots().size(); ++p) {
    EXPECT_EQ(adam.slots()[p].step, 2);
    EXPECT_EQ(adam.slots()[p].exp_avg, trained.adam.slots()[p].exp_avg);
    EXPECT_EQ(adam.slots()[p].max_exp_avg_sq, trained.adam.slots()[p].max_exp_avg_sq);
  }
  EXPECT_EQ(random.key(), trained.random.key());
  EXPECT_EQ(random.position(), trained.random.position());
}

// Semi-supervised checkpoints: model_traj, random_state_semi and the trajectory model's Adam moments
// (numbered after model_pos's) come back exactly; a supervised run refuses them, and a semi-supervised
// run refuses a supervised checkpoint (run.py fails on both).
TEST(TrainingCheckpoint, SemiSupervisedCheckpointsReadBackBothModels) {
  Trained pose;
  Trained trajectory(1, 4321);
  const TempDir dir;
  const std::string path = (dir.path / "epoch_2.bin").string();
  const lift3d::pipeline::TrajectoryTraining written{&trajectory.model, &trajectory.adam, &trajectory.random};
  lift3d::pipeline::write_training_checkpoint(path, 2, 0.00095, pose.model, pose.adam, pose.random, &written);

  training::TrainingModel model(small_config(), 0.25, 99), traj_model(small_config(1), 0.25, 98);
  training::Adam adam(0.5), traj_adam(0.5);
  training::NumpyRandomState random(1), traj_random(2);
  const lift3d::pipeline::TrajectoryTraining read{&traj_model, &traj_adam, &traj_random};
  EXPECT_TRUE(lift3d::pipeline::read_training_checkpoint(path, model, adam, random, &read).optimizer);
  expect_same(pose, model, adam, random);
  expect_same(trajectory, traj_model, traj_adam, traj_random);

  training::TrainingModel supervised(small_config(), 0.25, 99);
  try {
    lift3d::pipeline::read_training_checkpoint(path, supervised, adam, random);
    ADD_FAILURE() << "a supervised run took a semi-supervised checkpoint's optimizer";
  } catch (const lift3d::ModelError& e) {
    EXPECT_NE(std::string(e.what()).find("semi-supervised"), std::string::npos) << e.what();
  }
  const std::string supervised_path = (dir.path / "epoch_1.bin").string();
  lift3d::pipeline::write_training_checkpoint(supervised_path, 1, 0.001, pose.model, pose.adam, pose.random);
  try {
    lift3d::pipeline::read_training_checkpoint(supervised_path, model, adam, random, &read);
    ADD_FAILURE() << "a semi-supervised run took a supervised checkpoint";
  } catch (const lift3d::ModelError& e) {
    EXPECT_NE(std::string(e.what()).find("no model_traj"), std::string::npos) << e.what();
  }
}

TEST(TrainingCheckpoint, RefusesAModelOfAnotherShapeNamingTheTensor) {
  const Trained trained;
  const TempDir dir;
  const std::string path = (dir.path / "epoch_1.bin").string();
  lift3d::pipeline::write_training_checkpoint(path, 1, 0.001, trained.model, trained.adam, trained.random);
  lift3d::core::ModelConfig wider = small_config();
  wider.channels = 16;
  training::TrainingModel model(wider, 0.25);
  training::Adam adam(0.001);
  training::NumpyRandomState random;
  try {
    lift3d::pipeline::read_training_checkpoint(path, model, adam, random);
    FAIL() << "a 16-channel model took an 8-channel checkpoint";
  } catch (const lift3d::ModelError& e) {
    EXPECT_NE(std::string(e.what()).find("expand_bn.weight is [8]"), std::string::npos) << e.what();
  }
}

TEST(TrainingCheckpoint, TorchLoadReadsItAsRunPyResumeDoes) {
  if (std::system(LIFT3D_PYTHON " -c 'import torch' >/dev/null 2>&1") != 0) GTEST_SKIP() << "python3-torch is not installed";
  const Trained trained;
  const TempDir dir;
  const std::string path = (dir.path / "epoch_2.bin").string();
  lift3d::pipeline::write_training_checkpoint(path, 2, 0.00095, trained.model, trained.adam, trained.random);
  const std::string dump = (dir.path / "dump.npz").string();
  const std::string command = std::string("cd ") + LIFT3D_TOOLS_DIR + " && " + LIFT3D_PYTHON +
                              " check_training_checkpoint.py " + path + " 3,3 8 17 17 " + dump + " > " +
                              (dir.path / "log.txt").string() + " 2>&1";
  ASSERT_EQ(std::system(command.c_str()), 0) << "torch.load or the checks failed; see " << (dir.path / "log.txt");
  const lift3d::io::NpzFile file(dump);
  EXPECT_EQ(file.read("epoch").array->to_int64()[0], 2);
  EXPECT_EQ(file.read("lr").array->to_double()[0], 0.00095);
  for (const training::NamedTensor* entry : trained.model.state_dict())
    EXPECT_EQ(file.read("model." + entry->name).array->to_float(), entry->values) << entry->name;
  EXPECT_EQ(file.read("model.layers_bn.1.num_batches_tracked").array->to_int64()[0], 2);
  for (std::size_t p = 0; p < trained.adam.slots().size(); ++p) {
    const std::string i = std::to_string(p);
    EXPECT_EQ(file.read("exp_avg." + i).array->to_float(), trained.adam.slots()[p].exp_avg);
    EXPECT_EQ(file.read("max_exp_avg_sq." + i).array->to_float(), trained.adam.slots()[p].max_exp_avg_sq);
    EXPECT_EQ(file.read("step." + i).array->to_double()[0], 2.0);
  }
  const std::vector<std::int64_t> key = file.read("key").array->to_int64();
  for (int w = 0; w < 624; ++w) EXPECT_EQ(static_cast<std::uint32_t>(key[w]), trained.random.key()[w]);
  EXPECT_EQ(file.read("pos").array->to_int64()[0], trained.random.position());
  training::NumpyRandomState continued = trained.random;
  for (std::int64_t next : file.read("next").array->to_int64()) EXPECT_EQ(continued.next_uint32(), static_cast<std::uint32_t>(next));
}

}  // namespace
