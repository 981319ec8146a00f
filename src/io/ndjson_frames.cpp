#include "io/ndjson_frames.hpp"

#include <poll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>

#include "io/json_support.hpp"
#include "lift3d/error.hpp"

namespace lift3d::io {
namespace {

constexpr std::size_t kReadBlock = 64 * 1024;
constexpr std::size_t kMaxTrackChars = 64;

// Nesting depth of JSON text, strings skipped; stops counting once `limit` is passed.
int nesting_depth(const std::string& text, int limit) {
  int depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    else if (c == '[' || c == '{') deepest = std::max(deepest, ++depth);
    else if (c == ']' || c == '}') --depth;
    if (deepest > limit) break;
  }
  return deepest;
}

std::string line_source(const std::string& source, long long line_number) {
  return source + ": line " + std::to_string(line_number);
}

float finite_value(const nlohmann::json& value, const std::string& source, const std::string& where) {
  if (!value.is_number()) throw_json_error(source, where, "expected a number, got " + json_type_name(value));
  const double number = value.get<double>();
  if (!std::isfinite(number) || std::fabs(number) > 1e30)
    throw_json_error(source, where, "expected a finite number, got " + value.dump());
  return static_cast<float>(number);
}

long long frame_number(const nlohmann::json& object, const std::string& source) {
  const nlohmann::json* frame = json_member(object, "frame");
  if (!frame) throw_json_error(source, "", "no \"frame\" (the frame number, an integer >= 0)");
  // Non-negative integers parse as unsigned; a signed one is negative.
  if (!frame->is_number_unsigned())
    throw_json_error(source, "frame", "expected an integer >= 0, got " + frame->dump());
  if (frame->get<unsigned long long>() > (1ULL << 53))
    throw_json_error(source, "frame", "frame number " + frame->dump() + " is too large");
  return frame->get<long long>();
}

std::string track_text(const nlohmann::json& object, const std::string& source) {
  const nlohmann::json* track = json_member(object, "track");
  if (!track || track->is_null()) return "";
  if (track->is_number_integer()) return track->dump();
  if (track->is_string() && !track->get_ref<const std::string&>().empty() &&
      track->get_ref<const std::string&>().size() <= kMaxTrackChars)
    return track->dump();
  throw_json_error(source, "track", "expected an integer or a string of 1 to " + std::to_string(kMaxTrackChars) +
                                        " characters, got " + json_type_name(*track));
}

// [[x, y(, s)], ...] or [x, y, s, x, y, s, ...] into joints x 3.
void read_keypoints(const nlohmann::json& object, const std::string& source, NdjsonFrame& frame) {
  const nlohmann::json* list = json_member(object, "keypoints");
  if (!list) throw_json_error(source, "", "no \"keypoints\" ([[x, y, score], ...] in pixels)");
  const nlohmann::json& array = json_array(*list, source, "keypoints");
  if (array.empty()) throw_json_error(source, "keypoints", "empty");
  const bool nested = array.front().is_array();
  const std::size_t count = nested ? array.size() : array.size() / 3;
  if (!nested && array.size() % 3 != 0)
    throw_json_error(source, "keypoints", "a flat list must hold x, y, score triples, got " +
                                              std::to_string(array.size()) + " numbers");
  if (count > static_cast<std::size_t>(kMaxFrameKeypoints))
    throw_json_error(source, "keypoints", std::to_string(count) + " keypoints, more than any layout has");
  frame.joints = static_cast<int>(count);
  frame.keypoints.assign(count * 3, 1.0f);
  std::size_t features = 0;
  for (std::size_t j = 0; j < count; ++j) {
    if (!nested) {
      for (std::size_t f = 0; f < 3; ++f)
        frame.keypoints[j * 3 + f] = finite_value(array[j * 3 + f], source, json_index_path("keypoints", j * 3 + f));
      continue;
    }
    const std::string where = json_index_path("keypoints", j);
    const nlohmann::json& point = json_array(array[j], source, where);
    if (point.size() != 2 && point.size() != 3)
      throw_json_error(source, where, "expected [x, y] or [x, y, score], got " + std::to_string(point.size()) + " values");
    if (features == 0) features = point.size();
    if (point.size() != features)
      throw_json_error(source, where, "has " + std::to_string(point.size()) + " values, keypoints[0] has " +
                                          std::to_string(features));
    for (std::size_t f = 0; f < features; ++f)
      frame.keypoints[j * 3 + f] = finite_value(point[f], source, json_index_path(where, f));
  }
}

}  // namespace

LineReader::LineReader(int fd, std::size_t max_bytes) : fd_(fd), max_bytes_(max_bytes), buffer_(kReadBlock) {}

bool LineReader::wait_for_input() {
  for (;;) {
    if (stop_()) return false;
    pollfd ready{fd_, POLLIN, 0};
    const int got = ::poll(&ready, 1, kStopPollMs);
    if (got > 0 || (got < 0 && errno != EINTR)) return true;  // readable, closed, or an error read() reports
  }
}

void LineReader::begin_stop() {
  stopping_ = true;
  struct stat status {};
  int pending = 0;
  if (::fstat(fd_, &status) == 0 && (S_ISFIFO(status.st_mode) || S_ISSOCK(status.st_mode)) &&
      ::ioctl(fd_, FIONREAD, &pending) == 0 && pending > 0)
    drain_left_ = static_cast<std::size_t>(pending);
}

bool LineReader::fill() {
  if (eof_) return false;
  if (stop_ && !stopping_ && !wait_for_input()) begin_stop();
  for (;;) {
    if (stopping_ && drain_left_ == 0) {
      eof_ = true;
      return false;
    }
    const std::size_t want = stopping_ ? std::min(drain_left_, buffer_.size()) : buffer_.size();
    const ssize_t got = ::read(fd_, buffer_.data(), want);
    if (got > 0 && stopping_) drain_left_ -= static_cast<std::size_t>(got);
    if (got > 0) {
      begin_ = 0;
      end_ = static_cast<std::size_t>(got);
      return true;
    }
    if (got == 0) {
      eof_ = true;
      return false;
    }
    if (errno == EINTR) continue;
    throw InputError(std::string("reading the input failed: ") + std::strerror(errno));
  }
}

std::optional<LineReader::Line> LineReader::next() {
  Line line;
  bool any = false;
  for (;;) {
    if (begin_ == end_ && !fill()) break;
    any = true;
    const char* start = buffer_.data() + begin_;
    const std::size_t available = end_ - begin_;
    const void* newline = std::memchr(start, '\n', available);
    const std::size_t take = newline ? static_cast<const char*>(newline) - start : available;
    if (!line.too_long && line.bytes + take > max_bytes_) {
      line.too_long = true;
      line.text.clear();
      line.text.shrink_to_fit();
    }
    if (!line.too_long) line.text.append(start, take);
    line.bytes += take;
    begin_ += take;
    if (newline) {
      ++begin_;
      break;
    }
  }
  if (!any) return std::nullopt;
  if (!line.text.empty() && line.text.back() == '\r') line.text.pop_back();
  line.number = ++lines_;
  return line;
}

NdjsonFrame parse_frame_line(const std::string& text, const std::string& source, long long line_number) {
  const std::string where = line_source(source, line_number);
  if (nesting_depth(text, kMaxFrameLineDepth) > kMaxFrameLineDepth)
    throw InputError(where + ": nested deeper than " + std::to_string(kMaxFrameLineDepth) +
                     " levels; a frame is {\"frame\": N, \"keypoints\": [[x, y, score], ...]}");
  const nlohmann::json document = parse_json_text(text, where);
  const nlohmann::json& object = json_object(document, where, "");
  NdjsonFrame frame;
  frame.frame = frame_number(object, where);
  frame.track = track_text(object, where);
  read_keypoints(object, where, frame);
  return frame;
}

}  // namespace lift3d::io
