// `lift3d eval CHECKPOINT --dataset h36m|humaneva15 --data-3d FILE --data-2d FILE ...`: the
// reference's `run.py --evaluate` (reference-spec.md 3): every test video lifted, compared with its
// camera-space root-relative ground truth, aggregated by action group.
#include <unistd.h>

#include <algorithm>
#include <limits>
#include <optional>

#include <iostream>
#include <memory>
#include <mutex>
#include <sstream>

#include "lift3d/app/commands.hpp"
#include "lift3d/app/eval_report.hpp"
#include "lift3d/core/checkpoint_model.hpp"
#include "lift3d/core/ground_truth.hpp"
#include "lift3d/core/metrics.hpp"
#include "lift3d/core/normalization.hpp"
#include "lift3d/core/parallel.hpp"
#include "lift3d/core/skeleton.hpp"
#include "lift3d/error.hpp"
#include "lift3d/io/file.hpp"
#include "lift3d/io/videopose_2d.hpp"
#include "lift3d/io/videopose_3d.hpp"

namespace lift3d::app {
namespace {

struct EvalOptions {
  std::string checkpoint;
  std::string dataset;
  std::string data_3d;
  std::string data_2d;
  std::string subjects_test;
  std::string actions;
  bool by_subject = false;
  bool causal = false;
  bool dense = false;
  bool no_tta = false;
  std::string architecture;
  int channels = 0;
  int threads = 0;
  std::string report_json;
  std::string report_md;
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

// One video to evaluate: one camera of one (subject, action).
struct Video {
  std::string subject;
  std::string action;
  const core::KeypointSequence* keypoints;
  const core::GroundTruthView* truth;
};

// Redraws "evaluating: k/n videos" on stderr when it is a terminal.
class Progress {
 public:
  explicit Progress(int total) : total_(total), enabled_(::isatty(STDERR_FILENO) != 0) {}
  void step() {
    if (!enabled_) return;
    std::lock_guard<std::mutex> lock(mutex_);
    std::cerr << "\revaluating: " << ++done_ << "/" << total_ << " videos" << std::flush;
    if (done_ == total_) std::cerr << "\r\033[K" << std::flush;
  }

 private:
  int total_;
  int done_ = 0;
  bool enabled_;
  std::mutex mutex_;
};

void run_eval(const EvalOptions& options, int& exit_code) {
  const core::Dataset dataset = core::parse_dataset(options.dataset);
  if (dataset == core::Dataset::Custom) throw UsageError("eval needs a dataset with ground truth: h36m or humaneva15");
  core::ArchitectureHints hints;
  hints.causal = options.causal;
  if (options.dense) hints.dense = true;
  if (!options.architecture.empty()) hints.filter_widths = core::parse_filter_widths(options.architecture);
  if (options.channels > 0) hints.channels = options.channels;
  const core::LoadedModel model = core::load_model(options.checkpoint, hints);

  const core::GroundTruth truth = core::build_ground_truth(io::read_videopose_3d(options.data_3d), dataset);
  io::VideoPose2DFile keypoints = io::read_videopose_2d(options.data_2d);
  core::reconcile_2d_with_3d(keypoints, truth);

  const std::vector<std::string> subjects =
      split_list(options.subjects_test.empty()
                     ? (dataset == core::Dataset::H36M ? "S9,S11" : "Validate/S1,Validate/S2,Validate/S3")
                     : options.subjects_test);
  const std::vector<std::string> action_filter = split_list(options.actions);
  const core::Skeleton& skeleton = core::skeleton(dataset == core::Dataset::H36M ? "h36m" : "humaneva15");
  if (model.info.pose.joints_out != skeleton.num_joints())
    throw ModelError(options.checkpoint + ": predicts " + std::to_string(model.info.pose.joints_out) + " joints, the " +
                     options.dataset + " skeleton has " + std::to_string(skeleton.num_joints()));
  core::FlipPairs flip{keypoints.kps_left, keypoints.kps_right, skeleton.joints_left, skeleton.joints_right};

  // Test videos in the reference's order: subjects as given, each subject's actions in the 3D
  // file's order, cameras by index.
  std::vector<Video> videos;
  const std::vector<std::string> known = truth.subjects();
  for (const std::string& subject : subjects) {
    if (std::find(known.begin(), known.end(), subject) == known.end()) {
      std::string list;
      for (const auto& name : known) list += (list.empty() ? "" : ", ") + name;
      throw UsageError(options.data_3d + ": no subject '" + subject + "' (has: " + list + ")");
    }
    for (const core::GroundTruthSequence& sequence : truth.sequences) {
      if (sequence.subject != subject) continue;
      if (!core::matches_action_filter(core::action_group(sequence.action), action_filter)) continue;
      const io::VideoPose2DSequence* found = nullptr;
      for (const auto& candidate : keypoints.sequences)
        if (candidate.subject == subject && candidate.action == sequence.action) found = &candidate;
      if (!found)
        throw InputError(options.data_2d + ": no 2D keypoints for " + subject + "/" + sequence.action);
      for (std::size_t c = 0; c < sequence.views.size(); ++c)
        videos.push_back({subject, sequence.action, &found->cameras.at(c), &sequence.views[c]});
    }
  }
  if (videos.empty()) throw UsageError("no test videos: no action of the test subjects matches --actions '" + options.actions + "'");

  const int threads = options.threads > 0 ? options.threads : core::hardware_threads();
  const int video_threads = std::min<int>(threads, static_cast<int>(videos.size()));
  core::set_blas_threads(video_threads > 1 ? 1 : threads);
  core::LiftOptions lift_options;
  lift_options.flip_tta = !options.no_tta;
  std::vector<core::MetricErrors> errors(videos.size());
  Progress progress(static_cast<int>(videos.size()));
  core::parallel_for(static_cast<int>(videos.size()), video_threads, [&](int i) {
    const Video& video = videos[i];
    const core::Camera& camera = video.truth->camera;
    const core::KeypointSequence input =
        core::normalize_screen_coordinates(*video.keypoints, camera.res_w, camera.res_h);
    const core::PoseSequence predicted = core::run_model(model.lifter.pose, input, &flip, lift_options);
    errors[i] = core::sequence_errors(predicted, core::evaluation_target(video.truth->positions));
    progress.step();
  });

  core::Aggregator aggregator;
  for (std::size_t i = 0; i < videos.size(); ++i)
    aggregator.add({videos[i].subject, videos[i].action, videos[i].keypoints->frames, errors[i]});

  EvalReport report;
  report.dataset = options.dataset;
  report.keypoints = options.data_2d;
  report.tta = !options.no_tta;
  report.causal = options.causal;
  report.checkpoint = model.info;
  const core::EvaluationSummary overall = aggregator.summary(action_filter);
  if (options.by_subject) {
    // run.py reports every test subject, also one without a selected action (NaN averages).
    const std::vector<core::EvaluationSummary> found = aggregator.summaries_by_subject(action_filter);
    for (const std::string& subject : subjects) {
      const auto reported = [&](const core::EvaluationSummary& s) { return s.subject == subject; };
      if (std::any_of(report.summaries.begin(), report.summaries.end(), reported)) continue;
      const auto it = std::find_if(found.begin(), found.end(), reported);
      core::EvaluationSummary summary;
      if (it != found.end()) {
        summary = *it;
      } else {
        const double nan = std::numeric_limits<double>::quiet_NaN();
        summary.subject = subject;
        summary.average = {nan, nan, nan, nan};
      }
      report.summaries.push_back(summary);
    }
  } else
    report.summaries = {overall};

  std::cout << console_report(report);
  if (!options.report_json.empty()) io::write_file_atomic(options.report_json, json_report(report));
  if (!options.report_md.empty()) io::write_file_atomic(options.report_md, markdown_report(report));

  exit_code = kSuccess;
  if (options.max_mpjpe && !(overall.average.mpjpe_mm <= *options.max_mpjpe)) {
    std::cerr << "lift3d: action-wise average MPJPE " << overall.average.mpjpe_mm << " mm exceeds --max-mpjpe "
              << *options.max_mpjpe << " mm\n";
    exit_code = kThresholdExceeded;
  }
}

}  // namespace

void add_eval_command(CLI::App& cli, int& exit_code) {
  auto options = std::make_shared<EvalOptions>();
  CLI::App* cmd = cli.add_subcommand("eval", "Evaluate a checkpoint on Human3.6M or HumanEva-I as run.py --evaluate does");
  cmd->add_option("checkpoint", options->checkpoint, "VideoPose3D checkpoint (either torch format)")->required();
  cmd->add_option("--dataset", options->dataset, "h36m or humaneva15")
      ->required()
      ->check(CLI::IsMember({"h36m", "humaneva15"}));
  cmd->add_option("--data-3d", options->data_3d, "3D ground truth, e.g. data_3d_h36m.npz")->required();
  cmd->add_option("--data-2d", options->data_2d, "2D keypoints, e.g. data_2d_h36m_cpn_ft_h36m_dbb.npz")->required();
  cmd->add_option("--subjects-test", options->subjects_test,
                  "Comma-separated test subjects (default S9,S11; HumanEva Validate/S1,Validate/S2,Validate/S3)");
  cmd->add_option("--actions", options->actions,
                  "Comma-separated action prefixes, matched against action groups as run.py -a does (default: all)");
  cmd->add_flag("--by-subject", options->by_subject, "Report each subject separately");
  cmd->add_flag("--causal", options->causal, "The checkpoint is a causal model (not stored in checkpoints)");
  cmd->add_flag("--dense", options->dense, "The checkpoint is a dense (non-dilated) model");
  cmd->add_option("--architecture", options->architecture, "Check the checkpoint has these filter widths");
  cmd->add_option("--channels", options->channels, "Check the checkpoint has this many channels");
  cmd->add_flag("--no-tta", options->no_tta, "Disable flip test-time augmentation");
  cmd->add_option("--threads", options->threads, "Threads (default: all cores)")->check(CLI::PositiveNumber);
  cmd->add_option("--report-json", options->report_json, "Write the report as JSON (unrounded, mm)");
  cmd->add_option("--report-md", options->report_md, "Write the report as a Markdown table");
  cmd->add_option("--max-mpjpe", options->max_mpjpe,
                  "Exit with code 3 when the action-wise average MPJPE (mm) exceeds this");
  cmd->callback([options, &exit_code] { run_eval(*options, exit_code); });
}

}  // namespace lift3d::app
