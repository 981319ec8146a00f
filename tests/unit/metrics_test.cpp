// Golden tests for the per-video metrics and run.py's aggregation. Fixtures come from
// tools/make_metric_fixtures.py (reference formulas in torch/NumPy, seeded).
#include "core/metrics.hpp"

#include <cmath>
#include <fstream>
#include <limits>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "lift3d/error.hpp"

namespace lift3d::core {
namespace {

using nlohmann::json;

// Both sides float64: only summation order and the SVD algorithm (Jacobi vs LAPACK) differ, at the
// 1e-16 relative level (observed), so this is a pure logic check with ample margin.
constexpr double kExactRtol = 1e-12;
// Against the reference's float32 path (torch / NumPy on float32 arrays): each per-video value
// carries float32 rounding from a few reductions and, for P-MPJPE, the float32 normalisation
// before the SVD; unit roundoff is 6e-8 and the fixtures show up to 3e-7 relative.
constexpr double kFloat32Rtol = 1e-6;
// Aggregation of identical per-video inputs: the reference multiplies by 1000 after the weighted
// mean, lift3d before; that reordering moves the result by a few ulp.
constexpr double kAggregateRtol = 1e-13;

json load_fixture(const std::string& name) {
  const std::string path = std::string(LIFT3D_FIXTURES_DIR) + "/metrics/" + name;
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open fixture " + path);
  return json::parse(in);
}

const json& metric_case(const std::string& name) {
  static const json cases = load_fixture("metric_cases.json");
  for (const json& c : cases.at("cases"))
    if (c.at("name") == name) return c;
  throw std::runtime_error("no metric case " + name);
}

PoseSequence pose(const json& values, int frames, int joints) {
  PoseSequence s(frames, joints);
  if (values.size() != s.values.size()) throw std::runtime_error("fixture size mismatch");
  for (std::size_t i = 0; i < s.values.size(); ++i) s.values[i] = static_cast<float>(values[i].get<double>());
  return s;
}

PoseSequence predicted_of(const json& c) { return pose(c.at("predicted"), c.at("frames"), c.at("joints")); }
PoseSequence target_of(const json& c) { return pose(c.at("target"), c.at("frames"), c.at("joints")); }

double value_of(const MetricErrors& e, int k) {
  switch (k) {
    case 0:
      return e.mpjpe_mm;
    case 1:
      return e.p_mpjpe_mm;
    case 2:
      return e.n_mpjpe_mm;
    default:
      return e.mpjve_mm;
  }
}

const char* const kMetricNames[] = {"MPJPE", "P-MPJPE", "N-MPJPE", "MPJVE"};

void expect_near_rel(double actual, double expected, double rtol, const std::string& what) {
  EXPECT_NEAR(actual, expected, rtol * std::abs(expected)) << what;
}

// Compares all four metrics of one fixture case with its float64 and float32-reference goldens.
void check_case(const std::string& name) {
  const json& c = metric_case(name);
  const MetricErrors e = sequence_errors(predicted_of(c), target_of(c));
  for (int k = 0; k < 4; ++k) {
    const std::string what = name + " " + kMetricNames[k];
    const json& exact = c.at("exact_mm")[k];
    if (exact.is_null()) {
      EXPECT_TRUE(std::isnan(value_of(e, k))) << what;
      continue;
    }
    expect_near_rel(value_of(e, k), exact.get<double>(), kExactRtol, what + " vs float64");
    const json& reference = c.at("reference_float32_m");
    if (!reference.is_null())
      expect_near_rel(value_of(e, k), reference[k].get<double>() * 1000.0, kFloat32Rtol,
                      what + " vs reference float32");
  }
}

TEST(MetricsGolden, RandomH36mPrediction) { check_case("random_h36m"); }
TEST(MetricsGolden, MirroredPredictionNeedsTheReflectionFix) { check_case("mirrored"); }
TEST(MetricsGolden, HumanEvaFifteenJoints) { check_case("humaneva15"); }
TEST(MetricsGolden, SingleFrameHasNoVelocityError) { check_case("single_frame"); }
TEST(MetricsGolden, AbsoluteCameraSpaceDepth) { check_case("absolute_depth"); }
TEST(MetricsGolden, AllZeroPredictionFrameTakesTheLimit) { check_case("zero_prediction_frame"); }
TEST(MetricsGolden, SinglePointTargetFrameTakesTheLimit) { check_case("point_target_frame"); }

TEST(MetricsGolden, MirroredFixtureReallyReflects) {
  EXPECT_EQ(metric_case("mirrored").at("reflection_frames").get<int>(), 6);
}

PoseSequence ramp(int frames, int joints) {
  PoseSequence s(frames, joints);
  for (std::size_t i = 0; i < s.values.size(); ++i)
    s.values[i] = 0.01f * static_cast<float>((i * 37) % 101) - 0.5f;
  return s;
}

TEST(Metrics, IdenticalSequencesHaveZeroError) {
  const PoseSequence g = ramp(5, 17);
  const MetricErrors e = sequence_errors(g, g);
  EXPECT_EQ(e.mpjpe_mm, 0.0);
  EXPECT_NEAR(e.p_mpjpe_mm, 0.0, 1e-9);
  EXPECT_NEAR(e.n_mpjpe_mm, 0.0, 1e-9);
  EXPECT_EQ(e.mpjve_mm, 0.0);
}

TEST(Metrics, MpjpeIsTheMeanJointDistanceInMillimetres) {
  PoseSequence g(2, 2);
  PoseSequence p(2, 2);
  p.at(0, 0, 0) = 0.003f;  // 3 mm
  p.at(1, 1, 1) = 0.004f;  // 4 mm
  p.at(1, 1, 2) = 0.003f;  // with the above: 5 mm
  EXPECT_NEAR(mpjpe_mm(p, g), (3.0 + 0.0 + 0.0 + 5.0) / 4.0, 1e-6);
}

TEST(Metrics, ProcrustesRemovesASimilarityTransform) {
  const PoseSequence g = ramp(3, 17);
  PoseSequence p = g;
  // p = 1.3 * R_z(90 deg) g + (0.1, 0.2, 0.3), per point.
  for (int t = 0; t < 3; ++t)
    for (int j = 0; j < 17; ++j) {
      const float x = g.at(t, j, 0), y = g.at(t, j, 1), z = g.at(t, j, 2);
      p.at(t, j, 0) = 1.3f * -y + 0.1f;
      p.at(t, j, 1) = 1.3f * x + 0.2f;
      p.at(t, j, 2) = 1.3f * z + 0.3f;
    }
  EXPECT_GT(mpjpe_mm(p, g), 100.0);
  EXPECT_NEAR(p_mpjpe_mm(p, g), 0.0, 1e-3);  // float32 inputs: micrometre-level residue
}

TEST(Metrics, NormalisedMpjpeRemovesAGlobalScale) {
  const PoseSequence g = ramp(4, 17);
  PoseSequence p = g;
  for (float& v : p.values) v *= 0.8f;
  EXPECT_GT(mpjpe_mm(p, g), 10.0);
  EXPECT_NEAR(n_mpjpe_mm(p, g), 0.0, 1e-4);
}

TEST(Metrics, VelocityErrorIgnoresAConstantOffset) {
  const PoseSequence g = ramp(6, 17);
  PoseSequence p = g;
  for (std::size_t i = 0; i < p.values.size(); i += 3) p.values[i] += 0.25f;
  EXPECT_GT(mpjpe_mm(p, g), 200.0);
  EXPECT_NEAR(mpjve_mm(p, g), 0.0, 1e-4);
}

TEST(Metrics, VelocityErrorAveragesOverFrameDifferences) {
  PoseSequence g(3, 1);
  PoseSequence p(3, 1);
  p.at(2, 0, 0) = 0.002f;  // differences: 0 then 2 mm -> mean 1 mm over the 2 differences
  EXPECT_NEAR(mpjve_mm(p, g), 1.0, 1e-6);
}

TEST(Metrics, ShapeMismatchIsAUsageError) {
  EXPECT_THAT([] { mpjpe_mm(ramp(3, 17), ramp(3, 15)); },
              testing::ThrowsMessage<UsageError>(testing::HasSubstr("(3, 17, 3)")));
  EXPECT_THROW(p_mpjpe_mm(ramp(4, 17), ramp(3, 17)), UsageError);
}

TEST(Metrics, EmptySequenceIsAnInputError) {
  EXPECT_THROW(sequence_errors(PoseSequence(0, 17), PoseSequence(0, 17)), InputError);
}

TEST(Metrics, NonFiniteInputGivesNaNNotAHang) {
  const PoseSequence g = ramp(3, 17);
  PoseSequence p = g;
  p.at(1, 4, 2) = std::numeric_limits<float>::quiet_NaN();
  const MetricErrors e = sequence_errors(p, g);
  EXPECT_TRUE(std::isnan(e.mpjpe_mm));
  EXPECT_TRUE(std::isnan(e.p_mpjpe_mm));
  EXPECT_TRUE(std::isnan(e.n_mpjpe_mm));
  EXPECT_TRUE(std::isnan(e.mpjve_mm));
}

// --- Aggregation ---------------------------------------------------------------------------------

TEST(ActionGroup, IsTheTextBeforeTheFirstSpace) {
  EXPECT_EQ(action_group("Walking 1"), "Walking");
  EXPECT_EQ(action_group("Walking"), "Walking");
  EXPECT_EQ(action_group("WalkTogether 1"), "WalkTogether");
  EXPECT_EQ(action_group("Walking 1 chunk0"), "Walking");
  EXPECT_EQ(action_group(""), "");
}

TEST(ActionFilter, IsAPrefixTestAndEmptyMeansAll) {
  EXPECT_TRUE(matches_action_filter("WalkDog", {"Walk"}));
  EXPECT_TRUE(matches_action_filter("SittingDown", {"Sitting"}));
  EXPECT_FALSE(matches_action_filter("Eating", {"Walk", "Sitting"}));
  EXPECT_TRUE(matches_action_filter("Eating", {}));
}

Aggregator aggregator_for(const std::string& scenario) {
  static const json fixture = load_fixture("aggregation.json");
  Aggregator aggregator;
  for (const json& v : fixture.at("scenarios").at(scenario).at("videos")) {
    SequenceResult r;
    r.subject = v.at("subject");
    r.action = v.at("action");
    r.frames = v.at("frames");
    const json& m = v.at("errors_m");
    r.errors = {m[0].get<double>() * 1000.0, m[1].get<double>() * 1000.0, m[2].get<double>() * 1000.0,
                m[3].get<double>() * 1000.0};
    aggregator.add(r);
  }
  return aggregator;
}

const json& expected_for(const std::string& scenario) {
  static const json fixture = load_fixture("aggregation.json");
  return fixture.at("scenarios").at(scenario).at("expected");
}

void expect_summary(const EvaluationSummary& actual, const json& expected, const std::string& what) {
  ASSERT_EQ(actual.groups.size(), expected.at("groups").size()) << what;
  for (std::size_t g = 0; g < actual.groups.size(); ++g) {
    const json& eg = expected.at("groups")[g];
    const GroupErrors& ag = actual.groups[g];
    const std::string where = what + " group " + ag.name;
    EXPECT_EQ(ag.name, eg.at("name").get<std::string>()) << what;
    EXPECT_EQ(ag.frames, eg.at("frames").get<long long>()) << where;
    EXPECT_EQ(ag.videos, eg.at("videos").get<int>()) << where;
    for (int k = 0; k < 4; ++k)
      expect_near_rel(value_of(ag.errors, k), eg.at("errors_mm")[k].get<double>(), kAggregateRtol,
                      where + " " + kMetricNames[k]);
  }
  for (int k = 0; k < 4; ++k)
    expect_near_rel(value_of(actual.average, k), expected.at("average_mm")[k].get<double>(), kAggregateRtol,
                    what + " average " + kMetricNames[k]);
}

TEST(Aggregator, H36mActionWiseAverageOverAllSubjects) {
  expect_summary(aggregator_for("h36m").summary(), expected_for("h36m").at("all"), "h36m");
}

TEST(Aggregator, H36mBySubject) {
  const std::vector<EvaluationSummary> summaries = aggregator_for("h36m").summaries_by_subject();
  const json& expected = expected_for("h36m").at("by_subject");
  ASSERT_EQ(summaries.size(), expected.size());
  for (std::size_t s = 0; s < summaries.size(); ++s) {
    EXPECT_EQ(summaries[s].subject, expected[s].at("subject").get<std::string>());
    expect_summary(summaries[s], expected[s], "h36m " + summaries[s].subject);
  }
}

TEST(Aggregator, H36mActionFiltersArePrefixesOfGroupNames) {
  const Aggregator aggregator = aggregator_for("h36m");
  for (const json& f : expected_for("h36m").at("filtered")) {
    const auto filter = f.at("filter").get<std::vector<std::string>>();
    expect_summary(aggregator.summary(filter), f, "h36m filter " + f.at("filter").dump());
  }
}

TEST(Aggregator, HumanEvaChunksGroupByAction) {
  const Aggregator aggregator = aggregator_for("humaneva");
  expect_summary(aggregator.summary(), expected_for("humaneva").at("all"), "humaneva");
  const json& f = expected_for("humaneva").at("filtered")[0];
  expect_summary(aggregator.summary(f.at("filter").get<std::vector<std::string>>()), f, "humaneva filtered");
  const std::vector<EvaluationSummary> by_subject = aggregator.summaries_by_subject();
  const json& expected = expected_for("humaneva").at("by_subject");
  ASSERT_EQ(by_subject.size(), expected.size());
  for (std::size_t s = 0; s < by_subject.size(); ++s)
    expect_summary(by_subject[s], expected[s], "humaneva by subject");
}

TEST(Aggregator, GroupsWeightVideosByFramesNotEqually) {
  Aggregator aggregator;
  aggregator.add({"S9", "Walking", 100, {10.0, 1.0, 1.0, 1.0}});
  aggregator.add({"S9", "Walking 1", 300, {20.0, 1.0, 1.0, 1.0}});
  aggregator.add({"S9", "Eating", 5, {40.0, 1.0, 1.0, 1.0}});
  const EvaluationSummary s = aggregator.summary();
  ASSERT_EQ(s.groups.size(), 2u);
  EXPECT_DOUBLE_EQ(s.groups[0].errors.mpjpe_mm, 17.5);      // (100*10 + 300*20) / 400
  EXPECT_DOUBLE_EQ(s.average.mpjpe_mm, (17.5 + 40.0) / 2);  // groups count equally
}

TEST(Aggregator, NoMatchingGroupGivesNaNAverage) {
  Aggregator aggregator;
  aggregator.add({"S9", "Walking", 10, {1.0, 1.0, 1.0, 1.0}});
  const EvaluationSummary s = aggregator.summary({"Box"});
  EXPECT_TRUE(s.groups.empty());
  EXPECT_TRUE(std::isnan(s.average.mpjpe_mm));
}

TEST(Aggregator, ZeroFrameVideoIsRejected) {
  Aggregator aggregator;
  EXPECT_THROW(aggregator.add({"S9", "Walking", 0, {}}), UsageError);
}

TEST(Aggregator, EndToEndFromPosesMatchesTheReferenceWithinAMicrometre) {
  // lift3d's float64 per-video metrics, aggregated, against the reference's float32 per-video values
  // through run.py's aggregation: the evaluation-level agreement the reports rely on.
  static const json fixture = load_fixture("metric_cases.json");
  Aggregator aggregator;
  for (const json& v : fixture.at("end_to_end").at("videos")) {
    const json& c = metric_case(v.at("case"));
    aggregator.add({v.at("subject"), v.at("action"), c.at("frames").get<long long>(),
                    sequence_errors(predicted_of(c), target_of(c))});
  }
  const EvaluationSummary summary = aggregator.summary();
  const json& expected = fixture.at("end_to_end").at("expected");
  ASSERT_EQ(summary.groups.size(), expected.at("groups").size());
  constexpr double kMillimetreTolerance = 1e-3;
  for (std::size_t g = 0; g < summary.groups.size(); ++g)
    for (int k = 0; k < 4; ++k) {
      const double want = expected.at("groups")[g].at("errors_mm")[k].get<double>();
      EXPECT_NEAR(value_of(summary.groups[g].errors, k), want, kMillimetreTolerance);
      expect_near_rel(value_of(summary.groups[g].errors, k), want, kFloat32Rtol, summary.groups[g].name);
    }
  for (int k = 0; k < 4; ++k)
    EXPECT_NEAR(value_of(summary.average, k), expected.at("average_mm")[k].get<double>(),
                kMillimetreTolerance);
}

TEST(NumpyMean, MatchesNumpyBitForBit) {
  const json fixture = load_fixture("aggregation.json");
  for (const json& m : fixture.at("numpy_mean")) {
    const auto values = m.at("values").get<std::vector<double>>();
    EXPECT_EQ(numpy_mean(values), m.at("mean").get<double>()) << values.size() << " values";
  }
}

TEST(NumpyMean, EmptyIsNaN) { EXPECT_TRUE(std::isnan(numpy_mean({}))); }

}  // namespace
}  // namespace lift3d::core
