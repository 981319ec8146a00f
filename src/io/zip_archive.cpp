#include "io/zip_archive.hpp"

#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <set>

#include "lift3d/error.hpp"

namespace lift3d::io {
namespace {

constexpr std::uint32_t kLocalHeaderSignature = 0x04034b50;
constexpr std::uint32_t kCentralHeaderSignature = 0x02014b50;
constexpr std::uint32_t kEndRecordSignature = 0x06054b50;
constexpr std::uint32_t kZip64EndRecordSignature = 0x06064b50;
constexpr std::uint32_t kZip64LocatorSignature = 0x07064b50;
constexpr std::uint16_t kZip64ExtraId = 0x0001;

constexpr std::size_t kLocalHeaderSize = 30;
constexpr std::size_t kCentralHeaderSize = 46;
constexpr std::size_t kEndRecordSize = 22;
constexpr std::size_t kZip64EndRecordSize = 56;
constexpr std::size_t kZip64LocatorSize = 20;
constexpr std::size_t kMaxCommentSize = 0xffff;

constexpr std::uint16_t kFlagEncrypted = 0x0001;
constexpr std::uint16_t kFlagDataDescriptor = 0x0008;
constexpr std::uint16_t kFlagUtf8 = 0x0800;

constexpr std::uint16_t kMethodStored = 0;
constexpr std::uint16_t kMethodDeflate = 8;

// Deflate cannot expand data by more than about 1032:1 (a 258-byte match per two bits); a member
// that claims more is lying or a bomb. The slack covers tiny streams and block headers.
constexpr std::uint64_t kMaxDeflateRatio = 1032;
constexpr std::uint64_t kDeflateSlack = 1024;

std::uint16_t le16(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] | (p[1] << 8)); }
std::uint32_t le32(const std::uint8_t* p) {
  return static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
         (static_cast<std::uint32_t>(p[2]) << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}
std::uint64_t le64(const std::uint8_t* p) {
  return static_cast<std::uint64_t>(le32(p)) | (static_cast<std::uint64_t>(le32(p + 4)) << 32);
}

void put16(std::vector<std::uint8_t>& out, std::uint32_t value) {
  out.push_back(static_cast<std::uint8_t>(value));
  out.push_back(static_cast<std::uint8_t>(value >> 8));
}
void put32(std::vector<std::uint8_t>& out, std::uint32_t value) {
  put16(out, value & 0xffff);
  put16(out, value >> 16);
}

std::uint32_t crc32_of(const std::uint8_t* data, std::size_t size) {
  uLong crc = ::crc32(0L, Z_NULL, 0);
  while (size > 0) {
    const uInt chunk = static_cast<uInt>(std::min<std::size_t>(size, 1u << 30));
    crc = ::crc32(crc, data, chunk);
    data += chunk;
    size -= chunk;
  }
  return static_cast<std::uint32_t>(crc);
}

std::string hex32(std::uint32_t value) {
  char text[11];
  std::snprintf(text, sizeof text, "0x%08x", value);
  return text;
}

// Replaces the 32-bit (or 16-bit) fields that hold their all-ones sentinel with the values of a zip64
// extra field, which lists only the replaced fields, in this fixed order.
struct Zip64Fields {
  std::uint64_t uncompressed_size;
  std::uint64_t compressed_size;
  std::uint64_t local_header_offset;
};

// Returns false when a field needed a zip64 value that the extra data do not provide.
bool apply_zip64_extra(const std::uint8_t* extra, std::size_t extra_size, bool need_uncompressed,
                       bool need_compressed, bool need_offset, Zip64Fields& fields) {
  if (!need_uncompressed && !need_compressed && !need_offset) return true;
  std::size_t pos = 0;
  while (pos + 4 <= extra_size) {
    const std::uint16_t id = le16(extra + pos);
    const std::uint16_t size = le16(extra + pos + 2);
    pos += 4;
    if (size > extra_size - pos) return false;
    if (id == kZip64ExtraId) {
      const std::uint8_t* p = extra + pos;
      std::size_t left = size;
      auto take = [&](std::uint64_t& field) {
        if (left < 8) return false;
        field = le64(p);
        p += 8;
        left -= 8;
        return true;
      };
      if (need_uncompressed && !take(fields.uncompressed_size)) return false;
      if (need_compressed && !take(fields.compressed_size)) return false;
      if (need_offset && !take(fields.local_header_offset)) return false;
      return true;
    }
    pos += size;
  }
  return false;
}

// Inflates a raw deflate stream that must produce exactly `expected` bytes. The output grows as
// data really arrive instead of trusting the declared size up front, and once it is complete one
// more byte is asked for, so a member that inflates to more than it declares is caught.
// `where` ("<path>: member '<name>': ") starts every message.
class Inflater {
 public:
  Inflater(const std::vector<std::uint8_t>& compressed, std::size_t expected, const std::string& where)
      : next_in_(compressed.data()), in_left_(compressed.size()), expected_(expected), where_(where) {
    out_.resize(std::min<std::size_t>(expected, std::max<std::size_t>(compressed.size() * 4, 1 << 16)));
    // Last, so that the destructor's inflateEnd always has a stream to end.
    if (inflateInit2(&stream_, -MAX_WBITS) != Z_OK) throw InternalError("zlib inflateInit2 failed");
  }
  ~Inflater() { inflateEnd(&stream_); }
  Inflater(const Inflater&) = delete;
  Inflater& operator=(const Inflater&) = delete;

  std::vector<std::uint8_t> run() {
    while (!step()) {
    }
    if (produced_ != expected_) {
      throw InputError(where_ + "inflates to " + std::to_string(produced_) + " bytes, the directory declares " +
                       std::to_string(expected_));
    }
    if (in_left_ != 0) throw InputError(where_ + std::to_string(in_left_) + " stray bytes after the deflate stream");
    out_.resize(produced_);
    return std::move(out_);
  }

 private:
  // One call of inflate; true when the stream has ended.
  bool step() {
    if (produced_ == out_.size() && out_.size() < expected_) {
      out_.resize(std::min<std::size_t>(expected_, out_.size() * 2 + 1));
    }
    std::uint8_t overflow_probe;
    const bool probing = produced_ == expected_;  // any further output means the member lies about its size
    stream_.next_in = const_cast<Bytef*>(next_in_);
    stream_.avail_in = static_cast<uInt>(std::min<std::size_t>(in_left_, 1u << 30));
    stream_.next_out = probing ? &overflow_probe : out_.data() + produced_;
    stream_.avail_out = probing ? 1u : static_cast<uInt>(std::min<std::size_t>(out_.size() - produced_, 1u << 30));
    const uInt in_before = stream_.avail_in;
    const uInt out_before = stream_.avail_out;
    const int status = inflate(&stream_, Z_NO_FLUSH);
    const std::size_t consumed = in_before - stream_.avail_in;
    const std::size_t written = out_before - stream_.avail_out;
    next_in_ += consumed;
    in_left_ -= consumed;
    if (probing && written > 0) {
      throw InputError(where_ + "inflates to more than the declared " + std::to_string(expected_) + " bytes");
    }
    if (!probing) produced_ += written;
    return stream_ended(status, consumed, written);
  }

  bool stream_ended(int status, std::size_t consumed, std::size_t written) const {
    if (status == Z_STREAM_END) return true;
    if (status == Z_DATA_ERROR || status == Z_NEED_DICT) {
      throw InputError(where_ + "corrupt deflate stream (" + (stream_.msg ? stream_.msg : "invalid data") + ")");
    }
    if (status == Z_MEM_ERROR) throw InputError(where_ + "out of memory while inflating");
    if (consumed == 0 && written == 0) {
      // No progress: with all input used the stream ended early; otherwise zlib is stuck, which
      // must not turn into an endless loop.
      if (in_left_ == 0) throw InputError(where_ + "truncated deflate stream");
      throw InternalError(where_ + "inflate made no progress");
    }
    if (status != Z_OK && status != Z_BUF_ERROR) {
      throw InputError(where_ + "inflate failed with zlib status " + std::to_string(status));
    }
    return false;
  }

  z_stream stream_{};
  const std::uint8_t* next_in_;
  std::size_t in_left_;
  std::size_t expected_;
  const std::string& where_;
  std::vector<std::uint8_t> out_;
  std::size_t produced_ = 0;
};

// Where the central directory is, as the end record (or the zip64 end record) says.
struct DirectoryLocation {
  std::uint64_t disk = 0;
  std::uint64_t directory_disk = 0;
  std::uint64_t disk_entries = 0;
  std::uint64_t entry_count = 0;
  std::uint64_t size = 0;
  std::uint64_t offset = 0;
  std::uint64_t end_record_offset = 0;
  std::uint64_t limit = 0;  // the central directory must end before this
};

[[noreturn]] void fail(const FileReader& file, const std::string& what) { throw InputError(file.path() + ": " + what); }

// The end record sits at the very end, followed only by its comment (at most 64 KiB).
DirectoryLocation read_end_record(const FileReader& file) {
  const std::uint64_t file_size = file.size();
  if (file_size < kEndRecordSize) fail(file, "not a zip archive (too short for an end of central directory record)");
  const std::size_t tail_size =
      static_cast<std::size_t>(std::min<std::uint64_t>(file_size, kEndRecordSize + kMaxCommentSize));
  const std::uint64_t tail_offset = file_size - tail_size;
  const std::vector<std::uint8_t> tail = file.read(tail_offset, tail_size);
  std::size_t end_pos = std::string::npos;
  for (std::size_t pos = tail_size - kEndRecordSize + 1; pos-- > 0;) {
    if (le32(&tail[pos]) == kEndRecordSignature && pos + kEndRecordSize + le16(&tail[pos + 20]) == tail_size) {
      end_pos = pos;
      break;
    }
  }
  if (end_pos == std::string::npos) fail(file, "not a zip archive (no end of central directory record)");
  const std::uint8_t* end = &tail[end_pos];
  DirectoryLocation location;
  location.disk = le16(end + 4);
  location.directory_disk = le16(end + 6);
  location.disk_entries = le16(end + 8);
  location.entry_count = le16(end + 10);
  location.size = le32(end + 12);
  location.offset = le32(end + 16);
  location.end_record_offset = tail_offset + end_pos;
  location.limit = location.end_record_offset;
  return location;
}

// A zip64 locator, when present, sits right before the end record and points at the zip64 record
// whose 64-bit fields replace the classic ones.
void apply_zip64_end_record(const FileReader& file, DirectoryLocation& location) {
  const std::uint64_t end_offset = location.end_record_offset;
  if (end_offset < kZip64LocatorSize) return;
  std::uint8_t locator[kZip64LocatorSize];
  file.read(end_offset - kZip64LocatorSize, locator, sizeof locator);
  if (le32(locator) != kZip64LocatorSignature) return;
  const std::uint64_t record_offset = le64(locator + 8);
  if (le32(locator + 4) != 0 || le32(locator + 16) != 1) fail(file, "multi-disk zip archives are not supported");
  if (record_offset > end_offset - kZip64LocatorSize ||
      end_offset - kZip64LocatorSize - record_offset < kZip64EndRecordSize) {
    fail(file, "zip64 end of central directory record out of place");
  }
  std::uint8_t record[kZip64EndRecordSize];
  file.read(record_offset, record, sizeof record);
  if (le32(record) != kZip64EndRecordSignature) fail(file, "bad zip64 end of central directory signature");
  location.disk = le32(record + 16);
  location.directory_disk = le32(record + 20);
  location.disk_entries = le64(record + 24);
  location.entry_count = le64(record + 32);
  location.size = le64(record + 40);
  location.offset = le64(record + 48);
  location.limit = record_offset;
}

void check_directory_location(const FileReader& file, const DirectoryLocation& location) {
  if (location.disk != 0 || location.directory_disk != 0 || location.disk_entries != location.entry_count) {
    fail(file, "multi-disk zip archives are not supported");
  }
  if (location.offset > location.limit || location.size > location.limit - location.offset) {
    fail(file, "central directory (" + std::to_string(location.size) + " bytes at offset " +
                   std::to_string(location.offset) + ") lies outside the file");
  }
  if (location.entry_count > location.size / kCentralHeaderSize) {
    fail(file, "end record claims " + std::to_string(location.entry_count) +
                   " members but the central directory has only " + std::to_string(location.size) + " bytes");
  }
}

// The central directory header of member `index` at directory[pos]; moves `pos` past it.
ZipEntry parse_central_header(const FileReader& file, const std::vector<std::uint8_t>& directory, std::size_t& pos,
                              std::uint64_t index) {
  if (directory.size() - pos < kCentralHeaderSize || le32(&directory[pos]) != kCentralHeaderSignature) {
    fail(file, "central directory entry " + std::to_string(index) + " is corrupt");
  }
  const std::uint8_t* h = &directory[pos];
  const std::uint16_t flags = le16(h + 8);
  const std::size_t name_size = le16(h + 28);
  const std::size_t extra_size = le16(h + 30);
  const std::size_t comment_size = le16(h + 32);
  if (directory.size() - pos - kCentralHeaderSize < name_size + extra_size + comment_size) {
    fail(file, "central directory entry " + std::to_string(index) + " is truncated");
  }
  ZipEntry entry;
  entry.name.assign(reinterpret_cast<const char*>(h + kCentralHeaderSize), name_size);
  entry.method = le16(h + 10);
  entry.crc32 = le32(h + 16);
  Zip64Fields fields{le32(h + 24), le32(h + 20), le32(h + 42)};
  const std::uint8_t* extra = h + kCentralHeaderSize + name_size;
  if (!apply_zip64_extra(extra, extra_size, fields.uncompressed_size == 0xffffffffu,
                         fields.compressed_size == 0xffffffffu, fields.local_header_offset == 0xffffffffu, fields)) {
    fail(file, "member '" + entry.name + "': missing or malformed zip64 extra field");
  }
  if (le16(h + 34) != 0 && le16(h + 34) != 0xffff) fail(file, "member '" + entry.name + "': multi-disk archive");
  entry.uncompressed_size = fields.uncompressed_size;
  entry.compressed_size = fields.compressed_size;
  entry.local_header_offset = fields.local_header_offset;
  if (flags & kFlagEncrypted) fail(file, "member '" + entry.name + "' is encrypted");
  pos += kCentralHeaderSize + name_size + extra_size + comment_size;
  return entry;
}

std::vector<ZipEntry> read_central_directory(const FileReader& file, const DirectoryLocation& location) {
  const std::vector<std::uint8_t> directory = file.read(location.offset, static_cast<std::size_t>(location.size));
  std::vector<ZipEntry> entries;
  std::set<std::string> names;
  std::size_t pos = 0;
  entries.reserve(static_cast<std::size_t>(location.entry_count));
  for (std::uint64_t i = 0; i < location.entry_count; ++i) {
    ZipEntry entry = parse_central_header(file, directory, pos, i);
    if (!names.insert(entry.name).second) fail(file, "duplicate member '" + entry.name + "'");
    entries.push_back(std::move(entry));
  }
  if (pos != directory.size())
    fail(file, "central directory has " + std::to_string(directory.size() - pos) + " stray bytes");
  return entries;
}

}  // namespace

ZipArchive::ZipArchive(const std::string& path) : ZipArchive(FileReader(path)) {}

ZipArchive::ZipArchive(FileReader file) : reader_(std::make_unique<FileReader>(std::move(file))) {
  DirectoryLocation directory = read_end_record(*reader_);
  apply_zip64_end_record(*reader_, directory);
  check_directory_location(*reader_, directory);
  entries_ = read_central_directory(*reader_, directory);
  check_member_ranges(directory.offset);
}

// Every member's local header must agree with the directory, and the members' byte ranges must
// lie before the central directory without overlapping (overlap is how some zip bombs work).
void ZipArchive::check_member_ranges(std::uint64_t directory_offset) const {
  std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges;  // [header start, data end)
  for (const ZipEntry& entry : entries_) {
    const std::uint64_t data_start = data_offset(entry);
    if (entry.compressed_size > directory_offset || data_start > directory_offset - entry.compressed_size) {
      fail(*reader_, "member '" + entry.name + "': data run into the central directory");
    }
    ranges.emplace_back(entry.local_header_offset, data_start + entry.compressed_size);
  }
  std::sort(ranges.begin(), ranges.end());
  for (std::size_t i = 1; i < ranges.size(); ++i) {
    if (ranges[i].first < ranges[i - 1].second)
      fail(*reader_, "members overlap at offset " + std::to_string(ranges[i].first));
  }
}

const ZipEntry* ZipArchive::find(const std::string& name) const {
  for (const ZipEntry& entry : entries_) {
    if (entry.name == name) return &entry;
  }
  return nullptr;
}

std::uint64_t ZipArchive::data_offset(const ZipEntry& entry) const {
  const std::string where = path() + ": member '" + entry.name + "': ";
  const std::uint64_t file_size = reader_->size();
  if (entry.local_header_offset > file_size || file_size - entry.local_header_offset < kLocalHeaderSize) {
    throw InputError(where + "local header lies outside the file");
  }
  std::uint8_t header[kLocalHeaderSize];
  reader_->read(entry.local_header_offset, header, sizeof header);
  if (le32(header) != kLocalHeaderSignature) throw InputError(where + "bad local header signature");
  const std::uint16_t flags = le16(header + 6);
  const std::uint16_t method = le16(header + 8);
  const std::size_t name_size = le16(header + 26);
  const std::size_t extra_size = le16(header + 28);
  const std::uint64_t variable_start = entry.local_header_offset + kLocalHeaderSize;
  if (file_size - variable_start < name_size + extra_size)
    throw InputError(where + "local header is truncated");
  const std::vector<std::uint8_t> variable = reader_->read(variable_start, name_size + extra_size);
  if (std::string(variable.begin(), variable.begin() + name_size) != entry.name) {
    throw InputError(where + "local header names a different member");
  }
  if (method != entry.method) {
    throw InputError(where + "local header says compression method " + std::to_string(method) +
                     ", central directory says " + std::to_string(entry.method));
  }
  if (flags & kFlagEncrypted) throw InputError(where + "member is encrypted");
  // With a data descriptor the local CRC and sizes may be zero; the central directory is authoritative.
  if (!(flags & kFlagDataDescriptor)) {
    Zip64Fields fields{le32(header + 22), le32(header + 18), 0};
    const bool need_zip64 = fields.uncompressed_size == 0xffffffffu || fields.compressed_size == 0xffffffffu;
    // A local zip64 field always carries both sizes.
    if (!apply_zip64_extra(variable.data() + name_size, extra_size, need_zip64, need_zip64, false, fields)) {
      throw InputError(where + "local header has a missing or malformed zip64 extra field");
    }
    if (le32(header + 14) != entry.crc32 || fields.uncompressed_size != entry.uncompressed_size ||
        fields.compressed_size != entry.compressed_size) {
      throw InputError(where + "local header disagrees with the central directory about crc or sizes");
    }
  }
  const std::uint64_t data_start = variable_start + name_size + extra_size;
  if (entry.compressed_size > file_size - data_start) {
    throw InputError(where + "declares " + std::to_string(entry.compressed_size) +
                     " compressed bytes but only " + std::to_string(file_size - data_start) +
                     " remain in the file");
  }
  if (entry.method == kMethodStored && entry.compressed_size != entry.uncompressed_size) {
    throw InputError(where + "stored member has compressed size " + std::to_string(entry.compressed_size) +
                     " but uncompressed size " + std::to_string(entry.uncompressed_size));
  }
  if (entry.method == kMethodDeflate &&
      entry.uncompressed_size > entry.compressed_size * kMaxDeflateRatio + kDeflateSlack) {
    throw InputError(where + "declared size of " + std::to_string(entry.uncompressed_size) +
                     " bytes is implausible for " + std::to_string(entry.compressed_size) +
                     " compressed bytes");
  }
  return data_start;
}

std::vector<std::uint8_t> ZipArchive::read(const ZipEntry& entry, std::uint64_t max_size) const {
  const std::string where = path() + ": member '" + entry.name + "': ";
  if (entry.uncompressed_size > max_size) {
    throw InputError(where + std::to_string(entry.uncompressed_size) + " bytes exceed the limit of " +
                     std::to_string(max_size) + " bytes");
  }
  if (entry.uncompressed_size > std::numeric_limits<std::size_t>::max() / 2) throw InputError(where + "too large");
  if (entry.method != kMethodStored && entry.method != kMethodDeflate) {
    throw InputError(where + "unsupported compression method " + std::to_string(entry.method));
  }
  const std::uint64_t start = data_offset(entry);  // also bounds compressed_size by the file size
  const std::size_t expected = static_cast<std::size_t>(entry.uncompressed_size);
  std::vector<std::uint8_t> out;
  if (entry.method == kMethodStored) {
    out = reader_->read(start, expected);
  } else {
    const std::vector<std::uint8_t> compressed = reader_->read(start, static_cast<std::size_t>(entry.compressed_size));
    out = Inflater(compressed, expected, where).run();
  }
  const std::uint32_t crc = crc32_of(out.data(), out.size());
  if (crc != entry.crc32) {
    throw InputError(where + "crc mismatch (stored " + hex32(entry.crc32) + ", computed " + hex32(crc) + ")");
  }
  return out;
}

void ZipArchive::read_stored_range(const ZipEntry& entry, std::uint64_t offset, void* out,
                                   std::size_t count) const {
  const std::string where = path() + ": member '" + entry.name + "': ";
  if (entry.method != kMethodStored)
    throw InputError(where + "ranged reads need a stored (uncompressed) member");
  if (offset > entry.uncompressed_size || count > entry.uncompressed_size - offset) {
    throw InputError(where + "range of " + std::to_string(count) + " bytes at offset " +
                     std::to_string(offset) + " exceeds the member's " +
                     std::to_string(entry.uncompressed_size) + " bytes");
  }
  reader_->read(data_offset(entry) + offset, out, count);
}

void ZipWriter::add(const std::string& name, const std::vector<std::uint8_t>& data, bool compress) {
  if (name.empty() || name.size() > 0xffff)
    throw InternalError("zip member name '" + name + "' has a bad length");
  for (const Member& member : members_) {
    if (member.entry.name == name) throw InternalError("zip member '" + name + "' added twice");
  }
  // Without zip64 every size and offset must fit 32 bits; lift3d never writes anything that big.
  if (data.size() >= 0xffffffffu) {
    throw InputError("zip member '" + name + "': " + std::to_string(data.size()) +
                     " bytes is more than a zip without zip64 can hold");
  }
  Member member;
  member.entry.name = name;
  member.entry.uncompressed_size = data.size();
  member.entry.crc32 = crc32_of(data.data(), data.size());
  if (compress) {
    z_stream stream{};
    // Raw deflate (no zlib header) at zlib's default level, like numpy's savez_compressed.
    if (deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
      throw InternalError("zlib deflateInit2 failed");
    }
    member.payload.resize(deflateBound(&stream, static_cast<uLong>(data.size())));
    stream.next_in = const_cast<Bytef*>(data.data());
    stream.avail_in = static_cast<uInt>(data.size());
    stream.next_out = member.payload.data();
    stream.avail_out = static_cast<uInt>(member.payload.size());
    const int status = deflate(&stream, Z_FINISH);
    deflateEnd(&stream);
    if (status != Z_STREAM_END) throw InternalError("zlib deflate did not finish for member '" + name + "'");
    member.payload.resize(stream.total_out);
    member.entry.method = kMethodDeflate;
  } else {
    member.payload = data;
    member.entry.method = kMethodStored;
  }
  member.entry.compressed_size = member.payload.size();
  members_.push_back(std::move(member));
}

namespace {

// Fixed timestamp (1980-01-01 00:00, the DOS epoch) so identical content gives identical files.
constexpr std::uint32_t kDosTime = 0;
constexpr std::uint32_t kDosDate = (0 << 9) | (1 << 5) | 1;
constexpr std::uint32_t kVersion = 20;

std::uint32_t flags_for(const std::string& name) {
  const bool ascii = std::all_of(name.begin(), name.end(), [](char c) { return (c & 0x80) == 0; });
  return ascii ? 0 : kFlagUtf8;
}

// The fields local and central headers share, from "version needed" to the name's length.
void put_common_fields(std::vector<std::uint8_t>& out, const ZipEntry& entry) {
  put16(out, kVersion);
  put16(out, flags_for(entry.name));
  put16(out, entry.method);
  put16(out, kDosTime);
  put16(out, kDosDate);
  put32(out, entry.crc32);
  put32(out, static_cast<std::uint32_t>(entry.compressed_size));
  put32(out, static_cast<std::uint32_t>(entry.uncompressed_size));
  put16(out, static_cast<std::uint32_t>(entry.name.size()));
}

void put_local_header(std::vector<std::uint8_t>& out, const ZipEntry& entry) {
  put32(out, kLocalHeaderSignature);
  put_common_fields(out, entry);
  put16(out, 0);  // extra
  out.insert(out.end(), entry.name.begin(), entry.name.end());
}

void put_central_header(std::vector<std::uint8_t>& directory, const ZipEntry& entry, std::uint64_t offset) {
  put32(directory, kCentralHeaderSignature);
  put16(directory, (3 << 8) | kVersion);  // made by: unix, so the external attributes carry a mode
  put_common_fields(directory, entry);
  put16(directory, 0);               // extra
  put16(directory, 0);               // comment
  put16(directory, 0);               // disk
  put16(directory, 0);               // internal attributes
  put32(directory, 0100644u << 16);  // regular file, rw-r--r--
  put32(directory, static_cast<std::uint32_t>(offset));
  directory.insert(directory.end(), entry.name.begin(), entry.name.end());
}

void put_end_record(std::vector<std::uint8_t>& out, std::size_t members, std::size_t directory_size,
                    std::uint64_t directory_offset) {
  put32(out, kEndRecordSignature);
  put16(out, 0);
  put16(out, 0);
  put16(out, static_cast<std::uint32_t>(members));
  put16(out, static_cast<std::uint32_t>(members));
  put32(out, static_cast<std::uint32_t>(directory_size));
  put32(out, static_cast<std::uint32_t>(directory_offset));
  put16(out, 0);
}

}  // namespace

std::vector<std::uint8_t> ZipWriter::bytes() const {
  std::vector<std::uint8_t> out;
  std::vector<std::uint8_t> directory;
  for (const Member& member : members_) {
    const std::uint64_t offset = out.size();
    if (offset >= 0xffffffffu) throw InputError("zip archive exceeds 4 GiB, which needs zip64");
    put_local_header(out, member.entry);
    out.insert(out.end(), member.payload.begin(), member.payload.end());
    put_central_header(directory, member.entry, offset);
  }
  const std::uint64_t directory_offset = out.size();
  if (directory_offset + directory.size() >= 0xffffffffu || members_.size() >= 0xffff) {
    throw InputError("zip archive exceeds the limits of a zip without zip64");
  }
  out.insert(out.end(), directory.begin(), directory.end());
  put_end_record(out, members_.size(), directory.size(), directory_offset);
  return out;
}

void ZipWriter::write(const std::string& path) const {
  std::vector<std::uint8_t> data;
  try {
    data = bytes();
  } catch (const InputError& e) {
    rethrow_with_context(e, path);
  }
  write_file_atomic(path, data.data(), data.size());
}

}  // namespace lift3d::io
