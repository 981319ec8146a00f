// A progress line on stderr ("lifting: 3/10 sequences"), redrawn in place, only when stderr is a
// terminal and the logging options leave room for it (text format, not --quiet): logs, pipes and
// json consumers never see it. It is drawn through the logging sink (logging.hpp), so a log line
// emitted meanwhile erases it first and it is redrawn below.
#pragma once

#include <string>

namespace lift3d::app {

class ProgressLine {
 public:
  ProgressLine(std::string verb, std::string unit);
  ~ProgressLine();
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  void update(int done, int total);
  // The same with a note after the count ("batches 3/10, 5120 samples/s, loss 412.3 mm").
  void update(int done, int total, const std::string& detail);
  // Erases the line (also done by the destructor).
  void clear();

 private:
  std::string verb_, unit_;
  bool enabled_;
  bool shown_ = false;
};

}  // namespace lift3d::app
