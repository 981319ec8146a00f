#include "core/gap_filling.hpp"

#include <cmath>
#include <cstdio>

#include "lift3d/error.hpp"

namespace lift3d::core {
namespace {

std::string format_score(float score) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", static_cast<double>(score));
  return text;
}

std::string joint_label(const GapFillOptions& options, int joint) {
  if (joint < static_cast<int>(options.joint_names.size())) return "'" + options.joint_names[joint] + "'";
  return std::to_string(joint);
}

// "joint 'a' is never usable", "joints 'a', 'b' are never usable"
std::string never_usable(const GapFillOptions& options, const std::vector<int>& joints) {
  std::string text = joints.size() == 1 ? "joint " : "joints ";
  for (std::size_t i = 0; i < joints.size(); ++i) text += (i ? ", " : "") + joint_label(options, joints[i]);
  return text + (joints.size() == 1 ? " is" : " are") + " never usable";
}

}  // namespace

bool keypoint_usable(const KeypointSequence& seq, int frame, int joint, float min_score) {
  if (!std::isfinite(seq.at(frame, joint, 0)) || !std::isfinite(seq.at(frame, joint, 1))) return false;
  if (seq.features < 3) return true;
  const float score = seq.at(frame, joint, 2);
  return score > 0.0f && score >= min_score;
}

// Why a joint is unusable in every frame, for the refusal. With --min-score 0 only undetected
// joints (score 0 or no finite position) are unusable, and the message says that.
static std::string why_unusable(int frames, float min_score) {
  const std::string all = "in all " + std::to_string(frames) + " frame" + (frames == 1 ? "" : "s");
  if (min_score <= 0.0f) return " (not detected " + all + ")";
  return " (not detected or below --min-score " + format_score(min_score) + " " + all + ")";
}

GapFillResult fill_keypoint_gaps(KeypointSequence& seq, const GapFillOptions& options) {
  if (seq.frames <= 0) throw InputError(options.source + ": no frames");
  if (seq.features < 2) throw InternalError(options.source + ": keypoints without x and y");
  const std::string below = why_unusable(seq.frames, options.min_score);

  // Whether each joint is usable somewhere (a long sequence keeps no per-frame lists: the fill
  // below finds each gap's ends as it goes).
  std::vector<bool> seen(seq.joints, false);
  bool any_usable = false;
  for (int joint = 0; joint < seq.joints; ++joint) {
    for (int frame = 0; frame < seq.frames && !seen[joint]; ++frame)
      seen[joint] = keypoint_usable(seq, frame, joint, options.min_score);
    any_usable = any_usable || seen[joint];
  }
  if (!any_usable) throw InputError(options.source + ": no usable keypoints" + below);
  std::vector<bool> left_missing(seq.joints, false);
  for (int joint : options.left_missing)
    if (joint >= 0 && joint < seq.joints) left_missing[joint] = true;
  std::vector<int> never;
  for (int joint = 0; joint < seq.joints; ++joint)
    if (!seen[joint] && !left_missing[joint]) never.push_back(joint);
  if (!never.empty()) throw InputError(options.source + ": " + never_usable(options, never) + below);

  GapFillResult result;
  result.filled_per_joint.assign(seq.joints, 0);
  result.filled_mask.assign(static_cast<std::size_t>(seq.frames) * seq.joints, 0);
  for (int joint = 0; joint < seq.joints; ++joint) {
    if (left_missing[joint]) continue;
    // Frames are filled in order, so the usable frames at and after `frame` are still as read:
    // `before` is the last usable frame before it (-1: none), `after` the first at or after it
    // (seq.frames: none).
    int before = -1;
    int after = -1;
    for (int frame = 0; frame < seq.frames; ++frame) {
      if (after < frame) {
        after = frame;
        while (after < seq.frames && !keypoint_usable(seq, after, joint, options.min_score)) ++after;
      }
      if (after == frame) {
        before = frame;
        continue;
      }
      for (int axis = 0; axis < 2; ++axis) {
        double value;
        if (before < 0) {
          value = seq.at(after, joint, axis);
        } else if (after == seq.frames) {
          value = seq.at(before, joint, axis);
        } else {
          // np.interp's formula, in double, rounded once.
          const int t0 = before, t1 = after;
          const double y0 = seq.at(t0, joint, axis), y1 = seq.at(t1, joint, axis);
          value = (y1 - y0) / (t1 - t0) * (frame - t0) + y0;
        }
        seq.at(frame, joint, axis) = static_cast<float>(value);
      }
      ++result.filled_per_joint[joint];
      ++result.filled;
      result.filled_mask[static_cast<std::size_t>(frame) * seq.joints + joint] = 1;
    }
  }
  return result;
}

}  // namespace lift3d::core
