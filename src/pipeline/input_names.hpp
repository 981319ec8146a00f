// The name an input is known by in output file names, job names and per-input options.
#pragma once

#include <string>

namespace lift3d::pipeline {

// A file's stem ("clip.json" -> "clip"); for a directory or a glob pattern the last path component
// without glob characters ("runs/kick/*_keypoints.json" -> "kick", "runs/kick/" -> "kick"), so a
// name never holds '*', '?' or '['. Empty when no component qualifies.
std::string input_stem(const std::string& input);

}  // namespace lift3d::pipeline
