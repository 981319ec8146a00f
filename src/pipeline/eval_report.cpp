#include "pipeline/eval_report.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <numeric>

#include <nlohmann/json.hpp>

#include "io/html_report.hpp"
#include "lift3d/error.hpp"
#include "pipeline/infer_report.hpp"

namespace lift3d::pipeline {
namespace {

using nlohmann::json;

double tenth(double value) { return std::round(value * 10.0) / 10.0; }

json errors_json(const core::MetricErrors& errors) {
  return {{"mpjpe", errors.mpjpe_mm}, {"p_mpjpe", errors.p_mpjpe_mm}, {"n_mpjpe", errors.n_mpjpe_mm},
          {"mpjve", errors.mpjve_mm}};
}

json summary_json(const core::EvaluationSummary& summary) {
  json groups = json::array();
  for (const core::GroupErrors& group : summary.groups) {
    json row = errors_json(group.errors);
    row["name"] = group.name;
    row["videos"] = group.videos;
    row["frames"] = group.frames;
    groups.push_back(row);
  }
  return {{"subject", summary.subject}, {"groups", groups}, {"average", errors_json(summary.average)}};
}

// The curve averaged over bins of `step` frames, at most kCurvePoints points.
json video_json(const VideoDetails& video) {
  const std::size_t frames = video.frame_mpjpe_mm.size();
  const std::size_t step = std::max<std::size_t>(1, (frames + kCurvePoints - 1) / kCurvePoints);
  std::vector<double> curve;
  for (std::size_t start = 0; start < frames; start += step) {
    const std::size_t end = std::min(frames, start + step);
    const double sum = std::accumulate(video.frame_mpjpe_mm.begin() + start, video.frame_mpjpe_mm.begin() + end, 0.0);
    curve.push_back(tenth(sum / (end - start)));
  }
  json out = errors_json(video.errors);
  out["name"] = video.name;
  out["frames"] = frames;
  out["curve"] = curve;
  out["curve_step"] = step;
  return out;
}

json worst_videos(const std::vector<VideoDetails>& videos) {
  std::vector<int> order(videos.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int a, int b) { return videos[a].errors.mpjpe_mm > videos[b].errors.mpjpe_mm; });
  order.resize(std::min<std::size_t>(order.size(), kWorstVideos));
  return order;
}

// The worst frame of each video, the worst of those first (so one bad video does not fill the list).
json worst_frames(const std::vector<VideoDetails>& videos) {
  struct Worst { int video; int frame; double mpjpe; };
  std::vector<Worst> worst;
  for (std::size_t v = 0; v < videos.size(); ++v) {
    const auto& errors = videos[v].frame_mpjpe_mm;
    if (errors.empty()) continue;
    const auto it = std::max_element(errors.begin(), errors.end());
    worst.push_back({static_cast<int>(v), static_cast<int>(it - errors.begin()), *it});
  }
  std::stable_sort(worst.begin(), worst.end(), [](const Worst& a, const Worst& b) { return a.mpjpe > b.mpjpe; });
  json out = json::array();
  for (std::size_t i = 0; i < worst.size() && i < static_cast<std::size_t>(kWorstFrames); ++i)
    out.push_back({{"video", worst[i].video}, {"frame", worst[i].frame}, {"mpjpe", tenth(worst[i].mpjpe)}});
  return out;
}

json player_json(const PlayedVideo& played) {
  json prediction = {{"label", "prediction"}, {"joints_mm", joints_in_mm(played.predicted)}};
  json truth = {{"label", "ground truth"}, {"joints_mm", joints_in_mm(played.target)}};
  return {{"name", played.name},  {"frames", played.predicted.frames}, {"fps", played.fps},
          {"first_frame", 0},     {"frame", "camera"},                 {"root_relative", true},
          {"skeletons", json::array({prediction, truth})}};
}

}  // namespace

std::string eval_report_json(const EvalReportHeader& header, const EvaluationResult& result) {
  if (result.videos.empty()) throw InternalError("the evaluation report needs the videos' details");
  const PlayerSkeleton skeleton = player_skeleton(result.joint_names);
  json summaries = json::array();
  for (const core::EvaluationSummary& summary : result.summaries) summaries.push_back(summary_json(summary));
  json videos = json::array();
  for (const VideoDetails& video : result.videos) videos.push_back(video_json(video));
  const json out = {
      {"kind", "eval"},
      {"title",
       "lift3d eval: " + std::filesystem::path(header.checkpoint).filename().string() + " on " + header.dataset},
      {"subtitle", header.checkpoint + " · " + header.keypoints + " · flip TTA " + (header.tta ? "on" : "off") + " · " +
                       std::to_string(result.videos.size()) + " videos · errors in mm"},
      {"skeleton", {{"names", skeleton.names}, {"parents", skeleton.parents}}},
      {"summaries", summaries},
      {"videos", videos},
      {"worst_videos", worst_videos(result.videos)},
      {"worst_frames", worst_frames(result.videos)},
      {"player", player_json(result.played)}};
  return out.dump();
}

void write_eval_report(const std::string& path, const EvalReportHeader& header, const EvaluationResult& result) {
  io::write_report_html(path, "lift3d eval: " + header.dataset, eval_report_json(header, result));
}

}  // namespace lift3d::pipeline
