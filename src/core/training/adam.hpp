// Adam with AMSGrad as torch.optim.Adam(params, lr, amsgrad=True) computes it (betas 0.9, 0.999,
// eps 1e-8, no weight decay), the optimiser of the reference's run.py. Per parameter: step count,
// exp_avg, exp_avg_sq and max_exp_avg_sq, the state torch's optimizer.state_dict() holds.
#pragma once

#include <cstdint>
#include <vector>

#include "core/training/training_model.hpp"

namespace lift3d::core::training {

struct AdamSlot {
  double step = 0;  // torch keeps it as a float32 tensor; whole numbers are exact either way
  std::vector<float> exp_avg, exp_avg_sq, max_exp_avg_sq;
};

class Adam {
 public:
  explicit Adam(double lr, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, bool amsgrad = true)
      : lr_(lr), beta1_(beta1), beta2_(beta2), eps_(eps), amsgrad_(amsgrad) {}

  // One update of every parameter from its gradient; the slots are created on first use (zeros).
  void step(std::vector<NamedTensor>& parameters);

  double lr() const { return lr_; }
  void set_lr(double lr) { lr_ = lr; }
  double beta1() const { return beta1_; }
  double beta2() const { return beta2_; }
  double eps() const { return eps_; }
  bool amsgrad() const { return amsgrad_; }
  // One slot per parameter in the parameters' order (empty before the first step).
  std::vector<AdamSlot>& slots() { return slots_; }
  const std::vector<AdamSlot>& slots() const { return slots_; }

 private:
  double lr_, beta1_, beta2_, eps_;
  bool amsgrad_;
  std::vector<AdamSlot> slots_;
};

}  // namespace lift3d::core::training
