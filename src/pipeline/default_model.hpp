// The model lift3d ships (data/models/default_coco_h36m_81f.bin: 81 frames, 256 channels, COCO-17
// in, Human3.6M-17 out), used when no checkpoint is given.
//
// Where it is looked for, first match wins:
//   1. $LIFT3D_DATA_DIR/models/ when that variable is set and not empty (and nowhere else then);
//   2. beside the code that asks, found from where it was loaded: for the lift3d executable
//      (/proc/self/exe) <prefix>/bin -> <prefix>/share/lift3d, for liblift3d.so (dladdr)
//      <prefix>/lib/<multiarch> -> <prefix>/share/lift3d (the relative paths are fixed at configure
//      time from the GNUInstallDirs directories, so a moved prefix still works);
//   3. <directory of that executable or library>/share/lift3d: the copy CMake keeps in the build tree.
#pragma once

#include <string>

namespace lift3d::pipeline {

// The default model's path. Throws InputError, naming the places it looked, when it cannot be found.
std::string default_model_path();

}  // namespace lift3d::pipeline
