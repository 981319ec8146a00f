#include "io/videopose_3d.hpp"

#include <cmath>

#include "lift3d/error.hpp"
#include "io/npy.hpp"

namespace lift3d::io {
namespace {

std::string key_of(const Value& key, const std::string& where) {
  if (key.is(Value::Kind::Str)) return key.text;
  throw InputError(where + ": expected string keys, found " + key.describe());
}

const Value& dict_root(const NpyContent& content, const std::string& where) {
  if (!content.object || !content.object->root())
    throw InputError(where + ": expected a pickled dict of subjects, found a numeric array");
  const Value* root = content.object->root();
  if (root->is(Value::Kind::List) && root->items.size() == 1) root = root->items[0];  // 0-d object array
  if (!root->is(Value::Kind::Dict))
    throw InputError(where + ": expected a dict of subjects, found " + root->describe());
  return *root;
}

PoseSequence positions_of(const Value& value, const std::string& where) {
  if (!value.is(Value::Kind::Array))
    throw InputError(where + ": expected a position array, found " + value.describe());
  const Array& array = value.array;
  if (array.shape.size() != 3 || array.shape[2] != 3)
    throw InputError(where + ": position array has shape " + array.shape_string() +
                     ", expected (frames, joints, 3)");
  if (array.shape[0] < 1 || array.shape[1] < 1)
    throw InputError(where + ": position array has shape " + array.shape_string() +
                     ", expected at least one frame and one joint");
  if (array.dtype != DType::Float32 && array.dtype != DType::Float64 && array.dtype != DType::Float16)
    throw InputError(where + ": position array has dtype " + dtype_name(array.dtype) + ", expected float");
  PoseSequence positions;
  positions.frames = static_cast<int>(array.shape[0]);
  positions.joints = static_cast<int>(array.shape[1]);
  positions.values = array.to_float();
  for (float v : positions.values)
    if (!std::isfinite(v)) throw InputError(where + ": positions contain NaN or infinite values");
  return positions;
}

}  // namespace

const MocapAction* MocapSubject::find(const std::string& action) const {
  for (const MocapAction& a : actions)
    if (a.name == action) return &a;
  return nullptr;
}

const MocapSubject* VideoPose3DFile::find(const std::string& subject) const {
  for (const MocapSubject& s : subjects)
    if (s.name == subject) return &s;
  return nullptr;
}

const MocapAction* VideoPose3DFile::find(const std::string& subject, const std::string& action) const {
  const MocapSubject* s = find(subject);
  return s ? s->find(action) : nullptr;
}

VideoPose3DFile read_videopose_3d(const std::string& path) {
  VideoPose3DFile file;
  file.path = path;
  const NpzFile npz(path);
  if (!npz.contains("positions_3d"))
    throw InputError(path + ": no 'positions_3d' array; not a VideoPose3D 3D dataset file");
  const NpyContent content = npz.read("positions_3d");
  const Value& subjects = dict_root(content, path + ": positions_3d");

  std::string first_sequence;  // names the sequence that fixed the joint count, for mismatch errors
  for (const auto& [subject_key, actions] : subjects.entries) {
    MocapSubject subject;
    subject.name = key_of(*subject_key, path + ": positions_3d");
    if (!actions->is(Value::Kind::Dict))
      throw InputError(path + ": " + subject.name + ": expected a dict of actions, found " +
                       actions->describe());
    for (const auto& [action_key, value] : actions->entries) {
      MocapAction action;
      action.name = key_of(*action_key, path + ": " + subject.name);
      const std::string where = path + ": " + subject.name + "/" + action.name;
      action.positions = positions_of(*value, where);
      if (first_sequence.empty()) {
        file.joints = action.positions.joints;
        first_sequence = subject.name + "/" + action.name;
      } else if (action.positions.joints != file.joints) {
        throw InputError(where + " has " + std::to_string(action.positions.joints) + " joints but " +
                         first_sequence + " has " + std::to_string(file.joints));
      }
      subject.actions.push_back(std::move(action));
    }
    file.subjects.push_back(std::move(subject));
  }
  if (file.subjects.empty()) throw InputError(path + ": positions_3d holds no subjects");
  return file;
}

}  // namespace lift3d::io
