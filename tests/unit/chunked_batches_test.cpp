// ChunkedBatches: the example list, windows with edge padding (centred, or ending at the frame for
// causal models), flips of 2D and 3D, the root zeroed into the trajectory, batch sizes. The shuffled
// order itself is NumPy's (numpy_random_test.cpp) and whole epochs match run.py (training_run_test.cpp).
// The unlabelled stream of semi-supervised training (EndlessBatches, cameras, the 2D reprojection
// target) against the reference's own ChunkedGenerator(endless=True) zipped with a labelled one
// (tests/fixtures/training/run_py_semi/endless_stream.npz, tools/make_semi_run_fixtures.py).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/training/chunked_batches.hpp"
#include "io/npy.hpp"
#include "lift3d/error.hpp"

namespace training = lift3d::core::training;

namespace {

// 2 joints, 2 features: keypoint (t, j) = (10 t + j, 100 + 10 t + j); pose joint j = (t, j, 7).
lift3d::KeypointSequence keypoints(int frames) {
  lift3d::KeypointSequence k;
  k.frames = frames;
  k.joints = 2;
  k.features = 2;
  for (int t = 0; t < frames; ++t)
    for (int j = 0; j < 2; ++j) {
      k.values.push_back(10.0f * t + j);
      k.values.push_back(100.0f + 10.0f * t + j);
    }
  return k;
}

lift3d::PoseSequence poses(int frames) {
  lift3d::PoseSequence p(frames, 2);
  for (int t = 0; t < frames; ++t)
    for (int j = 0; j < 2; ++j) {
      p.at(t, j, 0) = static_cast<float>(t);
      p.at(t, j, 1) = static_cast<float>(j);
      p.at(t, j, 2) = 7.0f;
    }
  return p;
}

training::FlipLists swap_joints() { return {{0}, {1}, {0}, {1}}; }

TEST(ChunkedBatches, ExamplesAreEveryFrameThenTheFlippedCopiesPerVideo) {
  const std::vector<lift3d::KeypointSequence> k{keypoints(3), keypoints(2)};
  const std::vector<lift3d::PoseSequence> p{poses(3), poses(2)};
  const training::ChunkedBatches batches(k, p, 4, 1, false, true, swap_joints());
  ASSERT_EQ(batches.examples().size(), 10u);
  EXPECT_EQ(batches.examples()[3].video, 0);
  EXPECT_TRUE(batches.examples()[3].flip);
  EXPECT_EQ(batches.examples()[3].frame, 0);
  EXPECT_EQ(batches.examples()[6].video, 1);
  EXPECT_FALSE(batches.examples()[6].flip);
  EXPECT_EQ(batches.batches_per_epoch(), 3);  // 4 + 4 + 2
  EXPECT_EQ(batches.batch(2).examples, 2);
}

TEST(ChunkedBatches, WindowsAreEdgePaddedAndFlipsSwapAndNegate) {
  const std::vector<lift3d::KeypointSequence> k{keypoints(3)};
  const std::vector<lift3d::PoseSequence> p{poses(3)};
  const training::ChunkedBatches batches(k, p, 6, 1, false, true, swap_joints());
  const training::Batch batch = batches.batch(0);  // unshuffled: frames 0, 1, 2, then flipped 0, 1, 2
  ASSERT_EQ(batch.input.rows(), 4);
  ASSERT_EQ(batch.input.cols(), 18);
  // Example 0 (frame 0): window frames -1, 0, 1 -> 0, 0, 1.
  EXPECT_EQ(batch.input(0, 0), 0.0f);
  EXPECT_EQ(batch.input(0, 1), 0.0f);
  EXPECT_EQ(batch.input(0, 2), 10.0f);
  // Example 2 (frame 2): window 1, 2, 3 -> 1, 2, 2.
  EXPECT_EQ(batch.input(1, 8), 120.0f);
  // Flipped example 4 (frame 1), centre column 13: joints swapped, x negated.
  EXPECT_EQ(batch.input(0, 13), -11.0f);  // joint 1's x, negated, now at joint 0
  EXPECT_EQ(batch.input(1, 13), 111.0f);
  EXPECT_EQ(batch.input(2, 13), -10.0f);
  EXPECT_EQ(batch.input(3, 13), 110.0f);
  // 3D target of example 4: root zeroed, its camera position moved to the trajectory.
  EXPECT_EQ(batch.target(0, 4), 0.0f);
  // Frame 1 is joint 0 = (1, 0, 7), joint 1 = (1, 1, 7); flipped: joint 0 = (-1, 1, 7), joint 1 = (-1, 0, 7).
  EXPECT_EQ(batch.trajectory(0, 4), -1.0f);
  EXPECT_EQ(batch.trajectory(1, 4), 1.0f);
  EXPECT_EQ(batch.trajectory(2, 4), 7.0f);
  EXPECT_EQ(batch.target(3, 4), -1.0f);
  EXPECT_EQ(batch.target(4, 4), 0.0f);
  EXPECT_EQ(batch.target(5, 4), 7.0f);
}

TEST(ChunkedBatches, CausalWindowsEndAtTheFrame) {
  const std::vector<lift3d::KeypointSequence> k{keypoints(4)};
  const std::vector<lift3d::PoseSequence> p{poses(4)};
  const training::ChunkedBatches batches(k, p, 8, 1, true, false, swap_joints());
  const training::Batch batch = batches.batch(0);
  // Example 3 (frame 3): window frames 1, 2, 3 (shifted by pad to the left).
  EXPECT_EQ(batch.input(0, 9), 10.0f);
  EXPECT_EQ(batch.input(0, 10), 20.0f);
  EXPECT_EQ(batch.input(0, 11), 30.0f);
  // Example 0: frames -2, -1, 0 -> all frame 0.
  EXPECT_EQ(batch.input(0, 2), 0.0f);
}

// The fixture's videos: video v (5, 3, 5 frames), joint j, frame t: x = 1 + 100 v + t + 1000 j, y = -(x + 1);
// camera [v + 1, 0, 10 + v, 0, 0, 0, 0, 20 + v, 0].
TEST(EndlessBatches, FollowRunPysEndlessGeneratorAcrossEpochsAndPermutations) {
  const lift3d::io::NpzFile file(std::string(LIFT3D_FIXTURES_DIR) + "/training/run_py_semi/endless_stream.npz");
  std::vector<lift3d::KeypointSequence> videos;
  std::vector<training::Intrinsics> cameras;
  const int lengths[] = {5, 3, 5};
  for (int v = 0; v < 3; ++v) {
    lift3d::KeypointSequence k;
    k.frames = lengths[v];
    k.joints = 2;
    k.features = 2;
    for (int t = 0; t < k.frames; ++t)
      for (int j = 0; j < 2; ++j) {
        const float x = 1.0f + 100.0f * v + t + 1000.0f * j;
        k.values.push_back(x);
        k.values.push_back(-(x + 1.0f));
      }
    videos.push_back(k);
    cameras.push_back({v + 1.0f, 0, 10.0f + v, 0, 0, 0, 0, 20.0f + v, 0});
  }
  const std::vector<lift3d::PoseSequence> unlabelled;  // kept by reference, as the videos
  training::ChunkedBatches batches(videos, unlabelled, 4, 1, false, true, swap_joints(), 4321, cameras);
  training::EndlessBatches stream(batches);
  const std::vector<std::int64_t> sizes = file.read("sizes").array->to_int64();
  const std::vector<float> inputs = file.read("inputs_2d").array->to_float();  // (examples, 3, 2, 2)
  const std::vector<float> expected_cameras = file.read("cameras").array->to_float();  // (examples, 9)
  ASSERT_EQ(sizes.size(), 20u);
  std::size_t example = 0;
  for (std::size_t b = 0; b < sizes.size(); ++b) {
    const training::Batch batch = stream.next();
    ASSERT_EQ(batch.examples, sizes[b]) << "batch " << b;
    for (int e = 0; e < batch.examples; ++e, ++example) {
      for (int i = 0; i < 12; ++i)
        ASSERT_EQ(batch.input.data()[e * 12 + i], inputs[example * 12 + i]) << "batch " << b << " example " << e;
      for (int i = 0; i < 9; ++i)
        ASSERT_EQ(batch.cameras(i, e), expected_cameras[example * 9 + i]) << "batch " << b << " example " << e;
      // The reprojection target: the window's centre frame (index pad = 1), x and y of each keypoint.
      for (int i = 0; i < 4; ++i)
        ASSERT_EQ(batch.keypoints_2d(i, e), inputs[example * 12 + 4 + i]) << "batch " << b << " example " << e;
    }
  }
  const std::vector<std::int64_t> key = file.read("key").array->to_int64();
  for (int i = 0; i < training::NumpyRandomState::kStateWords; ++i)
    ASSERT_EQ(batches.random_state().key()[i], static_cast<std::uint32_t>(key[i])) << i;
  EXPECT_EQ(batches.random_state().position(), file.read("pos").array->to_int64()[0]);
}

}  // namespace

// Data-parallel training: each process's share of a batch is its contiguous part, in process order,
// with the whole batch's size alongside; the shuffling is the whole batches'.
TEST(ChunkedBatches, SharesOfABatchAreItsPartsInProcessOrder) {
  const std::vector<lift3d::KeypointSequence> k{keypoints(5), keypoints(4)};
  const std::vector<lift3d::PoseSequence> p{poses(5), poses(4)};
  training::ChunkedBatches whole(k, p, 7, 1, false, true, swap_joints());
  std::vector<training::ChunkedBatches> parts;
  for (int part = 0; part < 3; ++part) {
    parts.emplace_back(k, p, 7, 1, false, true, swap_joints());
    parts.back().set_share(part, 3);
  }
  whole.start_epoch();
  for (training::ChunkedBatches& part : parts) part.start_epoch();
  ASSERT_EQ(whole.batches_per_epoch(), 3);  // 18 examples: 7, 7, 4
  for (int b = 0; b < whole.batches_per_epoch(); ++b) {
    const training::Batch all = whole.batch(b);
    EXPECT_EQ(all.batch_examples, all.examples);
    int at = 0;
    for (const training::ChunkedBatches& part : parts) {
      const training::Batch share = part.batch(b);
      EXPECT_EQ(share.batch_examples, all.examples);
      EXPECT_TRUE(share.input == all.input.middleCols(3 * at, 3 * share.examples)) << "batch " << b;
      EXPECT_TRUE(share.target == all.target.middleCols(at, share.examples)) << "batch " << b;
      at += share.examples;
    }
    EXPECT_EQ(at, all.examples);
  }
  EXPECT_THROW(parts.front().set_share(3, 3), lift3d::InternalError);
}
