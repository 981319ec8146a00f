#include <cstdlib>
#include <string>

#include "app/process_group.hpp"

namespace lift3d::app {
namespace {

// The first of the variables that is set to a positive whole number; 1 when none is.
int first_count(std::initializer_list<const char*> names) {
  for (const char* name : names) {
    const char* value = std::getenv(name);
    if (!value || !*value) continue;
    char* end = nullptr;
    const long count = std::strtol(value, &end, 10);
    if (*end == '\0' && count >= 1 && count <= 1 << 24) return static_cast<int>(count);
  }
  return 1;
}

}  // namespace

int launched_processes() { return first_count({"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE"}); }

int processes_on_this_host() {
  return first_count({"OMPI_COMM_WORLD_LOCAL_SIZE", "MPI_LOCALNRANKS"});
}

}  // namespace lift3d::app
