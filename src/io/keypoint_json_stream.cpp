#include "io/keypoint_json_stream.hpp"

#include <exception>
#include <memory>
#include <type_traits>
#include <variant>

#include "base/joint_sets.hpp"
#include "io/json_records.hpp"
#include "io/json_support.hpp"
#include "lift3d/error.hpp"

namespace lift3d::io {
namespace {

using RecordList = std::variant<std::monostate, std::unique_ptr<CocoResultRecords>,
                                std::unique_ptr<AlphaPoseStreamRecords>, std::unique_ptr<MMPoseFrameRecords>>;

// Decides from the first records what the whole-document reader would do, and reads the records of
// a streamed format as they come. The first bad record's error is kept and thrown once the parse
// has ended, so a syntax error later in the file still wins as it does when the file is read whole.
class KeypointJsonStream : public JsonStreamHandler {
 public:
  KeypointJsonStream(const std::string& path, const DetectionReadOptions& options) : path_(path), options_(options) {}

  bool stream_elements_of(const std::string& key) override {
    if (key.empty()) return true;  // a root list: the first record tells whether its format streams
    // lift3d's own format: the frames, once the header before them names the format and a layout.
    if (key != "keypoints" || format_ != "lift3d-keypoints-2d" || !is_known_layout(layout_) || frames_) return false;
    frames_ = std::make_unique<Lift3dFrameRecords>(path_, layout_);
    return true;
  }

  void root_scalar(const std::string& key, const nlohmann::json& value) override {
    if (!value.is_string()) return;
    if (key == "format") format_ = value.get<std::string>();
    if (key == "layout") layout_ = value.get<std::string>();
  }

  void element(nlohmann::json&& value, std::size_t index) override {
    if (frames_) {
      read_record([&] { frames_->add(value); });
      return;
    }
    if (index == 0) start_record_list(value);
    // A later record can still make the list MediaPipe's, whose reader is another.
    if (mediapipe_.add(value) == MediaPipeListCheck::Verdict::Yes) throw JsonStreamFallback{};
    std::visit(
        [&](auto& records) {
          if constexpr (!std::is_same_v<std::decay_t<decltype(records)>, std::monostate>)
            read_record([&] { records->add(value, index); });
        },
        records_);
  }

  // After the parse: the detections, from the records and the rest of the document.
  std::optional<Detections2D> finish(const nlohmann::json& document) && {
    if (frames_) return finish_lift3d(document);
    if (std::holds_alternative<std::monostate>(records_)) return std::nullopt;  // nothing was streamed
    if (error_) std::rethrow_exception(error_);
    return std::visit(
        [](auto& records) -> std::optional<Detections2D> {
          if constexpr (std::is_same_v<std::decay_t<decltype(records)>, std::monostate>) return std::nullopt;
          else return std::move(*records).finish();
        },
        records_);
  }

 private:
  // The format of a list, from its first record as detect_keypoint_json_format tells it; formats
  // that are not streamed (and lists it refuses) are read whole.
  void start_record_list(const nlohmann::json& first) {
    if (!first.is_object() || mediapipe_.add(first) == MediaPipeListCheck::Verdict::Yes) throw JsonStreamFallback{};
    KeypointFileFormat format;
    try {
      format = format_of_record_list(first, path_);
    } catch (const Error&) {
      throw JsonStreamFallback{};
    }
    if (format == KeypointFileFormat::CocoResultsJson) records_ = std::make_unique<CocoResultRecords>(path_, options_);
    else if (format == KeypointFileFormat::AlphaPoseJson)
      records_ = std::make_unique<AlphaPoseStreamRecords>(path_, options_);
    else if (format == KeypointFileFormat::MMPoseJson && json_member(first, "instances"))
      records_ = std::make_unique<MMPoseFrameRecords>(path_, "", "", options_);
    else
      throw JsonStreamFallback{};  // one image's MMPose instances, or another format
  }

  template <typename ReadFn>
  void read_record(ReadFn&& read) {
    if (error_) return;  // records after the first bad one are only parsed
    try {
      read();
    } catch (const Error&) {
      error_ = std::current_exception();
    }
  }

  // The header checks first and the frame count next, then the first bad frame, as
  // lift3d_keypoints_detections orders them.
  std::optional<Detections2D> finish_lift3d(const nlohmann::json& document) {
    try {
      if (detect_keypoint_json_format(document, path_) != KeypointFileFormat::Lift3dJson) throw JsonStreamFallback{};
    } catch (const Error&) {
      throw JsonStreamFallback{};
    }
    Detections2D result = lift3d_keypoints_header(document, path_, options_);
    frames_->check_count(frames_->count());
    if (error_) std::rethrow_exception(error_);
    std::move(*frames_).finish(result);
    return result;
  }

  const std::string& path_;
  const DetectionReadOptions& options_;
  std::string format_, layout_;  // root members read so far
  std::unique_ptr<Lift3dFrameRecords> frames_;
  RecordList records_;
  MediaPipeListCheck mediapipe_;
  std::exception_ptr error_;
};

}  // namespace

StreamedJson read_streamed_json_detections(const std::string& path, const DetectionReadOptions& options) {
  KeypointJsonStream stream(path, options);
  StreamedJson result;
  try {
    nlohmann::json document = parse_json_file_streaming(path, stream);
    result.detections = std::move(stream).finish(document);
    if (!result.detections) result.whole_document = std::move(document);
  } catch (const JsonStreamFallback&) {
    result = {};
  }
  return result;
}

}  // namespace lift3d::io
