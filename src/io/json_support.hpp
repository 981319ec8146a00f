// Small helpers shared by the JSON readers and writers: parsing a file with errors that name it,
// type checks whose messages give the JSON path of the offending value ("<file>: people[0].
// pose_keypoints_2d[7]: expected a number, got string"), and float formatting that round-trips.
#pragma once

#include <cmath>
#include <cstddef>
#include <limits>
#include <string>

#include <nlohmann/json.hpp>

namespace lift3d::io {

// Parses a whole JSON file. Unreadable files and syntax errors throw InputError naming the path.
nlohmann::json read_json_file(const std::string& path);
// Parses JSON text; syntax errors throw InputError("<source>: invalid json: ...").
nlohmann::json parse_json_text(const std::string& text, const std::string& source);

// What a streamed parse (parse_json_file_streaming) does with the document as it is read.
class JsonStreamHandler {
 public:
  virtual ~JsonStreamHandler() = default;
  // Whether the elements of an array are handed to element() one at a time and dropped, instead of
  // being kept in the document: `key` is empty for the root array, else the root object's member
  // that holds the array. Asked when the array starts.
  virtual bool stream_elements_of(const std::string& key) = 0;
  // A completed element of a streamed array (index: its position in the array).
  virtual void element(nlohmann::json&& value, std::size_t index) = 0;
  // A member of the root object that is neither an object nor an array, as soon as it is read.
  virtual void root_scalar(const std::string& /*key*/, const nlohmann::json& /*value*/) {}
};

// Parses a JSON file incrementally: the file is opened as read_file does (regular files only) and
// read in blocks, never whole, and the elements `handler` asks for are handed over one at a time,
// so memory holds one element (plus what the handler keeps), not the document. Returns the document
// without the streamed elements (their arrays are left empty). Syntax errors and duplicate keys
// throw as read_json_file's do; whatever `handler` throws passes through.
nlohmann::json parse_json_file_streaming(const std::string& path, JsonStreamHandler& handler);

// "number", "string", "array", "object", "boolean", "null".
std::string json_type_name(const nlohmann::json& value);

// Throws InputError("<source>: <where>: <problem>"); `where` is omitted when empty.
[[noreturn]] void throw_json_error(const std::string& source, const std::string& where, const std::string& problem);

// Type checks. `where` is the JSON path used in the message ("keypoints[3]").
const nlohmann::json& json_array(const nlohmann::json& value, const std::string& source, const std::string& where);
const nlohmann::json& json_object(const nlohmann::json& value, const std::string& source, const std::string& where);
const std::string& json_string(const nlohmann::json& value, const std::string& source, const std::string& where);
// A finite number that fits a float.
float json_float(const nlohmann::json& value, const std::string& source, const std::string& where);
double json_double(const nlohmann::json& value, const std::string& source, const std::string& where);
// An integer (a float with an integral value such as 3.0 is accepted).
long long json_integer(const nlohmann::json& value, const std::string& source, const std::string& where);

// As json_float, but the path is only built (by calling `where()`) when the value is bad: large
// keypoint arrays would otherwise build one string per number.
template <typename WhereFn>
float json_float_lazy(const nlohmann::json& value, const std::string& source, WhereFn&& where) {
  if (value.is_number()) {
    const double number = value.get<double>();
    if (std::isfinite(number) && std::fabs(number) <= static_cast<double>(std::numeric_limits<float>::max()))
      return static_cast<float>(number);
  }
  return json_float(value, source, where());
}

// The member `key` of an object, or nullptr when absent.
const nlohmann::json* json_member(const nlohmann::json& object, const std::string& key);
// The member `key`; throws "<source>: <where>: missing key '<key>'" when absent.
const nlohmann::json& json_required(const nlohmann::json& object, const std::string& key, const std::string& source,
                                    const std::string& where);

// "where[index]" / "where.key", for building paths in messages.
std::string json_index_path(const std::string& where, std::size_t index);
std::string json_key_path(const std::string& where, const std::string& key);

// Appends the shortest decimal text that reads back as the same float; NaN and infinities (which
// JSON cannot hold) become `null`.
void append_json_float(std::string& out, float value);
// Appends a JSON string literal with the necessary escapes.
void append_json_string(std::string& out, const std::string& value);

}  // namespace lift3d::io
