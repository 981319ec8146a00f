// Checks of numeric options with messages people read: "--width: expected a whole number of at least
// 1, got -3" (CLI11's own range checks print the limits of double, 309 digits long, and let NaN pass
// a floating-point option).
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace lift3d::app {

// A whole number in [low, high].
CLI::Validator whole_number(long long low, long long high);
// A finite number in [low, high].
CLI::Validator finite_number(double low, double high);

}  // namespace lift3d::app
