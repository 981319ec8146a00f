// Small text helpers shared by messages and writers.
#pragma once

#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace lift3d {

// "a, b, c" from {"a", "b", "c"}; numbers are written with std::to_string.
template <typename T>
std::string join(const std::vector<T>& items, std::string_view separator = ", ") {
  std::string text;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) text += separator;
    if constexpr (std::is_arithmetic_v<T>)
      text += std::to_string(items[i]);
    else
      text += items[i];
  }
  return text;
}

}  // namespace lift3d
