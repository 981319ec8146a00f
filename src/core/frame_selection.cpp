#include "core/frame_selection.hpp"

#include <array>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "base/sha256.hpp"

namespace lift3d::core {

int deterministic_random(int min_value, int max_value, const std::string& text) {
  const std::array<std::uint8_t, 32> digest = sha256(text);
  const std::uint32_t raw = std::uint32_t{digest[0]} | (std::uint32_t{digest[1]} << 8) |
                            (std::uint32_t{digest[2]} << 16) | (std::uint32_t{digest[3]} << 24);
  // Python: int(raw / (2**32 - 1) * (max - min)) + min, in doubles, truncated toward zero.
  const double fraction = static_cast<double>(raw) / 4294967295.0;
  return static_cast<int>(std::trunc(fraction * static_cast<double>(max_value - min_value))) + min_value;
}

FrameSelection select_frames(int length, double subset, int downsample) {
  FrameSelection selection{0, length, downsample};
  if (subset < 1) {
    // Python's round() on a float: to the nearest integer, halves to the even one (std::nearbyint in
    // the default rounding mode does the same).
    const int frames = static_cast<int>(std::nearbyint(static_cast<double>(length / downsample) * subset)) * downsample;
    selection.start = deterministic_random(0, length - frames + 1, std::to_string(length));
    selection.end = selection.start + frames;
  }
  return selection;
}

namespace {

// Copies the selected frames' values (`frame_size` floats each) from `values` to the end of `kept`.
void copy_frames(const std::vector<float>& values, std::size_t frame_size, const FrameSelection& selection,
                 std::vector<float>& kept) {
  kept.reserve(static_cast<std::size_t>(selection.frames()) * frame_size);
  for (int t = selection.start; t < selection.end; t += selection.step)
    kept.insert(kept.end(), values.begin() + t * frame_size, values.begin() + (t + 1) * frame_size);
}

}  // namespace

KeypointSequence keep_frames(const KeypointSequence& sequence, const FrameSelection& selection) {
  KeypointSequence kept = sequence;
  kept.values.clear();
  copy_frames(sequence.values, static_cast<std::size_t>(sequence.joints) * sequence.features, selection, kept.values);
  kept.frames = selection.frames();
  return kept;
}

PoseSequence keep_frames(const PoseSequence& sequence, const FrameSelection& selection) {
  PoseSequence kept;
  kept.joints = sequence.joints;
  copy_frames(sequence.values, static_cast<std::size_t>(sequence.joints) * 3, selection, kept.values);
  kept.frames = selection.frames();
  return kept;
}

}  // namespace lift3d::core
