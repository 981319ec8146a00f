#include "core/body_fill.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "core/gap_filling.hpp"
#include "core/similarity_fit.hpp"
#include "lift3d/error.hpp"

namespace lift3d::core {
namespace {

using Point = std::array<double, 2>;

constexpr double kYawStepDegrees = 15.0;

// 0, 15, -15, 30, -30, ..., 165, -165, 180: nearest to facing the camera first, so that ties
// (too few joints to tell turns apart) go to facing the camera.
std::vector<double> yaw_grid() {
  std::vector<double> yaws = {0.0};
  for (double yaw = kYawStepDegrees; yaw < 180.0; yaw += kYawStepDegrees) {
    yaws.push_back(yaw);
    yaws.push_back(-yaw);
  }
  yaws.push_back(180.0);
  return yaws;
}

// frames x joints: whether a joint counts as shown in a frame (see fill_from_body_template).
std::vector<std::uint8_t> shown_mask(const KeypointSequence& seq, const BodyFillOptions& options) {
  std::vector<std::uint8_t> to_place(seq.joints, 0);
  for (int joint : options.joints) to_place.at(joint) = 1;
  std::vector<std::uint8_t> shown(static_cast<std::size_t>(seq.frames) * seq.joints, 1);
  for (int frame = 0; frame < seq.frames; ++frame)
    for (int joint = 0; joint < seq.joints; ++joint)
      if (to_place[joint] && !keypoint_usable(seq, frame, joint, options.min_score))
        shown[static_cast<std::size_t>(frame) * seq.joints + joint] = 0;
  return shown;
}

// The fit of the projected template onto each frame's shown joints.
std::vector<SimilarityFit> fit_frames(const KeypointSequence& seq, const std::vector<std::uint8_t>& shown,
                                      const std::vector<Point>& projected, const std::vector<double>& weights) {
  std::vector<SimilarityFit> fits(seq.frames);
  std::vector<Point> source, target;
  std::vector<double> used_weights;
  for (int frame = 0; frame < seq.frames; ++frame) {
    source.clear();
    target.clear();
    used_weights.clear();
    for (int joint = 0; joint < seq.joints; ++joint) {
      if (!shown[static_cast<std::size_t>(frame) * seq.joints + joint]) continue;
      source.push_back(projected[joint]);
      target.push_back({seq.at(frame, joint, 0), seq.at(frame, joint, 1)});
      used_weights.push_back(weights[joint]);
    }
    fits[frame] = fit_similarity(source, target, used_weights);
  }
  return fits;
}

double mean_residual(const std::vector<SimilarityFit>& fits) {
  double sum = 0.0;
  int count = 0;
  for (const SimilarityFit& fit : fits)
    if (fit.valid) {
      sum += fit.residual;
      ++count;
    }
  return count ? sum / count : std::numeric_limits<double>::infinity();
}

// Frames without a valid fit borrow the nearest frame's (the earlier one on a tie).
void borrow_nearest_fits(std::vector<SimilarityFit>& fits, const std::string& source) {
  std::vector<int> valid;
  for (int frame = 0; frame < static_cast<int>(fits.size()); ++frame)
    if (fits[frame].valid) valid.push_back(frame);
  if (valid.empty()) throw InputError(source + ": no frame shows two joints to fit the body model to");
  std::size_t next = 0;
  for (int frame = 0; frame < static_cast<int>(fits.size()); ++frame) {
    while (next < valid.size() && valid[next] < frame) ++next;
    if (fits[frame].valid) continue;
    int nearest;
    if (next == 0) nearest = valid.front();
    else if (next == valid.size()) nearest = valid.back();
    else nearest = frame - valid[next - 1] <= valid[next] - frame ? valid[next - 1] : valid[next];
    fits[frame].transform = fits[nearest].transform;
  }
}

// The shown joints nearest to `joint` along the links (fewest links; none when no shown joint is linked).
std::vector<int> nearest_shown(int joint, const std::vector<std::vector<int>>& neighbours, const std::uint8_t* shown) {
  std::vector<int> distance(neighbours.size(), -1);
  std::vector<int> frontier = {joint};
  distance[joint] = 0;
  while (!frontier.empty()) {
    std::vector<int> found, next;
    for (int current : frontier)
      for (int neighbour : neighbours[current]) {
        if (distance[neighbour] >= 0) continue;
        distance[neighbour] = distance[current] + 1;
        (shown[neighbour] ? found : next).push_back(neighbour);
      }
    if (!found.empty()) return found;
    frontier = std::move(next);
  }
  return {};
}

}  // namespace

BodyFillResult fill_from_body_template(KeypointSequence& seq, const BodyFillOptions& options) {
  const BodyTemplate* body = body_template(options.layout);
  if (!body || static_cast<int>(body->joints.size()) != seq.joints)
    throw InternalError("no body template for layout '" + options.layout + "' with " + std::to_string(seq.joints) +
                        " joints");
  const std::vector<std::uint8_t> shown = shown_mask(seq, options);
  std::vector<double> weights;
  for (const TemplateJoint& joint : body->joints) weights.push_back(1.0 / (joint.spread * joint.spread));

  BodyFillResult result;
  std::vector<SimilarityFit> fits;
  std::vector<Point> projected;
  double best = std::numeric_limits<double>::infinity();
  for (double yaw : yaw_grid()) {
    std::vector<Point> candidate = project_template(*body, yaw);
    std::vector<SimilarityFit> candidate_fits = fit_frames(seq, shown, candidate, weights);
    const double misfit = mean_residual(candidate_fits);
    if (misfit < best) {
      best = misfit;
      result.yaw_degrees = yaw;
      projected = std::move(candidate);
      fits = std::move(candidate_fits);
    }
  }
  if (fits.empty()) throw InputError(options.source + ": no frame shows two joints to fit the body model to");
  borrow_nearest_fits(fits, options.source);

  std::vector<std::vector<int>> neighbours(seq.joints);
  for (const auto& [a, b] : body_template_links(options.layout)) {
    neighbours[a].push_back(b);
    neighbours[b].push_back(a);
  }
  result.filled_per_joint.assign(seq.joints, 0);
  result.filled_mask.assign(static_cast<std::size_t>(seq.frames) * seq.joints, 0);
  for (int frame = 0; frame < seq.frames; ++frame) {
    const std::uint8_t* shown_now = &shown[static_cast<std::size_t>(frame) * seq.joints];
    const Similarity2D& fit = fits[frame].transform;
    std::vector<Point> placed;  // computed from the shown joints only, then written
    std::vector<int> placed_joints;
    for (int joint : options.joints) {
      if (shown_now[joint]) continue;
      const std::vector<int> anchors = nearest_shown(joint, neighbours, shown_now);
      Point position = fit.apply(projected[joint]);
      if (!anchors.empty()) {
        position = {0.0, 0.0};
        for (int anchor : anchors) {
          const Point offset = fit.rotate({projected[joint][0] - projected[anchor][0],
                                           projected[joint][1] - projected[anchor][1]});
          position[0] += seq.at(frame, anchor, 0) + offset[0];
          position[1] += seq.at(frame, anchor, 1) + offset[1];
        }
        position[0] /= static_cast<double>(anchors.size());
        position[1] /= static_cast<double>(anchors.size());
      }
      placed.push_back(position);
      placed_joints.push_back(joint);
    }
    for (std::size_t i = 0; i < placed.size(); ++i) {
      const int joint = placed_joints[i];
      seq.at(frame, joint, 0) = static_cast<float>(placed[i][0]);
      seq.at(frame, joint, 1) = static_cast<float>(placed[i][1]);
      result.filled_mask[static_cast<std::size_t>(frame) * seq.joints + joint] = 1;
      ++result.filled_per_joint[joint];
      ++result.filled;
    }
  }
  return result;
}

std::string describe_yaw(double yaw_degrees) {
  if (yaw_degrees == 0.0) return "facing the camera";
  if (std::abs(yaw_degrees) >= 180.0) return "facing away from the camera";
  char text[96];
  std::snprintf(text, sizeof text, "turned %g degrees towards the image's %s", std::abs(yaw_degrees),
                yaw_degrees > 0 ? "left" : "right");
  return text;
}

}  // namespace lift3d::core
