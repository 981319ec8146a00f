// VideoPose3D's 2D keypoint files: data_2d_<dataset>_<keypoints>.npz
// and data_2d_custom_<name>.npz. Both hold `positions_2d`, a pickled dict
// {subject: {action: [one (frames, joints, 2|3) array per camera]}}, and `metadata`, a pickled dict
// with layout_name, num_joints, keypoints_symmetry and (custom files) video_metadata {video: {w, h}}.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "lift3d/sequence.hpp"

namespace lift3d::io {

struct VideoPose2DSequence {
  std::string subject;  // H36M "S9", HumanEva "Validate/S1", custom: the video name
  std::string action;   // "Walking 1", custom: "custom"
  std::vector<KeypointSequence> cameras;  // pixels; image size 0 (resolution comes from the dataset)
};

struct VideoPose2DFile {
  std::string path;
  std::string layout_name;  // metadata layout_name ("coco", "h36m", ...), empty when absent
  int num_joints = 0;
  std::vector<int> kps_left, kps_right;  // metadata keypoints_symmetry
  std::map<std::string, std::pair<int, int>> video_resolution;  // custom files: video -> (w, h)
  std::vector<VideoPose2DSequence> sequences;  // in the file's dict order
};

// Throws InputError naming the file and the offending subject/action/camera.
VideoPose2DFile read_videopose_2d(const std::string& path);

}  // namespace lift3d::io
