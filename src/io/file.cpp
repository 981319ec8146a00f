#include "io/file.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <limits>

#include "lift3d/error.hpp"

namespace lift3d::io {
namespace {

// strerror() text in the lowercase style of our messages ("no such file or directory").
std::string describe_errno(int error) {
  std::string text = std::strerror(error);
  if (!text.empty() && text[0] >= 'A' && text[0] <= 'Z') text[0] = static_cast<char>(text[0] - 'A' + 'a');
  return text;
}

std::FILE* as_file(void* file) { return static_cast<std::FILE*>(file); }

// The temporary files being written, so that a terminating signal can remove them. Fixed storage
// and atomics only: the signal handler may touch nothing else.
struct TemporarySlot {
  std::atomic<int> state{0};  // 0 free, 1 being filled, 2 holds a live temporary's path
  char path[4096];
};
TemporarySlot g_temporaries[64];

// Registers a temporary file for the lifetime of the guard (not at all when every slot is taken).
class TrackedTemporary {
 public:
  explicit TrackedTemporary(const std::string& path) {
    if (path.size() >= sizeof(TemporarySlot::path)) return;
    for (TemporarySlot& slot : g_temporaries) {
      int expected = 0;
      if (!slot.state.compare_exchange_strong(expected, 1)) continue;
      std::memcpy(slot.path, path.c_str(), path.size() + 1);
      slot.state.store(2);
      slot_ = &slot;
      return;
    }
  }
  ~TrackedTemporary() { release(); }
  void release() {
    if (slot_) slot_->state.store(0);
    slot_ = nullptr;
  }
  TrackedTemporary(const TrackedTemporary&) = delete;
  TrackedTemporary& operator=(const TrackedTemporary&) = delete;

 private:
  TemporarySlot* slot_ = nullptr;
};

extern "C" void remove_temporaries_and_die(int signal_number) {
  for (TemporarySlot& slot : g_temporaries)
    if (slot.state.load() == 2) ::unlink(slot.path);
  ::signal(signal_number, SIG_DFL);
  ::raise(signal_number);
}

// The process umask, read without changing it (umask() both sets and gets, which would race with
// other threads creating files). Falls back to the common 022.
mode_t current_umask() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("Umask:", 0) == 0) {
      try {
        return static_cast<mode_t>(std::stoul(line.substr(6), nullptr, 8));
      } catch (const std::exception&) {
        break;
      }
    }
  }
  return 022;
}

// mkstemp creates files readable by the owner only; give the result the mode a plain fopen would
// (or keep the mode of the file being replaced).
mode_t final_mode(const std::string& path) {
  struct stat existing {};
  if (::stat(path.c_str(), &existing) == 0 && S_ISREG(existing.st_mode)) return existing.st_mode & 07777;
  return 0666 & ~current_umask();
}

std::string directory_of(const std::string& path) {
  const std::size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace

namespace {

std::string file_kind(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a pipe (FIFO)";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISCHR(mode) || S_ISBLK(mode)) return "a device";
  return "not a regular file";
}

// Opening a FIFO for reading waits for a writer, possibly forever, and a device may never end:
// the file is opened without blocking, checked to be a regular file, and only then read.
std::FILE* open_regular_file(const std::string& path, std::uint64_t& size) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) throw InputError(path + ": cannot open: " + describe_errno(errno));
  struct stat info {};
  if (::fstat(fd, &info) != 0) {
    const int error = errno;
    ::close(fd);
    throw InputError(path + ": cannot stat: " + describe_errno(error));
  }
  if (!S_ISREG(info.st_mode)) {
    ::close(fd);
    throw InputError(path + ": is " + file_kind(info.st_mode) + ", not a regular file");
  }
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  std::FILE* file = ::fdopen(fd, "rb");
  if (!file) {
    const int error = errno;
    ::close(fd);
    throw InputError(path + ": cannot open: " + describe_errno(error));
  }
  size = static_cast<std::uint64_t>(info.st_size);
  return file;
}

}  // namespace

FileReader::FileReader(const std::string& path) : path_(path) { file_ = open_regular_file(path, size_); }

FileReader::~FileReader() {
  if (file_) std::fclose(as_file(file_));
}

FileReader::FileReader(FileReader&& other) noexcept
    : path_(std::move(other.path_)), file_(other.file_), size_(other.size_) {
  other.file_ = nullptr;
  other.size_ = 0;
}

FileReader& FileReader::operator=(FileReader&& other) noexcept {
  if (this != &other) {
    if (file_) std::fclose(as_file(file_));
    path_ = std::move(other.path_);
    file_ = other.file_;
    size_ = other.size_;
    other.file_ = nullptr;
    other.size_ = 0;
  }
  return *this;
}

void FileReader::read(std::uint64_t offset, void* out, std::size_t count) const {
  if (!file_) throw InternalError(path_ + ": read from a moved-from file reader");
  if (offset > size_ || count > size_ - offset) {
    throw InputError(path_ + ": unexpected end of file (wanted " + std::to_string(count) +
                     " bytes at offset " + std::to_string(offset) + ", the file has " +
                     std::to_string(size_) + " bytes)");
  }
  // pread leaves no shared file position behind, so concurrent reads through one reader are safe.
  const int fd = ::fileno(as_file(file_));
  auto* cursor = static_cast<std::uint8_t*>(out);
  std::size_t remaining = count;
  std::uint64_t position = offset;
  while (remaining > 0) {
    const std::size_t chunk = std::min<std::size_t>(remaining, 1u << 30);
    const ssize_t got = ::pread(fd, cursor, chunk, static_cast<off_t>(position));
    if (got < 0) {
      if (errno == EINTR) continue;
      throw InputError(path_ + ": read error at offset " + std::to_string(position) + ": " +
                       describe_errno(errno));
    }
    if (got == 0) {
      // The file shrank after it was opened.
      throw InputError(path_ + ": unexpected end of file at offset " + std::to_string(position));
    }
    cursor += got;
    position += static_cast<std::uint64_t>(got);
    remaining -= static_cast<std::size_t>(got);
  }
}

std::vector<std::uint8_t> FileReader::read(std::uint64_t offset, std::size_t count) const {
  // Range check before the allocation, so a lying header cannot make us allocate.
  if (offset > size_ || count > size_ - offset) read(offset, nullptr, count);
  std::vector<std::uint8_t> out(count);
  if (count) read(offset, out.data(), count);
  return out;
}

std::vector<std::uint8_t> read_file(const std::string& path) {
  FileReader reader(path);
  if (reader.size() > std::numeric_limits<std::size_t>::max()) throw InputError(path + ": file too large");
  return reader.read(0, static_cast<std::size_t>(reader.size()));
}

void write_file_atomic(const std::string& path, const void* data, std::size_t size) {
  write_file_atomic(path, {{data, size}});
}

std::string output_target(const std::string& path) {
  if (path.empty() || path.back() == '/') throw InputError(path + ": not a file name");
  struct stat link {};
  if (::lstat(path.c_str(), &link) != 0) return path;  // a new file
  std::string target = path;
  if (S_ISLNK(link.st_mode)) {
    char* resolved = ::realpath(path.c_str(), nullptr);
    if (!resolved) throw InputError(path + ": a symbolic link to a file that does not exist");
    target = resolved;
    std::free(resolved);
  }
  struct stat info {};
  if (::stat(target.c_str(), &info) == 0 && !S_ISREG(info.st_mode))
    throw InputError(path + ": is " + file_kind(info.st_mode) + "; lift3d writes regular files only");
  return target;
}

void write_file_atomic(const std::string& requested_path, const std::vector<std::pair<const void*, std::size_t>>& parts) {
  const std::string path = output_target(requested_path);
  const std::string directory = directory_of(path);
  const std::string base = path.substr(path.find_last_of('/') + 1);
  std::string temp_path = directory + "/." + base + ".tmp.XXXXXX";
  std::vector<char> temp_name(temp_path.begin(), temp_path.end());
  temp_name.push_back('\0');
  const int fd = ::mkstemp(temp_name.data());
  if (fd < 0) {
    const int error = errno;
    if (error == ENOENT || error == ENOTDIR) throw InputError(path + ": the folder " + directory + " does not exist");
    throw InputError(path + ": cannot write in " + directory + ": " + describe_errno(error));
  }
  temp_path = temp_name.data();
  TrackedTemporary tracked(temp_path);

  auto fail = [&](const std::string& what, int error) {
    ::unlink(temp_path.c_str());
    throw InputError(path + ": " + what + ": " + describe_errno(error));
  };

  std::FILE* file = ::fdopen(fd, "wb");
  if (!file) {
    const int error = errno;
    ::close(fd);
    fail("cannot write", error);
  }
  auto check = [&](bool ok, const std::string& what) {
    if (ok) return;
    const int error = errno ? errno : EIO;
    std::fclose(file);
    fail(what, error);
  };
  errno = 0;
  for (const auto& [data, size] : parts) check(size == 0 || std::fwrite(data, 1, size, file) == size, "cannot write");
  check(std::fflush(file) == 0, "cannot write");
  check(::fsync(fd) == 0, "cannot sync");
  check(::fchmod(fd, final_mode(path)) == 0, "cannot set permissions");
  if (std::fclose(file) != 0) fail("cannot write", errno);
  if (std::rename(temp_path.c_str(), path.c_str()) != 0)
    fail("cannot rename temporary file into place", errno);
  tracked.release();

  // Make the rename itself durable; best effort, since not every file system allows it.
  const int dir_fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
}

void handle_termination_signals() {
  struct sigaction action {};
  action.sa_handler = remove_temporaries_and_die;
  sigemptyset(&action.sa_mask);
  for (const int signal_number : {SIGINT, SIGTERM, SIGHUP}) ::sigaction(signal_number, &action, nullptr);
  ::signal(SIGXFSZ, SIG_IGN);
}

void write_file_atomic(const std::string& path, const std::string& data) {
  write_file_atomic(path, data.data(), data.size());
}

}  // namespace lift3d::io
