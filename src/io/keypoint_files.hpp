// Readers for the 2D keypoint files detectors write (OpenPose, COCO results, AlphaPose, MMPose 0.x
// and 1.x, MediaPipe JSON and CSV), lifters' keypoints.npz, plain .npy/.npz arrays, keypoint CSV and
// lift3d's own JSON. Each returns everything the file holds, every person of every frame in the
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

enum class KeypointFileFormat {
  Lift3dJson,
  OpenPoseJson,
  CocoResultsJson,
  AlphaPoseJson,
  MMPoseJson,
  MMPose0xJson,   // MMPose 0.x pose_results dumped as JSON
  MediaPipeJson,  // MediaPipe / BlazePose landmarks
  KeypointCsv,    // MediaPipe landmark CSV or a keypoint table (keypoint_csv.cpp)
  KeypointArray,  // keypoints.npz (`reconstruction`), a plain .npy, or a one-array .npz
  VideoPoseNpz,   // VideoPose3D dataset .npz (positions_2d): videopose_2d.hpp
};

struct DetectionReadOptions {
  // The file's joint layout when the joint count cannot tell it (e.g. a 17-joint MMPose file in
  // h36m order); empty: declared by the file or inferred from the count.
  std::string layout;
};

// Whether `path` is a glob pattern: it holds *, ? or [ and names no existing file or folder (a file
// called "f_[1]_keypoints.json" is read as itself, not as a pattern matching "f_1_keypoints.json").
bool is_glob_pattern(const std::string& path);

// From the path (and for .npz the member names): a directory or glob pattern -> OpenPoseJson;
// ".npz" with a positions_2d member -> VideoPoseNpz, other .npz and ".npy" -> KeypointArray; ".csv"
// -> KeypointCsv; other files are JSON whose format only the content tells (nullopt).
std::optional<KeypointFileFormat> keypoint_format_from_path(const std::string& path_or_glob);

// From the content of a parsed JSON document:
//   object with "format": "lift3d-keypoints-2d"              -> Lift3dJson
//   object with "people"                                     -> OpenPoseJson (one frame)
//   object with "instance_info", or list of {"instances"}    -> MMPoseJson
//   list of {"image_id", "keypoints"}: image_id a string, or "idx"/"box" present -> AlphaPoseJson,
//                                      else                  -> CocoResultsJson
//   list of {"keypoints", "keypoint_scores"}                 -> MMPoseJson (one image)
//   list of lists of {"keypoints": [[x, y, s]...]}, or a list of such objects
//                                                            -> MMPose0xJson
//   list of frames (or {"frames": [...]}) with "landmarks"/"pose_landmarks", or "keypoints" that
//   are objects {x, y, ...}                                  -> MediaPipeJson
// Throws InputError("<source>: ...") for anything else, naming what was found.
KeypointFileFormat detect_keypoint_json_format(const nlohmann::json& document, const std::string& source);

// Any keypoint file but VideoPose3D's .npz datasets (videopose_2d.hpp), its format told by the path
// or the content: one Detections2D per video the input holds (at least one), videos in name order.
// Throws UsageError for a VideoPose3D dataset .npz.
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

// OpenPose --write_json: one <video>_<frame>_keypoints.json per frame. `path` is a directory, a
// glob pattern, or a single file. A directory's frame files are its *_keypoints.json files, or when
// it has none every *.json file (Pose2Sim writes cam01.0000.json). A frame file's name ends in its
// frame number (before "_keypoints"); what precedes the number, less one separator ('_', '.', '-'),
// names its video: the frames of several videos in one folder become one Detections2D each (`video`
// set; a folder of one video gives one with `video` empty). Skipped with a warning: 0-byte files (an
// interrupted write), in the *.json case files whose name ends in no number, and groups of files
// with no person at all (stray files such as Pose2Sim's del_000000_0.json). people[].
// pose_keypoints_2d (or the older pose_keypoints) holds x, y, c per joint: 25 joints -> "body25", 18
// -> "coco18"; c == 0 is a missing joint. A 25-joint file whose joints sit as BODY_25B's do is
// refused unless `options.layout` says which it is. Person score: mean c. Track id: person_id
// unless -1.
std::vector<Detections2D> read_openpose_detections(const std::string& path, const DetectionReadOptions& options);
// One frame file already parsed (its frame number from its name, 0 when it has none).
Detections2D openpose_frame_detections(const nlohmann::json& document, const std::string& path,
                                       const DetectionReadOptions& options);
struct OpenPoseFrameFile {
  std::string video;  // the file-name prefix before the frame number
  long long frame = 0;
  std::string path;
};
// The frame files `path` stands for, ordered by video, then frame. Throws InputError when there are
// none, or when two files of one video have the same frame number.
std::vector<OpenPoseFrameFile> openpose_frame_files(const std::string& path);

// COCO keypoint detection results: [{"image_id": int, "category_id": 1, "keypoints": [x, y, s
// * 17], "score": s}, ...]. Frames are the image ids; other categories are skipped. No track ids.
Detections2D coco_results_detections(const nlohmann::json& document, const std::string& source,
                                     const DetectionReadOptions& options);

// AlphaPose default output: [{"image_id": "0.jpg", "keypoints": [...], "score": s, "box": [...],
// "idx": ...}, ...]; 17 ("coco"), 26 ("halpe26"), 133 ("coco_wholebody") or 136 ("halpe136")
// joints; "box" optional, scores above 1 kept. Frames are numbered by the number in image_id
// ("10.jpg" -> 10; by rank of the name when some have none). idx: tracked output (--pose_track,
// PoseFlow) writes a number, the track id; untracked output writes the list of detections pose NMS
// merged ([0.0], [[0.0],[0.0]], ...), which identifies nothing. The file decides as a whole: every
// idx a number -> track ids; any list form -> no track ids.
Detections2D alphapose_detections(const nlohmann::json& document, const std::string& source,
                                  const DetectionReadOptions& options);

// MMPose: the inferencer's video output [{"frame_id": n, "instances": [{"keypoints": [[x, y], ...],
// "keypoint_scores": [...], "bbox": [[x1, y1, x2, y2]], "bbox_score": s, "track_id": t}]}], the
// body3d demo's {"meta_info": ..., "instance_info": [same frames]}, or a single image's instance
// list. Person score: bbox_score, else the mean keypoint score. Layout from meta_info.dataset_name
// when it names a known layout, else from the joint count as for AlphaPose.
Detections2D mmpose_detections(const nlohmann::json& document, const std::string& source,
                               const DetectionReadOptions& options);

// MMPose 0.x pose_results dumped as JSON: a list of frames, each a list of people {"bbox": [x1, y1,
// x2, y2, score], "keypoints": [[x, y, score] x K], "track_id": t (optional)}; or one frame's list of
// people. Frames are numbered by their position. Person score: bbox[4], else the mean keypoint score.
// Layouts by joint count as for AlphaPose.
Detections2D mmpose0x_detections(const nlohmann::json& document, const std::string& source,
                                 const DetectionReadOptions& options);

// MediaPipe / BlazePose pose landmarks ("mediapipe33", coordinates normalised to the image): a list
// of frames (or {"frames": [...], "width", "height", "fps"}), each an object holding the landmarks
// under "landmarks", "pose_landmarks" or "keypoints": a list of 33 {x, y, z, visibility} objects (an
// "id" places each), or an object keyed by landmark name ("nose", "LEFT_EYE_INNER", ...). Frame
// number from "frame", "frame_number", "frame_index", "frame_id" or "frame_idx", else the position.
// An empty list or object, a null, or "has_pose": false is a frame without a person. Score:
// visibility (1 when absent).
Detections2D mediapipe_detections(const nlohmann::json& document, const std::string& source,
                                  const DetectionReadOptions& options);

// keypoints.npz / .npy / one-array .npz (keypoint_arrays.cpp).
Detections2D read_keypoint_array(const std::string& path, const DetectionReadOptions& options);
// MediaPipe landmark CSV or a keypoint table (keypoint_csv.cpp).
Detections2D read_keypoint_csv(const std::string& path, const DetectionReadOptions& options);

}  // namespace lift3d::io
