// The Hungarian algorithm (core/assignment): known optimal pairings of square and rectangular cost
// matrices, forbidden pairs, ties, and agreement with brute force on random matrices.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <random>

#include "core/assignment.hpp"

namespace lift3d::core {
namespace {

using ::testing::ElementsAre;

constexpr double kForbidden = std::numeric_limits<double>::infinity();

CostMatrix matrix(std::vector<std::vector<double>> rows) {
  CostMatrix m(static_cast<int>(rows.size()), rows.empty() ? 0 : static_cast<int>(rows[0].size()), 0.0);
  for (int r = 0; r < m.rows; ++r)
    for (int c = 0; c < m.cols; ++c) m.at(r, c) = rows[r][c];
  return m;
}

// Every pairing of rows with distinct columns (or none), the best by (allowed pairs, -total cost).
double brute_force_best(const CostMatrix& m, int& best_pairs) {
  best_pairs = -1;
  double best_total = 0.0;
  std::vector<int> column_of_row(m.rows, -1);
  std::vector<bool> used(m.cols, false);
  std::function<void(int, int, double)> visit = [&](int row, int pairs, double total) {
    if (row == m.rows) {
      if (pairs > best_pairs || (pairs == best_pairs && total < best_total)) {
        best_pairs = pairs;
        best_total = total;
      }
      return;
    }
    visit(row + 1, pairs, total);  // this row unpaired
    for (int c = 0; c < m.cols; ++c) {
      if (used[c] || m.at(row, c) == kForbidden) continue;
      used[c] = true;
      visit(row + 1, pairs + 1, total + m.at(row, c));
      used[c] = false;
    }
  };
  visit(0, 0, 0.0);
  return best_total;
}

// Total cost of a pairing (unpaired rows cost nothing).
double assignment_cost(const CostMatrix& m, const std::vector<int>& column_of_row) {
  double total = 0.0;
  for (int r = 0; r < m.rows; ++r)
    if (column_of_row[r] >= 0) total += m.at(r, column_of_row[r]);
  return total;
}

int pairs_made(const std::vector<int>& column_of_row) {
  return static_cast<int>(std::count_if(column_of_row.begin(), column_of_row.end(), [](int c) { return c >= 0; }));
}

void expect_valid(const CostMatrix& m, const std::vector<int>& column_of_row) {
  ASSERT_EQ(static_cast<int>(column_of_row.size()), m.rows);
  std::vector<bool> used(m.cols, false);
  for (int r = 0; r < m.rows; ++r) {
    const int c = column_of_row[r];
    if (c < 0) continue;
    ASSERT_LT(c, m.cols);
    EXPECT_FALSE(used[c]) << "column " << c << " paired twice";
    used[c] = true;
    EXPECT_NE(m.at(r, c), kForbidden) << "forbidden pair " << r << ", " << c;
  }
}

TEST(Assignment, SquareTextbookMatrix) {
  // A unique optimum of total 5.
  const CostMatrix m = matrix({{4, 1, 3}, {2, 0, 5}, {3, 2, 2}});
  const std::vector<int> pairing = solve_assignment(m);
  EXPECT_THAT(pairing, ElementsAre(1, 0, 2));
  EXPECT_DOUBLE_EQ(assignment_cost(m, pairing), 5.0);
}

TEST(Assignment, GreedyWouldBeWrong) {
  // Row 0's cheapest column is 0, but giving it to row 1 saves more.
  const CostMatrix m = matrix({{1, 2}, {2, 100}});
  EXPECT_THAT(solve_assignment(m), ElementsAre(1, 0));
}

TEST(Assignment, MoreColumnsThanRowsLeavesColumnsUnused) {
  const CostMatrix m = matrix({{9, 1, 8, 7}, {6, 5, 2, 9}});
  EXPECT_THAT(solve_assignment(m), ElementsAre(1, 2));
}

TEST(Assignment, MoreRowsThanColumnsLeavesRowsUnpaired) {
  const CostMatrix m = matrix({{9, 6}, {1, 5}, {8, 2}, {7, 9}});
  EXPECT_THAT(solve_assignment(m), ElementsAre(-1, 0, 1, -1));
}

TEST(Assignment, NegativeCostsAreAllowed) {
  const CostMatrix m = matrix({{-5, -1}, {-4, -6}});
  const std::vector<int> pairing = solve_assignment(m);
  EXPECT_THAT(pairing, ElementsAre(0, 1));
  EXPECT_DOUBLE_EQ(assignment_cost(m, pairing), -11.0);
}

TEST(Assignment, ForbiddenPairsAreNeverMade) {
  const CostMatrix m = matrix({{kForbidden, kForbidden}, {3, kForbidden}});
  EXPECT_THAT(solve_assignment(m), ElementsAre(-1, 0));
}

TEST(Assignment, AllForbiddenPairsNothing) {
  EXPECT_THAT(solve_assignment(matrix({{kForbidden, kForbidden}, {kForbidden, kForbidden}})), ElementsAre(-1, -1));
}

TEST(Assignment, NanIsForbidden) {
  const CostMatrix m = matrix({{std::nan(""), 1}, {1, 2}});
  EXPECT_THAT(solve_assignment(m), ElementsAre(1, 0));
  EXPECT_THAT(solve_assignment(matrix({{std::nan("")}})), ElementsAre(-1));
}

TEST(Assignment, AsManyAllowedPairsAsPossibleThenCheapest) {
  // Pairing row 0 with its cheap column 0 would leave row 1 without an allowed column.
  const CostMatrix m = matrix({{0.1, 0.8}, {0.7, kForbidden}});
  EXPECT_THAT(solve_assignment(m), ElementsAre(1, 0));
  // With forbidden pairs the huge stand-in cost must not swamp the real ones.
  const CostMatrix wide = matrix({{1e6, kForbidden, 2e6}, {kForbidden, 1.0, kForbidden}});
  EXPECT_THAT(solve_assignment(wide), ElementsAre(0, 1));
}

TEST(Assignment, EmptyMatrices) {
  EXPECT_TRUE(solve_assignment(CostMatrix(0, 3, 0.0)).empty());
  EXPECT_THAT(solve_assignment(CostMatrix(2, 0, 0.0)), ElementsAre(-1, -1));
}

TEST(Assignment, TiesAreBrokenTheSameWayEveryTime) {
  // Every pairing of an all-equal matrix is optimal: rows take the lowest free columns in order.
  const CostMatrix equal(3, 3, 1.0);
  EXPECT_THAT(solve_assignment(equal), ElementsAre(0, 1, 2));
  const CostMatrix tall(3, 2, 1.0);
  EXPECT_THAT(solve_assignment(tall), ElementsAre(0, 1, -1));
  // Two optimal pairings of total 2: the same one on every call.
  const CostMatrix tie = matrix({{1, 1}, {1, 1}});
  const std::vector<int> first = solve_assignment(tie);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(solve_assignment(tie), first);
  EXPECT_DOUBLE_EQ(assignment_cost(tie, first), 2.0);
}

TEST(Assignment, AgreesWithBruteForceOnRandomMatrices) {
  std::mt19937 random(7);
  std::uniform_int_distribution<int> size(1, 5);
  std::uniform_int_distribution<int> value(0, 9);  // small integers: many ties
  std::bernoulli_distribution forbid(0.25);
  for (int trial = 0; trial < 400; ++trial) {
    CostMatrix m(size(random), size(random), 0.0);
    for (double& cost : m.costs) cost = forbid(random) ? kForbidden : value(random);
    const std::vector<int> pairing = solve_assignment(m);
    expect_valid(m, pairing);
    int best_pairs = 0;
    const double best_total = brute_force_best(m, best_pairs);
    ASSERT_EQ(pairs_made(pairing), best_pairs) << "trial " << trial;
    ASSERT_DOUBLE_EQ(assignment_cost(m, pairing), best_total) << "trial " << trial;
  }
}

}  // namespace
}  // namespace lift3d::core
