#include "core/training/adam.hpp"

#include <algorithm>
#include <cmath>

#include "lift3d/error.hpp"

namespace lift3d::core::training {

// torch.optim.Adam's single-tensor update, in its order of operations: the moments in float32 with the
// coefficients rounded to float32, the bias corrections and step size in double (Python floats),
// denom = sqrt(max(max_exp_avg_sq, exp_avg_sq)) / sqrt(bias_correction2) + eps,
// param -= step_size * exp_avg / denom.
void Adam::step(std::vector<NamedTensor>& parameters) {
  if (slots_.empty()) {
    slots_.resize(parameters.size());
    for (std::size_t p = 0; p < parameters.size(); ++p) {
      const std::size_t n = parameters[p].values.size();
      slots_[p].exp_avg.assign(n, 0.0f);
      slots_[p].exp_avg_sq.assign(n, 0.0f);
      if (amsgrad_) slots_[p].max_exp_avg_sq.assign(n, 0.0f);
    }
  }
  if (slots_.size() != parameters.size()) throw InternalError("adam: parameter count changed");
  const float beta1 = static_cast<float>(beta1_), beta2 = static_cast<float>(beta2_);
  const float one_minus_beta1 = static_cast<float>(1 - beta1_), one_minus_beta2 = static_cast<float>(1 - beta2_);
  const float eps = static_cast<float>(eps_);
  for (std::size_t p = 0; p < parameters.size(); ++p) {
    NamedTensor& param = parameters[p];
    AdamSlot& slot = slots_[p];
    if (param.grad.size() != param.values.size() || slot.exp_avg.size() != param.values.size())
      throw InternalError("adam: " + param.name + ": gradient or state of the wrong size");
    slot.step += 1;
    const double bias_correction1 = 1 - std::pow(beta1_, slot.step);
    const double bias_correction2 = 1 - std::pow(beta2_, slot.step);
    const float step_size = static_cast<float>(lr_ / bias_correction1);
    const float bias_correction2_sqrt = static_cast<float>(std::sqrt(bias_correction2));
    for (std::size_t i = 0; i < param.values.size(); ++i) {
      const float g = param.grad[i];
      slot.exp_avg[i] = slot.exp_avg[i] * beta1 + one_minus_beta1 * g;
      slot.exp_avg_sq[i] = slot.exp_avg_sq[i] * beta2 + one_minus_beta2 * (g * g);
      float second = slot.exp_avg_sq[i];
      if (amsgrad_) {
        slot.max_exp_avg_sq[i] = std::max(slot.max_exp_avg_sq[i], slot.exp_avg_sq[i]);
        second = slot.max_exp_avg_sq[i];
      }
      const float denom = std::sqrt(second) / bias_correction2_sqrt + eps;
      param.values[i] -= step_size * (slot.exp_avg[i] / denom);
    }
  }
}

}  // namespace lift3d::core::training
