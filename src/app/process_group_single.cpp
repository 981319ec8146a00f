// Built without MPI: training runs in this process alone.
#include "app/process_group.hpp"
#include "lift3d/error.hpp"

namespace lift3d::app {

bool built_with_mpi() { return false; }

std::unique_ptr<core::training::Collective> join_process_group() {
  const int launched = launched_processes();
  if (launched > 1)
    throw UsageError("started as one of " + std::to_string(launched) +
                     " processes (mpirun), but this lift3d was built without MPI: each would train alone; "
                     "rebuild with Open MPI installed (scripts/setup.sh --mpi) or run one process");
  return std::make_unique<core::training::SingleProcess>();
}

}  // namespace lift3d::app
