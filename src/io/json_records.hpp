// The keypoint JSON formats whose file holds a whole video, read one record at a time: the
// elements of a COCO results, AlphaPose or MMPose list, or the frames of lift3d's "keypoints". A
// whole parsed document feeds them in a loop (keypoint_files.hpp's readers); a file parsed
// incrementally (keypoint_json_stream.cpp) feeds them each record as it is read, so the document
// never exists whole. Both give the same Detections2D and the same errors.
#pragma once

#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/detections.hpp"
#include "io/block_buffer.hpp"
#include "io/detection_collector.hpp"
#include "io/keypoint_files.hpp"

namespace lift3d::io {

// Thrown by a streamed reader when the records so far cannot decide what the whole document would
// (a format the first record does not settle, a case whose message needs the whole document): the
// file is then read whole, as before streaming. Not a lift3d::Error: never shown to the user.
struct JsonStreamFallback {};

// ---- Format detection from records (keypoint_files.cpp) ----

// detect_keypoint_json_format for a list whose first element `first` is an object and that is not
// a MediaPipe frame list: the format the first record names, or InputError.
KeypointFileFormat format_of_record_list(const nlohmann::json& first, const std::string& source);

// Whether a list is a MediaPipe frame list (as detect_keypoint_json_format decides), told one frame
// at a time: the first frame that settles it decides.
class MediaPipeListCheck {
 public:
  enum class Verdict { Undecided, Yes, No };
  Verdict add(const nlohmann::json& frame);
  Verdict verdict() const { return verdict_; }

 private:
  Verdict verdict_ = Verdict::Undecided;
};

// ---- COCO results (coco_results_json.cpp) ----
class CocoResultRecords {
 public:
  CocoResultRecords(const std::string& source, const DetectionReadOptions& options);
  CocoResultRecords(const CocoResultRecords&) = delete;
  CocoResultRecords& operator=(const CocoResultRecords&) = delete;
  void add(const nlohmann::json& record, std::size_t index);
  Detections2D finish() &&;

 private:
  std::string source_;
  std::string layout_;  // DetectionReadOptions::layout
  DetectionCollector collector_;
};

// ---- MMPose inferencer frames {"frame_id", "instances"} (mmpose_json.cpp) ----
class MMPoseFrameRecords {
 public:
  // `frames_where`: the JSON path of the frame list ("" or "instance_info"); `declared_layout`: the
  // layout meta_info names, if any.
  MMPoseFrameRecords(const std::string& source, std::string frames_where, std::string declared_layout,
                     const DetectionReadOptions& options);
  MMPoseFrameRecords(const MMPoseFrameRecords&) = delete;
  MMPoseFrameRecords& operator=(const MMPoseFrameRecords&) = delete;
  void add(const nlohmann::json& record, std::size_t index);
  Detections2D finish() &&;

 private:
  bool seen_before(long long frame);

  std::string source_;
  std::string frames_where_;
  std::string layout_, declared_layout_;
  DetectionCollector collector_;
  // Frame numbers so far, to refuse a repeated one; while they increase, only the last is needed.
  std::optional<long long> last_frame_;
  BlockBuffer<long long> frames_in_order_;
  std::set<long long> seen_;  // filled only once the numbers stop increasing
};

// ---- lift3d-keypoints-2d (lift3d_json.cpp) ----

// The members but "keypoints": checks format, version, keys, layout (against options), joint names,
// image size and fps; returns a Detections2D without detections.
Detections2D lift3d_keypoints_header(const nlohmann::json& document, const std::string& source,
                                     const DetectionReadOptions& options);

// The frames of "keypoints", one at a time, for a header read by lift3d_keypoints_header.
class Lift3dFrameRecords {
 public:
  Lift3dFrameRecords(const std::string& source, std::string layout);
  void add(const nlohmann::json& frame);
  std::size_t count() const { return count_; }
  // "no frames" / "too many frames" for a list of `count` frames.
  void check_count(std::size_t count) const;
  // The frames read into `result` (joints, keypoints, frames, detections).
  void finish(Detections2D& result) &&;

 private:
  std::string source_;
  std::string layout_;
  int joints_ = 0;
  std::size_t count_ = 0;
  std::vector<float> frame_;  // the frame being read
  BlockBuffer<float> keypoints_;
  BlockBuffer<double> scores_;
};

// ---- AlphaPose (alphapose_json.cpp) ----

// AlphaPose results as records come, for the common case only (what AlphaPose writes): every image
// name ends in a number, the records of one image are together and the numbers increase image after
// image, every record is well formed and of one joint count. Anything else throws
// JsonStreamFallback, and alphapose_detections on the whole document decides (its messages and its
// order of frames need every image name at once).
class AlphaPoseStreamRecords {
 public:
  AlphaPoseStreamRecords(const std::string& source, const DetectionReadOptions& options);
  AlphaPoseStreamRecords(const AlphaPoseStreamRecords&) = delete;
  AlphaPoseStreamRecords& operator=(const AlphaPoseStreamRecords&) = delete;
  void add(const nlohmann::json& record, std::size_t index);
  Detections2D finish() &&;

 private:
  std::string source_;
  std::string layout_;
  DetectionCollector collector_;
  bool any_number_ = false, any_list_ = false;
  std::string image_;  // the image of the last record, and its frame number
  long long frame_ = -1;
};

}  // namespace lift3d::io
