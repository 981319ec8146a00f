#include "io/pose_stream.hpp"

#include <cstring>

#include "io/json_support.hpp"

namespace lift3d::io {
namespace {

template <typename T>
void append_little_endian(std::string& out, T value) {
  static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the binary pose record is written on little-endian hosts");
  char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));
  out.append(bytes, sizeof(T));
}

}  // namespace

void append_pose_line_json(std::string& out, const StreamedPose& pose) {
  out += "{\"frame\":";
  out += std::to_string(pose.frame);
  if (!pose.track.empty()) {
    out += ",\"track\":";
    out += pose.track;
  }
  out += ",\"joints\":[";
  for (int j = 0; j < pose.joints; ++j) {
    out += j ? ",[" : "[";
    for (int d = 0; d < 3; ++d) {
      if (d) out += ',';
      append_json_float(out, pose.positions[j * 3 + d]);
    }
    out += ']';
  }
  out += "],\"delay_frames\":";
  out += std::to_string(pose.delay_frames);
  out += ",\"padded_frames\":";
  out += std::to_string(pose.padded_frames);
  if (!pose.filled.empty()) {
    out += ",\"filled\":[";
    for (std::size_t k = 0; k < pose.filled.size(); ++k) {
      if (k) out += ',';
      out += std::to_string(pose.filled[k]);
    }
    out += ']';
  }
  out += "}\n";
}

void append_pose_record_binary(std::string& out, const StreamedPose& pose) {
  std::uint64_t filled = 0;
  for (int k : pose.filled)
    if (k >= 0 && k < 64) filled |= std::uint64_t{1} << k;
  out.append("L3DP", 4);
  append_little_endian<std::int64_t>(out, pose.frame);
  append_little_endian<std::int32_t>(out, pose.track_index);
  append_little_endian<std::int32_t>(out, pose.delay_frames);
  append_little_endian<std::int32_t>(out, pose.padded_frames);
  append_little_endian<std::int32_t>(out, pose.joints);
  append_little_endian<std::uint64_t>(out, filled);
  append_little_endian<std::int32_t>(out, 0);
  for (int i = 0; i < pose.joints * 3; ++i) append_little_endian<float>(out, pose.positions[i]);
}

}  // namespace lift3d::io
