// What the keypoint readers share: gathering detections into a Detections2D as they are parsed,
// and the pieces of COCO-style entries (flat keypoint arrays, layouts told by the joint count).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/detections.hpp"
#include "io/block_buffer.hpp"

namespace lift3d::io {

// Builds a Detections2D one detection at a time. The first detection fixes the joint count and,
// through `layout_for_joints`, the layout; later ones must have as many joints. Detections are kept
// in blocks (block_buffer.hpp), so a long video read record by record costs its keypoints and
// little more.
class DetectionCollector {
 public:
  // `layout_for_joints(joints, file, where)` names the layout of a file whose detections have that
  // many joints, or throws naming `file` and `where`.
  using LayoutRule = std::function<std::string(int joints, const std::string& file, const std::string& where)>;
  DetectionCollector(std::string source, std::string format, LayoutRule layout_for_joints);

  // Records that the file covers frame `frame`, with or without detections.
  void add_frame(long long frame);
  // Adds one detection of `frame` (x, y, score triples), found in `file` at `where` (for
  // messages). A non-finite `score` is replaced by the mean keypoint score.
  void add(long long frame, const std::vector<float>& keypoints, double score, std::optional<long long> track_id,
           const std::string& file, const std::string& where);
  // The frame numbers are ranks the reader gave, not numbers from the file.
  void number_frames_by_rank() { result_.frames_are_ranks = true; }
  bool empty() const { return detections_.empty(); }
  // Frames recorded so far (exact while detections of one frame are added together).
  std::size_t frames() const { return frame_numbers_.size(); }

  // Frames sorted and unique, detections ordered by frame (file order within a frame).
  Detections2D finish() &&;

 private:
  Detections2D result_;  // everything but the detections, keypoints and frames below
  LayoutRule layout_for_joints_;
  BlockBuffer<long long> frame_numbers_;
  BlockBuffer<Detection> detections_;
  BlockBuffer<float> keypoints_;
};

// The layouts a format may hold, told apart by their joint counts.
struct LayoutsByJointCount {
  std::vector<std::pair<int, std::string>> layouts;  // joint count -> layout name
  std::string description;  // for messages: "25 (BODY_25) or 18 (COCO)"
};
// COCO results, AlphaPose, MMPose: 17 coco, 26 halpe26, 133 coco_wholebody, 136 halpe136.
const LayoutsByJointCount& coco_style_layouts();
// OpenPose: 25 body25, 18 coco18.
const LayoutsByJointCount& openpose_layouts();

// The layout of a file whose detections have `joints` joints: `override_layout` when given (it must
// have that many joints), else the one `known` lists for the count. Throws InputError ("<source>:
// <where>: ...") for a count no layout has or one that contradicts the override.
std::string layout_for_joint_count(int joints, const std::string& override_layout, const LayoutsByJointCount& known,
                                   const std::string& source, const std::string& where);

// A flat [x0, y0, s0, x1, ...] array as floats; throws InputError naming `where` when it is not an
// array of finite numbers or its length is not a multiple of 3.
std::vector<float> flat_keypoint_values(const nlohmann::json& array, const std::string& source, const std::string& where);

// One detection of a COCO-style result list (entry `where`): "keypoints" flat; "score", else the
// mean keypoint score. Adds it to `collector` under `frame`.
void add_coco_style_detection(DetectionCollector& collector, long long frame, const nlohmann::json& entry,
                              std::optional<long long> track_id, const std::string& source, const std::string& where);

}  // namespace lift3d::io
