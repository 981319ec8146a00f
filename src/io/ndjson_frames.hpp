// Newline-delimited JSON keypoint frames, one object per line, as `lift3d stream` reads them from a
// pipe: {"frame": 12, "keypoints": [[x, y, score], ...], "track": 3}. Reading a line never holds more
// than a bound (a longer line is skipped to its end and reported), and a line's problems are
// reported one at a time without ending the stream: the caller decides what a bad line costs.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace lift3d::io {

// Lines of a file descriptor (a pipe, a terminal, a file), returned as soon as each is complete:
// read() returns what is there, so a live writer's line is seen at once. '\r' before '\n' and a
// last line without '\n' are accepted.
//
// With a stop test (set_stop): while waiting for input it is asked every kStopPollMs; once it says
// stop, the reader takes what a pipe or socket already holds at that moment (the writer's lines
// already sent), then ends as at end of input; a file or terminal ends at once.
class LineReader {
 public:
  struct Line {
    long long number = 0;    // 1-based
    std::string text;        // without the newline; empty when too_long
    bool too_long = false;   // longer than max_bytes: its bytes were read and dropped
    std::size_t bytes = 0;   // its length (counted also when dropped)
  };
  LineReader(int fd, std::size_t max_bytes);
  // The next line; nullopt at the end of the input. Throws InputError when reading fails.
  std::optional<Line> next();
  void set_stop(std::function<bool()> stop) { stop_ = std::move(stop); }
  bool stopped() const { return stopping_; }
  static constexpr int kStopPollMs = 100;

 private:
  bool fill();  // false at the end of the input
  bool wait_for_input();  // false when asked to stop
  void begin_stop();
  std::function<bool()> stop_;
  bool stopping_ = false;
  std::size_t drain_left_ = 0;  // after a stop: bytes the pipe held then, still to read
  int fd_;
  std::size_t max_bytes_;
  std::vector<char> buffer_;
  std::size_t begin_ = 0, end_ = 0;
  long long lines_ = 0;
  bool eof_ = false;
};

// One frame of one person as a line gives it.
struct NdjsonFrame {
  long long frame = 0;
  // "track" as written (a number or a string), kept as its JSON text so outputs can repeat it;
  // empty when the line has none.
  std::string track;
  int joints = 0;
  // joints x 3: x, y, score (1 when the line gives x, y only), in the line's units (pixels).
  std::vector<float> keypoints;
};

// Deepest nesting a frame line may have ({"keypoints": [[x, y, s]]} is 3); deeper lines are refused
// before parsing, so no input can drive the parser deep.
constexpr int kMaxFrameLineDepth = 8;
// Most keypoints a line may give (the largest layout, halpe136, has 136).
constexpr int kMaxFrameKeypoints = 1000;

// Parses one line. "keypoints" is a list of [x, y] or [x, y, score] (all alike), or a flat list
// of x, y, score triples (COCO style); x, y finite, score finite. "frame" is an integer >= 0;
// "track" an integer or a string (at most 64 characters); other members are ignored. Throws
// InputError("<source>: line N: <json path>: <problem>").
NdjsonFrame parse_frame_line(const std::string& text, const std::string& source, long long line_number);

}  // namespace lift3d::io
