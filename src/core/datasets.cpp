#include "core/datasets.hpp"

#include "core/camera.hpp"
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
  if (dataset == Dataset::Custom)
    throw UsageError("custom datasets take their image size from the file's video_metadata or --width/--height");
  // Every subject shares the cameras' image sizes; the first subject of the calibration table says them.
  const std::string table = dataset == Dataset::H36M ? "h36m" : "humaneva";
  const std::vector<Camera> all = cameras(table, camera_subjects(table).front());
  if (camera < 0 || camera >= static_cast<int>(all.size()))
    throw UsageError(dataset_name(dataset) + " has cameras 0-" + std::to_string(all.size() - 1) + ", not " +
                     std::to_string(camera));
  return {all[camera].res_w, all[camera].res_h};
}

}  // namespace lift3d::core
