#include "pipeline/inference_jobs.hpp"

#include <algorithm>
#include <filesystem>
#include <tuple>

#include "base/joint_sets.hpp"
#include "base/log.hpp"
#include "base/text.hpp"
#include "core/body_fill.hpp"
#include "core/body_visibility.hpp"
#include "core/datasets.hpp"
#include "core/gap_filling.hpp"
#include "core/image_bounds.hpp"
#include "core/normalization.hpp"
#include "io/keypoint_files.hpp"
#include "io/videopose_2d.hpp"
#include "lift3d/error.hpp"
#include "pipeline/input_names.hpp"
#include "pipeline/keypoint_input.hpp"

namespace lift3d::pipeline {
namespace {

// A size from the options wins over the one the file declares, but never in silence: the file's
// is usually the size of the frames the detector saw, and a different one rescales every pose.
void warn_if_size_overridden(const std::string& where, int given_width, int given_height, int file_width,
                             int file_height) {
  if (file_width <= 0 || file_height <= 0 || (given_width <= 0 && given_height <= 0)) return;
  const int width = given_width > 0 ? given_width : file_width;
  const int height = given_height > 0 ? given_height : file_height;
  if (width == file_width && height == file_height) return;
  logger().warn("{}: the image size given ({}x{} pixels) overrides the {}x{} the file declares", where, width, height,
                file_width, file_height);
}

const Skeleton* output_skeleton(const core::ModelConfig& pose_model) {
  if (pose_model.joints_out == 17) return &skeleton("h36m");
  if (pose_model.joints_out == 15) return &skeleton("humaneva15");
  return nullptr;
}

std::vector<InferenceJob> collect_videopose_jobs(const std::string& path, const SelectionOptions& selection,
                                                 const core::ModelConfig& pose_model) {
  if (selection.track_id)
    throw UsageError(path + ": a VideoPose3D .npz holds no track ids (one person per sequence); select sequences "
                            "with --subject/--action/--camera");
  const io::VideoPose2DFile file = io::read_videopose_2d(path);
  core::Dataset dataset = core::Dataset::Custom;
  if (!selection.dataset.empty()) {
    dataset = core::parse_dataset(selection.dataset);
  } else if (file.video_resolution.empty() && (selection.width == 0 || selection.height == 0)) {
    throw UsageError(path + ": the file has no video_metadata; say which dataset it is (--dataset h36m|humaneva15) "
                            "or give --width and --height");
  }

  std::vector<InferenceJob> jobs;
  std::vector<std::string> subjects, actions;
  for (const io::VideoPose2DSequence& sequence : file.sequences) {
    if (std::find(subjects.begin(), subjects.end(), sequence.subject) == subjects.end())
      subjects.push_back(sequence.subject);
    if (!selection.subject.empty() && sequence.subject != selection.subject) continue;
    if (std::find(actions.begin(), actions.end(), sequence.action) == actions.end()) actions.push_back(sequence.action);
    if (!selection.action.empty() && sequence.action != selection.action) continue;
    for (int camera = 0; camera < static_cast<int>(sequence.cameras.size()); ++camera) {
      if (selection.camera && *selection.camera != camera) continue;
      const KeypointSequence& pixels = sequence.cameras[camera];
      const std::string name = sequence.subject + "/" + sequence.action + "/" + std::to_string(camera);
      if (pixels.frames == 0) throw InputError(path + ": " + name + " has no frames");

      int width = selection.width, height = selection.height;
      int declared_width = 0, declared_height = 0;
      if (dataset == core::Dataset::Custom) {
        auto found = file.video_resolution.find(sequence.subject);
        if (found != file.video_resolution.end()) std::tie(declared_width, declared_height) = found->second;
        else if (width == 0 || height == 0)
          throw InputError(path + ": no video_metadata entry for '" + sequence.subject + "'; give --width and --height");
      } else {
        std::tie(declared_width, declared_height) = core::camera_resolution(dataset, camera);
      }
      warn_if_size_overridden(path + ": " + name, width, height, declared_width, declared_height);
      if (width == 0) width = declared_width;
      if (height == 0) height = declared_height;
      if (pose_model.input_channels != pixels.joints * 2 && pose_model.input_channels != pixels.joints * pixels.features)
        throw InputError(path + ": " + name + " has " + std::to_string(pixels.joints) + " keypoints, the model expects " +
                         std::to_string(pose_model.input_channels / 2) + " (x, y) keypoints");

      logger().debug("{}: {}: {} frames of {} keypoints, image {}x{}", path, name, pixels.frames, pixels.joints, width,
                     height);
      InferenceJob job;
      job.name = name;
      job.keypoints = core::normalize_screen_coordinates(pixels, width, height);
      job.flip = videopose_flip_pairs(file, pixels.joints, pose_model);
      job.fps = dataset == core::Dataset::H36M ? 50.0 : dataset == core::Dataset::HumanEva15 ? 60.0 : 0.0;
      jobs.push_back(std::move(job));
    }
  }
  if (jobs.empty()) {
    if (!selection.subject.empty() && std::find(subjects.begin(), subjects.end(), selection.subject) == subjects.end())
      throw UsageError(path + ": no subject '" + selection.subject + "' (has: " + join(subjects) + ")");
    if (!selection.action.empty() && std::find(actions.begin(), actions.end(), selection.action) == actions.end())
      throw UsageError(path + ": no action '" + selection.action + "' for the selected subjects (has: " + join(actions) + ")");
    if (selection.camera) throw UsageError(path + ": no camera " + std::to_string(*selection.camera) + " in the selection");
    throw InputError(path + ": holds no sequences");
  }
  long long frames = 0;
  for (const InferenceJob& job : jobs) frames += job.keypoints.frames;
  logger().debug("{}: VideoPose3D 2D .npz ({} layout, {}), {} sequence(s) selected, {} frames; image size {}", path,
                file.layout_name.empty() ? "unnamed" : file.layout_name, core::dataset_name(dataset), jobs.size(),
                frames,
                selection.width && selection.height ? "given"
                : dataset == core::Dataset::Custom ? "from the file's video_metadata"
                                                   : "from the dataset's cameras");
  return jobs;
}

// Normalised coordinates to pixels, as core::decide_coordinates decides (a note when it was from
// the values or the format's word); refused without an image size.
void to_pixels(KeypointSequence& keypoints, const PersonInput& person, int width, int height) {
  const core::CoordinateDecision decision = core::decide_coordinates(
      keypoints, person.coordinates, person.declared_coordinates, width, height, person.source);
  if (decision.units == core::CoordinateUnits::Pixels) {
    logger().debug("{}: coordinates are pixels ({})", person.source, decision.reason);
    if (person.declared_coordinates == Coordinates::Normalized)
      logger().warn("{}: the format declares normalised [0, 1] coordinates, read as pixels as asked", person.source);
    return;
  }
  const std::string units = core::coordinate_units_name(decision.units);
  if (width <= 0 || height <= 0)
    throw UsageError(person.source + ": the coordinates are " + units + " (" + decision.reason +
                     "); the image size is needed to restore the aspect ratio: pass --width and --height (pixels)");
  logger().info("{}: coordinates are {} ({}): scaled to pixels of the {}x{} image", person.source, units,
                decision.reason, width, height);
  core::normalized_to_pixels(keypoints, decision.units, width, height);
}

std::vector<std::string> joint_names_of(const InferenceJob& job, const std::vector<int>& joints) {
  std::vector<std::string> names;
  for (int joint : joints) names.push_back(job.keypoint_names.at(joint));
  return names;
}

// Joints seen often enough interpolated over time; joints never or too rarely seen placed from
// the body model (or refused); job.keypoint_fill records which was done where.
void fill_missing_keypoints(KeypointSequence& keypoints, const PersonInput& person, InferenceJob& job) {
  const std::vector<std::string>& names = job.keypoint_names;
  const core::Sightings sightings = core::count_sightings(keypoints, person.min_score);
  const bool fill = person.missing_joints == MissingJoints::Fill && core::body_template(person.layout) != nullptr;
  core::GapFillOptions gaps;
  gaps.min_score = person.min_score;
  gaps.source = person.source;
  gaps.joint_names = names;
  std::vector<int> from_body;
  const bool anything_seen = std::any_of(sightings.usable_frames.begin(), sightings.usable_frames.end(),
                                         [](int frames) { return frames > 0; });
  if (fill && anything_seen) {
    core::check_enough_seen(sightings, core::torso_joints(person.layout), core::head_joints(person.layout), names,
                            person.source);
    from_body = sightings.never_seen;
    from_body.insert(from_body.end(), sightings.rarely_seen.begin(), sightings.rarely_seen.end());
    std::sort(from_body.begin(), from_body.end());
    gaps.left_missing = from_body;
  }
  core::GapFillResult interpolated = core::fill_keypoint_gaps(keypoints, gaps);
  job.filled_joints = interpolated.filled;
  job.keypoint_fill = std::move(interpolated.filled_mask);
  if (from_body.empty()) return;

  core::BodyFillOptions body;
  body.layout = person.layout;
  body.min_score = person.min_score;
  body.joints = from_body;
  body.source = person.source;
  const core::BodyFillResult placed = core::fill_from_body_template(keypoints, body);
  for (std::size_t i = 0; i < placed.filled_mask.size(); ++i)
    if (placed.filled_mask[i]) job.keypoint_fill[i] = kFromBodyModel;
  job.body_fill.never_seen = sightings.never_seen;
  job.body_fill.rarely_seen = sightings.rarely_seen;
  job.body_fill.usable_frames = sightings.usable_frames;
  job.body_fill.filled = placed.filled;
  job.body_fill.yaw_degrees = placed.yaw_degrees;
}

// The name an input's only sequence gets: the file's stem, or for a folder or glob its folder's name.
std::string sequence_name(const std::string& input) {
  const std::string stem = input_stem(input);
  return stem.empty() ? "sequence" : stem;
}

// Detector exports and lift3d's own JSON: the chosen people of every video, mapped onto the model's
// layout, gaps filled.
// With --person all, one person the input shows too little of (or otherwise cannot be lifted) is
// skipped with a warning rather than failing everybody; nullopt when skipped.
std::optional<InferenceJob> job_or_skipped(const std::string& name, Keypoints2D& keypoints, const PersonInput& person,
                                           const core::ModelConfig& pose_model, std::vector<std::string>& skipped) {
  try {
    return person_job(name, std::move(keypoints.seq), person, pose_model);
  } catch (const InputError& error) {
    logger().warn("{}; {} is skipped, the others are lifted", error.what(), name);
    skipped.push_back(error.what());
    return std::nullopt;
  }
}

std::vector<InferenceJob> collect_detector_jobs(const std::string& input, const SelectionOptions& selection,
                                                const core::ModelConfig& pose_model) {
  if (!selection.subject.empty() || !selection.action.empty() || selection.camera)
    throw UsageError(input + ": --subject/--action/--camera select sequences of VideoPose3D .npz files only");
  KeypointReadOptions options;
  options.people = selection.people;
  options.track_id = selection.track_id;
  options.target_layout = selection.layout;
  options.source_layout = selection.source_layout;
  options.dense_frames = selection.dense_frames;
  options.fill_gaps = false;  // done by person_job, for files and memory alike
  PersonInput person;
  person.source = input;
  person.layout = selection.layout;
  person.min_score = selection.min_score;
  person.width = selection.width;
  person.height = selection.height;
  person.missing_joints = selection.missing_joints;
  person.coordinates = selection.coordinates;
  std::vector<InferenceJob> jobs;
  const bool every_person = selection.people == PersonChoice::All;
  std::vector<std::string> skipped;  // --person all: people that cannot be lifted, with the reason
  for (Keypoints2D& keypoints : read_people_2d(input, options)) {
    const std::string name = keypoints.name.empty() ? sequence_name(input) : keypoints.name;
    const int file_width = keypoints.seq.image_width, file_height = keypoints.seq.image_height;
    warn_if_size_overridden(keypoints.name.empty() ? input : input + ": " + keypoints.name, selection.width,
                            selection.height, file_width, file_height);
    person.declared_coordinates = keypoints.coordinates;
    std::optional<InferenceJob> lifted = every_person ? job_or_skipped(name, keypoints, person, pose_model, skipped)
                                                      : person_job(name, std::move(keypoints.seq), person, pose_model);
    if (!lifted) continue;
    InferenceJob job = std::move(*lifted);
    job.fps = keypoints.fps;
    job.first_frame = keypoints.first_frame;
    // The image size as person_job chose it: each dimension given, else the file's.
    const int given = (selection.width > 0) + (selection.height > 0);
    logger().debug("{}: {}{}, {} keypoints{}, {} frames{}, image {}x{} ({})", input,
                  keypoints.name.empty() ? "" : keypoints.name + ": ", keypoints.format, keypoints.file_layout,
                  keypoints.file_layout == keypoints.layout ? "" : " mapped to " + keypoints.layout,
                  job.keypoints.frames, keypoints.fps > 0 ? fmt::format(" at {:g} fps", keypoints.fps) : "",
                  selection.width > 0 ? selection.width : file_width,
                  selection.height > 0 ? selection.height : file_height,
                  given == 2 ? "given" : given == 1 ? "partly given, partly from the file" : "from the file");
    if (given == 0)
      logger().info("{}: {}image size {}x{} (from the file)", input, keypoints.name.empty() ? "" : keypoints.name + ": ",
                    file_width, file_height);
    jobs.push_back(std::move(job));
  }
  if (jobs.empty() && !skipped.empty())
    throw InputError(input + ": no person can be lifted: " + join(skipped, "; "));
  return jobs;
}

// The image size --image-size/--size-from give this input, as width/height overrides; `note` says
// which and where it came from (told the user once the input is read).
SelectionOptions with_image_size_of_input(const std::string& input, SelectionOptions selection, std::string& note) {
  if (const std::optional<ChosenImageSize> size = image_size_for_input(input, selection.image_sizes)) {
    selection.width = size->width;
    selection.height = size->height;
    note = fmt::format("image size {}x{} ({})", size->width, size->height, size->origin);
  }
  // --width/--height alone is the user's own choice for every input: nothing to tell them.
  return selection;
}

}  // namespace

std::vector<InferenceJob> collect_jobs(const std::string& input, const SelectionOptions& options,
                                       const core::ModelConfig& pose_model) {
  std::string size_note;
  const SelectionOptions selection = with_image_size_of_input(input, options, size_note);
  std::vector<InferenceJob> jobs = io::keypoint_format_from_path(input) == io::KeypointFileFormat::VideoPoseNpz
                                       ? collect_videopose_jobs(input, selection, pose_model)
                                       : collect_detector_jobs(input, selection, pose_model);
  if (!size_note.empty()) logger().info("{}: {}", input, size_note);
  return jobs;
}

core::FlipPairs videopose_flip_pairs(const io::VideoPose2DFile& file, int joints_in, const core::ModelConfig& pose_model) {
  core::FlipPairs flip;
  if (!file.kps_left.empty()) {
    flip.kps_left = file.kps_left;
    flip.kps_right = file.kps_right;
  } else if (!file.layout_name.empty()) {
    const KeypointLayout& layout = keypoint_layout(file.layout_name);
    flip.kps_left = layout.left;
    flip.kps_right = layout.right;
  }
  for (const std::vector<int>* side : {&flip.kps_left, &flip.kps_right})
    for (int index : *side)
      if (index < 0 || index >= joints_in)
        throw InputError(file.path + ": keypoints_symmetry index " + std::to_string(index) + " is outside the " +
                         std::to_string(joints_in) + " keypoints");
  if (const Skeleton* skeleton = output_skeleton(pose_model)) {
    flip.joints_left = skeleton->joints_left;
    flip.joints_right = skeleton->joints_right;
  }
  return flip;
}

// Keypoints that cannot be pixels of the image are refused or made missing (core/image_bounds.hpp);
// the missing ones are interpolated with the others, and said here.
static void drop_keypoints_off_image(KeypointSequence& keypoints, int width, int height, const PersonInput& person,
                                     const KeypointLayout& layout) {
  const core::FarOutside dropped =
      core::drop_keypoints_off_image(keypoints, width, height, person.min_score, person.source);
  if (dropped.count == 0) return;
  logger().warn("{}: {} keypoint(s) lie more than an image side outside the {}x{} image (the first: frame {}, {} "
                "at x {:.4g}, y {:.4g} pixels): treated as not detected and interpolated over time",
                person.source, dropped.count, width, height, dropped.frame, layout.joint_names.at(dropped.joint),
                dropped.x, dropped.y);
}

// What is missing when neither the options nor the file give the image size.
static std::string missing_size(const PersonInput& person) {
  if (person.width > 0)
    return "--width " + std::to_string(person.width) + " was given without --height, and the file does not give "
           "the image size; pass --height too, or --image-size " + std::to_string(person.width) + "xH (pixels)";
  if (person.height > 0)
    return "--height " + std::to_string(person.height) + " was given without --width, and the file does not give "
           "the image size; pass --width too, or --image-size Wx" + std::to_string(person.height) + " (pixels)";
  return "the file does not give the image size; pass --image-size WxH (or --width and --height), or --size-from "
         "a frame image or the video (pixels)";
}

InferenceJob person_job(std::string name, KeypointSequence keypoints, const PersonInput& person,
                        const core::ModelConfig& pose_model) {
  const KeypointLayout& layout = keypoint_layout(person.layout);
  if (keypoints.joints != layout.num_joints())
    throw UsageError(person.source + ": " + std::to_string(keypoints.joints) + " keypoints per frame, layout '" +
                     person.layout + "' has " + std::to_string(layout.num_joints()));
  if (pose_model.input_channels != keypoints.joints * 2)
    throw UsageError(person.source + ": " + std::to_string(keypoints.joints) + " keypoints per frame after mapping to '" +
                     person.layout + "', the model expects " + std::to_string(pose_model.input_channels / 2));
  const int width = person.width ? person.width : keypoints.image_width;
  const int height = person.height ? person.height : keypoints.image_height;
  const bool has_size = width > 0 && height > 0;
  if (has_size || !person.normalised_without_size) to_pixels(keypoints, person, width, height);
  if (!has_size && !person.normalised_without_size) throw UsageError(person.source + ": " + missing_size(person));

  if (has_size) drop_keypoints_off_image(keypoints, width, height, person, layout);

  InferenceJob job;
  job.name = std::move(name);
  job.keypoint_names = layout.joint_names;
  job.total_joints = keypoints.frames * keypoints.joints;
  fill_missing_keypoints(keypoints, person, job);
  keep_xy_only(keypoints);
  job.keypoints = has_size ? core::normalize_screen_coordinates(std::move(keypoints), width, height) : std::move(keypoints);
  job.flip.kps_left = layout.left;
  job.flip.kps_right = layout.right;
  if (const Skeleton* skeleton = output_skeleton(pose_model)) {
    job.flip.joints_left = skeleton->joints_left;
    job.flip.joints_right = skeleton->joints_right;
  }
  return job;
}

void report_keypoint_fill(const std::string& label, const InferenceJob& job) {
  if (job.filled_joints > 0)
    logger().warn("{}: filled {} of {} joint positions by interpolation over time", label, job.filled_joints,
                  job.total_joints);
  const BodyFillReport& body = job.body_fill;
  if (body.filled == 0) return;
  std::vector<std::string> parts;
  if (!body.never_seen.empty()) parts.push_back(join(joint_names_of(job, body.never_seen)) + " never seen");
  for (int joint : body.rarely_seen)
    parts.push_back(fmt::format("{} seen in only {} of {} frames", job.keypoint_names.at(joint),
                                body.usable_frames.at(joint), job.keypoints.frames));
  logger().warn("{}: filled {} of {} joint positions from a body model (mean pose of motion capture, {}, fitted "
                "to the seen joints in each frame): {}",
                label, body.filled, job.total_joints, core::describe_yaw(body.yaw_degrees), join(parts, "; "));
}

std::vector<std::string> output_joint_names(const core::ModelConfig& pose_model) {
  if (const Skeleton* skeleton = output_skeleton(pose_model)) return skeleton->joint_names;
  std::vector<std::string> names;
  for (int j = 0; j < pose_model.joints_out; ++j) names.push_back("joint_" + std::to_string(j));
  return names;
}

}  // namespace lift3d::pipeline
