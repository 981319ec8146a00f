// `lift3d eval CHECKPOINT --dataset h36m|humaneva15 --data-3d FILE --data-2d FILE ...`: the
// reference's `run.py --evaluate`, with reports for people (console, Markdown) and for CI (JSON,
// --max-mpjpe).
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>

#include "app/commands.hpp"
#include "app/eval_report.hpp"
#include "app/model_options.hpp"
#include "app/option_checks.hpp"
#include "app/progress_line.hpp"
#include "base/log.hpp"
#include "io/file.hpp"
#include "pipeline/eval_report.hpp"
#include "pipeline/evaluation.hpp"

namespace lift3d::app {
namespace {

struct EvalOptions {
  pipeline::EvaluationRequest request;
  ModelOptions model;
  std::string subjects;
  std::string actions;
  bool no_tta = false;
  std::string report_json;
  std::string report_md;
  std::string report_html;
  std::optional<double> max_mpjpe;
};

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> items;
  std::stringstream stream(text);
  std::string item;
  while (std::getline(stream, item, ','))
    if (!item.empty()) items.push_back(item);
  return items;
}

EvalReport report_of(const EvalOptions& options, const pipeline::EvaluationResult& result) {
  EvalReport report;
  report.dataset = options.request.dataset;
  report.keypoints = options.request.data_2d;
  report.tta = options.request.flip_tta;
  report.causal = options.model.causal;
  report.checkpoint = result.checkpoint;
  report.summaries = result.summaries;
  return report;
}

int run_eval(EvalOptions& options) {
  pipeline::EvaluationRequest& request = options.request;
  request.hints = architecture_hints(options.model);
  request.subjects = split_list(options.subjects);
  request.actions = split_list(options.actions);
  request.flip_tta = !options.no_tta;
  if (!options.report_json.empty()) request.outputs.push_back({options.report_json, "--report-json"});
  if (!options.report_md.empty()) request.outputs.push_back({options.report_md, "--report-md"});
  if (!options.report_html.empty()) request.outputs.push_back({options.report_html, "--report-html"});
  request.keep_video_details = !options.report_html.empty();
  ProgressLine progress("evaluating", "videos");
  request.on_progress = [&progress](int done, int total) { progress.update(done, total); };
  const pipeline::EvaluationResult result = pipeline::run_evaluation(request);
  progress.clear();

  const EvalReport report = report_of(options, result);
  std::cout << console_report(report);
  if (!options.report_json.empty()) io::write_file_atomic(options.report_json, json_report(report));
  if (!options.report_md.empty()) io::write_file_atomic(options.report_md, markdown_report(report));
  if (!options.report_html.empty())
    pipeline::write_eval_report(options.report_html,
                                {request.dataset, request.data_2d, request.checkpoint, request.flip_tta}, result);
  const double mpjpe = result.overall.average.mpjpe_mm;
  if (options.max_mpjpe && !(mpjpe <= *options.max_mpjpe)) {
    // The reason for the non-zero exit: an error record, which --quiet does not hide.
    logger().error("action-wise average MPJPE {:g} mm exceeds --max-mpjpe {:g} mm", mpjpe, *options.max_mpjpe);
    return kThresholdExceeded;
  }
  return kSuccess;
}

}  // namespace

void add_eval_command(CLI::App& cli, int& exit_code) {
  auto options = std::make_shared<EvalOptions>();
  pipeline::EvaluationRequest& request = options->request;
  CLI::App* cmd = cli.add_subcommand("eval", "Evaluate a checkpoint on Human3.6M or HumanEva-I as run.py --evaluate does");
  cmd->add_option("checkpoint", request.checkpoint, "VideoPose3D checkpoint (either torch format)")->required();
  cmd->add_option("--dataset", request.dataset, "h36m or humaneva15")
      ->required()
      ->check(CLI::IsMember({"h36m", "humaneva15"}));
  cmd->add_option("--data-3d", request.data_3d, "3D ground truth, e.g. data_3d_h36m.npz")->required();
  cmd->add_option("--data-2d", request.data_2d, "2D keypoints, e.g. data_2d_h36m_cpn_ft_h36m_dbb.npz")->required();
  cmd->add_option("--cameras", request.cameras,
                  "Camera file replacing the dataset's built-in camera tables for every subject (the layout of "
                  "data/cameras/h36m.json; a subject's entries may carry their own intrinsics)");
  cmd->add_option("--subjects-test", options->subjects,
                  "Comma-separated test subjects (default S9,S11; HumanEva Validate/S1,Validate/S2,Validate/S3)");
  cmd->add_option("--actions", options->actions,
                  "Comma-separated action prefixes, matched against action groups as run.py -a does (default: all)");
  cmd->add_flag("--by-subject", request.by_subject, "Report each subject separately");
  add_model_options(*cmd, options->model);
  cmd->add_flag("--no-tta", options->no_tta, "Disable flip test-time augmentation");
  cmd->add_option("--threads", request.threads, "Threads (default: all cores)")->check(whole_number(1, 4096));
  cmd->add_option("--report-json", options->report_json, "Write the report as JSON (unrounded, mm)");
  cmd->add_option("--report-md", options->report_md, "Write the report as a Markdown table");
  cmd->add_option("--report-html", options->report_html,
                  "Write a self-contained HTML report: tables, charts, errors over time, worst videos and frames, "
                  "and a 3D player of prediction and ground truth");
  cmd->add_option("--report-video", request.player_video,
                  "The video the HTML report plays, SUBJECT/ACTION/CAMERA (e.g. 'S9/Walking 1/0'; default: the "
                  "one with the largest MPJPE)")
      ->needs("--report-html");
  cmd->add_option("--max-mpjpe", options->max_mpjpe,
                  "Exit with code 3 when the action-wise average MPJPE (mm) exceeds this")
      ->check(finite_number(0.0, 1e9));
  cmd->callback([options, &exit_code] { exit_code = run_eval(*options); });
}

}  // namespace lift3d::app
