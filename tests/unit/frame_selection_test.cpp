// run.py's --subset / --downsample frame choice (core/frame_selection.hpp) and the SHA-256 it picks
// windows with. The expected windows were computed with run.py's own formula in Python
// (int(round(len // N * F) * N), common/utils.py's deterministic_random with hashlib.sha256).
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <string>

#include "base/sha256.hpp"
#include "core/frame_selection.hpp"

namespace {

std::string hex(const std::array<std::uint8_t, 32>& digest) {
  std::string text;
  char byte[3];
  for (std::uint8_t b : digest) {
    std::snprintf(byte, sizeof byte, "%02x", b);
    text += byte;
  }
  return text;
}

TEST(Sha256, KnownDigests) {
  // FIPS 180-4's examples: one block, two blocks (56 bytes push the length into a second block).
  EXPECT_EQ(hex(lift3d::sha256("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(hex(lift3d::sha256("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(hex(lift3d::sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

struct Expected {
  int length;
  double subset;
  int downsample;
  int start, window;  // run.py's start and n_frames
};

TEST(FrameSelection, SubsetWindowsAsRunPy) {
  const Expected cases[] = {
      {5, 0.5, 1, 1, 2},   // round(2.5) = 2: half to even
      {5, 0.7, 2, 1, 2},   {5, 0.1, 1, 2, 0},   {6, 0.5, 1, 0, 3},     {6, 0.7, 2, 0, 4},
      {11, 0.5, 1, 0, 6},  // round(5.5) = 6
      {11, 0.7, 2, 0, 8},  {18, 0.5, 1, 6, 9},  {18, 0.1, 1, 10, 2},   {36, 0.7, 2, 5, 26},
      {52, 0.5, 1, 22, 26}, {52, 0.1, 1, 39, 5}, {1000, 0.7, 2, 137, 700}, {12345, 0.1, 1, 1140, 1234},
      {12345, 0.5, 1, 633, 6172}};
  for (const Expected& c : cases) {
    const lift3d::core::FrameSelection s = lift3d::core::select_frames(c.length, c.subset, c.downsample);
    EXPECT_EQ(s.start, c.start) << c.length << " " << c.subset;
    EXPECT_EQ(s.end - s.start, c.window) << c.length << " " << c.subset;
    EXPECT_EQ(s.step, c.downsample);
    EXPECT_EQ(s.frames(), (c.window + c.downsample - 1) / c.downsample);
  }
}

TEST(FrameSelection, DownsampleAloneKeepsEveryNthFromTheFirst) {
  const lift3d::core::FrameSelection s = lift3d::core::select_frames(7, 1.0, 3);
  EXPECT_EQ(s.start, 0);
  EXPECT_EQ(s.end, 7);
  EXPECT_EQ(s.frames(), 3);  // frames 0, 3, 6
  lift3d::PoseSequence poses(7, 1);
  for (int t = 0; t < 7; ++t) poses.at(t, 0, 0) = static_cast<float>(t);
  const lift3d::PoseSequence kept = lift3d::core::keep_frames(poses, s);
  ASSERT_EQ(kept.frames, 3);
  EXPECT_EQ(kept.at(0, 0, 0), 0.0f);
  EXPECT_EQ(kept.at(1, 0, 0), 3.0f);
  EXPECT_EQ(kept.at(2, 0, 0), 6.0f);
}

TEST(FrameSelection, SubsetWindowIsCutFromTheKeypoints) {
  lift3d::KeypointSequence keypoints;
  keypoints.frames = 52;
  keypoints.joints = 1;
  for (int t = 0; t < 52; ++t) keypoints.values.insert(keypoints.values.end(), {float(t), -float(t)});
  const lift3d::KeypointSequence kept = lift3d::core::keep_frames(keypoints, lift3d::core::select_frames(52, 0.7, 2));
  ASSERT_EQ(kept.frames, 18);  // frames 13, 15, ..., 47
  EXPECT_EQ(kept.at(0, 0, 0), 13.0f);
  EXPECT_EQ(kept.at(17, 0, 1), -47.0f);
}

TEST(FrameSelection, DeterministicRandomIsInRange) {
  for (int n = 1; n < 200; ++n) {
    const int value = lift3d::core::deterministic_random(0, n, std::to_string(n * 7));
    EXPECT_GE(value, 0);
    EXPECT_LE(value, n);  // max_value itself only when the digest's first word is 2**32 - 1
  }
}

}  // namespace
