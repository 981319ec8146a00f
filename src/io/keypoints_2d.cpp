#include "lift3d/io/keypoints_2d.hpp"

namespace lift3d::io {

core::KeypointSequence keypoint_positions(const Keypoints2D& keypoints) {
  const core::KeypointSequence& in = keypoints.seq;
  core::KeypointSequence out;
  out.frames = in.frames;
  out.joints = in.joints;
  out.features = 2;
  out.image_width = keypoints.image_width;
  out.image_height = keypoints.image_height;
  out.values.resize(static_cast<std::size_t>(in.frames) * in.joints * 2);
  for (int f = 0; f < in.frames; ++f)
    for (int j = 0; j < in.joints; ++j)
      for (int k = 0; k < 2; ++k) out.at(f, j, k) = in.at(f, j, k);
  return out;
}

}  // namespace lift3d::io
