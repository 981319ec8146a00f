#include "pipeline/default_model.hpp"

namespace lift3d::pipeline {

std::string default_model_path() { return std::string(LIFT3D_DATA_DIR) + "/models/default_coco_h36m_81f.bin"; }

}  // namespace lift3d::pipeline
