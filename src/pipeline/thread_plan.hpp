// How a batch of sequences shares the threads: several sequences run one per thread; one long
// sequence is cut into time segments, each on its own thread; one short sequence gives every thread
// to the BLAS inside its matrix products. None of these changes a result.
#pragma once

#include <vector>

#include "core/model_config.hpp"

namespace lift3d::pipeline {

struct ThreadPlan {
  int sequence_threads = 1;  // sequences lifted at once
  int segment_threads = 1;   // time segments of one sequence (core::LiftOptions::threads)
  int blas_threads = 1;      // threads inside one matrix product
};

// `threads` 0 means every hardware thread; more than the BLAS can serve at once are cut to its limit
// (core::blas_thread_limit, with a note). `sequence_frames` lists the frames of each sequence.
ThreadPlan plan_threads(int threads, const std::vector<int>& sequence_frames, const core::ModelConfig& pose_model);

// Sets the BLAS back-end's threads to the plan's.
void apply_thread_plan(const ThreadPlan& plan);

}  // namespace lift3d::pipeline
