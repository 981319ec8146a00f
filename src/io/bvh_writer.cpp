#include "io/bvh_writer.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "io/file.hpp"
#include "lift3d/error.hpp"

namespace lift3d::io {
namespace {

// Fixed six decimals: micrometres for centimetre offsets, 1e-6 degree for angles; "-0.000000"
// becomes "0.000000".
void append_number(std::string& out, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.6f", value);
  std::string text = buffer;
  if (text.find_first_not_of("-0.") == std::string::npos) text = "0.000000";
  out += text;
}

void append_triple(std::string& out, const std::array<double, 3>& values) {
  for (int k = 0; k < 3; ++k) {
    out += ' ';
    append_number(out, values[k]);
  }
}

void check_clip(const BvhClip& clip) {
  if (clip.joints.empty() || clip.joints.front().parent != -1)
    throw InternalError("bvh: the first joint must be the root");
  for (std::size_t j = 1; j < clip.joints.size(); ++j)
    if (clip.joints[j].parent < 0 || clip.joints[j].parent >= static_cast<int>(j))
      throw InternalError("bvh: joint '" + clip.joints[j].name + "' must follow its parent");
  for (const BvhJoint& joint : clip.joints) {
    if (joint.name.empty() || joint.name.find_first_of(" \t\r\n") != std::string::npos)
      throw InternalError("bvh: joint name '" + joint.name + "' is empty or holds whitespace");
    std::array<char, 3> axes = joint.rotation_axes;
    std::sort(axes.begin(), axes.end());
    if (axes != std::array<char, 3>{'X', 'Y', 'Z'})
      throw InternalError("bvh: joint '" + joint.name + "' has no order of the three rotation axes");
  }
  if (clip.frames < 1 || !(clip.frame_time_seconds > 0)) throw InternalError("bvh: no frames or no frame time");
  if (clip.root_positions.size() != static_cast<std::size_t>(clip.frames) ||
      clip.rotations_deg.size() != static_cast<std::size_t>(clip.frames) * clip.joints.size())
    throw InternalError("bvh: channel values do not match frames and joints");
  if (clip.has_joint_offsets() && clip.joint_offsets.size() != clip.rotations_deg.size())
    throw InternalError("bvh: joint offsets do not match frames and joints");
  for (const std::string& comment : clip.comments)
    if (comment.find_first_of("\r\n") != std::string::npos) throw InternalError("bvh: a comment spans lines");
}

std::vector<int> children_of(const BvhClip& clip, int joint) {
  std::vector<int> children;
  for (std::size_t j = 0; j < clip.joints.size(); ++j)
    if (clip.joints[j].parent == joint) children.push_back(static_cast<int>(j));
  return children;
}

// Writes `joint` and its subtree; appends the joints in the order their channels appear.
void append_joint(std::string& out, const BvhClip& clip, int joint, int depth, std::vector<int>& channel_order) {
  const std::string indent(2 * depth, ' ');
  const BvhJoint& bvh_joint = clip.joints[joint];
  channel_order.push_back(joint);
  out += indent + (joint == 0 ? "ROOT " : "JOINT ") + bvh_joint.name + "\n" + indent + "{\n";
  out += indent + "  OFFSET";
  append_triple(out, bvh_joint.offset);
  out += '\n';
  std::string rotations;
  for (const char axis : bvh_joint.rotation_axes) rotations += std::string(" ") + axis + "rotation";
  out += indent + (joint == 0 || clip.has_joint_offsets() ? "  CHANNELS 6 Xposition Yposition Zposition"
                                                          : "  CHANNELS 3") +
         rotations + "\n";
  const std::vector<int> children = children_of(clip, joint);
  for (int child : children) append_joint(out, clip, child, depth + 1, channel_order);
  if (children.empty()) {
    out += indent + "  End Site\n" + indent + "  {\n" + indent + "    OFFSET";
    append_triple(out, bvh_joint.end_site);
    out += "\n" + indent + "  }\n";
  }
  out += indent + "}\n";
}

}  // namespace

std::string bvh_text(const BvhClip& clip) {
  check_clip(clip);
  std::string out = "HIERARCHY\n";
  for (const std::string& comment : clip.comments) out += "# " + comment + "\n";
  std::vector<int> channel_order;
  append_joint(out, clip, 0, 0, channel_order);
  char frame_time[64];
  std::snprintf(frame_time, sizeof frame_time, "%.9g", clip.frame_time_seconds);  // 1/30 s reads back as 30 fps
  out += "MOTION\nFrames: " + std::to_string(clip.frames) + "\nFrame Time: " + frame_time + "\n";
  const std::size_t joints = clip.joints.size();
  for (int f = 0; f < clip.frames; ++f) {
    std::string line;
    append_triple(line, clip.root_positions[f]);
    for (int joint : channel_order) {
      if (joint != 0 && clip.has_joint_offsets()) append_triple(line, clip.joint_offsets[f * joints + joint]);
      append_triple(line, clip.rotations_deg[f * joints + joint]);
    }
    out.append(line, 1, std::string::npos);  // without the leading space
    out += '\n';
  }
  return out;
}

void write_bvh_file(const std::string& path, const BvhClip& clip) { write_file_atomic(path, bvh_text(clip)); }

}  // namespace lift3d::io
