#include "io/pickle_literals.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>
#include <limits>
#include <vector>

#include "io/pickle_data_error.hpp"

namespace lift3d::io::pickling {
namespace {

void append_utf8(std::string& out, std::uint32_t code_point) {
  if (code_point < 0x80) {
    out += static_cast<char>(code_point);
  } else if (code_point < 0x800) {
    out += static_cast<char>(0xC0 | (code_point >> 6));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else if (code_point < 0x10000) {
    out += static_cast<char>(0xE0 | (code_point >> 12));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code_point >> 18));
    out += static_cast<char>(0x80 | ((code_point >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  }
}

// Decodes UTF-8 (surrogates allowed, as Python writes them with 'surrogatepass') into code points.
bool decode_utf8(const std::string& text, std::vector<std::uint32_t>& out) {
  const auto* p = reinterpret_cast<const std::uint8_t*>(text.data());
  const std::size_t n = text.size();
  for (std::size_t i = 0; i < n;) {
    const std::uint8_t lead = p[i];
    std::size_t length = lead < 0x80           ? 1
                         : (lead >> 5) == 0x6  ? 2
                         : (lead >> 4) == 0xE  ? 3
                         : (lead >> 3) == 0x1E ? 4
                                               : 0;
    if (length == 0 || i + length > n) return false;
    std::uint32_t cp = length == 1   ? lead
                       : length == 2 ? (lead & 0x1F)
                       : length == 3 ? (lead & 0x0F)
                                     : (lead & 0x07);
    for (std::size_t k = 1; k < length; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    out.push_back(cp);
    i += length;
  }
  return true;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string hex_of_magnitude(const std::vector<std::uint8_t>& little_endian, bool negative) {
  static const char* digits = "0123456789abcdef";
  std::string text = negative ? "-0x" : "0x";
  std::size_t top = little_endian.size();
  while (top > 0 && little_endian[top - 1] == 0) --top;
  if (top == 0) return text + "0";
  for (std::size_t i = top; i-- > 0;) {
    const std::uint8_t byte = little_endian[i];
    if (i + 1 != top || byte >= 16) text += digits[byte >> 4];
    text += digits[byte & 15];
  }
  return text;
}

// Whether `count` bytes of two's complement fit int64: every byte past the eighth is a copy of
// the sign, and so is the top bit of the eighth.
bool fits_int64(const std::uint8_t* p, std::size_t count, bool negative) {
  const std::uint8_t sign_byte = negative ? 0xFF : 0x00;
  bool fits = true;
  for (std::size_t i = 8; i < count; ++i) fits = fits && p[i] == sign_byte;
  if (count > 8) fits = fits && ((p[7] & 0x80) != 0) == negative;
  return fits;
}

// The int64 of at most 8 bytes of two's complement, sign-extended.
std::int64_t sign_extended(const std::uint8_t* p, std::size_t count, bool negative) {
  const std::uint8_t sign_byte = negative ? 0xFF : 0x00;
  std::uint64_t bits = negative ? ~std::uint64_t{0} : 0;
  for (std::size_t i = std::min<std::size_t>(count, 8); i-- > 0;) {
    bits = (bits << 8) | p[i];
  }
  if (count < 8) {  // sign-extend the missing high bytes
    for (std::size_t i = count; i < 8; ++i) {
      bits &= ~(std::uint64_t{0xFF} << (8 * i));
      bits |= std::uint64_t{sign_byte} << (8 * i);
    }
  }
  std::int64_t value;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}

// The magnitude (little endian) of the decimal digits line[begin, end); `what` and `line` name
// the input in messages.
std::vector<std::uint8_t> decimal_magnitude(const std::string& line, std::size_t begin, std::size_t end,
                                            const char* what) {
  std::vector<std::uint8_t> magnitude;
  for (std::size_t i = begin; i < end; ++i) {
    if (line[i] < '0' || line[i] > '9') fail(std::string(what) + ": bad integer " + quoted(line));
    unsigned carry = static_cast<unsigned>(line[i] - '0');
    for (std::uint8_t& byte : magnitude) {
      const unsigned product = byte * 10u + carry;
      byte = static_cast<std::uint8_t>(product);
      carry = product >> 8;
    }
    if (carry != 0) magnitude.push_back(static_cast<std::uint8_t>(carry));
  }
  while (!magnitude.empty() && magnitude.back() == 0) magnitude.pop_back();
  return magnitude;
}

// One escape of a bytes literal, body[i] being the character after the backslash: appends its
// byte(s) to `bytes` and leaves `i` on the escape's last character.
void append_escape(const std::string& body, std::size_t& i, std::string& bytes) {
  const char e = body[i];
  switch (e) {
    case '\\': bytes += '\\'; return;
    case '\'': bytes += '\''; return;
    case '"': bytes += '"'; return;
    case 'a': bytes += '\a'; return;
    case 'b': bytes += '\b'; return;
    case 'f': bytes += '\f'; return;
    case 'n': bytes += '\n'; return;
    case 'r': bytes += '\r'; return;
    case 't': bytes += '\t'; return;
    case 'v': bytes += '\v'; return;
    case 'x':
      if (i + 2 >= body.size() || hex_digit(body[i + 1]) < 0 || hex_digit(body[i + 2]) < 0) {
        fail("STRING: invalid \\x escape");
      }
      bytes += static_cast<char>(hex_digit(body[i + 1]) * 16 + hex_digit(body[i + 2]));
      i += 2;
      return;
    default:
      if (e >= '0' && e <= '7') {
        int value = e - '0';
        for (int k = 0; k < 2 && i + 1 < body.size() && body[i + 1] >= '0' && body[i + 1] <= '7'; ++k) {
          value = value * 8 + (body[++i] - '0');
        }
        bytes += static_cast<char>(value & 0xFF);
      } else {  // unknown escapes stay as written
        bytes += '\\';
        bytes += e;
      }
  }
}

// The code point of a \\u (4 digits) or \\U (8 digits) escape whose letter is line[i]; leaves `i`
// after the digits.
std::uint32_t unicode_escape(const std::string& line, std::size_t& i) {
  const std::size_t digits = line[i] == 'u' ? 4 : 8;
  ++i;
  if (line.size() - i < digits) fail("UNICODE: truncated \\u escape");
  std::uint32_t cp = 0;
  for (std::size_t k = 0; k < digits; ++k, ++i) {
    const int d = hex_digit(line[i]);
    if (d < 0) fail("UNICODE: bad \\u escape");
    cp = cp * 16 + static_cast<std::uint32_t>(d);
  }
  if (cp > 0x10FFFF) fail("UNICODE: code point out of range");
  return cp;
}

}  // namespace

PythonInt int_from_le(const std::uint8_t* p, std::size_t n) {
  if (n == 0) return {};
  const bool negative = (p[n - 1] & 0x80) != 0;
  if (fits_int64(p, n, negative)) return {sign_extended(p, n, negative), ""};
  std::vector<std::uint8_t> magnitude(p, p + n);
  if (negative) {  // two's complement negation
    unsigned carry = 1;
    for (std::uint8_t& byte : magnitude) {
      const unsigned sum = static_cast<std::uint8_t>(~byte) + carry;
      byte = static_cast<std::uint8_t>(sum);
      carry = sum >> 8;
    }
  }
  return {0, hex_of_magnitude(magnitude, negative)};
}

PythonInt int_from_decimal(const std::string& line, const char* what) {
  std::size_t begin = 0, end = line.size();
  while (begin < end && (line[begin] == ' ' || line[begin] == '\t')) ++begin;
  while (end > begin && (line[end - 1] == ' ' || line[end - 1] == '\t' || line[end - 1] == '\r')) --end;
  bool negative = false;
  if (begin < end && (line[begin] == '-' || line[begin] == '+')) negative = line[begin++] == '-';
  if (begin == end) fail(std::string(what) + ": bad integer " + quoted(line));
  if (end - begin > kMaxIntDigits)
    fail(std::string(what) + ": integer of " + std::to_string(end - begin) + " digits is too large");
  const std::vector<std::uint8_t> magnitude = decimal_magnitude(line, begin, end, what);
  if (magnitude.size() <= 8) {
    std::uint64_t m = 0;
    for (std::size_t i = magnitude.size(); i-- > 0;) m = (m << 8) | magnitude[i];
    const std::uint64_t limit = negative ? (std::uint64_t{1} << 63) : (std::uint64_t{1} << 63) - 1;
    if (m <= limit) {
      if (negative)
        return {m == (std::uint64_t{1} << 63) ? std::numeric_limits<std::int64_t>::min()
                                              : -static_cast<std::int64_t>(m),
                ""};
      return {static_cast<std::int64_t>(m), ""};
    }
  }
  return {0, hex_of_magnitude(magnitude, negative)};
}

double float_from_text(const std::string& line) {
  std::size_t begin = 0;
  while (begin < line.size() && line[begin] == ' ') ++begin;
  if (begin < line.size() && line[begin] == '+') ++begin;
  std::size_t end = line.size();
  while (end > begin && (line[end - 1] == ' ' || line[end - 1] == '\r')) --end;
  double value = 0.0;
  auto [stop, ec] = std::from_chars(line.data() + begin, line.data() + end, value);
  if (ec != std::errc() || stop != line.data() + end || begin == end) fail("FLOAT: bad number " + quoted(line));
  return value;
}

double float_from_be(const std::uint8_t* p) {
  std::uint64_t bits = 0;
  for (int i = 0; i < 8; ++i) bits = (bits << 8) | p[i];
  double value;
  std::memcpy(&value, &bits, sizeof bits);
  return value;
}

std::string string_literal(const std::string& line) {
  if (line.size() < 2 || (line[0] != '\'' && line[0] != '"') || line.back() != line[0]) {
    fail("STRING: the argument must be quoted");
  }
  const std::string body = line.substr(1, line.size() - 2);
  std::string bytes;
  for (std::size_t i = 0; i < body.size(); ++i) {
    if (body[i] != '\\') {
      bytes += body[i];
      continue;
    }
    if (++i == body.size()) fail("STRING: trailing backslash");
    append_escape(body, i, bytes);
  }
  return bytes;
}

// Escapes count only after an odd number of backslashes; in an even run every backslash is a
// literal one.
std::string raw_unicode_escape(const std::string& line) {
  std::string out;
  for (std::size_t i = 0; i < line.size();) {
    const auto c = static_cast<unsigned char>(line[i]);
    if (c != '\\') {
      append_utf8(out, c);
      ++i;
      continue;
    }
    std::size_t run = 0;
    while (i < line.size() && line[i] == '\\') {
      ++run;
      ++i;
    }
    const bool escape = run % 2 == 1 && i < line.size() && (line[i] == 'u' || line[i] == 'U');
    out.append(escape ? run - 1 : run, '\\');
    if (escape) append_utf8(out, unicode_escape(line, i));
  }
  return out;
}

std::string encode_str(const std::string& utf8, const std::string& raw_encoding, const char* what) {
  std::string encoding;
  for (char c : raw_encoding) encoding += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (char& c : encoding) c = c == '_' ? '-' : c;
  if (encoding == "utf-8" || encoding == "utf8") return utf8;
  const bool latin1 = encoding == "latin1" || encoding == "latin-1" || encoding == "iso-8859-1" ||
                      encoding == "iso8859-1" || encoding == "l1";
  if (!latin1 && encoding != "ascii") fail(std::string(what) + ": unsupported encoding " + quoted(raw_encoding));
  std::vector<std::uint32_t> code_points;
  if (!decode_utf8(utf8, code_points)) fail(std::string(what) + ": invalid utf-8 text");
  std::string bytes;
  bytes.reserve(code_points.size());
  const std::uint32_t limit = latin1 ? 256 : 128;
  for (std::uint32_t cp : code_points) {
    if (cp >= limit)
      fail(std::string(what) + ": character U+" + std::to_string(cp) + " cannot be encoded as " + raw_encoding);
    bytes += static_cast<char>(cp);
  }
  return bytes;
}

std::string quoted(const std::string& text) { return "'" + text + "'"; }

}  // namespace lift3d::io::pickling
