// Facts about the datasets VideoPose3D evaluates on that the 2D pipeline needs: the image size each
// camera's keypoints were detected in (used for normalisation) and the output skeleton.
#pragma once

#include <string>
#include <utility>

namespace lift3d::core {

enum class Dataset { H36M, HumanEva15, Custom };

// "h36m" | "humaneva15" | "custom"; throws UsageError otherwise.
Dataset parse_dataset(const std::string& name);
std::string dataset_name(Dataset dataset);

// (width, height) in pixels of a camera of a dataset with fixed cameras, from the calibration
// tables (Human3.6M: cameras 0 and 3 are 1000x1002, 1 and 2 are 1000x1000; HumanEva-I: 640x480).
// Throws UsageError for a camera the dataset does not have or for Dataset::Custom (whose sizes
// come from the file).
std::pair<int, int> camera_resolution(Dataset dataset, int camera);

}  // namespace lift3d::core
