// Image sizes: the PNG, JPEG and MP4/MOV header parsers on tiny real-format files and hostile ones
// (tests/fixtures/media, from tools/make_media_fixtures.py), the per-input size options, and input
// names (never a glob character in an output name).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "io/media_size.hpp"
#include "lift3d/error.hpp"
#include "pipeline/image_sizes.hpp"
#include "pipeline/inference.hpp"
#include "pipeline/input_names.hpp"

namespace lift3d {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

std::string media(const std::string& name) { return std::string(LIFT3D_FIXTURES_DIR) + "/media/" + name; }

TEST(MediaSize, ReadsPngJpegAndMp4Headers) {
  const io::MediaSize png = io::read_media_size(media("frame_64x48.png"));
  EXPECT_EQ(png.width, 64);
  EXPECT_EQ(png.height, 48);
  EXPECT_EQ(png.kind, "png");
  const io::MediaSize jpeg = io::read_media_size(media("frame_64x48.jpg"));
  EXPECT_EQ(jpeg.width, 64);
  EXPECT_EQ(jpeg.height, 48);
  EXPECT_EQ(jpeg.rotation, 0);
  const io::MediaSize mp4 = io::read_media_size(media("clip_1920x1080.mp4"));
  EXPECT_EQ(mp4.width, 1920);  // the video track, not the sound track before it
  EXPECT_EQ(mp4.height, 1080);
  EXPECT_EQ(mp4.kind, "mp4");
  const io::MediaSize v1 = io::read_media_size(media("clip_1920x1080_v1.mp4"));
  EXPECT_EQ(v1.width, 1920);
  EXPECT_EQ(v1.height, 1080);
}

TEST(MediaSize, HonoursRotation) {
  const io::MediaSize jpeg = io::read_media_size(media("frame_64x48_exif6.jpg"));
  EXPECT_EQ(jpeg.rotation, 90);
  EXPECT_EQ(jpeg.width, 48);
  EXPECT_EQ(jpeg.height, 64);
  const io::MediaSize mp4 = io::read_media_size(media("clip_1920x1080_rot90.mp4"));
  EXPECT_EQ(mp4.rotation, 90);
  EXPECT_EQ(mp4.width, 1080);
  EXPECT_EQ(mp4.height, 1920);
}

TEST(MediaSize, HostileFilesAreOneLineErrorsNamingTheFile) {
  for (const auto& [name, what] : std::vector<std::pair<std::string, std::string>>{
           {"truncated.png", "unexpected end of file"},
           {"ihdr_lies.png", "not a 13-byte IHDR"},
           {"zero_size.png", "implausible size 0x48"},
           {"segment_past_end.jpg", "claims 65535 bytes, past the end of the file"},
           {"no_sof.jpg", "no start-of-frame segment"},
           {"box_past_parent.mp4", "beyond its parent"},
           {"largesize_lie.mp4", "beyond its parent"},
           {"tkhd_short.mp4", "tkhd box too short"},
           {"no_video.mp4", "no video track"},
           {"not_media.bin", "not a png, jpeg or mp4/mov file"}}) {
    SCOPED_TRACE(name);
    const std::string path = media(name);
    EXPECT_THAT([&] { io::read_media_size(path); },
                ThrowsMessage<InputError>(AllOf(HasSubstr(path + ": "), HasSubstr(what),
                                                ::testing::Not(HasSubstr("\n")))));
  }
  EXPECT_THROW(io::read_media_size(media("absent.png")), InputError);
}

// Every prefix of a valid file is refused cleanly (never a read past the end, never a crash).
TEST(MediaSize, EveryTruncationIsRefused) {
  for (const char* name : {"frame_64x48.png", "frame_64x48_exif6.jpg", "clip_1920x1080_rot90.mp4"}) {
    std::ifstream in(media(name), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::string path = ::testing::TempDir() + "/cut_" + name;
    for (std::size_t size = 0; size < bytes.size(); ++size) {
      std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes.substr(0, size);
      try {
        const io::MediaSize read = io::read_media_size(path);
        // A JPEG cut after its frame header, an MP4 cut after moov: the size is all there.
        EXPECT_GT(read.width, 0) << name << " cut at " << size;
      } catch (const InputError& e) {
        EXPECT_THAT(e.what(), HasSubstr(path));
      }
    }
  }
}

TEST(ImageSizeOptions, ParseSizesAndNames) {
  const pipeline::ImageSizeOption all = pipeline::parse_image_size_option("1920x1080");
  EXPECT_EQ(all.input_name, "");
  EXPECT_EQ(all.width, 1920);
  EXPECT_EQ(all.height, 1080);
  const pipeline::ImageSizeOption named = pipeline::parse_image_size_option("cam=1=1088X1920");
  EXPECT_EQ(named.input_name, "cam=1");
  EXPECT_EQ(named.width, 1088);
  for (const char* bad : {"1920", "x1080", "1920x", "0x10", "axb", "=10x10", "1920x1080x3", "99999999x1"})
    EXPECT_THROW(pipeline::parse_image_size_option(bad), UsageError) << bad;
  const pipeline::ImageSizeOption from = pipeline::parse_size_from_option("clip=" + media("clip_1920x1080.mp4"));
  EXPECT_EQ(from.input_name, "clip");
  EXPECT_EQ(from.media_file, media("clip_1920x1080.mp4"));
  EXPECT_EQ(pipeline::parse_size_from_option(media("frame_64x48.png")).input_name, "");
  EXPECT_THROW(pipeline::parse_size_from_option("clip="), UsageError);
}

TEST(ImageSizeOptions, NamesMatchThePathTheFileNameOrTheStem) {
  EXPECT_TRUE(pipeline::input_matches_name("runs/clip.json", "clip"));
  EXPECT_TRUE(pipeline::input_matches_name("runs/clip.json", "clip.json"));
  EXPECT_TRUE(pipeline::input_matches_name("runs/clip.json", "runs/clip.json"));
  EXPECT_FALSE(pipeline::input_matches_name("runs/clip.json", "runs"));
  EXPECT_TRUE(pipeline::input_matches_name("runs/kick/", "kick"));
  EXPECT_TRUE(pipeline::input_matches_name("runs/kick/*_keypoints.json", "kick"));
  EXPECT_FALSE(pipeline::input_matches_name("runs/clip2.json", "clip"));
}

TEST(ImageSizeOptions, ANamedSizeBeatsTheOneForAll) {
  const std::vector<pipeline::ImageSizeOption> options = {
      pipeline::parse_image_size_option("640x480"), pipeline::parse_image_size_option("b=1920x1080"),
      pipeline::parse_size_from_option("c=" + media("clip_1920x1080_rot90.mp4"))};
  const std::vector<std::string> inputs = {"x/a.json", "x/b.json", "x/c.json"};
  pipeline::check_image_size_options(options, inputs, false);
  EXPECT_EQ(pipeline::image_size_for_input("x/a.json", options)->width, 640);
  EXPECT_EQ(pipeline::image_size_for_input("x/b.json", options)->width, 1920);
  const auto c = pipeline::image_size_for_input("x/c.json", options);
  EXPECT_EQ(c->width, 1080);
  EXPECT_EQ(c->height, 1920);
  EXPECT_THAT(c->origin, HasSubstr("mp4 header, shown turned 90 degrees"));
  EXPECT_FALSE(pipeline::image_size_for_input("x/a.json", {}).has_value());
}

TEST(ImageSizeOptions, ConflictsAreUsageErrors) {
  const std::vector<std::string> inputs = {"x/a.json", "x/b.json"};
  EXPECT_THAT([&] { pipeline::check_image_size_options({pipeline::parse_image_size_option("z=1x1")}, inputs, false); },
              ThrowsMessage<UsageError>(HasSubstr("'z' names no --input")));
  EXPECT_THAT([&] { pipeline::check_image_size_options({pipeline::parse_image_size_option("1x1")}, inputs, true); },
              ThrowsMessage<UsageError>(HasSubstr("both give the size of every input")));
  EXPECT_THAT(
      [&] {
        pipeline::check_image_size_options(
            {pipeline::parse_image_size_option("a=1x1"), pipeline::parse_image_size_option("a.json=2x2")}, inputs, false);
      },
      ThrowsMessage<UsageError>(HasSubstr("x/a.json: two size options name it")));
}

TEST(InputNames, NeverHoldGlobCharacters) {
  EXPECT_EQ(pipeline::input_stem("runs/clip.json"), "clip");
  EXPECT_EQ(pipeline::input_stem("runs/kick/*_keypoints.json"), "kick");
  EXPECT_EQ(pipeline::input_stem("runs/kick/Kick_*_keypoints.json"), "kick");
  EXPECT_EQ(pipeline::input_stem("runs/*/json/cam?.*.json"), "json");
  EXPECT_EQ(pipeline::input_stem("*.json"), "");
  EXPECT_EQ(pipeline::output_path_in_dir("out", "runs/kick/Kick_*_keypoints.json", "npz"), "out/kick.npz");
  EXPECT_EQ(pipeline::output_path_in_dir("out", "*.json", "npy"), "out/poses.npy");
}

}  // namespace
}  // namespace lift3d
