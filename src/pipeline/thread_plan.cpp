#include "pipeline/thread_plan.hpp"

#include <algorithm>

#include <numeric>

#include "base/log.hpp"
#include "core/lifter.hpp"
#include "core/parallel.hpp"

namespace lift3d::pipeline {
namespace {

ThreadPlan choose(int threads, const std::vector<int>& sequence_frames, const core::ModelConfig& pose_model) {
  ThreadPlan plan;
  const int sequences = static_cast<int>(sequence_frames.size());
  plan.sequence_threads = std::max(1, std::min(threads, sequences));
  if (plan.sequence_threads > 1) return plan;  // one sequence per thread, single-threaded products
  if (sequences == 1 && core::time_segments(pose_model, sequence_frames.front(), threads) > 1) {
    plan.segment_threads = threads;
    return plan;
  }
  plan.blas_threads = threads;
  return plan;
}

}  // namespace

ThreadPlan plan_threads(int threads, const std::vector<int>& sequence_frames, const core::ModelConfig& pose_model) {
  const bool asked = threads > 0;
  if (!asked) threads = core::hardware_threads();
  // Every thread of the plan works in the BLAS (one product each, or all inside one product).
  const int limit = core::blas_thread_limit();
  if (threads > limit) {
    logger().log(asked ? spdlog::level::info : spdlog::level::debug,
                 "using {} threads, not {}: the BLAS library is built for at most {}", limit, threads, limit);
    threads = limit;
  }
  const ThreadPlan plan = choose(threads, sequence_frames, pose_model);
  logger().debug("thread plan: {} thread(s) for {} sequence(s), {} frames: {} sequence(s) at once, {} time "
                 "segment(s) each, {} BLAS thread(s) per product",
                 threads, sequence_frames.size(), std::accumulate(sequence_frames.begin(), sequence_frames.end(), 0LL),
                 plan.sequence_threads, plan.segment_threads, plan.blas_threads);
  return plan;
}

void apply_thread_plan(const ThreadPlan& plan) {
  core::set_blas_threads(plan.blas_threads);
  core::warm_blas(std::max(plan.sequence_threads, plan.segment_threads));
}

}  // namespace lift3d::pipeline
