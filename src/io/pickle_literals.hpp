// The values pickles spell out inline, decoded without touching the unpickler's state: integers
// (binary two's complement and decimal text), floats (binary and text), protocol 0 strings
// (bytes-literal escapes and raw-unicode-escape), and str.encode for the encodings pickles use.
// Malformed input throws PickleDataError; the unpickler adds where it was.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace lift3d::io::pickling {

// Python ints wider than this many bytes (about 1200 decimal digits) are refused: nothing a
// checkpoint or dataset holds comes close, and bigger ones only cost time to convert.
constexpr std::size_t kMaxIntBytes = 512;
constexpr std::size_t kMaxIntDigits = 1200;

// A Python int as Value keeps it: `value` when it fits int64 (then `hex` is empty), otherwise
// `hex` holds its hexadecimal spelling ("0x1950a86a20f9469cfc6c", "-0x8000000000000001").
struct PythonInt {
  std::int64_t value = 0;
  std::string hex;
};

// LONG1 / LONG4 payloads: `count` bytes of little-endian two's complement.
PythonInt int_from_le(const std::uint8_t* bytes, std::size_t count);
// INT / LONG lines: optional sign, decimal digits, surrounding blanks. `what` names the opcode in
// messages.
PythonInt int_from_decimal(const std::string& line, const char* what);

// FLOAT lines (Python's repr of a float).
double float_from_text(const std::string& line);
// BINFLOAT payloads: 8 bytes of big-endian IEEE 754.
double float_from_be(const std::uint8_t* bytes);

// A STRING line: a quoted Python bytes literal (\\n, \\x41, \\101, ...) -> its bytes.
std::string string_literal(const std::string& line);
// A UNICODE line (raw-unicode-escape: latin-1 bytes with \\uXXXX and \\UXXXXXXXX escapes) -> UTF-8.
std::string raw_unicode_escape(const std::string& line);
// str.encode(encoding) of UTF-8 text, for utf-8, latin-1 and ascii (the encodings pickles use to
// carry bytes through protocols 0-2). `what` names the caller in messages.
std::string encode_str(const std::string& utf8, const std::string& encoding, const char* what);

// 'text', for messages.
std::string quoted(const std::string& text);

}  // namespace lift3d::io::pickling
