// Nothing a user has is lost to an output: before any lifting, every output of a run is checked
// against every input of the same run and against the other outputs. Two paths name the same file
// when they are spelt alike once made absolute and resolved (./, .., symbolic links), or when the
// files they name exist and share device and inode (hard links).
#pragma once

#include <string>
#include <vector>

namespace lift3d::pipeline {

struct NamedPath {
  std::string path;
  std::string role;  // how the message names it: "--input", "--data-3d", "--report-json", ...
};

// Throws UsageError (one line, both paths and roles named) when an output would replace an input or
// another output, or when an output is something lift3d does not write into (a pipe, a device, a
// directory, a dangling link). An input that is a directory (an OpenPose folder) counts with every
// file in it.
void check_outputs_spare_inputs(const std::vector<NamedPath>& inputs, const std::vector<NamedPath>& outputs);

}  // namespace lift3d::pipeline
