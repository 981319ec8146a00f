#include "app/progress_line.hpp"

#include <unistd.h>

#include <iostream>

namespace lift3d::app {

ProgressLine::ProgressLine(std::string verb, std::string unit)
    : verb_(std::move(verb)), unit_(std::move(unit)), enabled_(::isatty(STDERR_FILENO) != 0) {}

ProgressLine::~ProgressLine() { clear(); }

void ProgressLine::update(int done, int total) {
  if (!enabled_) return;
  std::cerr << "\r" << verb_ << ": " << done << "/" << total << " " << unit_ << "\033[K" << std::flush;
  shown_ = true;
}

void ProgressLine::clear() {
  if (!shown_) return;
  std::cerr << "\r\033[K" << std::flush;
  shown_ = false;
}

}  // namespace lift3d::app
