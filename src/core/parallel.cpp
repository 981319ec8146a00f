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

#include <Eigen/Core>

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

void warm_blas(int callers) {
  static std::mutex mutex;
  static int warmed = 0;  // the most callers already warmed at once
  const std::lock_guard<std::mutex> lock(mutex);
  if (callers <= warmed) return;
  // 1024 exceeds every x86 kernel's packing block in M and K (Zen: 320); 64 columns are enough to
  // cross a block in N and few enough to keep the product short.
  const Eigen::MatrixXf a = Eigen::MatrixXf::Constant(1024, 1024, 1e-3f), b = Eigen::MatrixXf::Constant(1024, 64, 1e-3f);
  std::vector<Eigen::MatrixXf> results(static_cast<std::size_t>(callers));
  parallel_for(callers, callers, [&](int c) { results[static_cast<std::size_t>(c)].noalias() = a * b; });
  warmed = callers;
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
