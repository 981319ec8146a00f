// What the training tests compare with: tensor-wide errors between two sets of float values, and the
// epoch lines run.py printed, supervised and semi-supervised (its golden runs under
// tests/fixtures/training).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <Eigen/Core>

namespace lift3d::testing {

// Largest |a - b| over the largest |b|: the tensor-wide relative error the tolerances bound.
inline double relative_error(const std::vector<float>& a, const std::vector<float>& b) {
  EXPECT_EQ(a.size(), b.size());
  double diff = 0, scale = 0;
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) {
    diff = std::max(diff, std::abs(static_cast<double>(a[i]) - b[i]));
    scale = std::max(scale, std::abs(static_cast<double>(b[i])));
  }
  return diff / (scale + 1e-9);
}

inline double absolute_error(const std::vector<float>& a, const std::vector<float>& b) {
  EXPECT_EQ(a.size(), b.size());
  double diff = 0;
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i)
    diff = std::max(diff, std::abs(static_cast<double>(a[i]) - b[i]));
  return diff;
}

inline std::vector<float> values(const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic>& m) {
  return std::vector<float>(m.data(), m.data() + m.size());
}

// The matrices' columns one after another (a batch put together from the shares of several processes).
inline Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic> side_by_side(
    const std::vector<Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic>>& parts) {
  Eigen::Index columns = 0;
  for (const auto& m : parts) columns += m.cols();
  Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic> all(parts.front().rows(), columns);
  Eigen::Index at = 0;
  for (const auto& m : parts) {
    all.middleCols(at, m.cols()) = m;
    at += m.cols();
  }
  return all;
}

// One of run.py's epoch lines: "[3] time 0.01 lr 0.000902 3d_train ... 3d_eval ... 3d_valid ...".
struct RunPyEpoch {
  int epoch = 0;
  double lr = 0, train = 0, train_eval = 0, valid = 0;  // mm
};

// The lines of `path` that `parse` reads (it returns whether the line was one), in order.
template <typename Epoch, typename Parse>
std::vector<Epoch> read_epoch_lines(const std::string& path, Parse parse) {
  std::ifstream file(path);
  std::vector<Epoch> epochs;
  std::string line;
  while (std::getline(file, line)) {
    Epoch e;
    if (parse(line.c_str(), e)) epochs.push_back(e);
  }
  return epochs;
}

inline std::vector<RunPyEpoch> read_run_py_epochs(const std::string& path) {
  return read_epoch_lines<RunPyEpoch>(path, [](const char* line, RunPyEpoch& e) {
    double minutes = 0;
    return std::sscanf(line, "[%d] time %lf lr %lf 3d_train %lf 3d_eval %lf 3d_valid %lf", &e.epoch, &minutes, &e.lr,
                       &e.train, &e.train_eval, &e.valid) == 6;
  });
}

// run.py's semi-supervised epoch line: "[3] time ... lr ... 3d_train ... 3d_eval ... traj_eval ...
// 3d_valid ... traj_valid ... 2d_train_sup ... 2d_train_unsup ... 2d_valid ...".
struct RunPySemiEpoch {
  int epoch = 0;
  double lr = 0, train = 0, train_eval = 0, traj_eval = 0, valid = 0, traj_valid = 0;  // mm
  double reprojection_train = 0, reprojection_unlabeled = 0, reprojection_valid = 0;  // normalised units
};

inline std::vector<RunPySemiEpoch> read_run_py_semi_epochs(const std::string& path) {
  return read_epoch_lines<RunPySemiEpoch>(path, [](const char* line, RunPySemiEpoch& e) {
    double minutes = 0;
    return std::sscanf(line,
                       "[%d] time %lf lr %lf 3d_train %lf 3d_eval %lf traj_eval %lf 3d_valid %lf traj_valid %lf "
                       "2d_train_sup %lf 2d_train_unsup %lf 2d_valid %lf",
                       &e.epoch, &minutes, &e.lr, &e.train, &e.train_eval, &e.traj_eval, &e.valid, &e.traj_valid,
                       &e.reprojection_train, &e.reprojection_unlabeled, &e.reprojection_valid) == 11;
  });
}

}  // namespace lift3d::testing
