// The model lift3d ships (data/models/default_coco_h36m_81f.bin: 81 frames, 256 channels, COCO-17
// in, Human3.6M-17 out), used when no checkpoint is given.
#pragma once

#include <string>

namespace lift3d::pipeline {

// The default model's path. Throws InputError when it cannot be found.
std::string default_model_path();

}  // namespace lift3d::pipeline
