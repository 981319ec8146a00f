#include "base/memory_pages.hpp"

#include <cstdint>

#if defined(__linux__)
#include <sys/mman.h>
#include <unistd.h>
#endif

namespace lift3d {

void return_pages(void* begin, std::size_t bytes) {
#if defined(__linux__)
  static const std::uintptr_t page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
  const std::uintptr_t start = reinterpret_cast<std::uintptr_t>(begin);
  const std::uintptr_t first = (start + page - 1) / page * page;  // whole pages inside the range only
  const std::uintptr_t last = (start + bytes) / page * page;
  // Small ranges are not worth a system call.
  if (last > first && last - first >= 16 * page) ::madvise(reinterpret_cast<void*>(first), last - first, MADV_DONTNEED);
#else
  (void)begin;
  (void)bytes;
#endif
}

}  // namespace lift3d
