// Readers for the 2D keypoint files detectors write (OpenPose, COCO results, AlphaPose, MMPose)
// and lift3d's own JSON. Each returns everything the file holds, every person of every frame in the
// file's own joint layout (base/detections.hpp); choosing a person, mapping joints and filling gaps
// happen above this floor. Each file is parsed once. Errors are InputError naming the file and the
// JSON path of the bad value.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/detections.hpp"
#include "lift3d/sequence.hpp"

namespace lift3d::io {

enum class KeypointFileFormat { Lift3dJson, OpenPoseJson, CocoResultsJson, AlphaPoseJson, MMPoseJson, VideoPoseNpz };

struct DetectionReadOptions {
  // The file's joint layout when the joint count cannot tell it (e.g. a 17-joint MMPose file in
  // h36m order); empty: declared by the file or inferred from the count.
  std::string layout;
};

// Whether `path` is a glob pattern: it holds *, ? or [ and names no existing file or folder (a file
// called "f_[1]_keypoints.json" is read as itself, not as a pattern matching "f_1_keypoints.json").
bool is_glob_pattern(const std::string& path);

// From the path alone: a directory or glob pattern -> OpenPoseJson, ".npz" -> VideoPoseNpz; other
// files are JSON whose format only the content tells (nullopt).
std::optional<KeypointFileFormat> keypoint_format_from_path(const std::string& path_or_glob);

// From the content of a parsed JSON document:
//   object with "format": "lift3d-keypoints-2d"              -> Lift3dJson
//   object with "people"                                     -> OpenPoseJson (one frame)
//   object with "instance_info", or list of {"instances"}    -> MMPoseJson
//   list of {"image_id", "keypoints"}: image_id a string, or "idx"/"box" present -> AlphaPoseJson,
//                                      else                  -> CocoResultsJson
//   list of {"keypoints", "keypoint_scores"}                 -> MMPoseJson (one image)
// Throws InputError("<source>: ...") for anything else, naming what was found.
KeypointFileFormat detect_keypoint_json_format(const nlohmann::json& document, const std::string& source);

// Any keypoint file but VideoPose3D's .npz datasets (videopose_2d.hpp), its format told by the path
// or the content: one Detections2D per video the input holds (at least one). Throws UsageError for
// a .npz path.
std::vector<Detections2D> read_detections(const std::string& path_or_glob, const DetectionReadOptions& options);

// lift3d's own format (one person, any known layout; README "lift3d's own JSON keypoint format"):
//   {"format": "lift3d-keypoints-2d", "version": 1, "layout": "coco",
//    "image_width": 1920, "image_height": 1080, "fps": 50,        (optional)
//    "joint_names": ["nose", ...],                                (optional, must match the layout)
//    "keypoints": [[[x, y, score] or [x, y] or null, ...joints], ...frames]}
// A joint given as [x, y] has score 1; null is a missing joint (NaN x, y and score 0). One
// detection per frame.
Detections2D lift3d_keypoints_detections(const nlohmann::json& document, const std::string& source,
                                         const DetectionReadOptions& options);
// The same format's text for `keypoints` (features 2 or 3, in `layout`; image size from the sequence
// when set): one frame per line, floats in their shortest exact form, non-finite x or y as null.
std::string lift3d_keypoints_json_text(const KeypointSequence& keypoints, const std::string& layout, double fps);

// OpenPose --write_json: one <name>_<frame>_keypoints.json per frame. `path` is a directory (all
// its *_keypoints.json files), a glob pattern, or a single file. Frames are numbered by the digits
// at the end of the name (before "_keypoints"). people[].pose_keypoints_2d (or the older
// pose_keypoints) holds x, y, c per joint: 25 joints -> "body25", 18 -> "coco18"; c == 0 is a
// missing joint. Person score: mean c. Track id: person_id unless -1.
Detections2D read_openpose_detections(const std::string& path, const DetectionReadOptions& options);
// One frame file already parsed (its frame number from its name, 0 when it has none).
Detections2D openpose_frame_detections(const nlohmann::json& document, const std::string& path,
                                       const DetectionReadOptions& options);
// The frame files `path` stands for, in frame order. Throws InputError when there are none.
std::vector<std::string> openpose_frame_files(const std::string& path);

// COCO keypoint detection results: [{"image_id": int, "category_id": 1, "keypoints": [x, y, s
// * 17], "score": s}, ...]. Frames are the image ids; other categories are skipped. No track ids.
Detections2D coco_results_detections(const nlohmann::json& document, const std::string& source,
                                     const DetectionReadOptions& options);

// AlphaPose default output: [{"image_id": "0.jpg", "keypoints": [...], "score": s, "box": [...],
// "idx": track}, ...]; 17 ("coco"), 26 ("halpe26"), 133 ("coco_wholebody") or 136 ("halpe136")
// joints. Frames are numbered by the number in image_id (by rank of the name when some have
// none). idx may be an integer or a one-element list.
Detections2D alphapose_detections(const nlohmann::json& document, const std::string& source,
                                  const DetectionReadOptions& options);

// MMPose: the inferencer's video output [{"frame_id": n, "instances": [{"keypoints": [[x, y], ...],
// "keypoint_scores": [...], "bbox": [[x1, y1, x2, y2]], "bbox_score": s, "track_id": t}]}], the
// body3d demo's {"meta_info": ..., "instance_info": [same frames]}, or a single image's instance
// list. Person score: bbox_score, else the mean keypoint score. Layout from meta_info.dataset_name
// when it names a known layout, else from the joint count as for AlphaPose.
Detections2D mmpose_detections(const nlohmann::json& document, const std::string& source,
                               const DetectionReadOptions& options);

}  // namespace lift3d::io
