// `lift3d stream [CHECKPOINT]`: live lifting. Keypoint frames in (JSON lines on stdin, or an
// OpenPose --write_json directory followed as it fills), one 3D record per frame out on stdout,
// flushed at once (camera or world frame, metres, as infer). SIGINT/SIGTERM end it as end of input
// does: the frames still waiting are lifted and written first.
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <memory>

#include "app/commands.hpp"
#include "app/logging.hpp"
#include "app/model_options.hpp"
#include "app/option_checks.hpp"
#include "base/joint_sets.hpp"
#include "base/log.hpp"
#include "lift3d/error.hpp"
#include "pipeline/image_sizes.hpp"
#include "pipeline/streaming.hpp"

namespace lift3d::app {
namespace {

struct StreamOptions {
  pipeline::StreamRequest request;
  ModelOptions model;
  bool no_tta = false;
  bool no_trajectory = false;
  bool timing = false;
  int timing_warmup = 0;  // frames at the start left out of --timing's figures
  int max_delay = -1;
  std::string image_size;
  std::string size_from;
  std::string on_bad_line = "skip";
  std::string output_format = "json";
  std::string coordinates = "auto";
};

// Ctrl-C (SIGINT) and SIGTERM ask the stream to stop; a second one ends the process at once.
std::atomic<int> g_stop_signal{0};

extern "C" void request_stop(int signal_number) {
  g_stop_signal.store(signal_number);
  ::signal(signal_number, SIG_DFL);
}

// SA_RESTART: a write to stdout in progress goes on; the reading side asks about a stop every
// 100 ms while it waits.
void stop_on_termination_signals() {
  struct sigaction action {};
  action.sa_handler = request_stop;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  for (const int signal_number : {SIGINT, SIGTERM}) ::sigaction(signal_number, &action, nullptr);
}

// Ctrl-C ends with 130 (128 + SIGINT, as shells report an interrupted command); SIGTERM, the way a
// service manager or a script stops a follower, is the planned end of a --follow stream: 0.
int exit_code_after_stop(int signal_number) { return signal_number == SIGINT ? 130 : kSuccess; }

// stdout unbuffered in effect: every record is written and flushed as one piece.
void write_to_stdout(const std::string& record) {
  if (std::fwrite(record.data(), 1, record.size(), stdout) != record.size() || std::fflush(stdout) != 0)
    throw InputError(std::string("stdout: writing failed (") + std::strerror(errno) + "); the reader may have closed the pipe");
}

void set_image_size(StreamOptions& options) {
  pipeline::StreamRequest& request = options.request;
  const int given = !options.image_size.empty() + !options.size_from.empty() + (request.width > 0 || request.height > 0);
  if (given > 1) throw UsageError("give the image size once: --image-size, --size-from, or --width and --height");
  std::optional<pipeline::ImageSizeOption> option;
  if (!options.image_size.empty()) option = pipeline::parse_image_size_option(options.image_size);
  if (!options.size_from.empty()) option = pipeline::parse_size_from_option(options.size_from);
  if (!option) return;
  if (!option->input_name.empty()) throw UsageError(option->text + ": stream reads one input; give the size without NAME=");
  const std::optional<pipeline::ChosenImageSize> size = pipeline::image_size_for_input("stream", {*option});
  if (!size) throw InternalError("no size from " + option->text);
  request.width = size->width;
  request.height = size->height;
  logger().info("stream: image size {}x{} ({})", size->width, size->height, size->origin);
}

// p50, p99 and the largest of `values` (sorted here), in milliseconds.
std::string quantiles(std::vector<float> values) {
  std::sort(values.begin(), values.end());
  auto at = [&](double q) { return values[std::min(values.size() - 1, static_cast<std::size_t>(q * (values.size() - 1) + 0.5))]; };
  return fmt::format("p50 {:.3f} ms, p99 {:.3f} ms, max {:.3f} ms", at(0.5), at(0.99), values.back());
}

// The --timing note: per-frame wall-clock and CPU time, the first `warmup` frames left out (the
// caches and the first allocations are then still being filled).
void log_timing(const pipeline::StreamSummary& summary, int threads, int warmup) {
  const auto skipped = static_cast<std::ptrdiff_t>(std::min<std::size_t>(warmup, summary.compute_ms.size()));
  const std::vector<float> wall(summary.compute_ms.begin() + skipped, summary.compute_ms.end());
  const std::vector<float> cpu(summary.compute_cpu_ms.begin() + skipped, summary.compute_cpu_ms.end());
  if (wall.empty()) return log_regardless_of_level(spdlog::level::info, "timing: no frame lifted");
  const std::string after = warmup > 0 ? fmt::format(" after the first {}", skipped) : "";
  log_regardless_of_level(spdlog::level::info,
                          fmt::format("timing: {} frames{}, per frame from its line read to its output written: {} "
                                      "(wall clock); {} (CPU time of the lifting thread; {} thread{})",
                                      wall.size(), after, quantiles(wall), quantiles(cpu), threads,
                                      threads == 1 ? "" : "s"));
}

int run_stream(StreamOptions& options) {
  pipeline::StreamRequest& request = options.request;
  set_image_size(options);
  request.hints = architecture_hints(options.model);
  request.flip_tta = !options.no_tta;
  request.add_trajectory = !options.no_trajectory;
  if (options.max_delay >= 0) request.max_delay = options.max_delay;
  request.on_bad_line = options.on_bad_line == "stop" ? pipeline::OnBadLine::Stop : pipeline::OnBadLine::Skip;
  request.format = options.output_format == "binary" ? pipeline::StreamOutputFormat::Binary
                                                     : pipeline::StreamOutputFormat::Json;
  if (request.idle_timeout_seconds > 0 && request.follow_dir.empty())
    throw UsageError("--idle-timeout goes with --follow DIR (stdin ends with its writer)");
  request.coordinates = options.coordinates == "pixels"       ? core::CoordinateChoice::Pixels
                        : options.coordinates == "normalized" ? core::CoordinateChoice::Normalized
                                                              : core::CoordinateChoice::Auto;
  request.write = write_to_stdout;
  request.record_times = options.timing;
  request.stop_requested = [] { return g_stop_signal.load() != 0; };
  std::signal(SIGPIPE, SIG_IGN);  // a reader that goes away is a write error, reported, not a silent death
  stop_on_termination_signals();
  const pipeline::StreamSummary summary = pipeline::run_stream(request);
  if (options.timing) log_timing(summary, request.threads, options.timing_warmup);
  logger().debug("stream: {} line(s), {} frame(s) in, {} lifted, {} track(s)", summary.lines, summary.frames_in,
                 summary.frames_out, summary.tracks);
  const int stop_signal = g_stop_signal.load();
  if (summary.stopped)
    logger().info("stream: stopped by {}: the {} frame(s) given were lifted and written, the last ones with the "
                  "future edge-padded as at the end of input",
                  stop_signal == SIGINT ? "SIGINT" : "SIGTERM", summary.frames_out);
  if (summary.bad_lines > 0)
    logger().warn("{} of {} input {} skipped; the others were lifted", summary.bad_lines, summary.lines,
                  request.follow_dir.empty() ? "lines" : "files");
  if (summary.stopped && stop_signal == SIGINT) return exit_code_after_stop(stop_signal);
  return summary.bad_lines == 0 ? kSuccess : kSomeFailed;
}

}  // namespace

void add_stream_command(CLI::App& cli, int& exit_code) {
  auto options = std::make_shared<StreamOptions>();
  pipeline::StreamRequest& request = options->request;
  CLI::App* cmd = cli.add_subcommand(
      "stream", "Lift keypoints live: JSON lines on stdin (or a followed OpenPose directory) in, one 3D line per frame out");
  cmd->add_option("checkpoint", request.checkpoint,
                  "VideoPose3D checkpoint (default: the shipped model, default_coco_h36m_81f.bin)");
  cmd->add_option("--follow", request.follow_dir,
                  "Follow this OpenPose --write_json directory instead of reading stdin: its frame files, then new "
                  "ones as they are written, in frame order")
      ->type_name("DIR");
  cmd->add_option("--idle-timeout", request.idle_timeout_seconds,
                  "With --follow: end (lifting the frames still waiting) after this many seconds without a new file "
                  "(default: follow until killed)")
      ->check(finite_number(0.0, 1e6));
  cmd->add_option("--image-size", options->image_size, "Image size in pixels (WxH), to normalise the keypoints")
      ->type_name("WxH");
  cmd->add_option("--size-from", options->size_from, "Image size from a frame image's or video's header (PNG, JPEG, MP4/MOV)")
      ->type_name("FILE");
  cmd->add_option("--width", request.width, "Image width in pixels (with --height)")->check(whole_number(1, 1'000'000));
  cmd->add_option("--height", request.height, "Image height in pixels (with --width)")->check(whole_number(1, 1'000'000));
  cmd->add_option("--coordinates", options->coordinates,
                  "x, y are pixels, normalized ([0, 1] or [-1, 1] of the image, y down), or auto (default): told "
                  "apart from the values of the first frame that has any, then held for the whole stream")
      ->check(CLI::IsMember({"pixels", "normalized", "auto"}));
  cmd->add_option("--frame", request.frame,
                  "camera (default): as the model predicts (x right, y down, z forward); world: rotated as infer's "
                  "world frame, z up, each track's heights from its lowest joint so far (equal to infer --frame "
                  "world from the frame holding the sequence's lowest joint on)")
      ->check(CLI::IsMember({"camera", "world"}));
  cmd->add_option("--layout", request.layout, "The model's 2D input layout (default coco)")
      ->check(CLI::IsMember({"coco", "h36m"}));
  cmd->add_option("--input-layout", request.source_layout,
                  "The frames' joint layout when the keypoint count cannot tell it (e.g. body25b, or h36m for 17)")
      ->check(CLI::IsMember(keypoint_layout_names()));
  cmd->add_option("--min-score", request.min_score,
                  "Keypoints scoring below this are missing: they keep their last seen position")
      ->check(finite_number(0.0, 1.0));
  cmd->add_option("--max-delay", options->max_delay,
                  "Symmetric models: write each frame's 3D at most this many frames after it, the rest of the future "
                  "it reads edge-padded (less accurate; default: the model's half receptive field)")
      ->check(whole_number(0, 100000));
  cmd->add_option("--fps", request.fps, "The stream's frame rate, to state the delay in seconds")
      ->check(finite_number(0.001, 10000.0));
  cmd->add_option("--track-timeout", request.track_timeout,
                  "A track with no frame for more than this many frames (of the newest frame number) ends: its waiting "
                  "frames are lifted (default 30)")
      ->check(whole_number(0, 1 << 30));
  cmd->add_option("--max-tracks", request.max_tracks, "Most tracks lifted at once; a frame of one more is refused (default 64)")
      ->check(whole_number(1, 100000));
  cmd->add_option("--max-line-bytes", request.max_line_bytes,
                  "Longest input line (or --follow file) accepted; longer ones are refused unread (default 1048576)")
      ->check(whole_number(64, 1 << 30));
  cmd->add_option("--on-bad-line", options->on_bad_line,
                  "skip: warn naming the line and go on, exit code 4 at the end (default); stop: lift the waiting "
                  "frames and fail with exit code 1")
      ->check(CLI::IsMember({"skip", "stop"}));
  cmd->add_option("--output-format", options->output_format,
                  "json: one JSON line per frame (default); binary: fixed little-endian records (see the README)")
      ->check(CLI::IsMember({"json", "binary"}));
  add_model_options(*cmd, options->model);
  cmd->add_flag("--no-tta", options->no_tta, "Disable flip test-time augmentation");
  cmd->add_flag("--no-trajectory", options->no_trajectory, "Do not add the trajectory model's root position");
  cmd->add_option("--threads", request.threads, "Threads inside each matrix product (default 1)")
      ->check(whole_number(1, 4096));
  CLI::Option* timing = cmd->add_flag("--timing", options->timing,
                "At the end, print per-frame times (p50, p99, max: from a line read to its output written) to stderr "
                "(keeps 8 bytes per frame until then)");
  cmd->add_option("--timing-warmup", options->timing_warmup,
                  "Frames at the start left out of --timing's figures (default 0)")
      ->check(whole_number(0, 1000000000))
      ->needs(timing);
  cmd->callback([options, &exit_code] { exit_code = run_stream(*options); });
}

}  // namespace lift3d::app
