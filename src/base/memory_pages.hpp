// Advice to the system about a buffer's memory pages (Linux madvise; elsewhere nothing is done).
// Handing pages back while a buffer is still allocated, so that the peak memory of a long sequence
// is what is live, not what was once touched: only whole pages inside the range are returned;
// afterwards they read as zero (and cost nothing until written again). Asking for huge pages for a
// large buffer about to be written, so that first touching it costs one page fault per 2 MiB
// instead of one per 4 KiB.
#pragma once

#include <cstddef>
#include <vector>

namespace lift3d {

// The values in [begin, begin + bytes) are no longer needed: their pages may read back as zero.
void return_pages(void* begin, std::size_t bytes);

// [begin, begin + bytes) is about to be written for the first time and will stay in use: back it
// with huge pages where the system offers them (transparent huge pages on "madvise" or "always").
void advise_huge_pages(void* begin, std::size_t bytes);

// `values` (empty) resized to `count` value-initialised elements, on huge pages where possible:
// for the large buffers a model's weights live in, first written once and then read many times.
template <typename T>
void resize_on_huge_pages(std::vector<T>& values, std::size_t count) {
  values.reserve(count);
  advise_huge_pages(values.data(), count * sizeof(T));
  values.resize(count);
}

// The capacity beyond size() (e.g. after a buffer was compacted in place).
template <typename T>
void return_unused_capacity(std::vector<T>& values) {
  return_pages(values.data() + values.size(), (values.capacity() - values.size()) * sizeof(T));
}

// `values` (empty) resized to `count` zeros without touching its memory: a std::vector writes its
// zeros at once, which for a large output would count in full before any value is computed. Grown
// a block at a time, each block's pages returned (they read as zero), so pages are touched only as
// the values are later written.
template <typename T>
void resize_untouched(std::vector<T>& values, std::size_t count) {
  constexpr std::size_t kStep = (std::size_t{8} << 20) / sizeof(T);
  values.reserve(count);
  while (values.size() < count) {
    const std::size_t from = values.size();
    values.resize(from + (count - from < kStep ? count - from : kStep));
    return_pages(values.data() + from, (values.size() - from) * sizeof(T));
  }
}

}  // namespace lift3d
