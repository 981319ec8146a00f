// The public Model: a loaded checkpoint and the pipeline's job preparation, for sequences held in
// memory.
#include "lift3d/model.hpp"

#include "core/world_frame.hpp"
#include "pipeline/checkpoint_model.hpp"
#include "pipeline/default_model.hpp"
#include "pipeline/inference_jobs.hpp"
#include "pipeline/thread_plan.hpp"

namespace lift3d {

struct Model::State {
  pipeline::LoadedModel model;
  ModelInfo info;
};

namespace {

ModelInfo describe(const pipeline::LoadedModel& model) {
  const core::ModelConfig& pose = model.info.pose;
  ModelInfo info;
  info.path = model.info.path;
  info.architecture = pose.architecture_string();
  info.receptive_field = pose.receptive_field();
  info.channels = pose.channels;
  info.input_joints = pose.input_channels / 2;
  info.output_joints = pose.joints_out;
  info.causal = pose.causal;
  info.dense = pose.dense;
  info.has_trajectory = model.info.trajectory.has_value();
  info.parameters = pose.parameter_count();
  info.output_joint_names = pipeline::output_joint_names(pose);
  return info;
}

}  // namespace

Model::Model(std::unique_ptr<State> state) : state_(std::move(state)) {}
Model::Model(Model&&) noexcept = default;
Model& Model::operator=(Model&&) noexcept = default;
Model::~Model() = default;

Model Model::load(const std::string& checkpoint, const LoadOptions& options) {
  pipeline::ArchitectureHints hints;
  hints.causal = options.causal;
  if (options.dense) hints.dense = true;
  auto state = std::make_unique<State>(State{pipeline::load_model(checkpoint, hints), {}});
  state->info = describe(state->model);
  return Model(std::move(state));
}

Model Model::load_default() { return load(pipeline::default_model_path()); }

const ModelInfo& Model::info() const { return state_->info; }

Poses3D Model::lift(const KeypointSequence& keypoints, const LiftOptions& options) const {
  const pipeline::LoadedModel& model = state_->model;
  pipeline::PersonInput person;
  person.source = "keypoints";
  person.layout = options.layout;
  person.min_score = options.min_score;
  person.normalised_without_size = true;
  person.missing_joints =
      options.missing_joints == MissingJoints::Refuse ? pipeline::MissingJoints::Refuse : pipeline::MissingJoints::Fill;
  person.coordinates = options.coordinates == InputCoordinates::Pixels       ? core::CoordinateChoice::Pixels
                       : options.coordinates == InputCoordinates::Normalized ? core::CoordinateChoice::Normalized
                                                                             : core::CoordinateChoice::Auto;
  const pipeline::InferenceJob job = pipeline::person_job("keypoints", keypoints, person, model.info.pose);
  pipeline::report_keypoint_fill(person.source, job);

  const pipeline::ThreadPlan plan = pipeline::plan_threads(options.threads, {job.keypoints.frames}, model.info.pose);
  pipeline::apply_thread_plan(plan);
  core::LiftOptions lift_options;
  lift_options.flip_tta = options.flip_tta;
  lift_options.threads = plan.segment_threads;

  Poses3D result;
  result.poses = core::lift(model.lifter, job.keypoints, job.flip, lift_options, options.add_trajectory);
  result.joint_names = state_->info.output_joint_names;
  result.frame = options.frame;
  result.root_relative = !(model.lifter.trajectory && options.add_trajectory);
  if (options.frame == Frame::World) {
    result.poses = core::reference_world_from_camera(result.poses);
    result.root_relative = false;
  }
  result.filled_keypoints = job.filled_joints + job.body_fill.filled;
  result.keypoint_fill = job.keypoint_fill;
  result.keypoint_names = job.keypoint_names;
  return result;
}

}  // namespace lift3d
