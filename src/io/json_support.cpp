#include "io/json_support.hpp"

#include <charconv>
#include <cmath>
#include <limits>
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

}  // namespace

nlohmann::json parse_json_text(const std::string& text, const std::string& source) {
  try {
    return nlohmann::json::parse(text, DuplicateKeyCheck(source));
  } catch (const nlohmann::json::exception& e) {
    throw InputError(source + ": invalid json: " + without_exception_id(e.what()));
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
