// A minimal, strict zip reader and writer: just what .npz files and torch >= 1.6 checkpoints
// need (stored and deflate members, zip64). Sizes come from the central directory and are
// cross-checked against the local headers, the real file size and the CRC; nothing is allocated
// beyond what the file can actually hold (zip bombs and lying sizes are errors).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "io/file.hpp"

namespace lift3d::io {

struct ZipEntry {
  std::string name;
  std::uint16_t method = 0;  // 0 stored, 8 deflate
  std::uint64_t compressed_size = 0;
  std::uint64_t uncompressed_size = 0;
  std::uint32_t crc32 = 0;
  std::uint64_t local_header_offset = 0;
};

class ZipArchive {
 public:
  // Reads and validates the central directory. Throws InputError naming the path.
  explicit ZipArchive(const std::string& path);
  // The same for a file already open (one that was probed for its format, for instance).
  explicit ZipArchive(FileReader file);

  const std::string& path() const { return reader_->path(); }
  const std::vector<ZipEntry>& entries() const { return entries_; }
  // nullptr when absent.
  const ZipEntry* find(const std::string& name) const;

  // The member's uncompressed bytes, CRC-checked. Throws InputError("<path>: member '<name>': ...")
  // when the member is corrupt, truncated or larger than `max_size`.
  std::vector<std::uint8_t> read(const ZipEntry& entry, std::uint64_t max_size = UINT64_MAX) const;
  // For a stored (uncompressed) member: reads `count` bytes at `offset` inside the member, without
  // reading the rest (used to fetch single tensors from large checkpoints).
  void read_stored_range(const ZipEntry& entry, std::uint64_t offset, void* out, std::size_t count) const;

 private:
  std::uint64_t data_offset(const ZipEntry& entry) const;
  void check_member_ranges(std::uint64_t directory_offset) const;
  std::unique_ptr<FileReader> reader_;
  std::vector<ZipEntry> entries_;
};

// Builds a zip in memory and writes it atomically. Members are stored or deflated.
class ZipWriter {
 public:
  void add(const std::string& name, const std::vector<std::uint8_t>& data, bool compress);
  void write(const std::string& path) const;  // atomic
  std::vector<std::uint8_t> bytes() const;

 private:
  struct Member {
    ZipEntry entry;
    std::vector<std::uint8_t> payload;
  };
  std::vector<Member> members_;
};

}  // namespace lift3d::io
