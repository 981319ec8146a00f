#include "app/option_checks.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>

namespace lift3d::app {
namespace {

std::string range_text(long long low, long long high) {
  if (high == std::numeric_limits<long long>::max()) return "of at least " + std::to_string(low);
  return "from " + std::to_string(low) + " to " + std::to_string(high);
}

std::string range_text(double low, double high) {
  const auto text = [](double value) {
    std::string number = std::to_string(value);
    number.erase(number.find_last_not_of('0') + 1);
    if (!number.empty() && number.back() == '.') number.pop_back();
    return number;
  };
  if (high == std::numeric_limits<double>::max()) return "of at least " + text(low);
  return "from " + text(low) + " to " + text(high);
}

}  // namespace

CLI::Validator whole_number(long long low, long long high) {
  const std::string expected = "expected a whole number " + range_text(low, high);
  return CLI::Validator(
      [low, high, expected](std::string& input) -> std::string {
        errno = 0;
        char* end = nullptr;
        const long long value = std::strtoll(input.c_str(), &end, 10);
        if (input.empty() || *end != '\0' || errno == ERANGE || value < low || value > high)
          return expected + ", got '" + input.substr(0, 40) + "'";
        return {};
      },
      "INT", "whole_number");
}

CLI::Validator finite_number(double low, double high) {
  const std::string expected = "expected a number " + range_text(low, high);
  return CLI::Validator(
      [low, high, expected](std::string& input) -> std::string {
        char* end = nullptr;
        const double value = std::strtod(input.c_str(), &end);
        if (input.empty() || *end != '\0' || !std::isfinite(value) || value < low || value > high)
          return expected + ", got '" + input.substr(0, 40) + "'";
        return {};
      },
      "NUMBER", "finite_number");
}

}  // namespace lift3d::app
