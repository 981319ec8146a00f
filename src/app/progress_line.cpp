#include "app/progress_line.hpp"

#include <unistd.h>

#include "app/logging.hpp"

namespace lift3d::app {

ProgressLine::ProgressLine(std::string verb, std::string unit)
    : verb_(std::move(verb)), unit_(std::move(unit)), enabled_(::isatty(STDERR_FILENO) != 0 && status_line_allowed()) {}

ProgressLine::~ProgressLine() { clear(); }

void ProgressLine::update(int done, int total) { update(done, total, ""); }

void ProgressLine::update(int done, int total, const std::string& detail) {
  if (!enabled_) return;
  show_status(verb_ + ": " + std::to_string(done) + "/" + std::to_string(total) + " " + unit_ +
              (detail.empty() ? "" : ", " + detail));
  shown_ = true;
}

void ProgressLine::clear() {
  if (!shown_) return;
  clear_status();
  shown_ = false;
}

}  // namespace lift3d::app
