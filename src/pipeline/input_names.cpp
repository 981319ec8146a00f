#include "pipeline/input_names.hpp"

#include <filesystem>

namespace lift3d::pipeline {
namespace {

bool has_glob_characters(const std::string& text) { return text.find_first_of("*?[") != std::string::npos; }

}  // namespace

std::string input_stem(const std::string& input) {
  std::filesystem::path path(input);
  if (!path.has_filename()) path = path.parent_path();  // "runs/kick/" -> "runs/kick"
  std::error_code error;
  const bool whole_folder = std::filesystem::is_directory(path, error);
  // The last component is a file (its stem names the input) unless it is a folder or a pattern.
  if (!whole_folder && !has_glob_characters(path.filename().string()) && path.has_stem())
    return path.stem().string();
  if (whole_folder && path.has_filename() && !has_glob_characters(path.filename().string()))
    return path.filename().string();
  for (path = path.parent_path(); !path.empty() && path.has_filename(); path = path.parent_path()) {
    const std::string component = path.filename().string();
    if (!has_glob_characters(component) && component != "." && component != "..") return component;
  }
  return "";
}

}  // namespace lift3d::pipeline
