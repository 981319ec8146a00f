// Header parsers for PNG, JPEG and MP4/MOV sizes. Every read goes through FileReader, which checks
// the range against the file's size; box and segment lengths are checked against their parent
// before they are followed.
#include "io/media_size.hpp"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <optional>
#include <vector>

#include "io/file.hpp"
#include "lift3d/error.hpp"

namespace lift3d::io {
namespace {

constexpr std::uint32_t kMaxDimension = 1u << 20;  // no real image or video is a million pixels wide

[[noreturn]] void fail(const std::string& path, const std::string& problem) { throw InputError(path + ": " + problem); }

std::uint32_t big_endian_32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}
std::uint16_t big_endian_16(const std::uint8_t* p) { return static_cast<std::uint16_t>((p[0] << 8) | p[1]); }
std::uint64_t big_endian_64(const std::uint8_t* p) {
  return (std::uint64_t{big_endian_32(p)} << 32) | big_endian_32(p + 4);
}

void check_dimensions(std::uint32_t width, std::uint32_t height, const std::string& path, const std::string& what) {
  if (width == 0 || height == 0 || width > kMaxDimension || height > kMaxDimension)
    fail(path, what + " gives an implausible size " + std::to_string(width) + "x" + std::to_string(height));
}

// --- PNG ------------------------------------------------------------------------------------------

MediaSize png_size(const FileReader& file) {
  // signature (8), then the IHDR chunk: length 13, "IHDR", width, height (big endian).
  const std::vector<std::uint8_t> head = file.read(0, 24);
  if (big_endian_32(&head[8]) != 13 || std::memcmp(&head[12], "IHDR", 4) != 0)
    fail(file.path(), "png: the first chunk is not a 13-byte IHDR");
  const std::uint32_t width = big_endian_32(&head[16]), height = big_endian_32(&head[20]);
  check_dimensions(width, height, file.path(), "png IHDR");
  return {static_cast<int>(width), static_cast<int>(height), "png", 0};
}

// --- JPEG -----------------------------------------------------------------------------------------

// EXIF orientation (TIFF tag 0x0112) in an APP1 payload, or nullopt. `payload` is bounded already.
std::optional<int> exif_orientation(const std::vector<std::uint8_t>& payload) {
  if (payload.size() < 14 || std::memcmp(payload.data(), "Exif\0\0", 6) != 0) return std::nullopt;
  const std::uint8_t* tiff = payload.data() + 6;
  const std::size_t size = payload.size() - 6;
  const bool little = tiff[0] == 'I' && tiff[1] == 'I';
  if (!little && !(tiff[0] == 'M' && tiff[1] == 'M')) return std::nullopt;
  const auto u16 = [&](std::size_t at) -> std::optional<std::uint32_t> {
    if (at + 2 > size) return std::nullopt;
    return little ? std::uint32_t(tiff[at] | (tiff[at + 1] << 8)) : std::uint32_t(big_endian_16(tiff + at));
  };
  const auto u32 = [&](std::size_t at) -> std::optional<std::uint32_t> {
    if (at + 4 > size) return std::nullopt;
    return little ? std::uint32_t(tiff[at]) | (std::uint32_t(tiff[at + 1]) << 8) | (std::uint32_t(tiff[at + 2]) << 16) |
                        (std::uint32_t(tiff[at + 3]) << 24)
                  : big_endian_32(tiff + at);
  };
  const std::optional<std::uint32_t> ifd = u32(4);
  if (!ifd) return std::nullopt;
  const std::optional<std::uint32_t> entries = u16(*ifd);
  if (!entries) return std::nullopt;
  for (std::uint32_t i = 0; i < *entries; ++i) {
    const std::size_t entry = std::size_t{*ifd} + 2 + std::size_t{i} * 12;
    const std::optional<std::uint32_t> tag = u16(entry);
    if (!tag) return std::nullopt;  // the directory runs past the segment: ignore it
    if (*tag != 0x0112) continue;
    const std::optional<std::uint32_t> value = u16(entry + 8);
    if (!value || *value < 1 || *value > 8) return std::nullopt;
    return static_cast<int>(*value);
  }
  return std::nullopt;
}

// Degrees the stored image is turned for display, from an EXIF orientation (5-8 are transposed).
int orientation_rotation(int orientation) {
  switch (orientation) {
    case 3: case 4: return 180;
    case 5: case 6: return 90;
    case 7: case 8: return 270;
    default: return 0;
  }
}

bool is_start_of_frame(std::uint8_t marker) {
  return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
}

MediaSize jpeg_size(const FileReader& file) {
  std::uint64_t offset = 2;  // after SOI
  int rotation = 0;
  const std::uint64_t size = file.size();
  while (offset + 4 <= size) {
    std::uint8_t marker_bytes[2];
    file.read(offset, marker_bytes, 2);
    if (marker_bytes[0] != 0xFF) fail(file.path(), "jpeg: no segment marker at offset " + std::to_string(offset));
    const std::uint8_t marker = marker_bytes[1];
    if (marker == 0xFF) {  // fill byte
      ++offset;
      continue;
    }
    if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {  // markers without a length
      offset += 2;
      continue;
    }
    if (marker == 0xD9 || marker == 0xDA) break;  // end of image / start of scan: no frame header before it
    std::uint8_t length_bytes[2];
    file.read(offset + 2, length_bytes, 2);
    const std::uint16_t length = big_endian_16(length_bytes);  // includes its own two bytes
    if (length < 2 || offset + 2 + length > size)
      fail(file.path(), "jpeg: segment at offset " + std::to_string(offset) + " claims " + std::to_string(length) +
                            " bytes, past the end of the file");
    if (is_start_of_frame(marker)) {
      if (length < 7) fail(file.path(), "jpeg: start-of-frame segment too short");
      const std::vector<std::uint8_t> frame = file.read(offset + 4, 5);  // precision, height, width
      const std::uint32_t height = big_endian_16(&frame[1]), width = big_endian_16(&frame[3]);
      check_dimensions(width, height, file.path(), "jpeg start of frame");
      const bool turned = rotation == 90 || rotation == 270;
      return {static_cast<int>(turned ? height : width), static_cast<int>(turned ? width : height), "jpeg", rotation};
    }
    if (marker == 0xE1) {
      if (const std::optional<int> orientation = exif_orientation(file.read(offset + 4, length - 2u)))
        rotation = orientation_rotation(*orientation);
    }
    offset += 2 + length;
  }
  fail(file.path(), "jpeg: no start-of-frame segment before the image data");
}

// --- MP4 / MOV ------------------------------------------------------------------------------------

struct Box {
  std::uint64_t begin = 0;    // first byte of the header
  std::uint64_t payload = 0;  // first byte after the header
  std::uint64_t end = 0;
  char type[5] = {};
};

constexpr int kMaxBoxes = 100000;

// The boxes directly inside [begin, end). Each box must fit its parent.
std::vector<Box> child_boxes(const FileReader& file, std::uint64_t begin, std::uint64_t end, int& budget) {
  std::vector<Box> boxes;
  std::uint64_t offset = begin;
  while (offset + 8 <= end) {
    if (--budget < 0) fail(file.path(), "mp4: too many boxes");
    std::uint8_t header[16];
    file.read(offset, header, 8);
    Box box;
    box.begin = offset;
    std::memcpy(box.type, header + 4, 4);
    std::uint64_t size = big_endian_32(header);
    box.payload = offset + 8;
    if (size == 1) {  // 64-bit size after the type
      if (offset + 16 > end) fail(file.path(), "mp4: box '" + std::string(box.type) + "' truncated");
      file.read(offset + 8, header + 8, 8);
      size = big_endian_64(header + 8);
      box.payload = offset + 16;
    } else if (size == 0) {  // extends to the end of its parent
      size = end - offset;
    }
    if (size < box.payload - offset || size > end - offset)
      fail(file.path(), "mp4: box '" + std::string(box.type) + "' at offset " + std::to_string(offset) + " claims " +
                            std::to_string(size) + " bytes, beyond its parent");
    box.end = offset + size;
    boxes.push_back(box);
    offset = box.end;
  }
  return boxes;
}

const Box* find_box(const std::vector<Box>& boxes, const char* type) {
  for (const Box& box : boxes)
    if (std::memcmp(box.type, type, 4) == 0) return &box;
  return nullptr;
}

// The handler type of a trak ("vide", "soun", ...) from mdia/hdlr, or "" when absent.
std::string handler_type(const FileReader& file, const Box& trak, int& budget) {
  const std::vector<Box> trak_children = child_boxes(file, trak.payload, trak.end, budget);
  const Box* mdia = find_box(trak_children, "mdia");
  if (!mdia) return "";
  const std::vector<Box> mdia_children = child_boxes(file, mdia->payload, mdia->end, budget);
  const Box* hdlr = find_box(mdia_children, "hdlr");
  if (!hdlr || hdlr->end - hdlr->payload < 12) return "";
  const std::vector<std::uint8_t> bytes = file.read(hdlr->payload + 8, 4);  // version/flags, pre_defined
  return std::string(bytes.begin(), bytes.end());
}

// 16.16 fixed-point matrix entry as a number.
double fixed_16_16(const std::uint8_t* p) { return static_cast<std::int32_t>(big_endian_32(p)) / 65536.0; }

std::optional<MediaSize> tkhd_size(const FileReader& file, const Box& tkhd) {
  const std::uint64_t length = tkhd.end - tkhd.payload;
  if (length < 4) fail(file.path(), "mp4: tkhd box too short");
  std::uint8_t version = 0;
  file.read(tkhd.payload, &version, 1);
  if (version > 1) fail(file.path(), "mp4: tkhd version " + std::to_string(version) + " is unknown");
  // version/flags 4; times, track id, reserved, duration: 20 (v0) or 32 (v1); reserved 8, layer,
  // alternate group, volume, reserved 8; matrix 36; width, height 8.
  const std::uint64_t matrix_at = 4 + (version == 1 ? 32 : 20) + 16;
  if (length < matrix_at + 44) fail(file.path(), "mp4: tkhd box too short for its version");
  const std::vector<std::uint8_t> tail = file.read(tkhd.payload + matrix_at, 44);
  const double width = big_endian_32(&tail[36]) / 65536.0, height = big_endian_32(&tail[40]) / 65536.0;
  if (width == 0 || height == 0) return std::nullopt;  // not a visual track
  const std::uint32_t w = static_cast<std::uint32_t>(std::lround(width)), h = static_cast<std::uint32_t>(std::lround(height));
  check_dimensions(w, h, file.path(), "mp4 tkhd");
  // The matrix's first row (a, b) is (cos, sin) of the display rotation.
  const double a = fixed_16_16(&tail[0]), b = fixed_16_16(&tail[4]);
  int rotation = static_cast<int>(std::lround(std::atan2(b, a) * 180.0 / M_PI));
  rotation = ((rotation % 360) + 360) % 360;
  if (rotation % 90 != 0) fail(file.path(), "mp4: tkhd rotation of " + std::to_string(rotation) + " degrees");
  const bool turned = rotation == 90 || rotation == 270;
  return MediaSize{static_cast<int>(turned ? h : w), static_cast<int>(turned ? w : h), "mp4", rotation};
}

MediaSize mp4_size(const FileReader& file) {
  int budget = kMaxBoxes;
  const std::vector<Box> top = child_boxes(file, 0, file.size(), budget);
  const Box* moov = find_box(top, "moov");
  if (!moov) fail(file.path(), "mp4: no moov box");
  std::optional<MediaSize> first_visual;
  for (const Box& trak : child_boxes(file, moov->payload, moov->end, budget)) {
    if (std::memcmp(trak.type, "trak", 4) != 0) continue;
    const std::vector<Box> trak_children = child_boxes(file, trak.payload, trak.end, budget);
    const Box* tkhd = find_box(trak_children, "tkhd");
    if (!tkhd) continue;
    const std::optional<MediaSize> size = tkhd_size(file, *tkhd);
    if (!size) continue;
    const std::string handler = handler_type(file, trak, budget);
    if (handler == "vide") return *size;
    if (!first_visual && handler.empty()) first_visual = size;
  }
  if (first_visual) return *first_visual;
  fail(file.path(), "mp4: no video track with a size");
}

bool is_mp4(const std::vector<std::uint8_t>& head) {
  if (head.size() < 8) return false;
  for (const char* type : {"ftyp", "moov", "mdat", "free", "wide", "skip"})
    if (std::memcmp(&head[4], type, 4) == 0) return true;
  return false;
}

}  // namespace

MediaSize read_media_size(const std::string& path) {
  const FileReader file(path);
  const std::size_t probe = file.size() < 12 ? static_cast<std::size_t>(file.size()) : 12;
  const std::vector<std::uint8_t> head = file.read(0, probe);
  static const std::uint8_t kPng[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  if (head.size() >= 8 && std::memcmp(head.data(), kPng, 8) == 0) return png_size(file);
  if (head.size() >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF) return jpeg_size(file);
  if (is_mp4(head)) return mp4_size(file);
  fail(path, "not a png, jpeg or mp4/mov file (cannot read an image size from it)");
}

}  // namespace lift3d::io
