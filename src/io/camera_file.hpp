// Camera calibration files (`--cameras`): the layout of lift3d's built-in tables (data/cameras/*.json),
// so that a user's own rigs, or one rig per subject, can stand in for Human3.6M's:
//
//   {"cameras":    [ {shared intrinsics of camera index i}, ... ],          (optional)
//    "extrinsics": {"<subject>": [ {"orientation": [w,x,y,z], "translation": [x,y,z] (mm),
//                                   any intrinsic key, overriding cameras[i]}, ... ], ...}}
//
// Intrinsic keys: "id", "res_w", "res_h" (pixels), "azimuth" (degrees, rendering only),
// "focal_length" and "center" (pixels, both or neither), "radial_distortion" (k1, k2, k3) and
// "tangential_distortion" (p1, p2), 0 when absent. An empty entry {} is a camera without extrinsics.
// This layer only reads and checks the file; pipeline turns its entries into core cameras.
#pragma once

#include <array>
#include <string>
#include <utility>
#include <vector>

namespace lift3d::io {

struct CameraEntry {
  std::string id;
  int res_w = 0;  // pixels
  int res_h = 0;
  int azimuth = 0;  // degrees
  bool has_intrinsics = false;
  std::array<float, 2> focal_length{};  // pixels
  std::array<float, 2> center{};        // pixels
  std::array<float, 3> radial_distortion{};
  std::array<float, 2> tangential_distortion{};
  bool has_extrinsics = false;
  std::array<float, 4> orientation{};     // camera-to-world rotation quaternion (w, x, y, z)
  std::array<float, 3> translation_mm{};  // camera centre in world coordinates
};

struct CameraFile {
  std::string path;
  // Every subject's cameras in camera-index order, subjects sorted by name.
  std::vector<std::pair<std::string, std::vector<CameraEntry>>> subjects;
};

// Reads and checks a camera file. Throws InputError("<path>: <json path>: <problem>") for anything
// that does not fit: syntax, a missing or mistyped key, a non-finite number, an image size outside
// 1..65536 pixels, a focal length that is not positive, a quaternion far from unit length, a subject
// listed twice, no subject at all, or a subject whose camera count differs from "cameras".
CameraFile read_camera_file(const std::string& path);

}  // namespace lift3d::io
