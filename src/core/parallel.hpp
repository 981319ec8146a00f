// Thread control: how many threads the BLAS back-end uses for one matrix product, and a simple
// parallel loop for independent work items (sequences).
#pragma once

#include <functional>

namespace lift3d::core {

// Threads available to this process (at least 1).
int hardware_threads();
// Threads OpenBLAS may use inside one product (no-op without OpenBLAS).
void set_blas_threads(int threads);
// Readies the BLAS for `callers` threads that will each call products at once (with the BLAS's own
// threads inside each): one product per caller, run concurrently so that each takes its own buffer.
// OpenBLAS packs operands into per-thread buffers of fresh mmap'd memory; until a product spanning
// more than one packing block in both M and K has gone through a buffer, every product using it
// ran 3.5 times slower on the development host (9.5 instead of 33 GFLOP/s at 256 channels, AMD
// EPYC Zen 1 under KVM, OpenBLAS 0.3.21): the smaller models never made such a product. The
// product costs about 4 ms per caller, once per process and caller count.
void warm_blas(int callers);
// How many threads may work in the BLAS at once, inside one product or each calling its own: a
// build of OpenBLAS keeps per-thread state for a fixed number (Debian's: 64) and corrupts memory
// beyond it. Read from the library's build configuration; without OpenBLAS, no limit (INT_MAX).
int blas_thread_limit();

// Runs body(i) for i in [0, count) on up to `threads` threads. The first exception thrown by a body
// is rethrown after all threads have stopped; items not yet started are skipped.
void parallel_for(int count, int threads, const std::function<void(int)>& body);

}  // namespace lift3d::core
