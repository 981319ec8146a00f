#include "base/log.hpp"

#include <spdlog/sinks/stdout_sinks.h>

namespace lift3d {

spdlog::logger& logger() {
  static const std::shared_ptr<spdlog::logger> instance = [] {
    if (std::shared_ptr<spdlog::logger> registered = spdlog::get("lift3d")) return registered;
    auto created = spdlog::stderr_logger_mt("lift3d");
    created->set_pattern("lift3d: %l: %v");
    created->set_level(spdlog::level::warn);
    return created;
  }();
  return *instance;
}

}  // namespace lift3d
