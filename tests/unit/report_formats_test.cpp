// The report file formats alone: BVH text (nesting, channels in hierarchy order, numbers, refusals)
// and the HTML page shell (data that cannot end its script element, nothing loaded from the network).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "io/bvh_writer.hpp"
#include "io/html_report.hpp"
#include "lift3d/error.hpp"

namespace lift3d::io {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// root -> a, root -> b, a -> c; listed so that depth-first order (root, a, c, b) differs from
// index order (root, a, b, c).
BvhClip small_clip() {
  BvhClip clip;
  clip.comments = {"units: centimetres"};
  clip.joints = {{"root", -1, {0, 0, 0}, {}}, {"a", 0, {1, 0, 0}, {}}, {"b", 0, {-1, 0, 0}, {0, -2, 0}},
                 {"c", 1, {0, 3, 0}, {0, 0.5, 0}}};
  clip.frame_time_seconds = 1.0 / 30.0;
  clip.frames = 1;
  clip.root_positions = {{10, 20, 30}};
  clip.rotations_deg = {{1, 2, 3}, {4, 5, 6}, {7, 8, 9}, {-0.0000001, 11, 12}};
  return clip;
}

TEST(BvhWriter, NestsDepthFirstAndWritesChannelsInThatOrder) {
  const std::string text = bvh_text(small_clip());
  EXPECT_EQ(text.rfind("HIERARCHY\n# units: centimetres\nROOT root\n{\n", 0), 0u) << text;
  EXPECT_THAT(text, HasSubstr("  JOINT a\n  {\n    OFFSET 1.000000 0.000000 0.000000\n"
                              "    CHANNELS 3 Zrotation Xrotation Yrotation\n    JOINT c\n"));
  EXPECT_THAT(text, HasSubstr("      End Site\n      {\n        OFFSET 0.000000 0.500000 0.000000\n      }\n"));
  EXPECT_LT(text.find("JOINT c"), text.find("JOINT b"));
  EXPECT_THAT(text, HasSubstr("CHANNELS 6 Xposition Yposition Zposition Zrotation Xrotation Yrotation\n"));
  EXPECT_THAT(text, HasSubstr("MOTION\nFrames: 1\nFrame Time: 0.0333333333\n"));
  // root position, then root, a, c, b rotations; a tiny negative angle is written as 0.
  EXPECT_THAT(text, HasSubstr("\n10.000000 20.000000 30.000000 1.000000 2.000000 3.000000 4.000000 5.000000 "
                              "6.000000 0.000000 11.000000 12.000000 7.000000 8.000000 9.000000\n"));
}

// Per-frame joint offsets: every joint gets the six channels, its offset before its rotation; the
// root's position stays root_positions.
TEST(BvhWriter, JointOffsetsGivePositionChannelsOnEveryJoint) {
  BvhClip clip = small_clip();
  clip.joint_offsets = {{99, 99, 99}, {1.5, 0, 0}, {-1, 0.25, 0}, {0, 3.5, 0}};
  const std::string text = bvh_text(clip);
  EXPECT_THAT(text, HasSubstr("  JOINT a\n  {\n    OFFSET 1.000000 0.000000 0.000000\n"
                              "    CHANNELS 6 Xposition Yposition Zposition Zrotation Xrotation Yrotation\n"));
  EXPECT_THAT(text, Not(HasSubstr("CHANNELS 3")));
  EXPECT_THAT(text, HasSubstr("\n10.000000 20.000000 30.000000 1.000000 2.000000 3.000000 "
                              "1.500000 0.000000 0.000000 4.000000 5.000000 6.000000 "
                              "0.000000 3.500000 0.000000 0.000000 11.000000 12.000000 "
                              "-1.000000 0.250000 0.000000 7.000000 8.000000 9.000000\n"));
  clip.joint_offsets.pop_back();
  EXPECT_THROW(bvh_text(clip), InternalError);
}

// A joint's own rotation order names its channels (the values stay in that order).
TEST(BvhWriter, WritesEachJointsRotationOrder) {
  BvhClip clip = small_clip();
  clip.joints[3].rotation_axes = {'X', 'Z', 'Y'};
  const std::string text = bvh_text(clip);
  EXPECT_THAT(text, HasSubstr("    JOINT c\n    {\n      OFFSET 0.000000 3.000000 0.000000\n"
                              "      CHANNELS 3 Xrotation Zrotation Yrotation\n"));
  EXPECT_THAT(text, HasSubstr("  JOINT b\n  {\n    OFFSET -1.000000 0.000000 0.000000\n"
                              "    CHANNELS 3 Zrotation Xrotation Yrotation\n"));
  clip.joints[3].rotation_axes = {'X', 'X', 'Y'};
  EXPECT_THROW(bvh_text(clip), InternalError);
}

TEST(BvhWriter, RefusesClipsThatDoNotFitTheirSizes) {
  BvhClip clip = small_clip();
  clip.rotations_deg.pop_back();
  EXPECT_THROW(bvh_text(clip), InternalError);
  clip = small_clip();
  clip.joints[2].parent = 3;  // a parent listed after its child
  EXPECT_THROW(bvh_text(clip), InternalError);
  clip = small_clip();
  clip.joints[1].name = "left arm";
  EXPECT_THROW(bvh_text(clip), InternalError);
  clip = small_clip();
  clip.comments = {"two\nlines"};
  EXPECT_THROW(bvh_text(clip), InternalError);
}

TEST(HtmlReport, DataCannotEndItsScriptAndNothingIsLoaded) {
  const std::string page = report_html("a <b> & \"c\"", R"({"name": "</script><script>alert(1)</script>"})");
  EXPECT_THAT(page, HasSubstr("<title>a &lt;b&gt; &amp; &quot;c&quot;</title>"));
  EXPECT_THAT(page, HasSubstr(R"("name": "\u003c/script>\u003cscript>alert(1)\u003c/script>")"));
  EXPECT_THAT(page, Not(HasSubstr("alert(1)</script>")));
  EXPECT_THAT(page, Not(HasSubstr("src=\"http")));
  EXPECT_THAT(page, Not(HasSubstr("<link")));
  EXPECT_EQ(page.rfind("<!DOCTYPE html>", 0), 0u);
}

}  // namespace
}  // namespace lift3d::io
