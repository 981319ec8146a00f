// The stream's line reader (bounded lines, partial reads, line endings) and frame-line parser
// (accepted shapes, and one clear error per bad line).
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "io/ndjson_frames.hpp"
#include "lift3d/error.hpp"

using lift3d::InputError;
using lift3d::io::LineReader;
using lift3d::io::parse_frame_line;

namespace {

// A pipe whose write end is fed `text` by a thread (in pieces, as a live writer would), then closed.
struct FedPipe {
  int fds[2];
  std::thread writer;
  FedPipe(std::string text, std::size_t piece) {
    EXPECT_EQ(pipe(fds), 0);
    writer = std::thread([this, text = std::move(text), piece] {
      for (std::size_t at = 0; at < text.size(); at += piece) {
        const std::size_t n = std::min(piece, text.size() - at);
        EXPECT_EQ(write(fds[1], text.data() + at, n), static_cast<ssize_t>(n));
      }
      close(fds[1]);
    });
  }
  ~FedPipe() {
    writer.join();
    close(fds[0]);
  }
};

std::string error_of(const std::string& line) {
  try {
    parse_frame_line(line, "<stdin>", 7);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(LineReader, SplitsLinesAcrossPartialReads) {
  FedPipe pipe("{\"a\":1}\r\nsecond line\n\nlast without newline", 3);
  LineReader reader(pipe.fds[0], 100);
  auto first = reader.next();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->text, "{\"a\":1}");  // '\r' dropped
  EXPECT_EQ(first->number, 1);
  EXPECT_EQ(reader.next()->text, "second line");
  auto blank = reader.next();
  EXPECT_EQ(blank->text, "");
  EXPECT_EQ(blank->number, 3);
  auto last = reader.next();
  ASSERT_TRUE(last);
  EXPECT_EQ(last->text, "last without newline");
  EXPECT_EQ(last->number, 4);
  EXPECT_FALSE(reader.next());
}

TEST(LineReader, RefusesLongLinesWithoutKeepingThem) {
  const std::string huge(1 << 20, 'x');  // a megabyte, bound 64 bytes
  FedPipe pipe("short\n" + huge + "\nafter\n", 4096);
  LineReader reader(pipe.fds[0], 64);
  EXPECT_EQ(reader.next()->text, "short");
  auto long_line = reader.next();
  ASSERT_TRUE(long_line);
  EXPECT_TRUE(long_line->too_long);
  EXPECT_TRUE(long_line->text.empty());
  EXPECT_LE(long_line->text.capacity(), 64u + 64u * 1024u);  // never grew to the line
  EXPECT_EQ(long_line->bytes, huge.size());
  EXPECT_EQ(long_line->number, 2);
  auto after = reader.next();
  EXPECT_EQ(after->text, "after");  // the stream goes on at the next line
  EXPECT_EQ(after->number, 3);
  EXPECT_FALSE(reader.next());
}

TEST(LineReader, ExactlyTheBoundIsAccepted) {
  FedPipe pipe(std::string(64, 'y') + "\n" + std::string(65, 'z') + "\n", 10);
  LineReader reader(pipe.fds[0], 64);
  auto at_bound = reader.next();
  EXPECT_FALSE(at_bound->too_long);
  EXPECT_EQ(at_bound->text.size(), 64u);
  EXPECT_TRUE(reader.next()->too_long);
}

// A stop while the writer stays open: the lines the pipe holds are read, then the end.
TEST(LineReader, StopReadsWhatThePipeHoldsThenEnds) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const std::string text = "one\ntwo\nthree\n";
  ASSERT_EQ(write(fds[1], text.data(), text.size()), static_cast<ssize_t>(text.size()));
  LineReader reader(fds[0], 64);
  reader.set_stop([] { return true; });
  std::vector<std::string> lines;
  while (auto line = reader.next()) lines.push_back(line->text);
  EXPECT_EQ(lines, (std::vector<std::string>{"one", "two", "three"}));
  EXPECT_TRUE(reader.stopped());
  close(fds[1]);
  close(fds[0]);
}

// Waiting on a silent writer: a stop asked later is seen within a poll slice.
TEST(LineReader, StopEndsAWaitOnASilentWriter) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  std::atomic<bool> stop{false};
  LineReader reader(fds[0], 64);
  reader.set_stop([&stop] { return stop.load(); });
  std::thread stopper([&stop] {
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    stop = true;
  });
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(reader.next().has_value());
  const double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  stopper.join();
  EXPECT_TRUE(reader.stopped());
  EXPECT_GE(waited, 0.14);
  EXPECT_LT(waited, 5.0);  // a stop slice is 0.1 s; generous for a loaded machine
  close(fds[1]);
  close(fds[0]);
}

TEST(FrameLine, NestedTriples) {
  const auto frame = parse_frame_line(R"({"frame": 12, "keypoints": [[1.5, 2, 0.9], [3, 4, 0]], "extra": "ignored"})",
                                      "<stdin>", 1);
  EXPECT_EQ(frame.frame, 12);
  EXPECT_EQ(frame.track, "");
  EXPECT_EQ(frame.joints, 2);
  EXPECT_EQ(frame.keypoints, (std::vector<float>{1.5f, 2, 0.9f, 3, 4, 0}));
}

TEST(FrameLine, PairsGetScoreOneAndFlatTriplesAreRead) {
  const auto pairs = parse_frame_line(R"({"frame": 0, "keypoints": [[1, 2], [3, 4]]})", "<stdin>", 1);
  EXPECT_EQ(pairs.keypoints, (std::vector<float>{1, 2, 1, 3, 4, 1}));
  const auto flat = parse_frame_line(R"({"frame": 3, "keypoints": [1, 2, 0.5, 3, 4, 0.25]})", "<stdin>", 1);
  EXPECT_EQ(flat.joints, 2);
  EXPECT_EQ(flat.keypoints, (std::vector<float>{1, 2, 0.5f, 3, 4, 0.25f}));
}

TEST(FrameLine, TrackIsKeptAsJsonText) {
  EXPECT_EQ(parse_frame_line(R"({"frame": 1, "track": 3, "keypoints": [[1, 2]]})", "s", 1).track, "3");
  EXPECT_EQ(parse_frame_line(R"({"frame": 1, "track": "bob", "keypoints": [[1, 2]]})", "s", 1).track, "\"bob\"");
  EXPECT_EQ(parse_frame_line(R"({"frame": 1, "track": null, "keypoints": [[1, 2]]})", "s", 1).track, "");
}

TEST(FrameLine, ErrorsNameTheLineAndThePlace) {
  EXPECT_EQ(error_of("not json"), error_of("not json"));
  EXPECT_NE(error_of("not json").find("<stdin>: line 7: invalid json"), std::string::npos) << error_of("not json");
  EXPECT_NE(error_of("[1, 2]").find("line 7"), std::string::npos);
  EXPECT_NE(error_of(R"({"keypoints": [[1, 2]]})").find("no \"frame\""), std::string::npos);
  EXPECT_NE(error_of(R"({"frame": -1, "keypoints": [[1, 2]]})").find("frame: expected an integer >= 0"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"frame": 1.5, "keypoints": [[1, 2]]})").find("frame: expected an integer"), std::string::npos);
  EXPECT_NE(error_of(R"({"frame": 99999999999999999999, "keypoints": [[1, 2]]})").find("frame"), std::string::npos);
  EXPECT_NE(error_of(R"({"frame": 1})").find("no \"keypoints\""), std::string::npos);
  EXPECT_NE(error_of(R"({"frame": 1, "keypoints": []})").find("keypoints: empty"), std::string::npos);
  EXPECT_NE(error_of(R"({"frame": 1, "keypoints": [[1, 2], [3, 4, 5]]})").find("keypoints[1]: has 3 values"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"frame": 1, "keypoints": [[1, "2"]]})").find("keypoints[0][1]: expected a number, got string"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"frame": 1, "keypoints": [[1, 1e39]]})").find("keypoints[0][1]: expected a finite number"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"frame": 1, "keypoints": [1, 2, 3, 4]})").find("x, y, score triples"), std::string::npos);
  EXPECT_NE(error_of(R"({"frame": 1, "track": [1], "keypoints": [[1, 2]]})").find("track: expected an integer or a string"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"frame": 1, "frame": 2, "keypoints": [[1, 2]]})").find("line 7"), std::string::npos);
  for (const std::string& line : {std::string("not json"), std::string(R"({"frame": 1})")})
    EXPECT_EQ(error_of(line).find('\n'), std::string::npos);  // one line each
}

TEST(FrameLine, DeepNestingIsRefusedBeforeParsing) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_NE(error_of(deep).find("nested deeper than 8 levels"), std::string::npos);
  // Brackets inside strings do not count.
  const auto frame = parse_frame_line(R"({"frame": 1, "note": "[[[[[[[[[[[[", "keypoints": [[1, 2]]})", "s", 1);
  EXPECT_EQ(frame.joints, 1);
}

TEST(FrameLine, TooManyKeypointsAreRefused) {
  std::string line = R"({"frame": 1, "keypoints": [)";
  for (int j = 0; j < 1001; ++j) line += (j ? ",[1,2]" : "[1,2]");
  line += "]}";
  EXPECT_NE(error_of(line).find("1001 keypoints, more than any layout has"), std::string::npos);
}
