#include "io/pose_writers.hpp"

#include <cctype>
#include <cmath>
#include <filesystem>
#include <set>

#include "lift3d/error.hpp"
#include "io/file.hpp"
#include "io/json_support.hpp"
#include "io/npy.hpp"

namespace lift3d::io {
namespace {

constexpr const char* kFormatName = "lift3d-poses-3d";
constexpr int kFormatVersion = 1;
constexpr const char* kFillSuffix = ".keypoints_filled";  // npz member of a sequence's fill mask

std::vector<std::string> joint_names(const PoseOutputInfo& info, int joints) {
  if (info.joint_names.empty()) {
    std::vector<std::string> names;
    for (int j = 0; j < joints; ++j) names.push_back("joint_" + std::to_string(j));
    return names;
  }
  return info.joint_names;
}

void check_fill_masks(const std::vector<NamedPoses>& sequences);

// Checks what a writer relies on and returns the joint names to write.
std::vector<std::string> checked_joint_names(const std::vector<NamedPoses>& sequences, const PoseOutputInfo& info) {
  if (info.frame != "camera" && info.frame != "world")
    throw InternalError("pose output frame '" + info.frame + "' is neither 'camera' nor 'world'");
  if (sequences.empty()) throw InternalError("no pose sequences to write");
  const std::vector<std::string> names = joint_names(info, sequences.front().poses.joints);
  for (const NamedPoses& named : sequences) {
    const PoseSequence& poses = named.poses;
    if (poses.joints != static_cast<int>(names.size()))
      throw InternalError("sequence '" + named.name + "' has " + std::to_string(poses.joints) + " joints, but " +
                          std::to_string(names.size()) + " joint names are given");
    if (poses.values.size() != static_cast<std::size_t>(poses.frames) * poses.joints * 3)
      throw InternalError("sequence '" + named.name + "' holds " + std::to_string(poses.values.size()) +
                          " values for " + std::to_string(poses.frames) + " frames");
  }
  check_fill_masks(sequences);
  return names;
}

// Names become keys (npz members, json/csv sequence labels): they must tell the sequences apart.
void check_unique_names(const std::string& path, const std::vector<NamedPoses>& sequences) {
  std::set<std::string> seen;
  for (const NamedPoses& named : sequences) {
    if (named.name.empty()) throw UsageError(path + ": a sequence without a name cannot be stored by name");
    if (!seen.insert(named.name).second) throw UsageError(path + ": two sequences are named '" + named.name + "'");
  }
}

void append_poses(std::string& out, const PoseSequence& poses, const char* indent) {
  out += '[';
  for (int f = 0; f < poses.frames; ++f) {
    out += f ? ",\n" : "\n";
    out += indent;
    out += '[';
    for (int j = 0; j < poses.joints; ++j) {
      out += j ? ", [" : "[";
      for (int k = 0; k < 3; ++k) {
        if (k) out += ", ";
        append_json_float(out, poses.at(f, j, k));
      }
      out += ']';
    }
    out += ']';
  }
  out += ']';
}

// RFC 4180: quote fields holding separators, quotes or line breaks; double inner quotes.
std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

void append_csv_float(std::string& out, float value) {
  if (std::isfinite(value)) append_json_float(out, value);
  else out += "nan";  // what numpy and pandas read back as NaN
}

Array to_array(const PoseSequence& poses) {
  return Array::from_float({poses.frames, poses.joints, 3}, poses.values);
}

// The fill mask as uint8 (frames, input joints).
Array fill_array(const NamedPoses& named) {
  Array array;
  array.dtype = DType::UInt8;
  array.shape = {named.poses.frames, static_cast<std::int64_t>(named.keypoint_names.size())};
  array.bytes = named.keypoint_fill;
  return array;
}

bool has_fill_mask(const NamedPoses& named) { return !named.keypoint_fill.empty(); }

// `"keypoint_names": [...], "keypoints_filled": [[0, 1, ...], ...]` and the separator after it.
void append_fill_mask(std::string& out, const NamedPoses& named, const char* indent, const char* separator) {
  out += "\"keypoint_names\": [";
  for (std::size_t j = 0; j < named.keypoint_names.size(); ++j) {
    if (j) out += ", ";
    append_json_string(out, named.keypoint_names[j]);
  }
  out += "],";
  out += separator;
  out += "\"keypoints_filled\": [";
  const std::size_t joints = named.keypoint_names.size();
  for (int f = 0; f < named.poses.frames; ++f) {
    out += f ? ",\n" : "\n";
    out += indent;
    out += '[';
    for (std::size_t j = 0; j < joints; ++j) {
      if (j) out += ", ";
      out += std::to_string(named.keypoint_fill[f * joints + j]);
    }
    out += ']';
  }
  out += "],";
  out += separator;
}

// Each sequence's fill mask must cover its frames and name its joints.
void check_fill_masks(const std::vector<NamedPoses>& sequences) {
  for (const NamedPoses& named : sequences)
    if (has_fill_mask(named) &&
        named.keypoint_fill.size() != static_cast<std::size_t>(named.poses.frames) * named.keypoint_names.size())
      throw InternalError("sequence '" + named.name + "' has a fill mask of " + std::to_string(named.keypoint_fill.size()) +
                          " entries for " + std::to_string(named.poses.frames) + " frames of " +
                          std::to_string(named.keypoint_names.size()) + " keypoints");
}

}  // namespace

PoseFileFormat pose_file_format(const std::string& path) {
  std::string extension = std::filesystem::path(path).extension().string();
  for (char& c : extension) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (extension == ".npy") return PoseFileFormat::Npy;
  if (extension == ".npz") return PoseFileFormat::Npz;
  if (extension == ".json") return PoseFileFormat::Json;
  if (extension == ".csv") return PoseFileFormat::Csv;
  if (extension == ".bvh") return PoseFileFormat::Bvh;
  if (extension == ".html") return PoseFileFormat::Html;
  throw UsageError(path + ": unsupported output extension '" + extension +
                   "' (use .npy, .npz, .json, .csv, .bvh or .html)");
}

std::string poses_json_text(const std::vector<NamedPoses>& sequences, const PoseOutputInfo& info) {
  const std::vector<std::string> names = checked_joint_names(sequences, info);
  std::string out = "{\"format\": \"" + std::string(kFormatName) + "\", \"version\": " + std::to_string(kFormatVersion) +
                    ", \"units\": \"m\", \"frame\": \"" + info.frame + "\", \"root_relative\": " +
                    (info.root_relative ? "true" : "false") + ", \"fps\": " +
                    (info.fps > 0 ? nlohmann::json(info.fps).dump() : std::string("null")) + ",\n \"joint_names\": [";
  for (std::size_t j = 0; j < names.size(); ++j) {
    if (j) out += ", ";
    append_json_string(out, names[j]);
  }
  out += "],\n";
  if (sequences.size() == 1) {
    if (!sequences.front().name.empty()) {
      out += " \"name\": ";
      append_json_string(out, sequences.front().name);
      out += ",\n";
    }
    out += " \"first_frame\": " + std::to_string(sequences.front().first_frame) + ",\n ";
    if (has_fill_mask(sequences.front())) append_fill_mask(out, sequences.front(), "  ", "\n ");
    out += "\"poses\": ";
    append_poses(out, sequences.front().poses, "  ");
    out += "}\n";
    return out;
  }
  out += " \"sequences\": [";
  for (std::size_t s = 0; s < sequences.size(); ++s) {
    out += s ? ",\n  {\"name\": " : "\n  {\"name\": ";
    append_json_string(out, sequences[s].name);
    out += ", \"first_frame\": " + std::to_string(sequences[s].first_frame) + ", ";
    if (has_fill_mask(sequences[s])) append_fill_mask(out, sequences[s], "    ", "\n   ");
    out += "\"poses\": ";
    append_poses(out, sequences[s].poses, "    ");
    out += '}';
  }
  out += "]}\n";
  return out;
}

std::string poses_csv_text(const std::vector<NamedPoses>& sequences, const PoseOutputInfo& info) {
  const std::vector<std::string> names = checked_joint_names(sequences, info);
  const bool several = sequences.size() > 1;
  std::string out = several ? "sequence," : "";
  out += "frame,joint";
  for (const char* axis : {"x", "y", "z"}) out += "," + info.frame + "_" + axis + "_m";
  out += '\n';
  for (const NamedPoses& named : sequences) {
    const std::string label = several ? csv_field(named.name) + "," : "";
    for (int f = 0; f < named.poses.frames; ++f) {
      for (int j = 0; j < named.poses.joints; ++j) {
        out += label;
        out += std::to_string(named.first_frame + f);
        out += ',';
        out += csv_field(names[j]);
        for (int k = 0; k < 3; ++k) {
          out += ',';
          append_csv_float(out, named.poses.at(f, j, k));
        }
        out += '\n';
      }
    }
  }
  return out;
}

void write_pose_file(const std::string& path, const std::vector<NamedPoses>& sequences, const PoseOutputInfo& info) {
  const PoseFileFormat format = pose_file_format(path);
  checked_joint_names(sequences, info);
  switch (format) {
    case PoseFileFormat::Npy:
      if (sequences.size() != 1)
        throw UsageError(path + ": a .npy file holds one sequence, got " + std::to_string(sequences.size()) +
                         " (use .npz, .json or .csv)");
    {
      const PoseSequence& poses = sequences.front().poses;
      write_npy_float32(path, {poses.frames, poses.joints, 3}, poses.values.data());
      return;
    }
    case PoseFileFormat::Npz: {
      std::vector<std::pair<std::string, Array>> arrays;
      if (sequences.size() == 1 && sequences.front().name.empty()) {
        arrays.emplace_back("poses", to_array(sequences.front().poses));
        if (has_fill_mask(sequences.front())) arrays.emplace_back("poses" + std::string(kFillSuffix), fill_array(sequences.front()));
      } else {
        check_unique_names(path, sequences);
        for (const NamedPoses& named : sequences) {
          arrays.emplace_back(named.name, to_array(named.poses));
          if (has_fill_mask(named)) arrays.emplace_back(named.name + kFillSuffix, fill_array(named));
        }
        std::set<std::string> keys;
        for (const auto& [key, array] : arrays)
          if (!keys.insert(key).second)
            throw UsageError(path + ": the member '" + key + "' would be written twice (a sequence is named like "
                             "another's fill mask)");
      }
      write_npz(path, arrays, /*compress=*/true);
      return;
    }
    case PoseFileFormat::Json:
      if (sequences.size() > 1) check_unique_names(path, sequences);
      write_file_atomic(path, poses_json_text(sequences, info));
      return;
    case PoseFileFormat::Csv:
      if (sequences.size() > 1) check_unique_names(path, sequences);
      write_file_atomic(path, poses_csv_text(sequences, info));
      return;
    case PoseFileFormat::Bvh:
    case PoseFileFormat::Html:
      throw InternalError(path + ": .bvh and .html files are written by the pipeline, not by write_pose_file");
  }
}

void write_pose_file(const std::string& path, const PoseSequence& poses, const PoseOutputInfo& info) {
  NamedPoses unnamed;
  unnamed.poses = poses;
  write_pose_file(path, std::vector<NamedPoses>{unnamed}, info);
}

}  // namespace lift3d::io
