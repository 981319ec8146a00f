// The executable's log records: one line each, in text or JSON; JSON lines are valid JSON and
// valid UTF-8 whatever bytes the message holds (file names are bytes); a log line erases the
// progress line first and redraws it after.
#include "app/logging.hpp"

#include <chrono>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "base/log.hpp"
#include "lift3d/error.hpp"

namespace lift3d::app {
namespace {

std::string format(LogFormat format, spdlog::level::level_enum level, const std::string& message) {
  const spdlog::details::log_msg msg("lift3d", level, spdlog::string_view_t(message.data(), message.size()));
  spdlog::memory_buf_t out;
  make_log_formatter(format)->format(msg, out);
  return std::string(out.data(), out.size());
}

// The line without its '\n', parsed (nlohmann rejects invalid UTF-8 and unescaped control characters).
nlohmann::json json_line(const std::string& message, spdlog::level::level_enum level = spdlog::level::warn) {
  const std::string line = format(LogFormat::Json, level, message);
  EXPECT_EQ(line.find('\n'), line.size() - 1) << line;
  return nlohmann::json::parse(line.substr(0, line.size() - 1));
}

TEST(LogFormat, TextIsOneLinePrefixedWithTheLevel) {
  EXPECT_EQ(format(LogFormat::Text, spdlog::level::warn, "a.json: filled 2 joints"),
            "lift3d: warning: a.json: filled 2 joints\n");
  EXPECT_EQ(format(LogFormat::Text, spdlog::level::err, "x"), "lift3d: error: x\n");
  EXPECT_EQ(format(LogFormat::Text, spdlog::level::info, "x"), "lift3d: note: x\n");
  EXPECT_EQ(format(LogFormat::Text, spdlog::level::debug, "x"), "lift3d: debug: x\n");
  // Control characters cannot break the line or drive the terminal; bytes that are not UTF-8 are
  // written as escapes too, valid UTF-8 is kept.
  EXPECT_EQ(format(LogFormat::Text, spdlog::level::err, "a\nb\rc\td\x1b[2Je\x7f\\ \xff"),
            "lift3d: error: a\\nb\\rc\\td\\x1b[2Je\\x7f\\ \\xff\n");
  EXPECT_EQ(format(LogFormat::Text, spdlog::level::err, "caf\xc3\xa9"), "lift3d: error: caf\xc3\xa9\n");
}

TEST(LogFormat, JsonHasLevelMessageAndUtcTime) {
  const nlohmann::json record = json_line("a.json: filled 2 joints");
  EXPECT_EQ(record.size(), 3u);
  EXPECT_EQ(record.at("level"), "warning");
  EXPECT_EQ(record.at("message"), "a.json: filled 2 joints");
  const std::string time = record.at("time");
  ASSERT_EQ(time.size(), 24u) << time;  // 2024-05-01T12:34:56.789Z
  EXPECT_EQ(time[4], '-');
  EXPECT_EQ(time[10], 'T');
  EXPECT_EQ(time[19], '.');
  EXPECT_EQ(time.back(), 'Z');
  EXPECT_EQ(json_line("x", spdlog::level::err).at("level"), "error");
  EXPECT_EQ(json_line("x", spdlog::level::info).at("level"), "note");
  EXPECT_EQ(json_line("x", spdlog::level::debug).at("level"), "debug");
}

TEST(LogFormat, JsonEscapesQuotesBackslashesAndEveryControlCharacter) {
  std::string message = "say \"hi\" \\ path";
  for (int c = 0; c < 0x20; ++c) message += static_cast<char>(c);
  message += '\x7f';
  EXPECT_EQ(json_line(message).at("message"), message);
  EXPECT_EQ(format(LogFormat::Json, spdlog::level::warn, std::string("a\0b", 3)).find('\0'), std::string::npos);
}

TEST(LogFormat, JsonKeepsUtf8AndReplacesBytesThatAreNotUtf8) {
  // Well-formed: 2, 3 and 4 byte sequences at the edges of their ranges.
  for (const std::string good : {"\xc3\xa9", "\xe2\x82\xac", "\xed\x9f\xbf", "\xee\x80\x80", "\xf0\x9f\x98\x80",
                                 "\xf4\x8f\xbf\xbf", "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac"})
    EXPECT_EQ(json_line(good).at("message"), good);
  const std::string fffd = "\xef\xbf\xbd";
  // A lone continuation byte, bytes never in UTF-8, overlong forms, surrogates, above U+10FFFF,
  // sequences cut short (also by the end of the message): each bad byte becomes U+FFFD.
  EXPECT_EQ(json_line("a\x80z").at("message"), "a" + fffd + "z");
  EXPECT_EQ(json_line("a\xff\xfez").at("message"), "a" + fffd + fffd + "z");
  EXPECT_EQ(json_line("\xc0\xaf").at("message"), fffd + fffd);
  EXPECT_EQ(json_line("\xc1\xbf").at("message"), fffd + fffd);
  EXPECT_EQ(json_line("\xe0\x80\xaf").at("message"), fffd + fffd + fffd);
  EXPECT_EQ(json_line("\xed\xa0\x80").at("message"), fffd + fffd + fffd);
  EXPECT_EQ(json_line("\xf0\x80\x80\xaf").at("message"), fffd + fffd + fffd + fffd);
  EXPECT_EQ(json_line("\xf4\x90\x80\x80").at("message"), fffd + fffd + fffd + fffd);
  EXPECT_EQ(json_line("\xf5\x80\x80\x80").at("message"), fffd + fffd + fffd + fffd);
  EXPECT_EQ(json_line("\xe2\x82z").at("message"), fffd + fffd + "z");
  EXPECT_EQ(json_line("z\xe2\x82").at("message"), "z" + fffd + fffd);
  EXPECT_EQ(json_line("z\xf0\x9f\x98").at("message"), "z" + fffd + fffd + fffd);
}

TEST(LogFormat, EveryByteValueGivesValidJson) {
  for (int a = 0; a < 256; ++a)
    for (int b = 0; b < 256; b += 17) {
      const std::string message{static_cast<char>(a), static_cast<char>(b), 'x'};
      EXPECT_NO_THROW(json_line(message)) << a << " " << b;
    }
}

TEST(Logging, LevelsFollowTheOptions) {
  LogOptions options;
  configure_logging(options);
  EXPECT_EQ(logger().level(), spdlog::level::info);
  options.verbose = true;
  configure_logging(options);
  EXPECT_EQ(logger().level(), spdlog::level::debug);
  options = LogOptions{};
  options.quiet = true;
  configure_logging(options);
  EXPECT_EQ(logger().level(), spdlog::level::err);
  EXPECT_FALSE(status_line_allowed());
  options.verbose = true;
  EXPECT_THROW(check_log_options(options), UsageError);
  configure_logging({});
  EXPECT_TRUE(status_line_allowed());
  LogOptions json;
  json.format = "json";
  configure_logging(json);
  EXPECT_FALSE(status_line_allowed());
  configure_logging({});
}

TEST(Logging, ALogLineErasesTheStatusLineAndRedrawsIt) {
  configure_logging({});
  testing::internal::CaptureStderr();
  show_status("lifting: 1/2 sequences");
  logger().warn("a.json: filled");
  logger().debug("hidden at the default level");
  clear_status();
  logger().warn("after");
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_EQ(err,
            "\rlifting: 1/2 sequences\033[K"
            "\r\033[Klift3d: warning: a.json: filled\nlifting: 1/2 sequences\033[K"
            "\r\033[K"
            "lift3d: warning: after\n");
}

TEST(Logging, RequestedOutputIgnoresTheLevel) {
  LogOptions quiet;
  quiet.quiet = true;
  configure_logging(quiet);
  testing::internal::CaptureStderr();
  logger().info("hidden");
  log_regardless_of_level(spdlog::level::info, "timing: load 1 s");
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "lift3d: note: timing: load 1 s\n");
  configure_logging({});
}

}  // namespace
}  // namespace lift3d::app
