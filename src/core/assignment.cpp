#include "core/assignment.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace lift3d::core {
namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

bool allowed(double cost) { return std::isfinite(cost); }

// The matrix with rows <= cols (transposed when it has more rows) and every forbidden entry
// replaced by a cost so high that one more forbidden pair always costs more than any difference
// the allowed pairs can make: the solver then makes as many allowed pairs as it can.
struct WideMatrix {
  CostMatrix costs;
  bool transposed = false;
};

WideMatrix wide_with_finite_costs(const CostMatrix& matrix) {
  WideMatrix wide;
  wide.transposed = matrix.rows > matrix.cols;
  const int rows = wide.transposed ? matrix.cols : matrix.rows;
  const int cols = wide.transposed ? matrix.rows : matrix.cols;
  double lowest = kInfinity, highest = -kInfinity;
  for (double cost : matrix.costs)
    if (allowed(cost)) {
      lowest = std::min(lowest, cost);
      highest = std::max(highest, cost);
    }
  const double forbidden = highest + (rows + 1) * (highest - lowest + 1.0);
  wide.costs = CostMatrix(rows, cols, 0.0);
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) {
      const double cost = wide.transposed ? matrix.at(c, r) : matrix.at(r, c);
      wide.costs.at(r, c) = allowed(cost) ? cost : forbidden;
    }
  return wide;
}

// Shortest augmenting paths with row and column potentials (the Hungarian algorithm in its
// O(n^2 m) form): rows are added one at a time, each along the cheapest alternating path in the
// reduced costs, which keeps the pairing optimal for the rows added so far. Index 0 of the column
// arrays is a virtual column holding the row being added. Returns the row of each column, or -1.
std::vector<int> solve_wide(const CostMatrix& costs) {
  const int rows = costs.rows, cols = costs.cols;
  std::vector<double> row_potential(rows + 1, 0.0), col_potential(cols + 1, 0.0);
  std::vector<int> row_of_col(cols + 1, 0);  // 1-based rows, 0 = free
  std::vector<int> previous_col(cols + 1, 0);
  for (int row = 1; row <= rows; ++row) {
    row_of_col[0] = row;
    int col = 0;
    std::vector<double> path_cost(cols + 1, kInfinity);
    std::vector<bool> on_path(cols + 1, false);
    // Grow the tree of alternating paths until it reaches a free column.
    do {
      on_path[col] = true;
      const int tree_row = row_of_col[col];
      double step = kInfinity;
      int next_col = 0;
      for (int c = 1; c <= cols; ++c) {
        if (on_path[c]) continue;
        const double reduced = costs.at(tree_row - 1, c - 1) - row_potential[tree_row] - col_potential[c];
        if (reduced < path_cost[c]) {
          path_cost[c] = reduced;
          previous_col[c] = col;
        }
        if (path_cost[c] < step) {  // strict: the lowest column wins a tie
          step = path_cost[c];
          next_col = c;
        }
      }
      for (int c = 0; c <= cols; ++c) {
        if (on_path[c]) {
          row_potential[row_of_col[c]] += step;
          col_potential[c] -= step;
        } else {
          path_cost[c] -= step;
        }
      }
      col = next_col;
    } while (row_of_col[col] != 0);
    // Flip the pairs along the path back to the virtual column.
    do {
      const int before = previous_col[col];
      row_of_col[col] = row_of_col[before];
      col = before;
    } while (col != 0);
  }
  std::vector<int> result(cols, -1);
  for (int c = 1; c <= cols; ++c) result[c - 1] = row_of_col[c] - 1;
  return result;
}

}  // namespace

CostMatrix::CostMatrix(int rows_, int cols_, double fill)
    : rows(rows_), cols(cols_), costs(static_cast<std::size_t>(rows_) * cols_, fill) {}

std::vector<int> solve_assignment(const CostMatrix& matrix) {
  std::vector<int> column_of_row(matrix.rows, -1);
  const bool any_allowed = std::any_of(matrix.costs.begin(), matrix.costs.end(), allowed);
  if (matrix.rows == 0 || matrix.cols == 0 || !any_allowed) return column_of_row;
  const WideMatrix wide = wide_with_finite_costs(matrix);
  const std::vector<int> row_of_col = solve_wide(wide.costs);
  for (int c = 0; c < static_cast<int>(row_of_col.size()); ++c) {
    const int r = row_of_col[c];
    if (r < 0) continue;
    const int row = wide.transposed ? c : r, col = wide.transposed ? r : c;
    if (allowed(matrix.at(row, col))) column_of_row[row] = col;
  }
  return column_of_row;
}

}  // namespace lift3d::core
