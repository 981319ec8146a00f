#include "app/eval_report.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iomanip>
#include <nlohmann/json.hpp>
#include <sstream>

namespace lift3d::app {
namespace {

nlohmann::json number(double value) { return std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(nullptr); }

nlohmann::json subject_of(const core::EvaluationSummary& summary) {
  return summary.subject.empty() ? nlohmann::json(nullptr) : nlohmann::json(summary.subject);
}

std::string fixed(double value, int digits) {
  if (!std::isfinite(value)) return "nan";
  std::ostringstream text;
  text << std::fixed << std::setprecision(digits) << value;
  return text.str();
}

// Python's repr of a double: the fewest digits that read back the same value, positional for
// 1e-4 <= |x| < 1e16 ("430.0", never "4.3e+02"), otherwise scientific ("1e+16", "1.5e-05").
std::string python_float_repr(double x) {
  if (std::isnan(x)) return "nan";
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  char text[64];
  if (x == 0.0 || (std::fabs(x) >= 1e-4 && std::fabs(x) < 1e16)) {
    for (int decimals = 1; decimals <= 21; ++decimals) {
      std::snprintf(text, sizeof text, "%.*f", decimals, x);
      if (std::strtod(text, nullptr) == x) return text;
    }
  }
  for (int precision = 0; precision <= 16; ++precision) {
    std::snprintf(text, sizeof text, "%.*e", precision, x);
    if (std::strtod(text, nullptr) == x) break;
  }
  return text;
}

}  // namespace

std::string python_round_text(double value, int digits) {
  // run.py rounds NumPy float64 scalars, and round(np.float64) is NumPy's around(): scale by
  // 10^digits, round half to even, scale back. That is not Python's correctly rounded round() of
  // the binary value: for 1070.55 (really 1070.5499...) NumPy prints 1070.6 where Python gives 1070.5.
  const double scale = std::pow(10.0, digits);
  return python_float_repr(std::nearbyint(value * scale) / scale);
}

std::string console_report(const EvalReport& report) {
  std::ostringstream out;
  out << "Evaluation: " << report.dataset << ", 2D " << report.keypoints << ", "
      << (report.tta ? "flip TTA" : "no TTA") << (report.causal ? ", causal" : "") << ", receptive field "
      << report.checkpoint.pose.receptive_field() << " frames\n";
  for (const core::EvaluationSummary& summary : report.summaries) {
    out << "\n";
    if (!summary.subject.empty()) out << "Subject " << summary.subject << "\n";
    out << std::left << std::setw(16) << "action" << std::right << std::setw(8) << "videos" << std::setw(10) << "frames"
        << std::setw(12) << "MPJPE" << std::setw(12) << "P-MPJPE" << std::setw(12) << "N-MPJPE" << std::setw(12)
        << "MPJVE" << "\n";
    for (const core::GroupErrors& group : summary.groups)
      out << std::left << std::setw(16) << group.name << std::right << std::setw(8) << group.videos << std::setw(10)
          << group.frames << std::setw(12) << fixed(group.errors.mpjpe_mm, 3) << std::setw(12)
          << fixed(group.errors.p_mpjpe_mm, 3) << std::setw(12) << fixed(group.errors.n_mpjpe_mm, 3) << std::setw(12)
          << fixed(group.errors.mpjve_mm, 3) << "\n";
    out << "(mm; each action frame-weighted over its videos)\n";
    out << "Protocol #1   (MPJPE) action-wise average: " << python_round_text(summary.average.mpjpe_mm, 1) << " mm\n"
        << "Protocol #2 (P-MPJPE) action-wise average: " << python_round_text(summary.average.p_mpjpe_mm, 1) << " mm\n"
        << "Protocol #3 (N-MPJPE) action-wise average: " << python_round_text(summary.average.n_mpjpe_mm, 1) << " mm\n"
        << "Velocity      (MPJVE) action-wise average: " << python_round_text(summary.average.mpjve_mm, 2) << " mm\n";
  }
  return out.str();
}

std::string json_report(const EvalReport& report) {
  const core::ModelConfig& pose = report.checkpoint.pose;
  nlohmann::json checkpoint = {{"path", report.checkpoint.path},
                               {"format", report.checkpoint.format},
                               {"architecture", pose.architecture_string()},
                               {"filter_widths", pose.filter_widths},
                               {"channels", pose.channels},
                               {"dense", pose.dense},
                               {"receptive_field_frames", pose.receptive_field()},
                               {"parameters", pose.parameter_count()},
                               {"has_trajectory", report.checkpoint.trajectory.has_value()}};
  if (report.checkpoint.epoch) checkpoint["epoch"] = *report.checkpoint.epoch;
  nlohmann::json groups = nlohmann::json::array();
  nlohmann::json averages = nlohmann::json::array();
  for (const core::EvaluationSummary& summary : report.summaries) {
    for (const core::GroupErrors& group : summary.groups)
      groups.push_back({{"subject", subject_of(summary)},
                        {"action", group.name},
                        {"sequences", group.videos},
                        {"frames", group.frames},
                        {"mpjpe", number(group.errors.mpjpe_mm)},
                        {"p_mpjpe", number(group.errors.p_mpjpe_mm)},
                        {"n_mpjpe", number(group.errors.n_mpjpe_mm)},
                        {"mpjve", number(group.errors.mpjve_mm)}});
    averages.push_back({{"subject", subject_of(summary)},
                        {"mpjpe", number(summary.average.mpjpe_mm)},
                        {"p_mpjpe", number(summary.average.p_mpjpe_mm)},
                        {"n_mpjpe", number(summary.average.n_mpjpe_mm)},
                        {"mpjve", number(summary.average.mpjve_mm)}});
  }
  nlohmann::json out = {{"units", "mm"},         {"tta", report.tta},       {"causal", report.causal},
                        {"checkpoint", checkpoint}, {"dataset", report.dataset}, {"keypoints", report.keypoints},
                        {"groups", groups},      {"averages", averages}};
  return out.dump(2) + "\n";
}

std::string markdown_report(const EvalReport& report) {
  std::ostringstream out;
  for (const core::EvaluationSummary& summary : report.summaries) {
    out << "**" << (summary.subject.empty() ? "All test subjects" : summary.subject) << "** — " << report.dataset
        << ", " << report.checkpoint.pose.receptive_field() << " frames, " << (report.tta ? "flip TTA" : "no TTA")
        << (report.causal ? ", causal" : "") << " (mm)\n\n| |";
    for (const core::GroupErrors& group : summary.groups) out << " " << group.name << " |";
    out << " Avg |\n|---|";
    for (std::size_t i = 0; i <= summary.groups.size(); ++i) out << "---:|";
    out << "\n";
    struct Row {
      const char* label;
      double core::MetricErrors::*field;
      int digits;
    };
    for (const Row& row : {Row{"Protocol #1 (MPJPE)", &core::MetricErrors::mpjpe_mm, 1},
                           Row{"Protocol #2 (P-MPJPE)", &core::MetricErrors::p_mpjpe_mm, 1},
                           Row{"Protocol #3 (N-MPJPE)", &core::MetricErrors::n_mpjpe_mm, 1},
                           Row{"Velocity (MPJVE)", &core::MetricErrors::mpjve_mm, 2}}) {
      out << "| " << row.label << " |";
      for (const core::GroupErrors& group : summary.groups) out << " " << fixed(group.errors.*row.field, row.digits) << " |";
      out << " " << fixed(summary.average.*row.field, row.digits) << " |\n";
    }
    out << "\n";
  }
  return out.str();
}

}  // namespace lift3d::app
