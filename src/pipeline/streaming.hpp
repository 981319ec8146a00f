// `lift3d stream` as one call: load the model, then read keypoint frames as they come (lines of
// newline-delimited JSON on a file descriptor, or the files an OpenPose --write_json directory
// receives) and write each frame's 3D as soon as it is lifted, one record per frame, flushed.
//
// Rules (documented for users in the README's stream section):
// - Tracks: frames carry an optional track (any number or string); each track is its own sequence
//   with its own state. Frame numbers of a track must increase: a repeated or earlier number is a
//   bad line. Numbers that skip are lifted as consecutive frames (as infer lifts the numbers a file
//   has). A track whose last frame is more than track_timeout frames older than the newest frame
//   seen (any track) is ended: its waiting frames are lifted with the future edge-padded and its
//   state is freed; a later frame of it starts a new sequence.
// - Bad lines (not JSON, no keypoints, wrong count, non-finite numbers, over max_line_bytes, a
//   frame that cannot be lifted): one message naming the line on stderr; OnBadLine::Skip goes on
//   (and the run ends with exit code 4), OnBadLine::Stop ends the input there (waiting frames are
//   lifted) and fails with that message.
// - End of input lifts every waiting frame of every track (edge padding, as infer at a sequence end).
//   So does a stop (stop_requested, from SIGINT/SIGTERM): stdin takes the lines a pipe already holds,
//   --follow the files already in the directory, then the stream ends as at end of input.
// - Coordinates: pixels or normalised, decided on the first frame that shows any (stream_coordinates.hpp).
// - World frame: each track rebased to its lowest joint so far (core::RunningWorldFrame).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/input_coordinates.hpp"
#include "pipeline/model_state_dict.hpp"

namespace lift3d::pipeline {

enum class OnBadLine { Skip, Stop };
enum class StreamOutputFormat { Json, Binary };

struct StreamRequest {
  std::string checkpoint;  // empty: the default model
  ArchitectureHints hints;
  std::string follow_dir;  // OpenPose --write_json directory to follow; empty: read input_fd
  int input_fd = 0;
  double idle_timeout_seconds = 0;  // --follow: end after this long without a new file; 0: never
  std::string layout = "coco";   // the model's input layout
  std::string source_layout;     // the input's joint layout when the count cannot tell it
  int width = 0, height = 0;     // image size, pixels
  core::CoordinateChoice coordinates = core::CoordinateChoice::Auto;
  std::string frame = "camera";  // output frame: "camera" or "world" (core::RunningWorldFrame)
  float min_score = 0.0f;
  bool flip_tta = true;
  bool add_trajectory = true;
  std::optional<int> max_delay;
  int track_timeout = 30;  // frames
  int max_tracks = 64;
  std::size_t max_line_bytes = 1 << 20;
  OnBadLine on_bad_line = OnBadLine::Skip;
  StreamOutputFormat format = StreamOutputFormat::Json;
  double fps = 0;  // for the delay note in seconds; 0: unknown
  int threads = 1;
  // Record per-frame times (StreamSummary::compute_ms): 8 bytes per frame, so off unless asked.
  bool record_times = false;
  // Receives each output record (a line, or a binary record); must write it out at once.
  std::function<void(const std::string&)> write;
  // Asked while waiting for input (and between files); true ends the stream as end of input does.
  std::function<bool()> stop_requested;
};

struct StreamSummary {
  long long lines = 0;         // input lines (or files) read
  long long frames_in = 0;     // frames accepted
  long long frames_out = 0;    // frames lifted and written
  long long bad_lines = 0;     // lines (or files) skipped
  int tracks = 0;              // tracks seen
  int delay_frames = 0;        // the model's delay (frames)
  bool stopped = false;        // ended by stop_requested
  // Per accepted frame (or --follow file): from the line read to its outputs written, wall-clock
  // time and this thread's CPU time (which other processes on the machine do not inflate).
  std::vector<float> compute_ms;
  std::vector<float> compute_cpu_ms;
};

// Throws UsageError for options that do not fit the model; InputError for the first bad line with
// OnBadLine::Stop (after lifting the waiting frames).
StreamSummary run_stream(const StreamRequest& request);

}  // namespace lift3d::pipeline
