// The lines `lift3d stream` writes, one per lifted frame: JSON text, or a fixed-layout binary
// record for programs. Both carry the same fields (see append_pose_record_binary for the layout).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace lift3d::io {

struct StreamedPose {
  long long frame = 0;     // the input's frame number
  std::string track;       // the input's "track" as JSON text (a number or a quoted string); empty: none
  int track_index = -1;    // tracks numbered 0, 1, ... in order of first appearance (binary form)
  int joints = 0;
  const float* positions = nullptr;  // joints x 3: x, y, z in metres
  int delay_frames = 0;    // frames that had arrived after this one when it was lifted
  int padded_frames = 0;   // future frames the model reads that were replaced by edge padding
  std::vector<int> filled;  // input keypoints (model layout) not observed in this frame
};

// {"frame":12,"track":3,"joints":[[x,y,z],...],"delay_frames":40,"padded_frames":0,"filled":[9]}
// and a newline; "track" and "filled" only when there are some. Floats round-trip (shortest form).
void append_pose_line_json(std::string& out, const StreamedPose& pose);

// Little-endian record, 40 bytes of header then the joints:
//   char[4] "L3DP" | int64 frame | int32 track_index (-1: none) | int32 delay_frames |
//   int32 padded_frames | int32 joints | uint64 filled (bit k: input keypoint k filled, k < 64) |
//   int32 reserved (0) | float32 x, y, z per joint.
constexpr int kPoseRecordHeaderBytes = 40;
void append_pose_record_binary(std::string& out, const StreamedPose& pose);

}  // namespace lift3d::io
