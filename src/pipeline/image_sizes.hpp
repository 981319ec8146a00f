// Per-input image sizes for a batch: --image-size WxH | NAME=WxH and --size-from FILE | NAME=FILE
// (the size read from a frame image's or video's header, io/media_size.hpp). Detector files rarely
// carry the size, and a batch's inputs may come from cameras of different sizes.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace lift3d::pipeline {

struct ImageSizeOption {
  std::string input_name;  // empty: every input; else matches inputs as input_matches_name says
  int width = 0;           // --image-size: the size given
  int height = 0;
  std::string media_file;  // --size-from: the image or video whose header gives the size
  std::string text;        // the option as the user wrote it (named in messages)
};

// "1920x1080" or "NAME=1920x1080". Throws UsageError for anything else.
ImageSizeOption parse_image_size_option(const std::string& text);
// "FILE" or "NAME=FILE": an existing file named by the whole text is FILE; otherwise the text splits
// at its first '='. Throws UsageError when there is no file name.
ImageSizeOption parse_size_from_option(const std::string& text);

// NAME matches an input given as exactly NAME, or whose last path component (file or folder name) or
// stem (input_names.hpp) is NAME: "clip", "clip.json" and "runs/clip.json" all match
// "runs/clip.json"; "kick" matches "runs/kick/" and "runs/kick/*.json".
bool input_matches_name(const std::string& input, const std::string& name);

// Before any work: at most one option for every input (--image-size WxH, --size-from FILE, or
// --width/--height), each named option matches an input, and no input is matched by two named ones.
// Throws UsageError.
void check_image_size_options(const std::vector<ImageSizeOption>& options, const std::vector<std::string>& inputs,
                              bool width_or_height_given);

struct ChosenImageSize {
  int width = 0;
  int height = 0;
  std::string origin;  // "--image-size clip=1920x1080", "--size-from clip.mp4 (mp4 header, turned 90 degrees)"
};
// The size the options give `input`: a named option matching it, else the one for every input;
// nullopt when none applies. Reads the media file's header for --size-from (InputError naming it).
std::optional<ChosenImageSize> image_size_for_input(const std::string& input,
                                                    const std::vector<ImageSizeOption>& options);

}  // namespace lift3d::pipeline
