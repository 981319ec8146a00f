#include "lift3d/io/pose_output.hpp"

#include <filesystem>

#include "lift3d/error.hpp"
#include "lift3d/io/npy.hpp"

namespace lift3d::io {
namespace {

Array to_array(const core::PoseSequence& poses) {
  return Array::from_float({poses.frames, poses.joints, 3}, poses.values);
}

}  // namespace

void write_poses(const std::string& path, const std::vector<NamedPoses>& sequences, const PoseOutputInfo& /*info*/) {
  const std::string extension = std::filesystem::path(path).extension().string();
  if (extension == ".npy") {
    if (sequences.size() != 1)
      throw UsageError(path + ": a .npy output holds one sequence, but " + std::to_string(sequences.size()) +
                       " were selected; use .npz or narrow with --subject/--action/--camera");
    write_npy(path, to_array(sequences.front().poses));
    return;
  }
  if (extension == ".npz") {
    std::vector<std::pair<std::string, Array>> arrays;
    for (const NamedPoses& named : sequences) arrays.emplace_back(named.name, to_array(named.poses));
    write_npz(path, arrays, /*compress=*/true);
    return;
  }
  throw UsageError(path + ": unsupported output extension '" + extension + "' (use .npy or .npz)");
}

}  // namespace lift3d::io
