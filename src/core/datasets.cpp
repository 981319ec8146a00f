#include "lift3d/core/datasets.hpp"

#include "lift3d/error.hpp"

namespace lift3d::core {

Dataset parse_dataset(const std::string& name) {
  if (name == "h36m") return Dataset::H36M;
  if (name == "humaneva15") return Dataset::HumanEva15;
  if (name == "custom") return Dataset::Custom;
  throw UsageError("unknown dataset '" + name + "' (known: h36m, humaneva15, custom)");
}

std::string dataset_name(Dataset dataset) {
  switch (dataset) {
    case Dataset::H36M: return "h36m";
    case Dataset::HumanEva15: return "humaneva15";
    case Dataset::Custom: return "custom";
  }
  return "?";
}

std::pair<int, int> camera_resolution(Dataset dataset, int camera) {
  switch (dataset) {
    case Dataset::H36M:
      // Human3.6M video sizes (cameras 54138969, 55011271, 58860488, 60457274).
      if (camera == 0 || camera == 3) return {1000, 1002};
      if (camera == 1 || camera == 2) return {1000, 1000};
      throw UsageError("Human3.6M has cameras 0-3, not " + std::to_string(camera));
    case Dataset::HumanEva15:
      if (camera >= 0 && camera <= 2) return {640, 480};
      throw UsageError("HumanEva-I has cameras 0-2, not " + std::to_string(camera));
    case Dataset::Custom:
      break;
  }
  throw UsageError("custom datasets take their image size from the file's video_metadata or --width/--height");
}

}  // namespace lift3d::core
