// Whole-file and ranged reads, and atomic writes (temporary file in the target directory, then
// rename), so an interrupted run never leaves a half-written file under the final name.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace lift3d::io {

// Random-access reader over a file; every read is bounds-checked against the real file size,
// so a header that claims more data than the file holds fails before anything is allocated.
class FileReader {
 public:
  explicit FileReader(const std::string& path);  // throws InputError naming the path
  ~FileReader();
  FileReader(const FileReader&) = delete;
  FileReader& operator=(const FileReader&) = delete;
  FileReader(FileReader&&) noexcept;
  FileReader& operator=(FileReader&&) noexcept;

  const std::string& path() const { return path_; }
  std::uint64_t size() const { return size_; }
  // Reads exactly `count` bytes at `offset`; throws InputError("<path>: ...") when the range
  // is outside the file.
  void read(std::uint64_t offset, void* out, std::size_t count) const;
  std::vector<std::uint8_t> read(std::uint64_t offset, std::size_t count) const;

 private:
  std::string path_;
  void* file_ = nullptr;  // FILE*
  std::uint64_t size_ = 0;
};

std::vector<std::uint8_t> read_file(const std::string& path);

// Where writing `path` goes: `path` itself, or for a symbolic link the file it points to (written
// atomically beside that file, so the link stays a link). Throws InputError for a dangling link and
// for anything but a regular file in that place (a pipe, a device, a directory): lift3d never writes
// into them.
std::string output_target(const std::string& path);

// Writes `data` to `path` atomically: a temporary sibling file (of the link's target, for a symbolic
// link: output_target) is written, flushed and renamed over it. Throws InputError naming the path on
// failure; the temporary file is removed.
void write_file_atomic(const std::string& path, const void* data, std::size_t size);
void write_file_atomic(const std::string& path, const std::string& data);
// The concatenation of several byte ranges (e.g. a header and data that live elsewhere), so large
// payloads are never copied into one buffer first.
void write_file_atomic(const std::string& path, const std::vector<std::pair<const void*, std::size_t>>& parts);

// For programs: SIGINT, SIGTERM and SIGHUP remove the temporary files being written before the
// process ends (a SIGKILL cannot, but it never leaves a partial file under a final name either), and
// the file-size limit (SIGXFSZ) becomes a write error instead of killing the process.
void handle_termination_signals();

}  // namespace lift3d::io
