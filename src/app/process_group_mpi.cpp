// Built with MPI: the processes mpirun started, over MPI_COMM_WORLD.
#include <mpi.h>

#include <algorithm>
#include <exception>
#include <limits>

#include "app/process_group.hpp"
#include "lift3d/error.hpp"

namespace lift3d::app {
namespace {

class MpiProcessGroup final : public core::training::Collective {
 public:
  MpiProcessGroup() {
    int initialised = 0;
    MPI_Initialized(&initialised);
    if (!initialised && MPI_Init(nullptr, nullptr) != MPI_SUCCESS) throw InputError("mpi: MPI_Init failed");
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
  }
  ~MpiProcessGroup() override {
    // Unwinding an error: no MPI_Finalize (the others may wait in a sum for this process; a process
    // that ends without finalising makes the launcher stop them all).
    if (std::uncaught_exceptions() == 0) MPI_Finalize();
  }
  int rank() const override { return rank_; }
  int size() const override { return size_; }
  void sum(double* values, std::size_t count) override { sum_in_place(values, count, MPI_DOUBLE); }
  void sum(float* values, std::size_t count) override { sum_in_place(values, count, MPI_FLOAT); }
  using Collective::sum;

 private:
  // Reduce to process 0, then broadcast its result: MPI_Allreduce may add in a different order on each
  // process, and the models' weights must stay bit for bit the same everywhere.
  template <typename T>
  void sum_in_place(T* values, std::size_t count, MPI_Datatype type) {
    constexpr std::size_t kPiece = std::numeric_limits<int>::max() / 2;  // MPI counts are int
    for (std::size_t first = 0; first < count; first += kPiece) {
      const int n = static_cast<int>(std::min(kPiece, count - first));
      T* piece = values + first;
      const int reduced = rank_ == 0 ? MPI_Reduce(MPI_IN_PLACE, piece, n, type, MPI_SUM, 0, MPI_COMM_WORLD)
                                     : MPI_Reduce(piece, nullptr, n, type, MPI_SUM, 0, MPI_COMM_WORLD);
      if (reduced != MPI_SUCCESS || MPI_Bcast(piece, n, type, 0, MPI_COMM_WORLD) != MPI_SUCCESS)
        throw InternalError("mpi: summing across processes failed");
    }
  }

  int rank_ = 0, size_ = 1;
};

}  // namespace

bool built_with_mpi() { return true; }

std::unique_ptr<core::training::Collective> join_process_group() {
  // Not started by a launcher: no MPI at all (MPI_Init of a lone process can be slow or refuse to run).
  if (launched_processes() <= 1) return std::make_unique<core::training::SingleProcess>();
  return std::make_unique<MpiProcessGroup>();
}

}  // namespace lift3d::app
