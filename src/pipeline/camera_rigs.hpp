// Where a dataset's cameras come from: lift3d's built-in tables (Human3.6M, HumanEva-I), or a
// camera file the user gives (`--cameras`), which then replaces the tables for every subject, so a
// user's own rigs, or one rig per subject, can be trained and evaluated on.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/camera.hpp"
#include "core/datasets.hpp"

namespace lift3d::pipeline {

class CameraRigs {
 public:
  // The built-in table of `dataset` ("h36m", "humaneva15").
  static CameraRigs built_in(core::Dataset dataset);
  // Every subject of a camera file (io/camera_file.hpp); throws InputError naming it.
  static CameraRigs from_file(const std::string& path);
  // `path` when given, else the built-in table of `dataset`.
  static CameraRigs chosen(const std::string& path, core::Dataset dataset);

  // One subject's cameras in index order. Throws UsageError (built-in tables) or InputError (a
  // file) naming the subject and the subjects there are.
  std::vector<core::Camera> of(const std::string& subject) const;
  // "the h36m tables", "<path>": for messages.
  const std::string& origin() const { return origin_; }

 private:
  std::string origin_;
  std::string dataset_;  // built-in tables; empty for a file
  std::vector<std::pair<std::string, std::vector<core::Camera>>> subjects_;  // a file's
};

}  // namespace lift3d::pipeline
