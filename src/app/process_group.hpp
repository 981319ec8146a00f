// The processes `lift3d train` runs in: one, or under an MPI launcher (mpirun -np N) all of them,
// training one model together (core/training/collective.hpp). The MPI implementation is compiled only
// when CMake finds MPI (process_group_mpi.cpp); otherwise process_group_single.cpp, which refuses to
// run as one of several processes (it would train N copies of the same model side by side).
#pragma once

#include <memory>

#include "core/training/collective.hpp"

namespace lift3d::app {

// The number of processes the launcher started, read from its environment (Open MPI's
// OMPI_COMM_WORLD_SIZE, MPICH's and Intel MPI's PMI_SIZE); 1 when not started by a launcher.
int launched_processes();
// How many of them run on this host (OMPI_COMM_WORLD_LOCAL_SIZE, MPI_LOCALNRANKS); 1 if not said.
int processes_on_this_host();

// Joins the processes the launcher started (MPI_Init when there are several; a single process
// otherwise, without touching MPI). Throws UsageError when started as one of several processes by a
// build without MPI. The group finalises MPI when destroyed normally; destroyed by an exception it
// leaves MPI unfinalised, so that the launcher stops the other processes instead of leaving them
// waiting for this one.
std::unique_ptr<core::training::Collective> join_process_group();

// True when this build can train across processes.
bool built_with_mpi();

}  // namespace lift3d::app
