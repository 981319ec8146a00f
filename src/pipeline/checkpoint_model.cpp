#include "pipeline/checkpoint_model.hpp"

#include "base/log.hpp"
#include "base/text.hpp"
#include "lift3d/error.hpp"

namespace lift3d::pipeline {
namespace {

struct Contents {
  CheckpointInfo info;
  io::StateDict pose;
  std::optional<io::StateDict> trajectory;
};

const io::Value& checkpoint_dict(const io::TorchCheckpoint& checkpoint) {
  const io::Value& root = checkpoint.root();
  if (!root.is(io::Value::Kind::Dict))
    throw ModelError(checkpoint.path() + ": holds " + root.describe() + ", expected a VideoPose3D checkpoint dict");
  return root;
}

// run.py saves {"epoch", "lr", "optimizer", "model_pos", "model_traj", ...}; a bare state_dict
// (torch.save(model.state_dict())) is refused with a message that says so. Shapes only.
io::StateDict pose_state_dict(const io::TorchCheckpoint& checkpoint, const io::Value& root) {
  std::optional<io::StateDict> pose = io::read_state_dict(checkpoint, "model_pos", io::TensorData::ShapesOnly);
  if (pose) return std::move(*pose);
  if (root.find("expand_conv.weight"))
    throw ModelError(checkpoint.path() + ": holds a bare state_dict; expected a dict with 'model_pos' as run.py writes");
  std::vector<std::string> keys;
  for (const auto& [key, value] : root.entries)
    if (key->is(io::Value::Kind::Str)) keys.push_back(key->text);
  throw ModelError(checkpoint.path() + ": no 'model_pos' state_dict (has: " + join(keys) + ")");
}

void check_trajectory_fits_pose(const CheckpointInfo& info) {
  if (info.trajectory->joints_out != 1)
    throw ModelError(info.path + ": model_traj predicts " + std::to_string(info.trajectory->joints_out) +
                     " joints, expected 1 (a trajectory model)");
  if (info.trajectory->input_channels != info.pose.input_channels)
    throw ModelError(info.path + ": model_traj takes " + std::to_string(info.trajectory->input_channels) +
                     " input values per frame, model_pos " + std::to_string(info.pose.input_channels));
}

void read_training_state(const io::Value& root, CheckpointInfo& info) {
  if (const io::Value* epoch = root.find("epoch"); epoch && epoch->is(io::Value::Kind::Int)) info.epoch = epoch->integer;
  if (const io::Value* lr = root.find("lr")) {
    if (lr->is(io::Value::Kind::Float)) info.lr = lr->real;
    if (lr->is(io::Value::Kind::Int)) info.lr = static_cast<double>(lr->integer);
  }
}

// The checkpoint's structure and tensor shapes (each tensor checked against its storage), no weights.
Contents read_contents(const io::TorchCheckpoint& checkpoint, const ArchitectureHints& hints) {
  const io::Value& root = checkpoint_dict(checkpoint);
  Contents contents;
  CheckpointInfo& info = contents.info;
  info.path = checkpoint.path();
  const std::string& path = info.path;
  info.format = checkpoint.format();
  contents.pose = pose_state_dict(checkpoint, root);
  info.pose = infer_architecture(contents.pose, hints, path + ": model_pos");
  contents.trajectory = io::read_state_dict(checkpoint, "model_traj", io::TensorData::ShapesOnly);
  if (contents.trajectory) {
    info.trajectory = infer_architecture(*contents.trajectory, hints, path + ": model_traj");
    check_trajectory_fits_pose(info);
  }
  read_training_state(root, info);
  return contents;
}

core::TemporalModel build_model(const io::TorchCheckpoint& checkpoint, io::StateDict& state,
                                const core::ModelConfig& config) {
  return core::TemporalModel(config, model_weights_from_checkpoint(checkpoint, state, config));
}

// "3,3,3 (dilated, causal), 1024 channels, receptive field 27 frames, 8512051 parameters"
std::string describe(const core::ModelConfig& config) {
  return config.architecture_string() + (config.dense ? " (dense" : " (dilated") + (config.causal ? ", causal)" : ")") +
         ", " + std::to_string(config.channels) + " channels, receptive field " +
         std::to_string(config.receptive_field()) + " frames, " + std::to_string(config.parameter_count()) +
         " parameters";
}

void log_loaded(const CheckpointInfo& info) {
  logger().debug("{}: loaded {} checkpoint; model_pos {}, {} -> {} joints; model_traj {}", info.path, info.format,
                describe(info.pose), info.pose.input_channels / 2, info.pose.joints_out,
                info.trajectory ? describe(*info.trajectory) : std::string("none"));
  if (info.epoch || info.lr)
    logger().debug("{}: training state: epoch {}, learning rate {}", info.path,
                   info.epoch ? fmt::format("{}", *info.epoch) : "unknown",
                   info.lr ? fmt::format("{:g}", *info.lr) : "unknown");
}

}  // namespace

CheckpointInfo inspect_checkpoint(const std::string& path, const ArchitectureHints& hints) {
  const io::TorchCheckpoint checkpoint(path);
  CheckpointInfo info = read_contents(checkpoint, hints).info;
  logger().debug("{}: {} checkpoint, tensor shapes read (weights not loaded)", path, info.format);
  return info;
}

LoadedModel load_model(const std::string& path, const ArchitectureHints& hints) {
  // Shapes first (every tensor checked against its storage), then each convolution's weights read
  // straight into the buffer the model keeps.
  const io::TorchCheckpoint checkpoint(path);
  Contents contents = read_contents(checkpoint, hints);
  std::optional<core::TemporalModel> trajectory;
  if (contents.trajectory)
    trajectory.emplace(build_model(checkpoint, *contents.trajectory, *contents.info.trajectory));
  core::TemporalModel pose = build_model(checkpoint, contents.pose, contents.info.pose);
  log_loaded(contents.info);
  return LoadedModel{contents.info, core::Lifter{std::move(pose), std::move(trajectory)}};
}

}  // namespace lift3d::pipeline
