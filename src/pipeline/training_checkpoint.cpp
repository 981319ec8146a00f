#include "pipeline/training_checkpoint.hpp"

#include <cstring>
#include <filesystem>

#include "io/pickle_writer.hpp"
#include "io/torch_checkpoint.hpp"
#include "lift3d/error.hpp"

namespace lift3d::pipeline {
namespace {

namespace training = core::training;
using io::PyValue;

io::Array float_array(const std::vector<std::int64_t>& shape, const std::vector<float>& values) {
  return io::Array::from_float(shape, values);
}

io::Array int64_scalar(std::int64_t value) {
  io::Array a;
  a.dtype = io::DType::Int64;
  a.bytes.resize(8);
  std::memcpy(a.bytes.data(), &value, 8);
  return a;
}

PyValue model_state(const training::TrainingModel& model) {
  PyValue state = PyValue::ordered_dict();
  for (const training::NamedTensor* entry : model.state_dict()) {
    state.set(entry->name, PyValue::tensor(float_array(entry->shape, entry->values)));
    const std::string suffix = ".running_var";
    if (entry->name.size() > suffix.size() && entry->name.compare(entry->name.size() - suffix.size(), suffix.size(), suffix) == 0)
      state.set(entry->name.substr(0, entry->name.size() - suffix.size()) + ".num_batches_tracked",
                PyValue::tensor(int64_scalar(model.batches_tracked())));
  }
  return state;
}

// Adam's per-parameter state of one model, keyed from `first` on (run.py's optimizer numbers
// model_pos's parameters first, then model_traj's).
void add_slots(PyValue& slots, const training::TrainingModel& model, const training::Adam& adam, std::size_t first) {
  const std::vector<training::NamedTensor>& params = model.parameters();
  for (std::size_t p = 0; p < adam.slots().size(); ++p) {
    const training::AdamSlot& slot = adam.slots()[p];
    PyValue entry = PyValue::dict();
    entry.set("step", PyValue::tensor(float_array({}, {static_cast<float>(slot.step)})))
        .set("exp_avg", PyValue::tensor(float_array(params[p].shape, slot.exp_avg)))
        .set("exp_avg_sq", PyValue::tensor(float_array(params[p].shape, slot.exp_avg_sq)));
    if (adam.amsgrad()) entry.set("max_exp_avg_sq", PyValue::tensor(float_array(params[p].shape, slot.max_exp_avg_sq)));
    slots.set(PyValue::of_int(static_cast<std::int64_t>(first + p)), std::move(entry));
  }
}

// torch.optim.Adam(params, lr, amsgrad=True).state_dict() as PyTorch 1.13 writes it.
PyValue optimizer_state(const training::TrainingModel& model, const training::Adam& adam,
                        const TrajectoryTraining* semi) {
  PyValue slots = PyValue::dict();
  add_slots(slots, model, adam, 0);
  std::size_t count = model.parameters().size();
  if (semi) {
    add_slots(slots, *semi->model, *semi->adam, count);
    count += semi->model->parameters().size();
  }
  std::vector<PyValue> indices;
  for (std::size_t p = 0; p < count; ++p) indices.push_back(PyValue::of_int(static_cast<std::int64_t>(p)));
  PyValue group = PyValue::dict();
  group.set("lr", PyValue::of_float(adam.lr()))
      .set("betas", PyValue::tuple({PyValue::of_float(adam.beta1()), PyValue::of_float(adam.beta2())}))
      .set("eps", PyValue::of_float(adam.eps()))
      .set("weight_decay", PyValue::of_int(0))
      .set("amsgrad", PyValue::of_bool(adam.amsgrad()))
      .set("maximize", PyValue::of_bool(false))
      .set("foreach", PyValue::none())
      .set("capturable", PyValue::of_bool(false))
      .set("differentiable", PyValue::of_bool(false))
      .set("fused", PyValue::of_bool(false))
      .set("params", PyValue::list(std::move(indices)));
  PyValue optimizer = PyValue::dict();
  optimizer.set("state", std::move(slots)).set("param_groups", PyValue::list({std::move(group)}));
  return optimizer;
}

PyValue random_state(const training::NumpyRandomState& random) {
  PyValue v;
  v.kind = PyValue::Kind::RandomState;
  v.mt_key = random.key();
  v.mt_pos = random.position();
  v.has_gauss = random.has_gauss();
  v.gauss = random.cached_gaussian();
  return v;
}

// --- reading ----------------------------------------------------------------------------------

[[noreturn]] void refuse(const std::string& path, const std::string& problem) { throw ModelError(path + ": " + problem); }

double number(const io::Value* value, const std::string& path, const std::string& key) {
  if (!value) refuse(path, "no '" + key + "'");
  if (value->is(io::Value::Kind::Int)) return static_cast<double>(value->integer);
  if (value->is(io::Value::Kind::Float)) return value->real;
  refuse(path, "'" + key + "' is " + value->describe() + ", not a number");
}

void load_model(const io::TorchCheckpoint& checkpoint, training::TrainingModel& model, const std::string& key) {
  std::optional<io::StateDict> state = io::read_state_dict(checkpoint, key);
  if (!state) refuse(checkpoint.path(), "no " + key);
  std::size_t loaded = 0;
  const std::string counter = "num_batches_tracked";
  for (io::NamedTensor& tensor : *state) {
    const std::string& name = tensor.name;
    if (name.size() > counter.size() && name.compare(name.size() - counter.size(), counter.size(), counter) == 0) {
      model.set_batches_tracked(tensor.array.to_int64().at(0));
      continue;
    }
    training::NamedTensor* target = model.find(name);
    if (!target) refuse(checkpoint.path(), key + ": unexpected tensor " + name + " for the model the options describe");
    if (tensor.array.shape != target->shape)
      refuse(checkpoint.path(), key + ": " + name + " is " + tensor.array.shape_string() +
                                    ", the model the options describe needs " + io::shape_string(target->shape));
    target->values = tensor.array.to_float();
    ++loaded;
  }
  if (loaded != model.state_dict().size())
    refuse(checkpoint.path(), key + " holds " + std::to_string(loaded) + " of the model's " +
                                  std::to_string(model.state_dict().size()) + " tensors");
}

const io::Value* int_key(const io::Value& dict, std::int64_t key) {
  for (const auto& [k, v] : dict.entries)
    if (k->is(io::Value::Kind::Int) && k->integer == key) return v;
  return nullptr;
}

std::vector<float> tensor_values(const io::TorchCheckpoint& checkpoint, const io::Value* value, std::size_t size,
                                 const std::string& what) {
  if (!value || !value->is(io::Value::Kind::Tensor)) refuse(checkpoint.path(), what + " is not a tensor");
  std::vector<float> values = checkpoint.read_tensor(value->tensor).to_float();
  if (values.size() != size)
    refuse(checkpoint.path(), what + " holds " + std::to_string(values.size()) + " values, the parameter " +
                                  std::to_string(size));
  return values;
}

// Loads the optimizer's slots first.. for the model's parameters; returns the next key.
std::size_t load_slots(const io::TorchCheckpoint& checkpoint, const io::Value& state, const training::TrainingModel& model,
                       training::Adam& adam, std::size_t first) {
  const std::vector<training::NamedTensor>& params = model.parameters();
  std::vector<training::AdamSlot> slots(params.size());
  for (std::size_t p = 0; p < params.size(); ++p) {
    const io::Value* entry = int_key(state, static_cast<std::int64_t>(first + p));
    const std::string what =
        "optimizer state of parameter " + std::to_string(first + p) + " (" + params[p].name + ")";
    if (!entry || !entry->is(io::Value::Kind::Dict)) refuse(checkpoint.path(), "no " + what);
    const io::Value* step = entry->find("step");
    slots[p].step = step && step->is(io::Value::Kind::Tensor)
                        ? tensor_values(checkpoint, step, 1, what + ": step")[0]
                        : number(step, checkpoint.path(), "step");
    const std::size_t n = params[p].values.size();
    slots[p].exp_avg = tensor_values(checkpoint, entry->find("exp_avg"), n, what + ": exp_avg");
    slots[p].exp_avg_sq = tensor_values(checkpoint, entry->find("exp_avg_sq"), n, what + ": exp_avg_sq");
    if (adam.amsgrad())
      slots[p].max_exp_avg_sq = tensor_values(checkpoint, entry->find("max_exp_avg_sq"), n, what + ": max_exp_avg_sq");
  }
  adam.slots() = std::move(slots);
  return first + params.size();
}

void load_optimizer(const io::TorchCheckpoint& checkpoint, const io::Value& optimizer, const training::TrainingModel& model,
                    training::Adam& adam, const TrajectoryTraining* semi) {
  const io::Value* state = optimizer.find("state");
  if (!state || !state->is(io::Value::Kind::Dict)) refuse(checkpoint.path(), "optimizer: no 'state' dict");
  std::size_t next = load_slots(checkpoint, *state, model, adam, 0);
  if (semi) next = load_slots(checkpoint, *state, *semi->model, *semi->adam, next);
  if (int_key(*state, static_cast<std::int64_t>(next)))
    refuse(checkpoint.path(), "the optimizer holds more parameters than the " + std::to_string(next) + " of " +
                                  (semi ? "the pose and trajectory models" : "the model (a semi-supervised run's checkpoint?)"));
}

// A pickled numpy.random.RandomState: NumPy >= 1.17 keeps get_state(legacy=False), a dict
// {'bit_generator': 'MT19937', 'state': {'key', 'pos'}, 'has_gauss', 'gauss'}; older NumPy the tuple
// ('MT19937', key, pos, has_gauss, cached_gaussian).
void load_random_state(const std::string& path, const std::string& key_name, const io::Value* value,
                       training::NumpyRandomState& random) {
  if (!value || !value->is(io::Value::Kind::Opaque) || !value->state)
    refuse(path, key_name + " is not a pickled numpy RandomState");
  const io::Value& state = *value->state;
  const io::Value *key = nullptr, *pos = nullptr, *has_gauss = nullptr, *gauss = nullptr;
  if (state.is(io::Value::Kind::Dict)) {
    const io::Value* mt = state.find("state");
    if (mt) {
      key = mt->find("key");
      pos = mt->find("pos");
    }
    has_gauss = state.find("has_gauss");
    gauss = state.find("gauss");
  } else if (state.is(io::Value::Kind::Tuple) && state.items.size() == 5) {
    key = state.items[1];
    pos = state.items[2];
    has_gauss = state.items[3];
    gauss = state.items[4];
  }
  if (!key || !key->is(io::Value::Kind::Array) || key->array.numel() != training::NumpyRandomState::kStateWords)
    refuse(path, key_name + ": no MT19937 key of 624 words");
  const std::vector<std::int64_t> words = key->array.to_int64();
  std::array<std::uint32_t, training::NumpyRandomState::kStateWords> mt{};
  for (int i = 0; i < training::NumpyRandomState::kStateWords; ++i) mt[i] = static_cast<std::uint32_t>(words[i]);
  random.set_state(mt, static_cast<int>(number(pos, path, key_name + " pos")),
                   has_gauss && number(has_gauss, path, "has_gauss") != 0, gauss ? number(gauss, path, "gauss") : 0.0);
}

}  // namespace

void write_training_checkpoint(const std::string& path, int epoch, double lr, const training::TrainingModel& model,
                               const training::Adam& adam, const training::NumpyRandomState& shuffle,
                               const TrajectoryTraining* semi) {
  PyValue root = PyValue::dict();
  root.set("epoch", PyValue::of_int(epoch))
      .set("lr", PyValue::of_float(lr))
      .set("random_state", random_state(shuffle))
      .set("optimizer", optimizer_state(model, adam, semi))
      .set("model_pos", model_state(model))
      .set("model_traj", semi ? model_state(*semi->model) : PyValue::none())
      .set("random_state_semi", semi ? random_state(*semi->shuffle) : PyValue::none());
  io::write_torch_zip(path, std::filesystem::path(path).stem().string(), root);
}

ResumedTraining read_training_checkpoint(const std::string& path, training::TrainingModel& model, training::Adam& adam,
                                         training::NumpyRandomState& shuffle, const TrajectoryTraining* semi) {
  const io::TorchCheckpoint checkpoint(path);
  const io::Value& root = checkpoint.root();
  load_model(checkpoint, model, "model_pos");
  if (semi) {
    const io::Value* traj = root.find("model_traj");
    if (!traj || traj->is(io::Value::Kind::None))
      refuse(path, "no model_traj to resume semi-supervised training with (a supervised run's checkpoint)");
    load_model(checkpoint, *semi->model, "model_traj");
    const io::Value* random_semi = root.find("random_state_semi");
    if (!random_semi || random_semi->is(io::Value::Kind::None))
      refuse(path, "no random_state_semi to resume semi-supervised training with");
    load_random_state(path, "random_state_semi", random_semi, *semi->shuffle);
  }
  ResumedTraining resumed;
  resumed.epoch = static_cast<int>(number(root.find("epoch"), path, "epoch"));
  resumed.lr = number(root.find("lr"), path, "lr");
  const io::Value* optimizer = root.find("optimizer");
  if (optimizer && !optimizer->is(io::Value::Kind::None)) {
    if (!optimizer->is(io::Value::Kind::Dict)) refuse(path, "optimizer is " + optimizer->describe());
    load_optimizer(checkpoint, *optimizer, model, adam, semi);
    load_random_state(path, "random_state", root.find("random_state"), shuffle);
    resumed.optimizer = true;
  }
  return resumed;
}

}  // namespace lift3d::pipeline
