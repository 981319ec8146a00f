#include "io/directory_watch.hpp"

#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "lift3d/error.hpp"

namespace lift3d::io {

DirectoryWatch::DirectoryWatch(const std::string& directory) : directory_(directory) {
  std::error_code error;
  if (!std::filesystem::is_directory(directory, error)) throw InputError(directory + ": not an existing directory");
  fd_ = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd_ < 0) throw InputError(directory + ": cannot watch the directory: " + std::strerror(errno));
  if (inotify_add_watch(fd_, directory.c_str(), IN_CLOSE_WRITE | IN_MOVED_TO) < 0) {
    const std::string reason = std::strerror(errno);
    close(fd_);
    throw InputError(directory + ": cannot watch the directory: " + reason);
  }
}

DirectoryWatch::~DirectoryWatch() {
  if (fd_ >= 0) close(fd_);
}

std::vector<std::string> DirectoryWatch::wait(int timeout_ms) {
  std::vector<std::string> paths;
  pollfd ready{fd_, POLLIN, 0};
  if (poll(&ready, 1, timeout_ms) <= 0) return paths;
  alignas(inotify_event) char buffer[64 * 1024];
  for (;;) {
    const ssize_t got = read(fd_, buffer, sizeof buffer);
    if (got <= 0) break;  // EAGAIN: everything pending was read
    for (ssize_t offset = 0; offset < got;) {
      const auto* event = reinterpret_cast<const inotify_event*>(buffer + offset);
      if (event->len > 0 && !(event->mask & IN_ISDIR))
        paths.push_back((std::filesystem::path(directory_) / event->name).string());
      offset += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
    }
  }
  return paths;
}

}  // namespace lift3d::io
