#include "io/json_support.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <functional>
#include <istream>
#include <limits>
#include <streambuf>
#include <unordered_set>
#include <vector>

#include "lift3d/error.hpp"
#include "io/file.hpp"

namespace lift3d::io {
namespace {

// nlohmann's messages start with "[json.exception.parse_error.101] "; the id means nothing to users.
std::string without_exception_id(const std::string& message) {
  if (message.rfind("[json.exception.", 0) == 0) {
    const auto end = message.find("] ");
    if (end != std::string::npos) return message.substr(end + 2);
  }
  return message;
}

// JSON allows repeated keys and nlohmann keeps the last; a file that says "fps": 25 and later
// "fps": 50 means something nobody can know, so it is refused. Keys of each open object are kept
// while it is parsed.
class DuplicateKeyCheck {
 public:
  explicit DuplicateKeyCheck(const std::string& source) : source_(source) {}
  bool operator()(int /*depth*/, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    using Event = nlohmann::json::parse_event_t;
    if (event == Event::object_start) open_.emplace_back();
    if (event == Event::object_end && !open_.empty()) open_.pop_back();
    if (event == Event::key && !open_.empty() && !open_.back().insert(parsed.get<std::string>()).second)
      throw InputError(source_ + ": duplicate key '" + parsed.get<std::string>() +
                       "' in one object (which one is meant cannot be known)");
    return true;
  }

 private:
  const std::string& source_;
  std::vector<std::unordered_set<std::string>> open_;
};

// The file in blocks, for the parser's stream input: at most one block of text in memory.
class FileBlocks : public std::streambuf {
 public:
  explicit FileBlocks(const std::string& path) : file_(path), block_(kBlockBytes) {}

 protected:
  int_type underflow() override {
    if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
    if (offset_ >= file_.size()) return traits_type::eof();
    const std::size_t count = static_cast<std::size_t>(std::min<std::uint64_t>(block_.size(), file_.size() - offset_));
    file_.read(offset_, block_.data(), count);  // throws InputError naming the file if it shrank
    offset_ += count;
    setg(block_.data(), block_.data(), block_.data() + count);
    return traits_type::to_int_type(*gptr());
  }

 private:
  static constexpr std::size_t kBlockBytes = 1 << 16;
  FileReader file_;
  std::vector<char> block_;
  std::uint64_t offset_ = 0;
};

// Parser events -> the duplicate-key check and the handler: elements of the array the handler
// streams are handed over when complete and dropped from the document (the callback returns false).
// Depths as nlohmann reports them: a container's start and end at its own depth (root 0), a key or
// a scalar at its container's depth + 1.
class StreamingCallback {
 public:
  StreamingCallback(const std::string& source, JsonStreamHandler& handler) : keys_(source), handler_(handler) {}
  bool operator()(int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    using Event = nlohmann::json::parse_event_t;
    keys_(depth, event, parsed);
    switch (event) {
      case Event::object_start: containers_.push_back('o'); return true;
      case Event::array_start: start_array(depth); return true;
      case Event::key:
        if (depth == 1) root_key_ = parsed.get<std::string>();
        return true;
      case Event::value:
        if (is_streamed_element(depth)) return hand_over(parsed);
        if (depth == 1 && containers_.front() == 'o') handler_.root_scalar(root_key_, parsed);
        return true;
      case Event::object_end:
      case Event::array_end:
        containers_.pop_back();
        if (is_streamed_element(depth)) return hand_over(parsed);
        if (depth == streamed_depth_) streamed_depth_ = -1;
        return true;
    }
    return true;
  }

 private:
  void start_array(int depth) {
    const bool in_root_object = depth == 1 && containers_.front() == 'o';
    if ((depth == 0 && handler_.stream_elements_of("")) || (in_root_object && handler_.stream_elements_of(root_key_))) {
      streamed_depth_ = depth;
      streamed_count_ = 0;
    }
    containers_.push_back('a');
  }
  bool is_streamed_element(int depth) const { return streamed_depth_ >= 0 && depth == streamed_depth_ + 1; }
  bool hand_over(nlohmann::json& element) {
    handler_.element(std::move(element), streamed_count_++);
    return false;  // dropped from the document
  }

  DuplicateKeyCheck keys_;
  JsonStreamHandler& handler_;
  std::vector<char> containers_;  // 'o' / 'a' for each open container, the root first
  std::string root_key_;          // the root object's member being read
  int streamed_depth_ = -1;       // depth of the array whose elements are streamed, -1 when none
  std::size_t streamed_count_ = 0;
};

[[noreturn]] void throw_invalid_json(const std::string& source, const nlohmann::json::exception& e) {
  throw InputError(source + ": invalid json: " + without_exception_id(e.what()));
}

}  // namespace

nlohmann::json parse_json_text(const std::string& text, const std::string& source) {
  try {
    return nlohmann::json::parse(text, DuplicateKeyCheck(source));
  } catch (const nlohmann::json::exception& e) {
    throw_invalid_json(source, e);
  }
}

nlohmann::json parse_json_file_streaming(const std::string& path, JsonStreamHandler& handler) {
  FileBlocks blocks(path);
  std::istream text(&blocks);
  StreamingCallback callback(path, handler);
  try {
    // std::ref: the parser copies its callback, and the state must stay this one.
    return nlohmann::json::parse(text, std::ref(callback));
  } catch (const nlohmann::json::exception& e) {
    throw_invalid_json(path, e);
  }
}

nlohmann::json read_json_file(const std::string& path) {
  const std::vector<std::uint8_t> bytes = read_file(path);
  return parse_json_text(std::string(bytes.begin(), bytes.end()), path);
}

std::string json_type_name(const nlohmann::json& value) {
  if (value.is_number()) return "number";
  if (value.is_boolean()) return "boolean";
  if (value.is_binary()) return "binary";
  return value.type_name();
}

void throw_json_error(const std::string& source, const std::string& where, const std::string& problem) {
  throw InputError(source + ": " + (where.empty() ? "" : where + ": ") + problem);
}

const nlohmann::json& json_array(const nlohmann::json& value, const std::string& source, const std::string& where) {
  if (!value.is_array()) throw_json_error(source, where, "expected an array, got " + json_type_name(value));
  return value;
}

const nlohmann::json& json_object(const nlohmann::json& value, const std::string& source, const std::string& where) {
  if (!value.is_object()) throw_json_error(source, where, "expected an object, got " + json_type_name(value));
  return value;
}

const std::string& json_string(const nlohmann::json& value, const std::string& source, const std::string& where) {
  if (!value.is_string()) throw_json_error(source, where, "expected a string, got " + json_type_name(value));
  return value.get_ref<const std::string&>();
}

double json_double(const nlohmann::json& value, const std::string& source, const std::string& where) {
  if (!value.is_number()) throw_json_error(source, where, "expected a number, got " + json_type_name(value));
  const double number = value.get<double>();
  if (!std::isfinite(number)) throw_json_error(source, where, "number is not finite");
  return number;
}

float json_float(const nlohmann::json& value, const std::string& source, const std::string& where) {
  const double number = json_double(value, source, where);
  if (std::fabs(number) > static_cast<double>(std::numeric_limits<float>::max()))
    throw_json_error(source, where, "number " + value.dump() + " is out of float range");
  return static_cast<float>(number);
}

long long json_integer(const nlohmann::json& value, const std::string& source, const std::string& where) {
  if (value.is_number_integer()) {
    if (value.is_number_unsigned() && value.get<std::uint64_t>() > std::uint64_t(std::numeric_limits<long long>::max()))
      throw_json_error(source, where, "integer " + value.dump() + " is out of range");
    return value.get<long long>();
  }
  if (value.is_number_float()) {
    const double number = value.get<double>();
    // 2^62 keeps the conversion exact and far from overflow.
    if (std::isfinite(number) && number == std::floor(number) && std::fabs(number) < 4.6e18)
      return static_cast<long long>(number);
  }
  throw_json_error(source, where, "expected an integer, got " + (value.is_number() ? value.dump() : json_type_name(value)));
}

const nlohmann::json* json_member(const nlohmann::json& object, const std::string& key) {
  const auto found = object.find(key);
  return found == object.end() ? nullptr : &*found;
}

const nlohmann::json& json_required(const nlohmann::json& object, const std::string& key, const std::string& source,
                                    const std::string& where) {
  const nlohmann::json* member = json_member(object, key);
  if (!member) throw_json_error(source, where, "missing key '" + key + "'");
  return *member;
}

std::string json_index_path(const std::string& where, std::size_t index) {
  return where + "[" + std::to_string(index) + "]";
}

std::string json_key_path(const std::string& where, const std::string& key) {
  return where.empty() ? key : where + "." + key;
}

void append_json_float(std::string& out, float value) {
  if (!std::isfinite(value)) {
    out += "null";
    return;
  }
  char buffer[32];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, result.ptr);
}

void append_json_string(std::string& out, const std::string& value) {
  out += nlohmann::json(value).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace lift3d::io
