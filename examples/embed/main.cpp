// Lifts a 2D keypoint file to 3D with lift3d's public API and prints a few bone lengths.
//   embed KEYPOINTS [CHECKPOINT]    (without CHECKPOINT: the default model lift3d ships)
#include <lift3d/lift3d.hpp>

#include <cmath>
#include <cstdio>
#include <string>

namespace {

// Index of a joint in the model's output, by name ("left_knee", ...).
int joint(const lift3d::Poses3D& result, const std::string& name) {
  for (std::size_t i = 0; i < result.joint_names.size(); ++i)
    if (result.joint_names[i] == name) return static_cast<int>(i);
  throw lift3d::UsageError("the model has no joint '" + name + "'");
}

// Mean distance between two joints over all frames, in metres.
double mean_length(const lift3d::Poses3D& result, const std::string& a, const std::string& b) {
  const lift3d::PoseSequence& poses = result.poses;
  const int i = joint(result, a), j = joint(result, b);
  double sum = 0.0;
  for (int f = 0; f < poses.frames; ++f) {
    double squared = 0.0;
    for (int axis = 0; axis < 3; ++axis) {
      const double d = poses.at(f, i, axis) - poses.at(f, j, axis);
      squared += d * d;
    }
    sum += std::sqrt(squared);
  }
  return sum / poses.frames;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::fprintf(stderr, "usage: %s KEYPOINTS [CHECKPOINT]\n", argv[0]);
    return 2;
  }
  try {
    const lift3d::Model model = argc == 3 ? lift3d::Model::load(argv[2]) : lift3d::Model::load_default();
    const lift3d::KeypointSequence keypoints = lift3d::read_keypoint_file(argv[1]);  // COCO-17, pixels
    const lift3d::Poses3D result = model.lift(keypoints);  // camera frame, metres, root-relative

    std::printf("lift3d %s, model %s (%d frames receptive field)\n", lift3d::version().c_str(),
                model.info().path.c_str(), model.info().receptive_field);
    std::printf("frames: %d, joints: %d\n", result.poses.frames, result.poses.joints);
    const char* bones[][2] = {{"left_hip", "left_knee"},       {"left_knee", "left_ankle"},
                              {"right_hip", "right_knee"},     {"right_knee", "right_ankle"},
                              {"left_shoulder", "left_elbow"}, {"left_elbow", "left_wrist"}};
    for (const auto& bone : bones)
      std::printf("mean %s-%s: %.3f m\n", bone[0], bone[1], mean_length(result, bone[0], bone[1]));
  } catch (const lift3d::Error& e) {
    std::fprintf(stderr, "embed: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
