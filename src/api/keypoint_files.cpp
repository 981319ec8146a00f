#include "lift3d/keypoint_files.hpp"

#include "pipeline/keypoint_input.hpp"

namespace lift3d {

KeypointSequence read_keypoint_file(const std::string& path, const KeypointFileOptions& options) {
  pipeline::KeypointReadOptions read;
  read.target_layout = options.layout;
  read.track_id = options.track_id;
  read.source_layout = options.source_layout;
  read.fill_gaps = false;
  return pipeline::read_keypoints_2d(path, read).seq;
}

}  // namespace lift3d
