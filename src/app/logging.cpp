#include "app/logging.hpp"

#include <spdlog/sinks/base_sink.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

#include "base/log.hpp"
#include "lift3d/error.hpp"

namespace lift3d::app {
namespace {

void append(spdlog::memory_buf_t& out, std::string_view text) { out.append(text.data(), text.data() + text.size()); }

void append_hex_byte(spdlog::memory_buf_t& out, const char* prefix, unsigned char byte) {
  static const char digits[] = "0123456789abcdef";
  append(out, prefix);
  out.push_back(digits[byte >> 4]);
  out.push_back(digits[byte & 0xf]);
}

// Text mode: the message as it is, but a control character cannot start a new line or move the
// cursor: \n, \r, \t and \xNN instead.
std::size_t utf8_sequence_length(std::string_view text, std::size_t i);

// Text lines escape control characters and bytes that are not UTF-8 (a Latin-1 file name, binary
// quoted from a file), so that a terminal shows every byte and nothing can move the cursor.
void append_text_escaped(spdlog::memory_buf_t& out, std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x80) {
      const std::size_t length = utf8_sequence_length(text, i);
      if (length == 0) {
        append_hex_byte(out, "\\x", byte);
        continue;
      }
      append(out, text.substr(i, length));
      i += length - 1;
    } else if (byte >= 0x20 && byte != 0x7f) {
      out.push_back(c);
    } else if (c == '\n') {
      append(out, "\\n");
    } else if (c == '\r') {
      append(out, "\\r");
    } else if (c == '\t') {
      append(out, "\\t");
    } else {
      append_hex_byte(out, "\\x", byte);
    }
  }
}

// Length of the well-formed UTF-8 sequence at text[i] (Unicode table 3-7: no overlong forms, no
// surrogates, nothing above U+10FFFF), or 0 when the byte there does not start one.
std::size_t utf8_sequence_length(std::string_view text, std::size_t i) {
  const auto at = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = at(i);
  std::size_t length = 0;
  unsigned char low = 0x80, high = 0xbf;  // range of the second byte
  if (lead >= 0xc2 && lead <= 0xdf) {
    length = 2;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    if (lead == 0xe0) low = 0xa0;
    if (lead == 0xed) high = 0x9f;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    if (lead == 0xf0) low = 0x90;
    if (lead == 0xf4) high = 0x8f;
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  if (at(i + 1) < low || at(i + 1) > high) return 0;
  for (std::size_t k = 2; k < length; ++k)
    if (at(i + k) < 0x80 || at(i + k) > 0xbf) return 0;
  return length;
}

// A JSON string's contents: quotes, backslashes and control characters escaped, well-formed UTF-8
// kept, every other byte replaced by U+FFFD, so that the line is valid UTF-8 and valid JSON.
void append_json_escaped(spdlog::memory_buf_t& out, std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const char c = text[i];
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x80) {
      switch (c) {
        case '"': append(out, "\\\""); break;
        case '\\': append(out, "\\\\"); break;
        case '\n': append(out, "\\n"); break;
        case '\r': append(out, "\\r"); break;
        case '\t': append(out, "\\t"); break;
        case '\b': append(out, "\\b"); break;
        case '\f': append(out, "\\f"); break;
        default:
          if (byte < 0x20 || byte == 0x7f)
            append_hex_byte(out, "\\u00", byte);
          else
            out.push_back(c);
      }
      ++i;
      continue;
    }
    if (const std::size_t length = utf8_sequence_length(text, i)) {
      append(out, text.substr(i, length));
      i += length;
    } else {
      append(out, "\\ufffd");
      ++i;
    }
  }
}

// UTC, ISO 8601 with milliseconds: 2024-05-01T12:34:56.789Z.
void append_utc_time(spdlog::memory_buf_t& out, spdlog::log_clock::time_point time) {
  const std::time_t seconds = spdlog::log_clock::to_time_t(time);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  const long long ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count() % 1000;
  char text[40];
  const int n = std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03lldZ", utc.tm_year + 1900,
                              utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, ms < 0 ? 0 : ms);
  append(out, std::string_view(text, n > 0 ? static_cast<std::size_t>(n) : 0));
}

// Info records are notes: what lift3d decided about an input (an image size, a person, a split).
std::string_view level_name(spdlog::level::level_enum level) {
  if (level == spdlog::level::info) return "note";
  const spdlog::string_view_t name = spdlog::level::to_string_view(level);  // "warning", "error", ...
  return {name.data(), name.size()};
}

// A message quoting a huge value (a whole file name list, a long JSON string) stays readable: it is
// cut after this many bytes (at a character boundary) and says how long it was.
constexpr std::size_t kMaxMessageBytes = 2000;

std::string payload_of(const spdlog::details::log_msg& msg) {
  const std::string_view payload(msg.payload.data(), msg.payload.size());
  if (payload.size() <= kMaxMessageBytes) return std::string(payload);
  std::size_t cut = kMaxMessageBytes;
  while (cut > 0 && (static_cast<unsigned char>(payload[cut]) & 0xc0) == 0x80) --cut;  // not inside a character
  return std::string(payload.substr(0, cut)) + " ... [cut: " + std::to_string(payload.size()) + " bytes in all]";
}

class LineFormatter final : public spdlog::formatter {
 public:
  explicit LineFormatter(LogFormat format) : format_(format) {}

  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    if (format_ == LogFormat::Text) {
      append(dest, "lift3d: ");
      append(dest, level_name(msg.level));
      append(dest, ": ");
      append_text_escaped(dest, payload_of(msg));
    } else {
      append(dest, "{\"level\":\"");
      append(dest, level_name(msg.level));
      append(dest, "\",\"message\":\"");
      append_json_escaped(dest, payload_of(msg));
      append(dest, "\",\"time\":\"");
      append_utc_time(dest, msg.time);
      append(dest, "\"}");
    }
    dest.push_back('\n');
  }

  std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<LineFormatter>(format_); }

 private:
  LogFormat format_;
};

// stderr, shared by log lines and the status line: a log line first erases a status line on
// screen, then the status line is drawn again below it. Each write is flushed at once.
class StderrSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  StderrSink() : base_sink(std::make_unique<LineFormatter>(LogFormat::Text)) {}

  void allow_status(bool allowed) {
    const std::lock_guard<std::mutex> lock(mutex_);
    status_allowed_ = allowed;
  }
  bool status_allowed() {
    const std::lock_guard<std::mutex> lock(mutex_);
    return status_allowed_;
  }
  void show_status(const std::string& text) {
    const std::lock_guard<std::mutex> lock(mutex_);
    status_ = text;
    status_shown_ = true;
    const std::string line = "\r" + status_ + "\033[K";
    write(line.data(), line.size());
  }
  void clear_status() {
    const std::lock_guard<std::mutex> lock(mutex_);
    if (!status_shown_) return;
    status_shown_ = false;
    status_.clear();
    write("\r\033[K", 4);
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t out;
    if (status_shown_) append(out, "\r\033[K");
    formatter_->format(msg, out);
    if (status_shown_) {
      append(out, status_);
      append(out, "\033[K");
    }
    write(out.data(), out.size());
  }
  void flush_() override { std::fflush(stderr); }

 private:
  static void write(const char* data, std::size_t size) {
    std::fwrite(data, 1, size, stderr);
    std::fflush(stderr);
  }

  bool status_allowed_ = true;
  bool status_shown_ = false;
  std::string status_;
};

const std::shared_ptr<StderrSink>& stderr_sink() {
  static const std::shared_ptr<StderrSink> sink = std::make_shared<StderrSink>();
  return sink;
}

bool configured = false;

}  // namespace

void add_log_options(CLI::App& cli, LogOptions& options) {
  const std::string group = "Logging (stderr; before or after the subcommand)";
  cli.add_flag("--quiet", options.quiet,
               "Errors only: also hides the notes on what was decided about each input and the warnings about "
               "doubtful input (e.g. joints filled by interpolation)")
      ->group(group);
  cli.add_flag("--verbose", options.verbose,
               "Also debug lines: checkpoint and architecture, each input's format, frames and image size, "
               "thread plan, outputs written")
      ->group(group);
  cli.add_option("--log-format", options.format,
                 "text (default): 'lift3d: LEVEL: MESSAGE'; json: one object per line, "
                 "{\"level\",\"message\",\"time\"}, errors included")
      ->check(CLI::IsMember({"text", "json"}))
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast)
      ->group(group);
}

void check_log_options(const LogOptions& options) {
  if (options.quiet && options.verbose) throw UsageError("--quiet and --verbose exclude each other");
}

LogOptions log_options_as_given(CLI::App& cli) {
  LogOptions given;
  if (const CLI::Option* quiet = cli.get_option_no_throw("--quiet")) given.quiet = quiet->count() > 0;
  if (const CLI::Option* verbose = cli.get_option_no_throw("--verbose")) given.verbose = verbose->count() > 0;
  if (const CLI::Option* format = cli.get_option_no_throw("--log-format"); format && !format->results().empty())
    given.format = format->results().back() == "json" ? "json" : "text";
  return given;
}

void configure_logging(const LogOptions& options) {
  const LogFormat format = options.format == "json" ? LogFormat::Json : LogFormat::Text;
  const std::shared_ptr<StderrSink>& sink = stderr_sink();
  sink->set_formatter(make_log_formatter(format));
  sink->allow_status(format == LogFormat::Text && !options.quiet);
  spdlog::logger& log = logger();
  log.sinks().clear();
  log.sinks().push_back(sink);
  log.set_level(options.quiet     ? spdlog::level::err
                : options.verbose ? spdlog::level::debug
                                  : spdlog::level::info);
  log.flush_on(spdlog::level::trace);
  configured = true;
}

void log_error(std::string_view message) {
  if (!configured) configure_logging({});
  logger().error("{}", message);
}

void log_regardless_of_level(spdlog::level::level_enum level, std::string_view message) {
  spdlog::logger& log = logger();
  const spdlog::details::log_msg msg(log.name(), level, spdlog::string_view_t(message.data(), message.size()));
  for (const spdlog::sink_ptr& sink : log.sinks())
    if (sink->should_log(level)) {
      sink->log(msg);
      sink->flush();
    }
}

std::unique_ptr<spdlog::formatter> make_log_formatter(LogFormat format) {
  return std::make_unique<LineFormatter>(format);
}

bool status_line_allowed() { return stderr_sink()->status_allowed(); }

void show_status(const std::string& text) { stderr_sink()->show_status(text); }

void clear_status() { stderr_sink()->clear_status(); }

}  // namespace lift3d::app
