// A growing list kept in fixed-size blocks, for values read from a file of unknown length. A
// std::vector that doubles as it grows holds the old and the new copy at once (up to twice the
// data) and ends with up to twice the capacity it needs; blocks never move, and take() hands the
// values over as one exact-size vector while handing back each block's memory as soon as it is
// copied, so the peak stays about one block above the data.
#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

#include "base/memory_pages.hpp"

namespace lift3d::io {

template <typename T>
class BlockBuffer {
 public:
  // 1 MiB blocks for floats: small beside a long video, large enough that the per-block cost vanishes.
  static constexpr std::size_t kBlockValues = std::max<std::size_t>(1, (std::size_t{1} << 20) / sizeof(T));

  void push_back(const T& value) { append(&value, 1); }
  void append(const T* values, std::size_t count) {
    while (count > 0) {
      if (blocks_.empty() || blocks_.back().size() == kBlockValues) {
        blocks_.emplace_back();
        blocks_.back().reserve(kBlockValues);
      }
      std::vector<T>& block = blocks_.back();
      const std::size_t part = std::min(count, kBlockValues - block.size());
      block.insert(block.end(), values, values + part);
      values += part;
      count -= part;
      size_ += part;
    }
  }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const T& operator[](std::size_t i) const { return blocks_[i / kBlockValues][i % kBlockValues]; }
  T& operator[](std::size_t i) { return blocks_[i / kBlockValues][i % kBlockValues]; }
  const T& back() const { return blocks_.back().back(); }
  // Copies values [first, first + count) to `out`.
  void copy_to(std::size_t first, std::size_t count, T* out) const {
    while (count > 0) {
      const std::vector<T>& block = blocks_[first / kBlockValues];
      const std::size_t offset = first % kBlockValues;
      const std::size_t part = std::min(count, block.size() - offset);
      std::copy(block.begin() + static_cast<std::ptrdiff_t>(offset),
                block.begin() + static_cast<std::ptrdiff_t>(offset + part), out);
      out += part;
      first += part;
      count -= part;
    }
  }

  // Every value, in order, as one vector; the buffer is left empty.
  std::vector<T> take() {
    std::vector<T> out;
    out.reserve(size_);
    for (std::vector<T>& block : blocks_) {
      out.insert(out.end(), block.begin(), block.end());
      // Freed blocks of this size may stay with the allocator (not the system) until all are freed:
      // their pages are handed back first, so the copy never holds the data twice.
      return_pages(block.data(), block.size() * sizeof(T));
      std::vector<T>().swap(block);
    }
    blocks_.clear();
    size_ = 0;
    return out;
  }

 private:
  std::vector<std::vector<T>> blocks_;
  std::size_t size_ = 0;
};

}  // namespace lift3d::io
