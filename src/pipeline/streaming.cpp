#include "pipeline/streaming.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <map>
#include <set>

#include <fmt/format.h>

#include "base/joint_mapping.hpp"
#include "base/joint_sets.hpp"
#include "base/log.hpp"
#include "io/directory_watch.hpp"
#include "io/json_support.hpp"
#include "io/keypoint_files.hpp"
#include "io/ndjson_frames.hpp"
#include "io/pose_stream.hpp"
#include "lift3d/error.hpp"
#include "pipeline/checkpoint_model.hpp"
#include "core/world_frame.hpp"
#include "pipeline/default_model.hpp"
#include "pipeline/stream_coordinates.hpp"
#include "pipeline/thread_plan.hpp"
#include "pipeline/track_lifter.hpp"

namespace lift3d::pipeline {
namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

constexpr const char* kStdinName = "<stdin>";
constexpr int kStopSliceMs = 100;  // how often a wait for input asks whether to stop

// Layouts a frame's keypoint count tells (the detectors' layouts infer reads).
const std::vector<std::pair<int, std::string>>& layouts_by_count() {
  static const std::vector<std::pair<int, std::string>> layouts{
      {17, "coco"}, {18, "coco18"}, {25, "body25"}, {26, "halpe26"}, {133, "coco_wholebody"}, {136, "halpe136"}};
  return layouts;
}

std::string source_layout_of(int joints, const std::string& given, const std::string& where) {
  if (!given.empty()) {
    if (keypoint_layout(given).num_joints() != joints)
      throw InputError(fmt::format("{}: {} keypoints, but --input-layout {} has {}", where, joints, given,
                                   keypoint_layout(given).num_joints()));
    return given;
  }
  for (const auto& [count, name] : layouts_by_count())
    if (count == joints) return name;
  throw InputError(fmt::format("{}: {} keypoints; a frame has 17 (coco), 18 (coco18), 25 (body25), 26 (halpe26), 133 "
                               "(coco_wholebody) or 136 (halpe136), or give --input-layout",
                               where, joints));
}

// The model, the shared per-track settings, and the checks infer makes before any work.
struct LoadedStream {
  LoadedModel model;
  StreamModel shared;
};

const Skeleton* output_skeleton_of(const core::ModelConfig& config) {
  if (config.joints_out == 17) return &skeleton("h36m");
  if (config.joints_out == 15) return &skeleton("humaneva15");
  return nullptr;
}

void check_request(const StreamRequest& request) {
  if (request.width <= 0 || request.height <= 0)
    throw UsageError("the image size is needed to normalise the keypoints: pass --image-size WxH (or --width and "
                     "--height, or --size-from a frame image or the video), pixels");
  if (!is_known_layout(request.layout)) throw UsageError("unknown --layout " + request.layout);
  if (request.max_delay && *request.max_delay < 0) throw UsageError("--max-delay must be 0 or more frames");
  if (request.frame != "camera" && request.frame != "world") throw UsageError("unknown --frame " + request.frame);
}

LoadedStream load_stream(const StreamRequest& request) {
  check_request(request);
  LoadedStream loaded{load_model(request.checkpoint.empty() ? default_model_path() : request.checkpoint, request.hints),
                      {}};
  const core::ModelConfig& pose = loaded.model.info.pose;
  const KeypointLayout& layout = keypoint_layout(request.layout);
  if (pose.input_channels != layout.num_joints() * 2)
    throw UsageError(fmt::format("the model reads {} keypoints, layout '{}' has {}; pass --layout", pose.input_channels / 2,
                                 request.layout, layout.num_joints()));
  StreamModel& shared = loaded.shared;  // shared.lifter is set by the caller, once `loaded` has its place
  shared.flip_tta = request.flip_tta;
  shared.add_trajectory = request.add_trajectory;
  shared.layout = request.layout;
  shared.width = request.width;
  shared.height = request.height;
  shared.min_score = request.min_score;
  shared.max_delay = request.max_delay;
  shared.flip.kps_left = layout.left;
  shared.flip.kps_right = layout.right;
  if (const Skeleton* skeleton = output_skeleton_of(pose)) {
    shared.flip.joints_left = skeleton->joints_left;
    shared.flip.joints_right = skeleton->joints_right;
  } else if (request.flip_tta) {
    throw UsageError(fmt::format("flip augmentation needs the left/right joints of the model's {}-joint skeleton, "
                                 "which is unknown; use --no-tta",
                                 pose.joints_out));
  }
  return loaded;
}

// "symmetric, receptive field 81 frames: a frame's 3D comes 40 frames (1.33 s at 30 fps) after it"
void note_delay(const StreamRequest& request, const LoadedStream& loaded) {
  const core::ModelConfig& pose = loaded.model.info.pose;
  const int delay = stream_delay_frames(loaded.shared);
  const std::string seconds = request.fps > 0 ? fmt::format(" ({:.3g} s at {:g} fps)", delay / request.fps, request.fps) : "";
  std::string how;
  if (delay == 0) how = "each frame's 3D is written as soon as the frame arrives";
  else how = fmt::format("each frame's 3D is written when the frame {} later arrives{}", delay, seconds);
  std::string trade;
  if (request.max_delay && *request.max_delay < pose.pad_right())
    trade = fmt::format(" (--max-delay {}: the last {} of the {} future frames it reads are copies of the newest)",
                        *request.max_delay, pose.pad_right() - *request.max_delay, pose.pad_right());
  logger().info("stream: {} model, receptive field {} frames: {}{}; the end of the input lifts the frames still "
                "waiting",
                pose.causal ? "causal" : "symmetric", pose.receptive_field(), how, trade);
}

// Every track of the stream, and the records written for them.
class Session {
 public:
  Session(const StreamRequest& request, const StreamModel& shared, StreamSummary& summary)
      : request_(request), shared_(shared), summary_(summary),
        coordinates_(request.coordinates, request.width, request.height) {}

  // One frame of one person (keypoints joints x 3 in `source_layout`). Throws InputError (naming
  // `where`) for a frame refused; the stream then goes on as if the line had not come.
  void frame(const std::string& where, long long number, const std::string& track, int joints,
             const std::vector<float>& values, const std::string& source_layout) {
    KeypointSequence keypoints;
    keypoints.frames = 1;
    keypoints.joints = joints;
    keypoints.features = 3;
    keypoints.values = values;
    coordinates_.to_pixels(keypoints, where);
    if (source_layout != shared_.layout) keypoints = map_keypoint_layout(keypoints, source_layout, shared_.layout);
    auto found = tracks_.find(track);
    if (found != tracks_.end() && number <= found->second.lifter.last_frame())
      throw InputError(fmt::format("{}: frame {} {} frame {} of {}; frame numbers must increase", where, number,
                                   number == found->second.lifter.last_frame() ? "repeats" : "comes after",
                                   found->second.lifter.last_frame(), track_label(track)));
    end_stale_tracks(number);
    found = tracks_.find(track);
    if (found == tracks_.end()) found = start_track(where, track);
    Track& state = found->second;
    if (state.lifter.started() && number - state.lifter.last_frame() > 1 && !state.warned_skip) {
      logger().warn("{}: frame numbers of {} skip ({} -> {}): the frames are lifted in the order given, one after "
                    "the other, as infer lifts the frames a file has",
                    where, track_label(track), state.lifter.last_frame(), number);
      state.warned_skip = true;
    }
    write(track, state, state.lifter.push(number, std::move(keypoints)));
    newest_frame_ = std::max(newest_frame_, number);
    ++summary_.frames_in;
  }

  void finish_all() {
    for (auto& [track, state] : tracks_) write(track, state, state.lifter.finish());
    tracks_.clear();
  }

 private:
  struct Track {
    TrackLifter lifter;
    int index;
    bool warned_skip = false;
    core::RunningWorldFrame world{};  // its own floor: a track is its own sequence
  };

  static std::string track_label(const std::string& track) { return track.empty() ? "the stream" : "track " + track; }

  std::map<std::string, Track>::iterator start_track(const std::string& where, const std::string& track) {
    if (static_cast<int>(tracks_.size()) >= request_.max_tracks)
      throw InputError(fmt::format("{}: {} would be the {}th track at once, more than --max-tracks {}", where,
                                   track_label(track), tracks_.size() + 1, request_.max_tracks));
    auto known = indices_.find(track);
    if (known == indices_.end()) {
      if (indices_.size() >= kMaxRemembered) indices_.clear();  // numbering starts again rather than grow without end
      known = indices_.emplace(track, summary_.tracks++).first;
    }
    const std::string source = std::string(request_.follow_dir.empty() ? kStdinName : request_.follow_dir) +
                               (track.empty() ? "" : ": track " + track);
    return tracks_.emplace(track, Track{TrackLifter(shared_, source), known->second}).first;
  }

  // Tracks not seen for more than track_timeout frames end: their waiting frames are lifted.
  void end_stale_tracks(long long number) {
    for (auto it = tracks_.begin(); it != tracks_.end();) {
      if (number - it->second.lifter.last_frame() <= request_.track_timeout) {
        ++it;
        continue;
      }
      logger().debug("{} ends: no frame since {} (newest {}, --track-timeout {})", track_label(it->first),
                     it->second.lifter.last_frame(), number, request_.track_timeout);
      write(it->first, it->second, it->second.lifter.finish());
      it = tracks_.erase(it);
    }
  }

  void write(const std::string& track, Track& state, std::vector<LiftedFrame> frames) {
    if (frames.empty()) return;
    record_.clear();
    for (LiftedFrame& lifted : frames) {
      if (request_.frame == "world") state.world.apply(lifted.positions);
      io::StreamedPose pose;
      pose.frame = lifted.frame;
      pose.track = track;
      pose.track_index = track.empty() ? -1 : state.index;
      pose.joints = static_cast<int>(lifted.positions.size() / 3);
      pose.positions = lifted.positions.data();
      pose.delay_frames = lifted.delay_frames;
      pose.padded_frames = lifted.padded_frames;
      pose.filled = lifted.filled;
      if (request_.format == StreamOutputFormat::Json) io::append_pose_line_json(record_, pose);
      else io::append_pose_record_binary(record_, pose);
    }
    request_.write(record_);
    summary_.frames_out += static_cast<long long>(frames.size());
  }

  static constexpr std::size_t kMaxRemembered = 1 << 16;
  const StreamRequest& request_;
  const StreamModel& shared_;
  StreamSummary& summary_;
  StreamCoordinates coordinates_;
  std::map<std::string, Track> tracks_;
  std::map<std::string, int> indices_;  // track numbers for the binary form, kept across a track's restarts
  long long newest_frame_ = -1;
  std::string record_;
};

double milliseconds_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

double thread_cpu_ms() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return now.tv_sec * 1e3 + now.tv_nsec / 1e6;
}

// Records one frame's times (see StreamSummary).
void record_times(const StreamRequest& request, StreamSummary& summary, Clock::time_point start, double cpu_start) {
  if (!request.record_times) return;
  summary.compute_ms.push_back(static_cast<float>(milliseconds_since(start)));
  summary.compute_cpu_ms.push_back(static_cast<float>(thread_cpu_ms() - cpu_start));
}

// A bad line (or file): skipped with a warning, or the end of the input.
bool keep_going_after(const StreamRequest& request, const Error& error, StreamSummary& summary) {
  if (const auto* internal = dynamic_cast<const InternalError*>(&error)) throw *internal;  // a bug, not the line
  ++summary.bad_lines;
  if (request.on_bad_line == OnBadLine::Stop) return false;
  logger().warn("{}; skipped", error.what());
  return true;
}

// Lines of newline-delimited JSON from the input descriptor. Returns the error that stopped it.
std::optional<InputError> read_lines(const StreamRequest& request, Session& session, StreamSummary& summary) {
  io::LineReader reader(request.input_fd, request.max_line_bytes);
  if (request.stop_requested) reader.set_stop(request.stop_requested);
  while (std::optional<io::LineReader::Line> line = reader.next()) {
    const Clock::time_point start = Clock::now();
    const double cpu_start = thread_cpu_ms();
    ++summary.lines;
    const std::string where = fmt::format("{}: line {}", kStdinName, line->number);
    try {
      if (line->too_long)
        throw InputError(fmt::format("{}: {} bytes, longer than --max-line-bytes {}", where, line->bytes,
                                     request.max_line_bytes));
      if (line->text.find_first_not_of(" \t") == std::string::npos) continue;  // blank lines separate nothing
      const io::NdjsonFrame frame = io::parse_frame_line(line->text, kStdinName, line->number);
      const std::string layout = source_layout_of(frame.joints, request.source_layout, where);
      session.frame(where, frame.frame, frame.track, frame.joints, frame.keypoints, layout);
      record_times(request, summary, start, cpu_start);
    } catch (const Error& error) {  // the line's content, also when it does not fit the options
      if (!keep_going_after(request, error, summary)) return InputError(error.what());
    }
  }
  summary.stopped = reader.stopped();
  return std::nullopt;
}

// --follow: "<anything><digits>_keypoints.json" or "<anything><digits>.json" -> the digits.
std::optional<long long> frame_number_of(const std::string& path) {
  std::string name = fs::path(path).filename().string();
  for (const char* suffix : {"_keypoints.json", ".json"}) {
    const std::string tail(suffix);
    if (name.size() > tail.size() && name.compare(name.size() - tail.size(), tail.size(), tail) == 0) {
      name.resize(name.size() - tail.size());
      std::size_t digits = 0;
      while (digits < name.size() && digits < 15 && std::isdigit(static_cast<unsigned char>(name[name.size() - 1 - digits])))
        ++digits;
      if (digits == 0) return std::nullopt;
      return std::stoll(name.substr(name.size() - digits));
    }
  }
  return std::nullopt;
}

// One OpenPose frame file: every person with a person_id is its own track; without ids, the person
// with the highest mean keypoint score is the stream's one track.
void read_frame_file(const StreamRequest& request, Session& session, const std::string& path, long long number) {
  std::error_code error;
  const auto bytes = fs::file_size(path, error);
  if (error) throw InputError(path + ": cannot read: " + error.message());
  if (bytes == 0) throw InputError(path + ": empty (0-byte) frame file, an interrupted write");
  if (bytes > request.max_line_bytes)
    throw InputError(fmt::format("{}: {} bytes, more than --max-line-bytes {}", path, bytes, request.max_line_bytes));
  const nlohmann::json document = io::read_json_file(path);
  const nlohmann::json* people = document.is_object() ? io::json_member(document, "people") : nullptr;
  if (people && people->is_array() && people->empty()) return;  // nobody in this frame
  io::DetectionReadOptions options;
  options.layout = request.source_layout;
  const Detections2D detections = io::openpose_frame_detections(document, path, options);
  const std::size_t values = static_cast<std::size_t>(detections.joints) * 3;
  auto keypoints_of = [&](std::size_t d) {
    return std::vector<float>(detections.keypoints_of(d), detections.keypoints_of(d) + values);
  };
  if (detections.has_track_ids) {
    for (std::size_t d = 0; d < detections.count(); ++d) {
      const auto& id = detections.detections[d].track_id;
      session.frame(path, number, id ? std::to_string(*id) : "", detections.joints, keypoints_of(d), detections.layout);
    }
    return;
  }
  std::size_t best = 0;
  for (std::size_t d = 1; d < detections.count(); ++d)
    if (detections.detections[d].score > detections.detections[best].score) best = d;
  session.frame(path, number, "", detections.joints, keypoints_of(best), detections.layout);
}

// The directory's frame files, ordered by frame number; later ones as they are completed. A file
// listed at the start may still be being written: when it does not parse, it is read again once
// its writer closes it (and is a bad file only if it fails then, or the stream ends first).
std::optional<InputError> follow_directory(const StreamRequest& request, Session& session, StreamSummary& summary) {
  io::DirectoryWatch watch(request.follow_dir);  // before listing, so no file falls between the two
  std::vector<std::string> arrived;
  for (const fs::directory_entry& entry : fs::directory_iterator(request.follow_dir))
    if (entry.is_regular_file()) arrived.push_back(entry.path().string());
  std::set<std::string> listed(arrived.begin(), arrived.end());  // their events may still come
  std::map<std::string, std::string> unfinished;  // listed files that did not parse yet -> the error
  long long last_number = -1;
  Clock::time_point last_file = Clock::now();
  auto bad = [&](const Error& error) -> std::optional<InputError> {
    if (!keep_going_after(request, error, summary)) return InputError(error.what());
    return std::nullopt;
  };
  for (;;) {
    std::vector<std::pair<long long, std::string>> files;
    for (const std::string& path : arrived)
      if (const std::optional<long long> number = frame_number_of(path)) files.emplace_back(*number, path);
    std::sort(files.begin(), files.end());
    for (const auto& [number, path] : files) {
      const Clock::time_point start = Clock::now();
      const double cpu_start = thread_cpu_ms();
      if (number <= last_number) {
        if (listed.count(path) == 0) logger().warn("{}: frame {} came after frame {}; skipped", path, number, last_number);
        continue;
      }
      last_file = Clock::now();
      try {
        read_frame_file(request, session, path, number);
        unfinished.erase(path);
        record_times(request, summary, start, cpu_start);
      } catch (const Error& error) {
        if (listed.count(path) && !unfinished.count(path)) {  // perhaps still being written: wait for its close
          unfinished.emplace(path, error.what());
          continue;
        }
        unfinished.erase(path);
        ++summary.lines;
        last_number = number;
        if (auto stop = bad(error)) return stop;
        continue;
      }
      ++summary.lines;
      last_number = number;
    }
    if (summary.stopped) break;  // the files there when the stop came are read
    const double idle = std::chrono::duration<double>(Clock::now() - last_file).count();
    if (request.idle_timeout_seconds > 0 && idle >= request.idle_timeout_seconds) break;
    int wait_ms =
        request.idle_timeout_seconds > 0 ? static_cast<int>((request.idle_timeout_seconds - idle) * 1000) + 1 : -1;
    if (request.stop_requested) {  // wait in slices, so a stop is seen within one
      wait_ms = wait_ms < 0 ? kStopSliceMs : std::min(wait_ms, kStopSliceMs);
      if (request.stop_requested()) {
        summary.stopped = true;
        wait_ms = 0;  // one last look: the files completed up to now
      }
    }
    arrived = watch.wait(wait_ms);
  }
  for (const auto& [path, message] : unfinished) {
    ++summary.lines;
    if (auto stop = bad(InputError(message))) return stop;
  }
  return std::nullopt;
}

}  // namespace

StreamSummary run_stream(const StreamRequest& request) {
  LoadedStream loaded = load_stream(request);
  loaded.shared.lifter = &loaded.model.lifter;
  // Each frame is one new column per layer: the weights packed for the frame kernel.
  loaded.model.lifter.pose.pack_for_frames();
  if (loaded.model.lifter.trajectory) loaded.model.lifter.trajectory->pack_for_frames();
  apply_thread_plan(ThreadPlan{1, 1, std::max(1, request.threads)});
  note_delay(request, loaded);
  if (request.frame == "world")
    logger().info("stream: world frame (z up, rotated as infer --frame world); heights from each track's lowest "
                  "joint so far: equal to infer from the frame holding the track's lowest joint on, lower before it (by how far the floor then drops)");
  StreamSummary summary;
  summary.delay_frames = stream_delay_frames(loaded.shared);
  Session session(request, loaded.shared, summary);
  const std::optional<InputError> stopped = request.follow_dir.empty() ? read_lines(request, session, summary)
                                                                       : follow_directory(request, session, summary);
  session.finish_all();
  if (stopped) throw *stopped;
  return summary;
}

}  // namespace lift3d::pipeline
