// The processes that train one model together (data-parallel training, e.g. under mpirun): each takes
// its share of every batch, and the sums that make the batch's BatchNorm statistics, gradients and
// losses are added up across them. Core knows only this interface; the MPI implementation lives in
// the program (src/app/), so the library builds and trains without MPI.
#pragma once

#include <cstddef>

namespace lift3d::core::training {

class Collective {
 public:
  virtual ~Collective() = default;
  virtual int rank() const = 0;  // 0 .. size() - 1
  virtual int size() const = 0;
  // Every process passes the same count; afterwards each holds the element-wise sum over all processes,
  // the same bits on every process (their weights must not drift apart).
  virtual void sum(double* values, std::size_t count) = 0;
  virtual void sum(float* values, std::size_t count) = 0;

  bool alone() const { return size() == 1; }
  double sum(double value) {
    sum(&value, 1);
    return value;
  }
};

// One process: the sums are the values themselves.
class SingleProcess final : public Collective {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  void sum(double*, std::size_t) override {}
  void sum(float*, std::size_t) override {}
  using Collective::sum;
};

// The shared single-process collective (stateless), what models use unless given another.
inline Collective& single_process() {
  static SingleProcess instance;
  return instance;
}

// A process's share of a batch split across `parts` processes: the contiguous examples
// [first, first + count) of a batch of `examples`, shares in process order, sizes differing by at most one.
struct Share {
  int first = 0, count = 0;
};
inline Share share_of(int examples, int part, int parts) {
  const long long begin = static_cast<long long>(examples) * part / parts;
  const long long end = static_cast<long long>(examples) * (part + 1) / parts;
  return {static_cast<int>(begin), static_cast<int>(end - begin)};
}

}  // namespace lift3d::core::training
