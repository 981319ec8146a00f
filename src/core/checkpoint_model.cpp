#include "lift3d/core/checkpoint_model.hpp"

#include "lift3d/error.hpp"

namespace lift3d::core {
namespace {

struct Contents {
  CheckpointInfo info;
  io::StateDict pose;
  std::optional<io::StateDict> trajectory;
};

Contents read_contents(const std::string& path, const ArchitectureHints& hints) {
  io::TorchCheckpoint checkpoint(path);
  Contents contents;
  CheckpointInfo& info = contents.info;
  info.path = path;
  info.format = checkpoint.format();
  const io::Value& root = checkpoint.root();
  if (!root.is(io::Value::Kind::Dict))
    throw ModelError(path + ": holds " + root.describe() + ", expected a VideoPose3D checkpoint dict");

  std::optional<io::StateDict> pose = io::read_state_dict(checkpoint, "model_pos");
  if (!pose) {
    // A bare state_dict (torch.save(model.state_dict())) is accepted too.
    if (root.find("expand_conv.weight")) {
      throw ModelError(path + ": holds a bare state_dict; expected a dict with 'model_pos' as run.py writes");
    }
    std::string keys;
    for (const auto& [key, value] : root.entries)
      if (key->is(io::Value::Kind::Str)) keys += (keys.empty() ? "" : ", ") + key->text;
    throw ModelError(path + ": no 'model_pos' state_dict (has: " + keys + ")");
  }
  contents.pose = std::move(*pose);
  info.pose = infer_architecture(contents.pose, hints, path + ": model_pos");

  contents.trajectory = io::read_state_dict(checkpoint, "model_traj");
  if (contents.trajectory) {
    ArchitectureHints traj_hints = hints;
    info.trajectory = infer_architecture(*contents.trajectory, traj_hints, path + ": model_traj");
    if (info.trajectory->joints_out != 1)
      throw ModelError(path + ": model_traj predicts " + std::to_string(info.trajectory->joints_out) +
                       " joints, expected 1 (a trajectory model)");
    if (info.trajectory->input_channels != info.pose.input_channels)
      throw ModelError(path + ": model_traj takes " + std::to_string(info.trajectory->input_channels) +
                       " input values per frame, model_pos " + std::to_string(info.pose.input_channels));
  }
  if (const io::Value* epoch = root.find("epoch"); epoch && epoch->is(io::Value::Kind::Int)) info.epoch = epoch->integer;
  if (const io::Value* lr = root.find("lr")) {
    if (lr->is(io::Value::Kind::Float)) info.lr = lr->real;
    if (lr->is(io::Value::Kind::Int)) info.lr = static_cast<double>(lr->integer);
  }
  return contents;
}

}  // namespace

CheckpointInfo inspect_checkpoint(const std::string& path, const ArchitectureHints& hints) {
  return read_contents(path, hints).info;
}

LoadedModel load_model(const std::string& path, const ArchitectureHints& hints) {
  Contents contents = read_contents(path, hints);
  std::optional<TemporalModel> trajectory;
  if (contents.trajectory) trajectory.emplace(*contents.info.trajectory, std::move(*contents.trajectory));
  TemporalModel pose(contents.info.pose, std::move(contents.pose));
  return LoadedModel{contents.info, Lifter{std::move(pose), std::move(trajectory)}};
}

}  // namespace lift3d::core
