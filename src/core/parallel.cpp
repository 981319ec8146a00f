#include "core/parallel.hpp"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <limits>
#include <string>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#ifdef LIFT3D_HAVE_OPENBLAS
extern "C" void openblas_set_num_threads(int num_threads);
extern "C" char* openblas_get_config(void);
#endif

namespace lift3d::core {

int hardware_threads() { return std::max(1u, std::thread::hardware_concurrency()); }

void set_blas_threads(int threads) {
#ifdef LIFT3D_HAVE_OPENBLAS
  openblas_set_num_threads(std::max(1, threads));
#else
  (void)threads;
#endif
}

int blas_thread_limit() {
#ifdef LIFT3D_HAVE_OPENBLAS
  // "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Zen MAX_THREADS=64"
  static const int limit = [] {
    const std::string config = openblas_get_config();
    const std::string key = "MAX_THREADS=";
    const std::size_t at = config.find(key);
    int value = 0;
    if (at != std::string::npos) value = std::atoi(config.c_str() + at + key.size());
    // Builds that do not say: the smallest bound OpenBLAS is commonly built with.
    return value > 0 ? value : 32;
  }();
  return limit;
#else
  return std::numeric_limits<int>::max();
#endif
}

void parallel_for(int count, int threads, const std::function<void(int)>& body) {
  threads = std::max(1, std::min(threads, count));
  if (threads == 1) {
    for (int i = 0; i < count; ++i) body(i);
    return;
  }
  std::atomic<int> next{0};
  std::atomic<bool> failed{false};
  std::exception_ptr error;
  std::mutex error_mutex;
  auto worker = [&] {
    for (int i = next++; i < count && !failed; i = next++) {
      try {
        body(i);
      } catch (...) {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (!error) error = std::current_exception();
        failed = true;
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(worker);
  for (auto& thread : pool) thread.join();
  if (error) std::rethrow_exception(error);
}

}  // namespace lift3d::core
