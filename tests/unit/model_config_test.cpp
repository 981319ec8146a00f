// Architecture recovery from state_dict shapes and its error messages.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/model_config.hpp"
#include "lift3d/error.hpp"
#include "support/synthetic_model.hpp"

using lift3d::ModelError;
using lift3d::UsageError;
using lift3d::pipeline::ArchitectureHints;
using lift3d::pipeline::infer_architecture;
using lift3d::core::parse_filter_widths;
using lift3d::testing::make_config;
using lift3d::testing::synthetic_state;
using ::testing::HasSubstr;

TEST(ModelConfig, ReceptiveFieldsAndParameterCountsOfTheReferenceModels) {
  // Parameter counts printed by run.py for C = 1024, 17 joints in and out.
  auto c27 = make_config({3, 3, 3}, 1024);
  EXPECT_EQ(c27.receptive_field(), 27);
  EXPECT_EQ(c27.parameter_count(), 8555571);
  auto c243 = make_config({3, 3, 3, 3, 3}, 1024);
  EXPECT_EQ(c243.receptive_field(), 243);
  EXPECT_EQ(c243.pad(), 121);
  EXPECT_EQ(c243.parameter_count(), 16952371);
  auto traj = make_config({3, 3, 3, 3, 3}, 1024, 1);
  EXPECT_EQ(traj.parameter_count(), 16903171);
  auto dense = make_config({3, 3, 3, 3, 3}, 1024, 17, false, true);
  EXPECT_EQ(dense.parameter_count(), 260222003);
  EXPECT_EQ(dense.block_kernel(3), 163);
  auto he = make_config({3, 3, 3}, 1024, 15);
  EXPECT_EQ(he.parameter_count(), 8549421);
  EXPECT_EQ(make_config({3, 3, 7}, 1024).parameter_count(), 12749875);
}

TEST(ModelConfig, CausalPaddingIsAllOnTheLeft) {
  auto causal = make_config({3, 3, 3}, 8, 17, true);
  EXPECT_EQ(causal.pad_left(), 26);
  EXPECT_EQ(causal.pad_right(), 0);
  EXPECT_EQ(causal.block_causal_shift(1), 9);
  auto centred = make_config({3, 3, 3}, 8);
  EXPECT_EQ(centred.pad_left(), 13);
  EXPECT_EQ(centred.pad_right(), 13);
}

TEST(InferArchitecture, RecoversMixedWidthsChannelsAndJoints) {
  auto config = make_config({3, 5, 3}, 16, 15);
  auto inferred = infer_architecture(synthetic_state(config, 1), {}, "m.bin");
  EXPECT_EQ(inferred.filter_widths, (std::vector<int>{3, 5, 3}));
  EXPECT_EQ(inferred.channels, 16);
  EXPECT_EQ(inferred.input_channels, 34);
  EXPECT_EQ(inferred.joints_out, 15);
  EXPECT_FALSE(inferred.dense);
}

TEST(InferArchitecture, NumBatchesTrackedIsOptional) {
  auto config = make_config({3, 3}, 8);
  EXPECT_NO_THROW(infer_architecture(synthetic_state(config, 2, false), {}, "m.bin"));
  EXPECT_NO_THROW(infer_architecture(synthetic_state(config, 2, true), {}, "m.bin"));
}

TEST(InferArchitecture, DenseNeedsTheFlagAndRecoversWidths) {
  auto config = make_config({3, 3, 3}, 8, 17, false, true);
  ArchitectureHints hints;
  hints.dense = true;
  auto inferred = infer_architecture(synthetic_state(config, 3), hints, "m.bin");
  EXPECT_EQ(inferred.filter_widths, (std::vector<int>{3, 3, 3}));
  EXPECT_TRUE(inferred.dense);
  // Read as dilated, the same shapes are kernels 7 and 19, i.e. widths 3,7,19.
  auto dilated = infer_architecture(synthetic_state(config, 3), {}, "m.bin");
  EXPECT_EQ(dilated.filter_widths, (std::vector<int>{3, 7, 19}));
}

TEST(InferArchitecture, SingleWidthHasNoBlocks) {
  auto inferred = infer_architecture(synthetic_state(make_config({3}, 8), 4), {}, "m.bin");
  EXPECT_EQ(inferred.blocks(), 0);
  EXPECT_EQ(inferred.receptive_field(), 3);
}

TEST(InferArchitecture, HintsThatDisagreeNameWhatTheFileHolds) {
  auto state = synthetic_state(make_config({3, 3, 3}, 8), 5);
  ArchitectureHints hints;
  hints.filter_widths = std::vector<int>{3, 3, 3, 3, 3};
  try {
    infer_architecture(state, hints, "ckpt.bin: model_pos");
    FAIL() << "expected ModelError";
  } catch (const ModelError& e) {
    EXPECT_THAT(e.what(), HasSubstr("ckpt.bin: model_pos"));
    EXPECT_THAT(e.what(), HasSubstr("holds architecture 3,3,3"));
  }
  ArchitectureHints channels;
  channels.channels = 1024;
  EXPECT_THROW(infer_architecture(state, channels, "m.bin"), ModelError);
}

TEST(InferArchitecture, MissingWrongAndUnexpectedTensorsAreNamed) {
  auto config = make_config({3, 3}, 8);
  auto missing = synthetic_state(config, 6);
  missing.erase(std::remove_if(missing.begin(), missing.end(),
                               [](const auto& t) { return t.name == "layers_bn.1.running_var"; }),
                missing.end());
  EXPECT_THAT([&] { infer_architecture(missing, {}, "m.bin"); },
              ::testing::ThrowsMessage<ModelError>(HasSubstr("missing tensor 'layers_bn.1.running_var'")));

  auto wrong = synthetic_state(config, 6);
  for (auto& t : wrong)
    if (t.name == "layers_conv.1.weight") t.array.shape = {8, 4, 2}, t.array.bytes.resize(64 * 4);
  EXPECT_THAT([&] { infer_architecture(wrong, {}, "m.bin"); },
              ::testing::ThrowsMessage<ModelError>(HasSubstr("'layers_conv.1.weight' has shape [8, 4, 2]")));

  auto extra = synthetic_state(config, 6);
  extra.push_back({"fc.weight", extra.front().array});
  EXPECT_THAT([&] { infer_architecture(extra, {}, "m.bin"); },
              ::testing::ThrowsMessage<ModelError>(HasSubstr("unexpected tensor 'fc.weight'")));

  lift3d::io::StateDict empty;
  EXPECT_THAT([&] { infer_architecture(empty, {}, "m.bin"); },
              ::testing::ThrowsMessage<ModelError>(HasSubstr("missing tensor 'expand_conv.weight'")));
}

TEST(ParseFilterWidths, AcceptsOddListsAndRejectsEverythingElse) {
  EXPECT_EQ(parse_filter_widths("3,3,3,3,3"), (std::vector<int>{3, 3, 3, 3, 3}));
  EXPECT_EQ(parse_filter_widths("3,5,3"), (std::vector<int>{3, 5, 3}));
  for (const char* bad : {"", "3,4", "3,,3", "a,3", "3 ,3", "-3", "3,3,"}) EXPECT_THROW(parse_filter_widths(bad), UsageError) << bad;
}
