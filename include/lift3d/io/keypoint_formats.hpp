// Readers for the 2D keypoint files detectors write (peers.md 4.1-4.4) and lift3d's own JSON.
// Each returns one person's sequence in the file's own joint layout, with the person chosen per
// frame as person_selection.hpp describes; mapping onto the model's layout and gap filling are done
// by read_keypoints_2d (keypoint_input.hpp). Only options.track_id, dense_frames and source_layout
// are used here. Errors are InputError naming the file and the JSON path of the bad value.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lift3d/io/keypoints_2d.hpp"
#include "lift3d/io/person_selection.hpp"

namespace lift3d::io {

// lift3d's own format (one person, any known layout; docs in README "2D keypoint JSON"):
//   {"format": "lift3d-keypoints-2d", "version": 1, "layout": "coco",
//    "image_width": 1920, "image_height": 1080, "fps": 50,        (optional)
//    "joint_names": ["nose", ...],                                (optional, must match the layout)
//    "keypoints": [[[x, y, score] or [x, y] or null, ...joints], ...frames]}
// A joint given as [x, y] has score 1; null is a missing joint (NaN x, y and score 0).
Keypoints2D read_lift3d_keypoints_json(const std::string& path, const KeypointReadOptions& options);
Keypoints2D lift3d_keypoints_from_json(const nlohmann::json& document, const std::string& source,
                                       const KeypointReadOptions& options);
// Writes `keypoints` (features 2 or 3, any known layout) in that format, atomically; one frame per
// line, floats in their shortest exact form. Non-finite x or y is written as a null joint.
std::string lift3d_keypoints_json_text(const Keypoints2D& keypoints);
void write_lift3d_keypoints_json(const std::string& path, const Keypoints2D& keypoints);

// OpenPose --write_json: one <name>_<frame>_keypoints.json per frame. `path` is a directory (all
// its *_keypoints.json files), a glob pattern, or a single file. Frames are ordered by the number
// at the end of the name (before "_keypoints"). people[].pose_keypoints_2d (or the older
// pose_keypoints) holds x, y, c per joint: 25 joints -> "body25", 18 -> "coco18"; c == 0 is a
// missing joint. Person score: mean c. Track id: person_id unless -1.
Keypoints2D read_openpose_json(const std::string& path, const KeypointReadOptions& options);
// The frame files `path` stands for, in frame order. Throws InputError when there are none.
std::vector<std::string> openpose_frame_files(const std::string& path);

// COCO keypoint detection results: [{"image_id": int, "category_id": 1, "keypoints": [x, y, s
// * 17], "score": s}, ...]. One frame per image_id in increasing order; other categories are
// skipped. No track ids.
Keypoints2D read_coco_results_json(const std::string& path, const KeypointReadOptions& options);
Keypoints2D coco_results_from_json(const nlohmann::json& document, const std::string& source,
                                   const KeypointReadOptions& options);

// AlphaPose default output: [{"image_id": "0.jpg", "keypoints": [...], "score": s, "box": [...],
// "idx": track}, ...]; 17 ("coco"), 26 ("halpe26"), 133 ("coco_wholebody") or 136 ("halpe136")
// joints. Frames are ordered by the number in image_id (by name when some have none). idx may be
// an integer or a one-element list.
Keypoints2D read_alphapose_json(const std::string& path, const KeypointReadOptions& options);
Keypoints2D alphapose_from_json(const nlohmann::json& document, const std::string& source,
                                const KeypointReadOptions& options);

// MMPose: the inferencer's video output [{"frame_id": n, "instances": [{"keypoints": [[x, y], ...],
// "keypoint_scores": [...], "bbox": [[x1, y1, x2, y2]], "bbox_score": s, "track_id": t}]}], the
// body3d demo's {"meta_info": {...}, "instance_info": [same frames]}, or a single image's instance
// list. Person score: bbox_score, else the mean keypoint score. Layout from meta_info.dataset_name
// when it names a known layout, else from the joint count as for AlphaPose.
Keypoints2D read_mmpose_json(const std::string& path, const KeypointReadOptions& options);
Keypoints2D mmpose_from_json(const nlohmann::json& document, const std::string& source,
                             const KeypointReadOptions& options);

// The layout a COCO-style (COCO results, AlphaPose, MMPose) file with `joints` joints is in, given
// an optional override; throws InputError("<source>: <where>: ...") for a count no layout has or
// one that contradicts the override.
std::string coco_style_layout(int joints, const std::string& override_layout, const std::string& source,
                              const std::string& where);

// A flat [x0, y0, s0, x1, ...] array as floats; throws InputError naming `where` when it is not an
// array of finite numbers or its length is not a multiple of 3.
std::vector<float> flat_keypoint_values(const nlohmann::json& array, const std::string& source, const std::string& where);

// The keypoints and person score of one detection of a COCO-style result list (entry `where`):
// "keypoints" flat, "score" or else the mean keypoint score. The first detection read fixes the
// file's `layout` and `joints` (both empty/0 until then); later ones must have as many joints.
PersonCandidate coco_style_detection(const nlohmann::json& entry, const std::string& source, const std::string& where,
                                     const std::string& override_layout, std::string& layout, int& joints);

}  // namespace lift3d::io
