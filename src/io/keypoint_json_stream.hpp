// Reading a keypoint JSON file without holding it whole: the file is parsed in blocks and the
// records of the formats that hold a whole video in one file (lift3d's "keypoints" frames, COCO
// results, AlphaPose, MMPose inferencer frames) are read one at a time as they complete
// (json_records.hpp), so memory holds the keypoints, not the text or its parsed document.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "base/detections.hpp"
#include "io/keypoint_files.hpp"

namespace lift3d::io {

struct StreamedJson {
  // The file's detections, when its format was read record by record.
  std::optional<Detections2D> detections;
  // Otherwise the whole document, when the parse kept it (a format not streamed: OpenPose frame,
  // MediaPipe, MMPose 0.x...); empty when streaming gave up midway (the caller parses the file
  // again, whole).
  std::optional<nlohmann::json> whole_document;
};

// Syntax errors, duplicate keys and bad records throw exactly as the whole-document readers do
// (a syntax error anywhere before a bad record's message, as there).
StreamedJson read_streamed_json_detections(const std::string& path, const DetectionReadOptions& options);

}  // namespace lift3d::io
