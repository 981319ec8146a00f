// The rounded averages `lift3d eval` prints must be run.py's text character for character. Cases come
// from tools/make_eval_fixtures.py: str(round(np.float64(x), d)), i.e. what run.py's print shows.
#include "app/eval_report.hpp"

#include <cstdlib>
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace lift3d::app {
namespace {

using nlohmann::json;

json round_cases() {
  const std::string path = std::string(LIFT3D_FIXTURES_DIR) + "/eval/round_cases.json";
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open fixture " + path);
  return json::parse(in).at("cases");
}

TEST(PythonRoundText, MatchesRunPyOnEveryFixtureCase) {
  const json cases = round_cases();
  ASSERT_GT(cases.size(), 50u);
  for (const json& c : cases) {
    const std::string value = c.at("value");
    const int digits = c.at("digits");
    const std::string printed = c.at("printed");
    EXPECT_EQ(python_round_text(std::strtod(value.c_str(), nullptr), digits), printed)
        << "round(np.float64(" << value << "), " << digits << ")";
  }
}

TEST(PythonRoundText, FixtureHoldsValuesWhereNumPyAndPythonRoundingDisagree) {
  // Guards the fixture: these are the cases where rounding the exact binary value would be wrong.
  int differing = 0;
  for (const json& c : round_cases()) differing += c.at("python_round_differs").get<bool>() ? 1 : 0;
  EXPECT_GE(differing, 12);
}

TEST(PythonRoundText, WholeNumbersKeepPositionalNotation) {
  // Regression: "%g" with the fewest digits printed 430.0 as "4.3e+02".
  EXPECT_EQ(python_round_text(430.0, 1), "430.0");
  EXPECT_EQ(python_round_text(429.96, 1), "430.0");
  EXPECT_EQ(python_round_text(100.0, 2), "100.0");
}

TEST(PythonRoundText, RoundsTheScaledValueHalfToEvenAsNumPyDoes) {
  // 1070.55 is 1070.5499999999999545... in binary; NumPy scales it to exactly 10705.5 and rounds
  // that to even, so run.py prints 1070.6 (Python's round() would give 1070.5). 46.85 is
  // 46.850000000000001...: scaled to exactly 468.5, it rounds down to 46.8 (Python: 46.9).
  EXPECT_EQ(python_round_text(1070.55, 1), "1070.6");
  EXPECT_EQ(python_round_text(46.85, 1), "46.8");
  EXPECT_EQ(python_round_text(46.75, 1), "46.8");
}

TEST(PythonRoundText, NonFiniteAndSignedZero) {
  EXPECT_EQ(python_round_text(std::nan(""), 1), "nan");
  EXPECT_EQ(python_round_text(-0.04, 1), "-0.0");
}

}  // namespace
}  // namespace lift3d::app
