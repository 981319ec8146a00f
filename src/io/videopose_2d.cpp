#include "io/videopose_2d.hpp"

#include <cmath>
#include <cstdio>
#include <limits>

#include "lift3d/error.hpp"
#include "io/npy.hpp"

namespace lift3d::io {
namespace {

std::string key_text(const Value& key, const std::string& where) {
  if (key.is(Value::Kind::Str)) return key.text;
  if (key.is(Value::Kind::Int)) return std::to_string(key.integer);
  throw InputError(where + ": expected string keys, found " + key.describe());
}

const Value& root_of(const NpyContent& content, const std::string& where) {
  if (!content.object || !content.object->root())
    throw InputError(where + ": expected a pickled dict, found a numeric array");
  const Value* root = content.object->root();
  // np.savez of a dict stores a 0-d object array; the unpickler hands back its single element.
  if (root->is(Value::Kind::List) && root->items.size() == 1) root = root->items[0];
  if (!root->is(Value::Kind::Dict)) throw InputError(where + ": expected a dict, found " + root->describe());
  return *root;
}

// Values outside int's range are refused: narrowing would wrap them (a width of 2^32 + 640 is not
// 640) and casting a huge float is undefined behaviour.
int checked_int(std::int64_t value, const std::string& where) {
  if (value < std::numeric_limits<int>::min() || value > std::numeric_limits<int>::max())
    throw InputError(where + ": " + std::to_string(value) + " is out of range");
  return static_cast<int>(value);
}

std::vector<std::int64_t> array_int64(const Array& array, const std::string& where) {
  try {
    return array.to_int64();
  } catch (const InputError& e) {
    rethrow_with_context(e, where);
  }
}

int to_int(const Value& value, const std::string& where) {
  if (value.is(Value::Kind::Int)) {
    if (!value.text.empty()) throw InputError(where + ": " + value.text + " is out of range");  // beyond int64
    return checked_int(value.integer, where);
  }
  if (value.is(Value::Kind::Array) && value.array.numel() == 1) return checked_int(array_int64(value.array, where)[0], where);
  if (value.is(Value::Kind::Float) && value.real == std::floor(value.real)) {
    if (std::fabs(value.real) > std::numeric_limits<int>::max()) {
      char text[32];
      std::snprintf(text, sizeof text, "%g", value.real);
      throw InputError(where + ": " + text + " is out of range");
    }
    return static_cast<int>(value.real);
  }
  throw InputError(where + ": expected an integer, found " + value.describe());
}

std::vector<int> int_list(const Value& value, const std::string& where) {
  std::vector<int> result;
  if (value.is(Value::Kind::List) || value.is(Value::Kind::Tuple)) {
    for (const Value* item : value.items) result.push_back(to_int(*item, where));
  } else if (value.is(Value::Kind::Array)) {
    for (std::int64_t v : array_int64(value.array, where)) result.push_back(checked_int(v, where));
  } else {
    throw InputError(where + ": expected a list of joint indices, found " + value.describe());
  }
  return result;
}

KeypointSequence to_sequence(const Value& value, const std::string& where) {
  if (!value.is(Value::Kind::Array)) throw InputError(where + ": expected a keypoint array, found " + value.describe());
  const Array& array = value.array;
  if (array.shape.size() != 3 || array.shape[1] < 1 || (array.shape[2] != 2 && array.shape[2] != 3))
    throw InputError(where + ": keypoint array has shape " + array.shape_string() + ", expected (frames, joints, 2 or 3)");
  if (array.dtype != DType::Float32 && array.dtype != DType::Float64 && array.dtype != DType::Float16)
    throw InputError(where + ": keypoint array has dtype " + dtype_name(array.dtype) + ", expected float");
  KeypointSequence seq;
  seq.frames = static_cast<int>(array.shape[0]);
  seq.joints = static_cast<int>(array.shape[1]);
  seq.features = static_cast<int>(array.shape[2]);
  seq.values = array.to_float();
  for (float v : seq.values)
    if (!std::isfinite(v)) throw InputError(where + ": keypoints contain NaN or infinite values");
  return seq;
}

// keypoints_symmetry: [left joints, right joints], as two lists or a (2, n) array.
void read_symmetry(const Value& symmetry, const std::string& path, VideoPose2DFile& file) {
  const std::string where = path + ": metadata keypoints_symmetry";
  if ((symmetry.is(Value::Kind::List) || symmetry.is(Value::Kind::Tuple)) && symmetry.items.size() == 2) {
    file.kps_left = int_list(*symmetry.items[0], where);
    file.kps_right = int_list(*symmetry.items[1], where);
  } else if (symmetry.is(Value::Kind::Array) && symmetry.array.shape.size() == 2 && symmetry.array.shape[0] == 2) {
    const std::vector<int> all = int_list(symmetry, where);
    const std::size_t half = all.size() / 2;
    file.kps_left.assign(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(half));
    file.kps_right.assign(all.begin() + static_cast<std::ptrdiff_t>(half), all.end());
  } else {
    throw InputError(where + ": expected [left list, right list], found " + symmetry.describe());
  }
  if (file.kps_left.size() != file.kps_right.size())
    throw InputError(where + ": left and right lists differ in length");
}

// video_metadata (custom files): {video: {"w": width, "h": height}}.
void read_video_metadata(const Value& videos, const std::string& path, VideoPose2DFile& file) {
  for (const auto& [key, info] : videos.entries) {
    const std::string name = key_text(*key, path + ": video_metadata");
    const std::string where = path + ": video_metadata '" + name + "'";
    const Value* w = info->find("w");
    const Value* h = info->find("h");
    if (!w || !h) throw InputError(where + ": missing 'w' or 'h'");
    const int width = to_int(*w, where);
    const int height = to_int(*h, where);
    if (width < 1 || height < 1 || width > 1000000 || height > 1000000)
      throw InputError(where + ": implausible resolution " + std::to_string(width) + "x" + std::to_string(height));
    file.video_resolution[name] = {width, height};
  }
}

void read_metadata(const NpzFile& npz, const std::string& path, VideoPose2DFile& file) {
  const NpyContent content = npz.read("metadata");
  const Value& meta = root_of(content, path + ": metadata");
  if (const Value* layout = meta.find("layout_name"); layout && layout->is(Value::Kind::Str)) file.layout_name = layout->text;
  if (const Value* joints = meta.find("num_joints")) file.num_joints = to_int(*joints, path + ": metadata num_joints");
  if (const Value* symmetry = meta.find("keypoints_symmetry")) read_symmetry(*symmetry, path, file);
  if (const Value* videos = meta.find("video_metadata"); videos && videos->is(Value::Kind::Dict))
    read_video_metadata(*videos, path, file);
}

// positions_2d: {subject: {action: [one keypoint array per camera]}}.
void read_positions(const NpzFile& npz, const std::string& path, VideoPose2DFile& file) {
  const NpyContent content = npz.read("positions_2d");
  const Value& subjects = root_of(content, path + ": positions_2d");
  for (const auto& [subject_key, actions] : subjects.entries) {
    const std::string subject = key_text(*subject_key, path + ": positions_2d");
    if (!actions->is(Value::Kind::Dict))
      throw InputError(path + ": positions_2d['" + subject + "'] is " + actions->describe() + ", expected a dict of actions");
    for (const auto& [action_key, cameras] : actions->entries) {
      VideoPose2DSequence sequence;
      sequence.subject = subject;
      sequence.action = key_text(*action_key, path + ": positions_2d['" + subject + "']");
      const std::string where = path + ": " + subject + "/" + sequence.action;
      if (!cameras->is(Value::Kind::List) && !cameras->is(Value::Kind::Tuple))
        throw InputError(where + ": expected a list of per-camera arrays, found " + cameras->describe());
      for (std::size_t c = 0; c < cameras->items.size(); ++c)
        sequence.cameras.push_back(to_sequence(*cameras->items[c], where + "/" + std::to_string(c)));
      file.sequences.push_back(std::move(sequence));
    }
  }
}

}  // namespace

VideoPose2DFile read_videopose_2d(const std::string& path) {
  VideoPose2DFile file;
  file.path = path;
  NpzFile npz(path);
  if (!npz.contains("positions_2d"))
    throw InputError(path + ": no 'positions_2d' array; not a VideoPose3D 2D keypoint file");
  if (npz.contains("metadata")) read_metadata(npz, path, file);
  read_positions(npz, path, file);
  return file;
}

}  // namespace lift3d::io
