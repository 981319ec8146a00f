// Files appearing in a directory while another program writes them (Linux inotify): a file is
// reported once it is complete, that is closed after writing or moved into the directory (a writer
// that writes a temporary file and renames it).
#pragma once

#include <string>
#include <vector>

namespace lift3d::io {

class DirectoryWatch {
 public:
  // Throws InputError naming `directory` when it cannot be watched (missing, not a directory).
  explicit DirectoryWatch(const std::string& directory);
  ~DirectoryWatch();
  DirectoryWatch(const DirectoryWatch&) = delete;
  DirectoryWatch& operator=(const DirectoryWatch&) = delete;

  // Paths of the files completed since the last call, in the order the system reported them;
  // waits up to `timeout_ms` for the first (negative: without limit). Empty after a timeout or a
  // signal.
  std::vector<std::string> wait(int timeout_ms);

 private:
  std::string directory_;
  int fd_ = -1;
};

}  // namespace lift3d::io
