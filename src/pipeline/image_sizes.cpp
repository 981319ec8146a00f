#include "pipeline/image_sizes.hpp"

#include <cctype>
#include <filesystem>

#include "io/media_size.hpp"
#include "lift3d/error.hpp"
#include "pipeline/input_names.hpp"

namespace lift3d::pipeline {
namespace {

constexpr int kMaxDimension = 1 << 20;

// "1920x1080" -> {1920, 1080}; nullopt for anything else.
std::optional<std::pair<int, int>> parse_dimensions(const std::string& text) {
  const std::size_t x = text.find_first_of("xX");
  if (x == std::string::npos || x == 0 || x + 1 == text.size()) return std::nullopt;
  const auto number = [](const std::string& digits) -> std::optional<int> {
    if (digits.empty() || digits.size() > 7) return std::nullopt;
    for (char c : digits)
      if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    const int value = std::stoi(digits);
    if (value < 1 || value > kMaxDimension) return std::nullopt;
    return value;
  };
  const std::optional<int> width = number(text.substr(0, x)), height = number(text.substr(x + 1));
  if (!width || !height) return std::nullopt;
  return std::make_pair(*width, *height);
}

std::string path_component(const std::string& input) {
  std::filesystem::path path(input);
  if (!path.has_filename()) path = path.parent_path();
  return path.filename().string();
}

}  // namespace

ImageSizeOption parse_image_size_option(const std::string& text) {
  ImageSizeOption option;
  option.text = text;
  std::string size_text = text;
  const std::size_t equals = text.rfind('=');
  if (equals != std::string::npos) {
    option.input_name = text.substr(0, equals);
    size_text = text.substr(equals + 1);
    if (option.input_name.empty()) throw UsageError("--image-size " + text + ": no input name before '='");
  }
  const std::optional<std::pair<int, int>> size = parse_dimensions(size_text);
  if (!size)
    throw UsageError("--image-size " + text + ": expected WIDTHxHEIGHT or NAME=WIDTHxHEIGHT in pixels (e.g. 1920x1080)");
  option.width = size->first;
  option.height = size->second;
  return option;
}

ImageSizeOption parse_size_from_option(const std::string& text) {
  ImageSizeOption option;
  option.text = text;
  option.media_file = text;
  std::error_code error;
  const std::size_t equals = text.find('=');
  if (!std::filesystem::exists(text, error) && equals != std::string::npos) {
    option.input_name = text.substr(0, equals);
    option.media_file = text.substr(equals + 1);
    if (option.input_name.empty()) throw UsageError("--size-from " + text + ": no input name before '='");
  }
  if (option.media_file.empty()) throw UsageError("--size-from " + text + ": no image or video file named");
  return option;
}

bool input_matches_name(const std::string& input, const std::string& name) {
  return input == name || path_component(input) == name || input_stem(input) == name;
}

void check_image_size_options(const std::vector<ImageSizeOption>& options, const std::vector<std::string>& inputs,
                              bool width_or_height_given) {
  std::vector<std::string> for_all;
  if (width_or_height_given) for_all.push_back("--width/--height");
  for (const ImageSizeOption& option : options) {
    const std::string flag = option.media_file.empty() ? "--image-size " : "--size-from ";
    if (option.input_name.empty()) {
      for_all.push_back(flag + option.text);
      continue;
    }
    bool matched = false;
    for (const std::string& input : inputs) matched = matched || input_matches_name(input, option.input_name);
    if (!matched) throw UsageError(flag + option.text + ": '" + option.input_name + "' names no --input");
  }
  if (for_all.size() > 1)
    throw UsageError(for_all[0] + " and " + for_all[1] + " both give the size of every input; give one");
  for (const std::string& input : inputs) {
    const ImageSizeOption* first = nullptr;
    for (const ImageSizeOption& option : options) {
      if (option.input_name.empty() || !input_matches_name(input, option.input_name)) continue;
      if (first)
        throw UsageError(input + ": two size options name it (" + first->text + ", " + option.text + "); give one");
      first = &option;
    }
  }
}

std::optional<ChosenImageSize> image_size_for_input(const std::string& input,
                                                    const std::vector<ImageSizeOption>& options) {
  const ImageSizeOption* chosen = nullptr;
  for (const ImageSizeOption& option : options)
    if (!option.input_name.empty() && input_matches_name(input, option.input_name)) chosen = &option;
  if (!chosen)
    for (const ImageSizeOption& option : options)
      if (option.input_name.empty()) chosen = &option;
  if (!chosen) return std::nullopt;
  if (chosen->media_file.empty()) return ChosenImageSize{chosen->width, chosen->height, "--image-size " + chosen->text};
  const io::MediaSize media = io::read_media_size(chosen->media_file);
  std::string origin = "--size-from " + chosen->text + ": " + media.kind + " header";
  if (media.rotation != 0) origin += ", shown turned " + std::to_string(media.rotation) + " degrees";
  return ChosenImageSize{media.width, media.height, origin};
}

}  // namespace lift3d::pipeline
