// Placing never-seen joints from the body template: the similarity fit recovers a known transform
// (also from two joints, and under noise), the tables agree with the joint mapping, and the filler
// puts joints where a pose made from the template has them: legs of an upper-body clip, an eye of
// a side view, a shin hung from a knee that is not where the template has it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "base/joint_mapping.hpp"
#include "base/joint_sets.hpp"
#include "core/body_fill.hpp"
#include "core/body_template.hpp"
#include "core/similarity_fit.hpp"
#include "lift3d/error.hpp"

namespace lift3d::core {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;
using Point = std::array<double, 2>;

constexpr double kPi = 3.14159265358979323846;

// COCO-17 indices used below.
constexpr int kNose = 0, kRightEye = 2, kLeftShoulder = 5, kRightShoulder = 6, kLeftHip = 11, kRightHip = 12,
              kLeftKnee = 13, kRightKnee = 14, kLeftAnkle = 15, kRightAnkle = 16;

Similarity2D similarity(double scale, double degrees, double tx, double ty) {
  Similarity2D transform;
  transform.cos_scaled = scale * std::cos(degrees * kPi / 180.0);
  transform.sin_scaled = scale * std::sin(degrees * kPi / 180.0);
  transform.translation = {tx, ty};
  return transform;
}

std::vector<Point> transformed(const std::vector<Point>& points, const Similarity2D& transform) {
  std::vector<Point> out;
  for (const Point& point : points) out.push_back(transform.apply(point));
  return out;
}

void expect_same_transform(const Similarity2D& got, const Similarity2D& want, double tolerance) {
  EXPECT_NEAR(got.cos_scaled, want.cos_scaled, tolerance);
  EXPECT_NEAR(got.sin_scaled, want.sin_scaled, tolerance);
  EXPECT_NEAR(got.translation[0], want.translation[0], tolerance);
  EXPECT_NEAR(got.translation[1], want.translation[1], tolerance);
}

TEST(SimilarityFit, RecoversAKnownSimilarityExactly) {
  const std::vector<Point> source = project_template(coco_body_template(), 0.0);
  const Similarity2D truth = similarity(412.5, 23.0, 640.0, 350.0);  // pixels per metre, degrees, pixels
  const SimilarityFit fit = fit_similarity(source, transformed(source, truth), std::vector<double>(17, 1.0));
  ASSERT_TRUE(fit.valid);
  expect_same_transform(fit.transform, truth, 1e-9 * 640.0);
  EXPECT_NEAR(fit.transform.scale(), 412.5, 1e-9);
  EXPECT_LT(fit.residual, 1e-20);
}

TEST(SimilarityFit, TwoPointsAreEnough) {
  const Similarity2D truth = similarity(3.0, -70.0, -5.0, 8.0);
  const std::vector<Point> source = {{0.1, -0.47}, {-0.12, -0.46}};  // two shoulders
  const SimilarityFit fit = fit_similarity(source, transformed(source, truth), {1.0, 1.0});
  ASSERT_TRUE(fit.valid);
  expect_same_transform(fit.transform, truth, 1e-12);
}

TEST(SimilarityFit, NoisyPointsGiveTheLeastSquaresFitAndItsMisfit) {
  const std::vector<Point> source = project_template(coco_body_template(), 30.0);
  const Similarity2D truth = similarity(500.0, 5.0, 900.0, 500.0);
  std::vector<Point> target = transformed(source, truth);
  std::mt19937 random(7);
  std::normal_distribution<double> noise(0.0, 2.0);  // pixels
  for (Point& point : target) point = {point[0] + noise(random), point[1] + noise(random)};
  const SimilarityFit fit = fit_similarity(source, target, std::vector<double>(17, 1.0));
  ASSERT_TRUE(fit.valid);
  EXPECT_NEAR(fit.transform.scale(), 500.0, 5.0);  // 1%: the noise is 2 px on a 900 px tall person
  EXPECT_NEAR(std::atan2(fit.transform.sin_scaled, fit.transform.cos_scaled) * 180.0 / kPi, 5.0, 0.5);
  // The misfit is in the source's units: about the noise (2 px per axis) over the scale, squared, times 2 axes.
  EXPECT_NEAR(std::sqrt(fit.residual) * 500.0, 2.0 * std::sqrt(2.0), 1.5);
  // Least squares: moving the fit anywhere makes the weighted squared error larger.
  auto error = [&](const Similarity2D& transform) {
    double sum = 0.0;
    for (std::size_t i = 0; i < source.size(); ++i) {
      const Point mapped = transform.apply(source[i]);
      sum += std::pow(mapped[0] - target[i][0], 2) + std::pow(mapped[1] - target[i][1], 2);
    }
    return sum;
  };
  for (const auto& [dc, ds, dx] : std::vector<std::array<double, 3>>{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {-1, -1, -1}}) {
    Similarity2D moved = fit.transform;
    moved.cos_scaled += dc;
    moved.sin_scaled += ds;
    moved.translation[0] += dx;
    EXPECT_GT(error(moved), error(fit.transform));
  }
}

TEST(SimilarityFit, WeightsDecideWhichPointsAreMatched) {
  // Three points; the third disagrees with the first two. A zero weight ignores it.
  const std::vector<Point> source = {{0, 0}, {1, 0}, {0, 1}};
  const Similarity2D truth = similarity(2.0, 0.0, 1.0, 1.0);
  std::vector<Point> target = transformed(source, truth);
  target[2][0] += 10.0;
  const SimilarityFit ignoring = fit_similarity(source, target, {1.0, 1.0, 0.0});
  ASSERT_TRUE(ignoring.valid);
  expect_same_transform(ignoring.transform, truth, 1e-12);
  const SimilarityFit using_all = fit_similarity(source, target, {1.0, 1.0, 1.0});
  EXPECT_GT(std::abs(using_all.transform.sin_scaled), 0.5);
}

TEST(SimilarityFit, NeverReflects) {
  // A mirror image cannot be matched by a similarity: the misfit stays large.
  const std::vector<Point> source = {{0, 0}, {1, 0}, {0, 2}};
  const std::vector<Point> mirrored = {{0, 0}, {-1, 0}, {0, 2}};
  const SimilarityFit fit = fit_similarity(source, mirrored, {1.0, 1.0, 1.0});
  ASSERT_TRUE(fit.valid);
  EXPECT_GT(fit.residual, 0.1);
}

TEST(SimilarityFit, TooLittleToFitIsNotValid) {
  EXPECT_FALSE(fit_similarity({{0, 0}}, {{5, 5}}, {1.0}).valid);                          // one point
  EXPECT_FALSE(fit_similarity({{0, 0}, {1, 0}}, {{5, 5}, {6, 5}}, {1.0, 0.0}).valid);     // one weighted point
  EXPECT_FALSE(fit_similarity({{0, 0}, {1, 0}}, {{5, 5}, {5, 5}}, {1.0, 1.0}).valid);     // target collapsed
  EXPECT_FALSE(fit_similarity({{1, 1}, {1, 1}}, {{5, 5}, {6, 5}}, {1.0, 1.0}).valid);     // source collapsed
}

TEST(BodyTemplate, H36mTableIsTheCocoTableMappedAsInputsAre) {
  // The pipeline makes --layout h36m keypoints from COCO ones (base/joint_mapping.cpp); the H36M
  // template must be the COCO template mapped the same way (the tables are rounded to 0.1 mm).
  KeypointSequence coco;
  coco.frames = 1;
  coco.joints = 17;
  coco.features = 2;
  for (const TemplateJoint& joint : coco_body_template().joints)
    for (int axis = 0; axis < 2; ++axis) coco.values.push_back(static_cast<float>(joint.position[axis]));
  const KeypointSequence mapped = map_keypoint_layout(coco, "coco", "h36m");
  const BodyTemplate& h36m = h36m_body_template();
  ASSERT_EQ(h36m.joints.size(), 17u);
  for (int joint = 0; joint < 17; ++joint)
    for (int axis = 0; axis < 2; ++axis)
      EXPECT_NEAR(h36m.joints[joint].position[axis], mapped.at(0, joint, axis), 1.5e-4)
          << keypoint_layout("h36m").joint_names[joint];
}

TEST(BodyTemplate, IsAStandingPersonFacingTheCamera) {
  const BodyTemplate& body = coco_body_template();
  auto at = [&](int joint) { return body.joints[joint].position; };
  // Left is the image's right when facing the camera; the pelvis is the origin.
  EXPECT_GT(at(kLeftShoulder)[0], 0.0);
  EXPECT_LT(at(kRightShoulder)[0], 0.0);
  EXPECT_NEAR(at(kLeftHip)[0] + at(kRightHip)[0], 0.0, 1e-3);
  // Upright (y down): head above shoulders above hips above knees above ankles.
  EXPECT_LT(at(kNose)[1], at(kLeftShoulder)[1]);
  EXPECT_LT(at(kLeftShoulder)[1], at(kLeftHip)[1]);
  EXPECT_LT(at(kLeftHip)[1], at(kLeftKnee)[1]);
  EXPECT_LT(at(kLeftKnee)[1], at(kLeftAnkle)[1]);
  // The nose is nearer to the camera than the ears.
  EXPECT_LT(at(kNose)[2], at(3)[2]);
  // Adult proportions from the motion capture (metres): thigh and shin 0.3-0.5, hip width 0.15-0.25.
  auto length = [&](int a, int b) { return std::hypot(at(a)[0] - at(b)[0], at(a)[1] - at(b)[1], at(a)[2] - at(b)[2]); };
  EXPECT_NEAR(length(kLeftHip, kLeftKnee), 0.37, 0.07);
  EXPECT_NEAR(length(kLeftKnee, kLeftAnkle), 0.45, 0.07);
  EXPECT_NEAR(length(kLeftHip, kRightHip), 0.2, 0.05);
  // Spreads are positive; wrists stray more than shoulders.
  for (const TemplateJoint& joint : body.joints) EXPECT_GT(joint.spread, 0.0);
  EXPECT_GT(body.joints[9].spread, 2.0 * body.joints[kLeftShoulder].spread);
}

TEST(BodyTemplate, TurningShowsTheSide) {
  const std::vector<Point> front = project_template(coco_body_template(), 0.0);
  const std::vector<Point> side = project_template(coco_body_template(), 90.0);
  // Facing the image's left: the nose (in front of the face) is the leftmost head point, and the
  // shoulders overlap.
  EXPECT_LT(side[kNose][0], side[3][0]);
  EXPECT_LT(std::abs(side[kLeftShoulder][0] - side[kRightShoulder][0]), 0.05);
  EXPECT_GT(front[kLeftShoulder][0] - front[kRightShoulder][0], 0.2);
  EXPECT_EQ(side[kNose][1], front[kNose][1]);  // turning about the vertical keeps heights
}

// A clip made from the template itself, turned by `yaw` and placed by `transform`, moving a little
// from frame to frame; every joint in `hidden` is missing (score 0) in every frame.
KeypointSequence template_clip(int frames, double yaw, const std::vector<int>& hidden, const Similarity2D& transform) {
  const std::vector<Point> projected = project_template(coco_body_template(), yaw);
  KeypointSequence seq;
  seq.frames = frames;
  seq.joints = 17;
  seq.features = 3;
  seq.values.assign(static_cast<std::size_t>(frames) * 17 * 3, 0.0f);
  for (int frame = 0; frame < frames; ++frame) {
    Similarity2D moving = transform;
    moving.translation[0] += 3.0 * frame;
    for (int joint = 0; joint < 17; ++joint) {
      const Point point = moving.apply(projected[joint]);
      seq.at(frame, joint, 0) = static_cast<float>(point[0]);
      seq.at(frame, joint, 1) = static_cast<float>(point[1]);
      seq.at(frame, joint, 2) = std::find(hidden.begin(), hidden.end(), joint) == hidden.end() ? 0.9f : 0.0f;
    }
  }
  return seq;
}

BodyFillOptions coco_options(std::vector<int> joints) {
  BodyFillOptions options;
  options.layout = "coco";
  options.joints = std::move(joints);
  options.source = "clip.json";
  return options;
}

TEST(BodyFill, PutsTheLegsOfAnUpperBodyClipWhereThePoseHasThem) {
  const std::vector<int> legs = {kLeftHip, kRightHip, kLeftKnee, kRightKnee, kLeftAnkle, kRightAnkle};
  const Similarity2D placement = similarity(420.0, 4.0, 640.0, 300.0);
  const KeypointSequence truth = template_clip(5, 0.0, {}, placement);
  KeypointSequence seq = template_clip(5, 0.0, legs, placement);
  const BodyFillResult result = fill_from_body_template(seq, coco_options(legs));
  EXPECT_EQ(result.yaw_degrees, 0.0);
  EXPECT_EQ(result.filled, 5 * 6);
  for (int frame = 0; frame < 5; ++frame)
    for (int joint = 0; joint < 17; ++joint) {
      EXPECT_NEAR(seq.at(frame, joint, 0), truth.at(frame, joint, 0), 1e-3) << frame << " " << joint;
      EXPECT_NEAR(seq.at(frame, joint, 1), truth.at(frame, joint, 1), 1e-3) << frame << " " << joint;
      const bool placed = std::find(legs.begin(), legs.end(), joint) != legs.end();
      EXPECT_EQ(result.filled_mask[frame * 17 + joint], placed ? 1 : 0);
      EXPECT_EQ(seq.at(frame, joint, 2), placed ? 0.0f : 0.9f);  // scores are left alone
    }
}

TEST(BodyFill, FindsTheTurnOfASideViewAndPlacesTheHiddenEye) {
  const Similarity2D placement = similarity(800.0, 0.0, 500.0, 900.0);
  const KeypointSequence truth = template_clip(3, 90.0, {}, placement);
  KeypointSequence seq = template_clip(3, 90.0, {kRightEye}, placement);
  const BodyFillResult result = fill_from_body_template(seq, coco_options({kRightEye}));
  EXPECT_EQ(result.yaw_degrees, 90.0);
  EXPECT_EQ(describe_yaw(result.yaw_degrees), "turned 90 degrees towards the image's left");
  for (int frame = 0; frame < 3; ++frame) {
    EXPECT_NEAR(seq.at(frame, kRightEye, 0), truth.at(frame, kRightEye, 0), 1e-3);
    EXPECT_NEAR(seq.at(frame, kRightEye, 1), truth.at(frame, kRightEye, 1), 1e-3);
  }
}

TEST(BodyFill, FewSeenJointsStillPlaceTheRestAndNoiseStaysSmall) {
  // Only the head and shoulders are seen (7 joints), each off by up to 3 px: the placed joints stay
  // within a few percent of the body's height (about 1.4 m x 400 px/m = 560 px) of the truth.
  const std::vector<int> hidden = {7, 8, 9, 10, kLeftHip, kRightHip, kLeftKnee, kRightKnee, kLeftAnkle, kRightAnkle};
  const Similarity2D placement = similarity(400.0, -3.0, 600.0, 260.0);
  const KeypointSequence truth = template_clip(20, 0.0, {}, placement);
  KeypointSequence seq = template_clip(20, 0.0, hidden, placement);
  std::mt19937 random(11);
  std::uniform_real_distribution<float> noise(-3.0f, 3.0f);
  for (int frame = 0; frame < 20; ++frame)
    for (int joint = 0; joint < 7; ++joint)
      for (int axis = 0; axis < 2; ++axis) seq.at(frame, joint, axis) += noise(random);
  const BodyFillResult result = fill_from_body_template(seq, coco_options(hidden));
  EXPECT_EQ(result.filled, 20 * 10);
  double worst = 0.0;
  for (int frame = 0; frame < 20; ++frame)
    for (int joint : hidden)
      worst = std::max(worst, std::hypot(double{seq.at(frame, joint, 0)} - truth.at(frame, joint, 0),
                                         seq.at(frame, joint, 1) - truth.at(frame, joint, 1)));
  EXPECT_LT(worst, 0.05 * 560.0);
  EXPECT_GT(worst, 0.0);  // the noise did move them: the check above is not vacuous
}

TEST(BodyFill, HangsAMissingAnkleFromItsSeenKnee) {
  // A seated person: the knee is far from where a standing template has it. The never-seen ankle
  // hangs from the knee by the template's knee-to-ankle offset, turned and scaled by the fit.
  const Similarity2D placement = similarity(300.0, 0.0, 400.0, 400.0);
  KeypointSequence seq = template_clip(1, 0.0, {kRightAnkle}, placement);
  seq.at(0, kRightKnee, 0) -= 60.0f;  // knee raised and pulled aside
  seq.at(0, kRightKnee, 1) -= 80.0f;
  const float knee_x = seq.at(0, kRightKnee, 0), knee_y = seq.at(0, kRightKnee, 1);
  fill_from_body_template(seq, coco_options({kRightAnkle}));
  const BodyTemplate& body = coco_body_template();
  const double shin_x = body.joints[kRightAnkle].position[0] - body.joints[kRightKnee].position[0];
  const double shin_y = body.joints[kRightAnkle].position[1] - body.joints[kRightKnee].position[1];
  // The fit's scale and turn differ a little from the placement's because the knee moved (it
  // weighs in the fit): the shin keeps the template's length and direction within 5% and 5 degrees.
  const double dx = seq.at(0, kRightAnkle, 0) - knee_x, dy = seq.at(0, kRightAnkle, 1) - knee_y;
  EXPECT_NEAR(std::hypot(dx, dy), 300.0 * std::hypot(shin_x, shin_y), 0.05 * 300.0 * std::hypot(shin_x, shin_y));
  EXPECT_LT(std::abs(std::atan2(dx, dy) - std::atan2(shin_x, shin_y)) * 180.0 / kPi, 5.0);
}

TEST(BodyFill, KeepsTheFramesWhereARarelySeenJointIsSeen) {
  const Similarity2D placement = similarity(400.0, 0.0, 600.0, 300.0);
  KeypointSequence seq = template_clip(4, 0.0, {kLeftAnkle}, placement);
  seq.at(2, kLeftAnkle, 0) = 123.0f;  // seen in frame 2 only, somewhere else than the template says
  seq.at(2, kLeftAnkle, 1) = 456.0f;
  seq.at(2, kLeftAnkle, 2) = 0.8f;
  const BodyFillResult result = fill_from_body_template(seq, coco_options({kLeftAnkle}));
  EXPECT_EQ(result.filled, 3);
  EXPECT_EQ(result.filled_mask[2 * 17 + kLeftAnkle], 0);
  EXPECT_EQ(seq.at(2, kLeftAnkle, 0), 123.0f);
  EXPECT_EQ(seq.at(2, kLeftAnkle, 1), 456.0f);
  EXPECT_NE(seq.at(1, kLeftAnkle, 0), 0.0f);
}

TEST(BodyFill, FramesThatCannotBeFittedBorrowTheNearestFit) {
  // Frame 1 shows only the nose (the other joints are placed, none interpolated): its fit comes
  // from a neighbouring frame, and its joints hang from its own nose.
  const std::vector<int> everything_but_nose = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  const Similarity2D placement = similarity(400.0, 0.0, 600.0, 300.0);
  KeypointSequence seq = template_clip(3, 0.0, {}, placement);
  const KeypointSequence truth = seq;
  for (int joint : everything_but_nose) seq.at(1, joint, 2) = 0.0f;
  fill_from_body_template(seq, coco_options(everything_but_nose));
  for (int joint = 0; joint < 17; ++joint) {
    // Frame 0's fit shifted by frame 1's nose: the frames differ by a translation only.
    EXPECT_NEAR(seq.at(1, joint, 0), truth.at(1, joint, 0), 1e-3);
    EXPECT_NEAR(seq.at(1, joint, 1), truth.at(1, joint, 1), 1e-3);
  }
}

TEST(BodyFill, NoFrameToFitIsAnInputError) {
  // Every joint but the nose is to be placed and never seen: nothing to fit a scale to.
  std::vector<int> all_but_nose;
  for (int joint = 1; joint < 17; ++joint) all_but_nose.push_back(joint);
  KeypointSequence seq = template_clip(2, 0.0, all_but_nose, similarity(400.0, 0.0, 0.0, 0.0));
  EXPECT_THAT([&] { fill_from_body_template(seq, coco_options(all_but_nose)); },
              ThrowsMessage<InputError>(HasSubstr("clip.json: no frame shows two joints to fit the body model to")));
}

TEST(BodyFill, WorksInTheH36mLayout) {
  // Human3.6M-17 keypoints of an upper-body clip: pelvis, spine and legs placed below the seen thorax.
  const BodyTemplate& body = h36m_body_template();
  const Similarity2D placement = similarity(350.0, 2.0, 500.0, 300.0);
  const std::vector<Point> projected = project_template(body, 0.0);
  const std::vector<int> hidden = {0, 1, 2, 3, 4, 5, 6, 7};
  KeypointSequence seq;
  seq.frames = 1;
  seq.joints = 17;
  seq.features = 3;
  for (int joint = 0; joint < 17; ++joint) {
    const Point point = placement.apply(projected[joint]);
    const bool seen = std::find(hidden.begin(), hidden.end(), joint) == hidden.end();
    seq.values.insert(seq.values.end(), {static_cast<float>(point[0]), static_cast<float>(point[1]), seen ? 1.0f : 0.0f});
  }
  const KeypointSequence truth = seq;
  for (int joint : hidden) seq.at(0, joint, 0) = seq.at(0, joint, 1) = 0.0f;
  BodyFillOptions options;
  options.layout = "h36m";
  options.joints = hidden;
  fill_from_body_template(seq, options);
  for (int joint = 0; joint < 17; ++joint) {
    EXPECT_NEAR(seq.at(0, joint, 0), truth.at(0, joint, 0), 1e-3) << joint;
    EXPECT_NEAR(seq.at(0, joint, 1), truth.at(0, joint, 1), 1e-3) << joint;
  }
}

TEST(BodyFill, DescribesTurns) {
  EXPECT_EQ(describe_yaw(0.0), "facing the camera");
  EXPECT_EQ(describe_yaw(180.0), "facing away from the camera");
  EXPECT_EQ(describe_yaw(-45.0), "turned 45 degrees towards the image's right");
}

}  // namespace
}  // namespace lift3d::core
