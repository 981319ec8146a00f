// Optimal assignment (the Hungarian algorithm): pairing rows with columns of a cost matrix so that
// the pairs cost least in total. Person tracking pairs the tracks alive in a frame (rows) with the
// frame's detections (columns).
#pragma once

#include <cstddef>
#include <vector>

namespace lift3d::core {

// rows x cols costs, row-major. +infinity marks a pair that must not be made (gated out); any other
// value, negative ones included, is allowed. NaN is treated as not allowed.
struct CostMatrix {
  int rows = 0;
  int cols = 0;
  std::vector<double> costs;

  CostMatrix() = default;
  CostMatrix(int rows, int cols, double fill);
  double& at(int row, int col) { return costs[static_cast<std::size_t>(row) * cols + col]; }
  double at(int row, int col) const { return costs[static_cast<std::size_t>(row) * cols + col]; }
};

// For each row, the column paired with it, or -1. The matrix may be rectangular; every column is
// paired with at most one row. Among the pairings that make as many allowed pairs as possible, the
// result has the least total cost; allowed pairs only are returned. Ties between equal totals are
// broken deterministically (the same matrix always gives the same pairing). O(n^2 m) for n =
// min(rows, cols), m = max(rows, cols).
std::vector<int> solve_assignment(const CostMatrix& matrix);

}  // namespace lift3d::core
