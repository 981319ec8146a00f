// Camera tables, world <-> camera transforms, projection and screen normalisation against
// goldens from tools/make_metric_fixtures.py (torch / NumPy with the reference's dtypes).
#include "core/camera.hpp"

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "lift3d/error.hpp"

namespace lift3d::core {
namespace {

using nlohmann::json;
using testing::ElementsAre;
using testing::HasSubstr;
using testing::ThrowsMessage;

// The float32 operations run in torch's order, with the fused multiply-adds of its cross kernel, so
// the committed goldens match bit for bit. (Goldens regenerated with a torch build whose cross does
// not fuse would differ by a few ulps, i.e. micrometres.)
constexpr int kMaxUlps = 0;

const json& fixture() {
  static const json doc = [] {
    std::ifstream in(std::string(LIFT3D_FIXTURES_DIR) + "/metrics/cameras.json");
    if (!in) throw std::runtime_error("cannot open cameras.json fixture");
    return json::parse(in);
  }();
  return doc;
}

std::vector<float> floats(const json& values) {
  std::vector<float> out;
  for (const json& v : values) out.push_back(static_cast<float>(v.get<double>()));
  return out;
}

PoseSequence points(const json& values) {
  const std::vector<float> v = floats(values);
  PoseSequence s(1, static_cast<int>(v.size() / 3));
  s.values = v;
  return s;
}

long ulp_distance(float a, float b) {
  if (a == b) return 0;
  if (std::isnan(a) || std::isnan(b) || std::signbit(a) != std::signbit(b)) return 1L << 30;
  std::int32_t ia, ib;
  std::memcpy(&ia, &a, 4);
  std::memcpy(&ib, &b, 4);
  return std::labs(static_cast<long>(ia) - static_cast<long>(ib));
}

void expect_ulps(const std::vector<float>& actual, const json& expected, const std::string& what) {
  const std::vector<float> e = floats(expected);
  ASSERT_EQ(actual.size(), e.size()) << what;
  for (std::size_t i = 0; i < e.size(); ++i)
    EXPECT_LE(ulp_distance(actual[i], e[i]), kMaxUlps)
        << what << " element " << i << ": " << actual[i] << " vs " << e[i];
}

std::string read_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// --- Tables --------------------------------------------------------------------------------------

TEST(CameraTables, EmbeddedTextEqualsTheDataFiles) {
  const std::filesystem::path dir = std::filesystem::path(LIFT3D_SOURCE_DIR) / "data" / "cameras";
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".json") continue;
    ++files;
    const std::string name = entry.path().stem().string();
    bool found = false;
    for (const auto& [embedded_name, text] : embedded_camera_tables()) {
      if (embedded_name != name) continue;
      found = true;
      EXPECT_TRUE(text == read_bytes(entry.path()))
          << entry.path() << " differs from its embedded copy; run tools/embed_camera_tables.py";
    }
    EXPECT_TRUE(found) << entry.path() << " is not embedded; run tools/embed_camera_tables.py";
  }
  EXPECT_EQ(files, embedded_camera_tables().size());
}

TEST(CameraTables, DatasetsAndSubjects) {
  EXPECT_THAT(camera_datasets(), ElementsAre("h36m", "humaneva"));
  EXPECT_THAT(camera_subjects("h36m"),
              ElementsAre("S1", "S2", "S3", "S4", "S5", "S6", "S7", "S8", "S9", "S11"));
  EXPECT_THAT(camera_subjects("humaneva15"), ElementsAre("S1", "S2", "S3", "S4"));
}

TEST(CameraTables, H36mCamerasInIndexOrder) {
  const std::vector<Camera> cams = cameras("h36m", "S9");
  ASSERT_EQ(cams.size(), 4u);
  EXPECT_EQ(cams[0].id, "54138969");
  EXPECT_EQ(cams[1].id, "55011271");
  EXPECT_EQ(cams[2].id, "58860488");
  EXPECT_EQ(cams[3].id, "60457274");
  EXPECT_EQ(cams[0].res_h, 1002);  // cameras 0 and 3 are 1000 x 1002
  EXPECT_EQ(cams[1].res_h, 1000);
  EXPECT_EQ(cams[3].res_w, 1000);
  EXPECT_EQ(cams[3].azimuth, -110);
  for (const Camera& c : cams) EXPECT_TRUE(c.has_intrinsics && c.has_extrinsics);
  EXPECT_EQ(cams[0].orientation[0], 0.15540587902069092f);
  EXPECT_EQ(cams[0].translation_mm[1], 4935.1171875f);
}

TEST(CameraTables, SubjectsWithoutExtrinsicsKeepIntrinsics) {
  const std::vector<Camera> cams = cameras("h36m", "S2");
  ASSERT_EQ(cams.size(), 4u);
  EXPECT_TRUE(cams[2].has_intrinsics);
  EXPECT_FALSE(cams[2].has_extrinsics);
}

TEST(CameraTables, HumanEvaSubjectPrefixesShareCameras) {
  const std::vector<Camera> plain = cameras("humaneva", "S2");
  ASSERT_EQ(plain.size(), 3u);
  for (const char* subject :
       {"Train/S2", "Validate/S2", "Unlabeled/Train/S2", "Unlabeled/Validate/S2", "Unlabeled/S2"}) {
    const std::vector<Camera> prefixed = cameras("humaneva15", subject);
    ASSERT_EQ(prefixed.size(), 3u) << subject;
    EXPECT_EQ(prefixed[1].translation_mm, plain[1].translation_mm) << subject;
  }
  EXPECT_EQ(plain[0].id, "C1");
  EXPECT_EQ(plain[0].res_w, 640);
  EXPECT_EQ(plain[0].res_h, 480);
  EXPECT_FALSE(plain[0].has_intrinsics);
}

TEST(CameraTables, HumanEvaLiteralsRoundToFloat32) {
  // 4062.227 (S1) and 4062.2271 (S3) are different decimals but the same float32.
  EXPECT_EQ(cameras("humaneva", "S1")[0].translation_mm[0], cameras("humaneva", "S3")[0].translation_mm[0]);
  EXPECT_EQ(cameras("humaneva", "S1")[0].translation_mm[0], 4062.227f);
}

TEST(CameraTables, UnknownNamesListWhatIsKnown) {
  EXPECT_THAT(
      [] { cameras("mpii", "S1"); },
      ThrowsMessage<UsageError>(HasSubstr("no camera table for dataset 'mpii' (known: h36m, humaneva)")));
  EXPECT_THAT([] { cameras("h36m", "S10"); }, ThrowsMessage<UsageError>(HasSubstr("'S10' (known: S1, S2")));
  // H36M has no Train/ or Validate/ prefixes.
  EXPECT_THROW(cameras("h36m", "Validate/S1"), UsageError);
}

// --- Intrinsics and translation ------------------------------------------------------------------

TEST(Camera, NormalisedIntrinsicsMatchTheDatasetLoader) {
  const std::vector<Camera> cams = cameras("h36m", "S1");
  for (const json& entry : fixture().at("intrinsics")) {
    const int index = entry.at("index");
    const std::array<float, 9> k = cams[index].normalized_intrinsics();
    const std::vector<float> expected = floats(entry.at("normalized"));
    for (int i = 0; i < 9; ++i) EXPECT_EQ(k[i], expected[i]) << "camera " << index << " element " << i;
  }
}

TEST(Camera, HumanEvaHasNoIntrinsicVector) {
  EXPECT_THAT([] { cameras("humaneva", "S1")[0].normalized_intrinsics(); },
              ThrowsMessage<UsageError>(HasSubstr("camera 'C1' has no intrinsic calibration")));
}

TEST(Camera, TranslationInMetresIsAFloat32Division) {
  const Camera cam = cameras("h36m", "S1")[0];
  EXPECT_EQ(cam.translation_m()[0], 1841.1070556640625f / 1000.0f);
  EXPECT_EQ(cam.translation_m()[2], 1563.4454345703125f / 1000.0f);
}

// --- Transforms ----------------------------------------------------------------------------------

Camera camera_of(const json& entry) {
  return cameras(entry.at("dataset"), entry.at("subject"))[entry.at("camera").get<int>()];
}

TEST(Camera, WorldToCameraMatchesTheReference) {
  for (const json& entry : fixture().at("transforms")) {
    const PoseSequence cam = world_to_camera(points(entry.at("world")), camera_of(entry));
    expect_ulps(cam.values, entry.at("camera_space"),
                entry.at("dataset").get<std::string>() + " " + entry.at("subject").get<std::string>() +
                    " camera " + std::to_string(entry.at("camera").get<int>()));
  }
}

TEST(Camera, CameraToWorldMatchesTheReference) {
  for (const json& entry : fixture().at("transforms")) {
    const PoseSequence world = camera_to_world(points(entry.at("camera_space")), camera_of(entry));
    expect_ulps(world.values, entry.at("back_to_world"), entry.at("subject").get<std::string>());
  }
}

TEST(Camera, CameraToWorldInvertsWorldToCamera) {
  const Camera cam = cameras("h36m", "S11")[2];
  PoseSequence world(2, 3);
  for (std::size_t i = 0; i < world.values.size(); ++i) world.values[i] = 0.3f * static_cast<float>(i) - 1.0f;
  const PoseSequence back = camera_to_world(world_to_camera(world, cam), cam);
  for (std::size_t i = 0; i < world.values.size(); ++i) EXPECT_NEAR(back.values[i], world.values[i], 2e-6);
}

TEST(Camera, TransformsNeedExtrinsics) {
  const Camera cam = cameras("h36m", "S3")[0];
  EXPECT_THAT([&] { world_to_camera(PoseSequence(1, 1), cam); },
              ThrowsMessage<UsageError>(HasSubstr("camera '54138969' has no extrinsic calibration")));
  EXPECT_THROW(camera_to_world(PoseSequence(1, 1), cam), UsageError);
}

// --- Projection ----------------------------------------------------------------------------------

TEST(Camera, ProjectionWithDistortionMatchesTheReference) {
  for (const json& entry : fixture().at("projections")) {
    const int index = entry.at("camera");
    const KeypointSequence uv = project_to_2d(points(entry.at("camera_space")), cameras("h36m", "S1")[index]);
    EXPECT_EQ(uv.features, 2);
    expect_ulps(uv.values, entry.at("normalized"), "camera " + std::to_string(index));
  }
}

TEST(Camera, LinearProjectionMatchesTheReference) {
  for (const json& entry : fixture().at("projections")) {
    const int index = entry.at("camera");
    const KeypointSequence uv =
        project_to_2d_linear(points(entry.at("camera_space")), cameras("h36m", "S5")[index]);
    expect_ulps(uv.values, entry.at("linear"), "camera " + std::to_string(index));
  }
}

TEST(Camera, ClampKeepsPointsOutsideTheFieldOfViewOnTheBorder) {
  // The fixture's first point has x/z = 2: clamped to 1 before distortion, as the reference does.
  const json& entry = fixture().at("projections")[0];
  const Camera cam = cameras("h36m", "S1")[0];
  const KeypointSequence uv = project_to_2d_linear(points(entry.at("camera_space")), cam);
  const std::array<float, 9> k = cam.normalized_intrinsics();
  EXPECT_EQ(uv.at(0, 0, 0), k[0] * 1.0f + k[2]);
}

TEST(Camera, ProjectedPixelsMatchTheGroundTruth2DRecipe) {
  // prepare_data_h36m.py: image_coordinates(project_to_2d(...)) in float64, stored as float32.
  for (const json& entry : fixture().at("projections")) {
    const int index = entry.at("camera");
    const Camera cam = cameras("h36m", "S1")[index];
    const KeypointSequence uv = project_to_2d(points(entry.at("camera_space")), cam);
    const std::vector<double> pixels = entry.at("pixels").get<std::vector<double>>();
    for (int j = 0; j < uv.joints; ++j) {
      const std::array<double, 2> px =
          image_coordinates(uv.at(0, j, 0), uv.at(0, j, 1), cam.res_w, cam.res_h);
      // Exact when uv matched bit for bit; one float32 ulp of uv is ~1e-4 px.
      EXPECT_NEAR(px[0], pixels[2 * j], 1e-3) << "camera " << index << " point " << j;
      EXPECT_NEAR(px[1], pixels[2 * j + 1], 1e-3) << "camera " << index << " point " << j;
    }
    const KeypointSequence image = image_coordinates(uv, cam.res_w, cam.res_h);
    EXPECT_EQ(image.image_width, cam.res_w);
    expect_ulps(image.values, entry.at("pixels_float32"), "pixels camera " + std::to_string(index));
  }
}

// --- Screen coordinates --------------------------------------------------------------------------

TEST(ScreenCoordinates, NormalisationMatchesNumpyExactly) {
  for (const json& entry : fixture().at("screen")) {
    const int w = entry.at("width"), h = entry.at("height");
    const std::vector<float> px = floats(entry.at("pixels"));
    const std::vector<float> expected = floats(entry.at("normalized"));
    for (std::size_t i = 0; i < px.size(); i += 2) {
      const std::array<float, 2> n = normalize_screen_coordinates(px[i], px[i + 1], w, h);
      EXPECT_EQ(n[0], expected[i]) << w << "x" << h;
      EXPECT_EQ(n[1], expected[i + 1]) << w << "x" << h;
    }
  }
}

TEST(ScreenCoordinates, ImageCoordinatesMatchNumpyExactly) {
  for (const json& entry : fixture().at("screen")) {
    const int w = entry.at("width"), h = entry.at("height");
    const std::vector<float> normalised = floats(entry.at("normalized"));
    const std::vector<double> expected = entry.at("back").get<std::vector<double>>();
    for (std::size_t i = 0; i < normalised.size(); i += 2) {
      const std::array<double, 2> px = image_coordinates(normalised[i], normalised[i + 1], w, h);
      EXPECT_EQ(px[0], expected[i]) << w << "x" << h;
      EXPECT_EQ(px[1], expected[i + 1]) << w << "x" << h;
    }
  }
}

TEST(ScreenCoordinates, WidthSpansMinusOneToOneAndAspectIsKept) {
  EXPECT_EQ(normalize_screen_coordinates(0.0f, 0.0f, 1280, 720)[0], -1.0f);
  EXPECT_EQ(normalize_screen_coordinates(1280.0f, 720.0f, 1280, 720)[0], 1.0f);
  EXPECT_EQ(normalize_screen_coordinates(1280.0f, 720.0f, 1280, 720)[1], 0.5625f);
}

TEST(ScreenCoordinates, InvalidImageSizeIsAUsageError) {
  EXPECT_THROW(normalize_screen_coordinates(1.0f, 1.0f, 0, 480), UsageError);
  EXPECT_THROW(image_coordinates(1.0f, 1.0f, 640, -1), UsageError);
}

}  // namespace
}  // namespace lift3d::core
