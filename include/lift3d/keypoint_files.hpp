// Reading the 2D keypoint files lift3d knows (OpenPose folders, COCO results, AlphaPose, MMPose,
// MediaPipe, keypoint CSV, keypoints.npz and .npy arrays, lift3d's own JSON) into one person's
// sequence, as `lift3d infer` reads them.
#pragma once

#include <optional>
#include <string>

#include "lift3d/export.hpp"
#include "lift3d/sequence.hpp"

namespace lift3d {

struct KeypointFileOptions {
  std::string layout = "coco";  // joint layout to map onto: the model's input layout
  // Follow this person instead of the most prominent one (the largest sum over frames of size x
  // mean keypoint score): the file's tracker id, or lift3d's track number (1 = most prominent)
  // when the file has none.
  std::optional<long long> track_id;
  // The file's own joint layout when it cannot tell it (`--input-layout`: "body25b", or "coco" /
  // "h36m" for arrays); empty: told by the file.
  std::string source_layout;
};

// frames x joints x 3 (x, y, score), pixels, image size when the file gives it; missing joints keep
// score 0 (Model::lift fills them). Throws InputError naming the file for bad data.
LIFT3D_API KeypointSequence read_keypoint_file(const std::string& path, const KeypointFileOptions& options = {});

}  // namespace lift3d
