#include "base/memory_pages.hpp"

#include <cstdint>

#if defined(__linux__)
#include <sys/mman.h>
#include <unistd.h>
#endif

namespace lift3d {

#if defined(__linux__)
namespace {

// madvise on the whole pages inside [begin, begin + bytes), when there are enough of them to be
// worth a system call.
void advise_inner_pages(void* begin, std::size_t bytes, int advice) {
  static const std::uintptr_t page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
  const std::uintptr_t start = reinterpret_cast<std::uintptr_t>(begin);
  const std::uintptr_t first = (start + page - 1) / page * page;
  const std::uintptr_t last = (start + bytes) / page * page;
  if (last > first && last - first >= 16 * page) ::madvise(reinterpret_cast<void*>(first), last - first, advice);
}

}  // namespace
#endif

void return_pages(void* begin, std::size_t bytes) {
#if defined(__linux__)
  advise_inner_pages(begin, bytes, MADV_DONTNEED);
#else
  (void)begin;
  (void)bytes;
#endif
}

void advise_huge_pages(void* begin, std::size_t bytes) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  constexpr std::size_t kHugePage = std::size_t{2} << 20;
  if (bytes >= kHugePage) advise_inner_pages(begin, bytes, MADV_HUGEPAGE);
#else
  (void)begin;
  (void)bytes;
#endif
}

}  // namespace lift3d
