// An in-process stand-in for the processes of data-parallel training: "ranks" are threads of the test,
// and a sum adds the ranks' buffers in rank order (every rank gets the same bits, as the MPI group's).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "core/training/collective.hpp"

namespace lift3d::testing {

class ThreadGroup {
 public:
  explicit ThreadGroup(int size) : size_(size), slots_(size, nullptr) {}
  int size() const { return size_; }

  template <typename T>
  void sum(int rank, T* values, std::size_t count) {
    slots_[rank] = values;
    wait_for_all();  // every rank's buffer is in place
    std::vector<T> total(count, T(0));
    for (int r = 0; r < size_; ++r)
      for (std::size_t i = 0; i < count; ++i) total[i] += static_cast<const T*>(slots_[r])[i];
    wait_for_all();  // everyone has read every buffer before any is overwritten
    for (std::size_t i = 0; i < count; ++i) values[i] = total[i];
  }

 private:
  void wait_for_all() {
    std::unique_lock<std::mutex> lock(mutex_);
    const long generation = generation_;
    if (++arrived_ == size_) {
      arrived_ = 0;
      ++generation_;
      all_arrived_.notify_all();
      return;
    }
    all_arrived_.wait(lock, [&] { return generation_ != generation; });
  }

  int size_;
  std::vector<const void*> slots_;
  std::mutex mutex_;
  std::condition_variable all_arrived_;
  int arrived_ = 0;
  long generation_ = 0;
};

class ThreadCollective final : public core::training::Collective {
 public:
  ThreadCollective(ThreadGroup& group, int rank) : group_(group), rank_(rank) {}
  int rank() const override { return rank_; }
  int size() const override { return group_.size(); }
  void sum(double* values, std::size_t count) override { group_.sum(rank_, values, count); }
  void sum(float* values, std::size_t count) override { group_.sum(rank_, values, count); }
  using Collective::sum;

 private:
  ThreadGroup& group_;
  int rank_;
};

// Runs body(collective) on `ranks` threads, one rank each, and waits for them all.
inline void run_ranks(int ranks, const std::function<void(core::training::Collective&)>& body) {
  ThreadGroup group(ranks);
  std::vector<std::thread> threads;
  for (int r = 0; r < ranks; ++r)
    threads.emplace_back([&group, &body, r] {
      ThreadCollective collective(group, r);
      body(collective);
    });
  for (std::thread& t : threads) t.join();
}

}  // namespace lift3d::testing
