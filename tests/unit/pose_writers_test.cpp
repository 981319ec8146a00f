// 3D pose writers: every format is read back by Python (numpy, json, csv) and must give the same
// float32 values, names and metadata. Skipped when /usr/bin/python3 has no numpy.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>

#include <nlohmann/json.hpp>

#include "base/joint_sets.hpp"
#include "lift3d/error.hpp"
#include "io/pose_writers.hpp"

namespace lift3d::io {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

// Reads a pose file the way a Python user would and dumps what it found as JSON:
// {"keys": [...], "arrays": {name: {"shape", "dtype", "values"}}, "meta": {...}, "header": [...]}.
constexpr const char* kReader = R"PY(
import csv, json, sys
import numpy as np

fmt, path, out = sys.argv[1:4]
result = {}

def arr(a):
    a = np.asarray(a)
    values = [float(v) if np.isfinite(v) else None for v in a.reshape(-1)]  # strict JSON has no NaN
    return {"shape": list(a.shape), "dtype": str(a.dtype), "values": values}

if fmt == "npy":
    result["keys"] = [""]
    result["arrays"] = {"": arr(np.load(path))}
elif fmt == "npz":
    with np.load(path) as z:
        result["keys"] = list(z.files)
        result["arrays"] = {k: arr(z[k]) for k in z.files}
elif fmt == "json":
    with open(path) as f:
        d = json.load(f)
    result["meta"] = {k: v for k, v in d.items() if k not in ("poses", "sequences")}
    seqs = [(d.get("name", ""), d["poses"])] if "poses" in d else [(s["name"], s["poses"]) for s in d["sequences"]]
    result["keys"] = [name for name, _ in seqs]
    result["arrays"] = {name: arr(np.asarray(p, dtype=np.float64).astype(np.float32)) for name, p in seqs}
elif fmt == "csv":
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    header = rows[0]
    result["header"] = header
    several = header[0] == "sequence"
    groups = {}
    for row in rows[1:]:
        name = row[0] if several else ""
        frame, joint, x, y, z = row[1:] if several else row
        groups.setdefault(name, []).append((int(frame), joint, float(x), float(y), float(z)))
    result["keys"] = list(groups)
    result["arrays"] = {}
    result["joints"] = {}
    for name, g in groups.items():
        frames = max(r[0] for r in g) + 1
        joints = [r[1] for r in g if r[0] == 0]
        a = np.zeros((frames, len(joints), 3), dtype=np.float32)
        for frame, joint, x, y, z in g:
            a[frame, joints.index(joint)] = (x, y, z)
        result["arrays"][name] = arr(a)
        result["joints"][name] = joints

with open(out, "w") as f:
    json.dump(result, f)
)PY";

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "lift3d_poses_XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  std::string operator/(const std::string& name) const { return (fs::path(path_) / name).string(); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

bool python_has_numpy() {
  static const bool has = std::system(LIFT3D_PYTHON " -c 'import numpy' > /dev/null 2>&1") == 0;
  return has;
}

// Runs kReader on `path` and returns its report.
nlohmann::json read_back(const TempDir& dir, const std::string& format, const std::string& path) {
  const std::string script = dir / "reader.py";
  std::ofstream(script) << kReader;
  const std::string report = dir / "report.json";
  const std::string command =
      std::string(LIFT3D_PYTHON) + " '" + script + "' " + format + " '" + path + "' '" + report + "'";
  if (std::system(command.c_str()) != 0) throw std::runtime_error("python failed: " + command);
  std::ifstream in(report);
  return nlohmann::json::parse(in);
}

PoseSequence poses(int frames, int joints, float offset) {
  PoseSequence sequence(frames, joints);
  for (std::size_t i = 0; i < sequence.values.size(); ++i)
    sequence.values[i] = offset + static_cast<float>(i) / 7.0f - 0.3f;  // not exact in decimal
  return sequence;
}

PoseOutputInfo h36m_info(const std::string& frame = "camera", double fps = 50.0) {
  PoseOutputInfo info;
  info.joint_names = skeleton("h36m").joint_names;
  info.frame = frame;
  info.fps = fps;
  return info;
}

void expect_array(const nlohmann::json& array, const PoseSequence& wanted) {
  EXPECT_EQ(array["dtype"], "float32");
  EXPECT_THAT(array["shape"].get<std::vector<int>>(), ElementsAre(wanted.frames, wanted.joints, 3));
  const nlohmann::json& values = array["values"];
  ASSERT_EQ(values.size(), wanted.values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    const float value = values[i].is_null() ? std::nanf("") : static_cast<float>(values[i].get<double>());
    if (std::isnan(wanted.values[i])) {
      EXPECT_TRUE(std::isnan(value)) << "index " << i;
    } else {
      ASSERT_EQ(value, wanted.values[i]) << "index " << i;
    }
  }
}

#define REQUIRE_NUMPY() \
  if (!python_has_numpy()) GTEST_SKIP() << LIFT3D_PYTHON " has no numpy"

TEST(PoseWriters, NpyIsFloat32FramesJointsThree) {
  REQUIRE_NUMPY();
  TempDir dir;
  const PoseSequence sequence = poses(5, 17, 0.0f);
  write_pose_file(dir / "out.npy", sequence, h36m_info());
  expect_array(read_back(dir, "npy", dir / "out.npy")["arrays"][""], sequence);
}

TEST(PoseWriters, NpzKeysEachSequenceByName) {
  REQUIRE_NUMPY();
  TempDir dir;
  const std::vector<NamedPoses> sequences = {{"S9/Walking 1/0", poses(3, 17, 0.0f)}, {"clip", poses(4, 17, 2.0f)}};
  write_pose_file(dir / "out.npz", sequences, h36m_info());
  const nlohmann::json report = read_back(dir, "npz", dir / "out.npz");
  EXPECT_THAT(report["keys"].get<std::vector<std::string>>(), ElementsAre("S9/Walking 1/0", "clip"));
  expect_array(report["arrays"]["S9/Walking 1/0"], sequences[0].poses);
  expect_array(report["arrays"]["clip"], sequences[1].poses);
}

TEST(PoseWriters, NpzOfOneUnnamedSequenceUsesKeyPoses) {
  REQUIRE_NUMPY();
  TempDir dir;
  write_pose_file(dir / "out.npz", poses(2, 17, 0.0f), h36m_info());
  EXPECT_THAT(read_back(dir, "npz", dir / "out.npz")["keys"].get<std::vector<std::string>>(), ElementsAre("poses"));
}

TEST(PoseWriters, JsonStatesUnitsFrameFpsAndJoints) {
  REQUIRE_NUMPY();
  TempDir dir;
  const PoseSequence sequence = poses(3, 17, 1.0f);
  PoseOutputInfo info = h36m_info("world", 25.0);
  info.root_relative = false;
  write_pose_file(dir / "out.json", sequence, info);
  const nlohmann::json report = read_back(dir, "json", dir / "out.json");
  const nlohmann::json& meta = report["meta"];
  EXPECT_EQ(meta["format"], "lift3d-poses-3d");
  EXPECT_EQ(meta["version"], 1);
  EXPECT_EQ(meta["units"], "m");
  EXPECT_EQ(meta["frame"], "world");
  EXPECT_EQ(meta["root_relative"], false);
  EXPECT_EQ(meta["fps"], 25.0);
  EXPECT_EQ(meta["joint_names"].get<std::vector<std::string>>(), info.joint_names);
  EXPECT_FALSE(meta.contains("name"));
  expect_array(report["arrays"][""], sequence);
}

TEST(PoseWriters, JsonUnknownFpsIsNull) {
  REQUIRE_NUMPY();
  TempDir dir;
  write_pose_file(dir / "out.json", poses(1, 17, 0.0f), h36m_info("camera", 0.0));
  const nlohmann::json meta = read_back(dir, "json", dir / "out.json")["meta"];
  EXPECT_TRUE(meta["fps"].is_null());
  EXPECT_EQ(meta["root_relative"], true);
}

TEST(PoseWriters, JsonOfSeveralSequencesListsThemInOrder) {
  REQUIRE_NUMPY();
  TempDir dir;
  const std::vector<NamedPoses> sequences = {{"b", poses(2, 17, 0.0f)}, {"a", poses(3, 17, 5.0f)}};
  write_pose_file(dir / "out.json", sequences, h36m_info());
  const nlohmann::json report = read_back(dir, "json", dir / "out.json");
  EXPECT_THAT(report["keys"].get<std::vector<std::string>>(), ElementsAre("b", "a"));
  expect_array(report["arrays"]["b"], sequences[0].poses);
  expect_array(report["arrays"]["a"], sequences[1].poses);
  EXPECT_EQ(report["meta"]["units"], "m");
}

TEST(PoseWriters, JsonOfOneNamedSequenceKeepsTheName) {
  REQUIRE_NUMPY();
  TempDir dir;
  write_pose_file(dir / "out.json", std::vector<NamedPoses>{{"clip \"1\"", poses(1, 17, 0.0f)}}, h36m_info());
  const nlohmann::json report = read_back(dir, "json", dir / "out.json");
  EXPECT_EQ(report["meta"]["name"], "clip \"1\"");
}

TEST(PoseWriters, CsvHasOneRowPerFrameAndJointWithUnitsInTheHeader) {
  REQUIRE_NUMPY();
  TempDir dir;
  const PoseSequence sequence = poses(4, 17, -1.0f);
  write_pose_file(dir / "out.csv", sequence, h36m_info());
  const nlohmann::json report = read_back(dir, "csv", dir / "out.csv");
  EXPECT_THAT(report["header"].get<std::vector<std::string>>(),
              ElementsAre("frame", "joint", "camera_x_m", "camera_y_m", "camera_z_m"));
  EXPECT_THAT(report["joints"][""].get<std::vector<std::string>>(), ElementsAreArray(skeleton("h36m").joint_names));
  expect_array(report["arrays"][""], sequence);
}

TEST(PoseWriters, CsvOfSeveralSequencesLeadsWithTheNameQuotedWhenNeeded) {
  REQUIRE_NUMPY();
  TempDir dir;
  const std::vector<NamedPoses> sequences = {{"S9, \"Walking\"", poses(2, 17, 0.0f)}, {"S11", poses(1, 17, 3.0f)}};
  write_pose_file(dir / "out.csv", sequences, h36m_info("world"));
  const nlohmann::json report = read_back(dir, "csv", dir / "out.csv");
  EXPECT_THAT(report["header"].get<std::vector<std::string>>(),
              ElementsAre("sequence", "frame", "joint", "world_x_m", "world_y_m", "world_z_m"));
  EXPECT_THAT(report["keys"].get<std::vector<std::string>>(), ElementsAre("S9, \"Walking\"", "S11"));
  expect_array(report["arrays"]["S9, \"Walking\""], sequences[0].poses);
  expect_array(report["arrays"]["S11"], sequences[1].poses);
}

TEST(PoseWriters, NonFiniteValuesReadBackAsNan) {
  REQUIRE_NUMPY();
  TempDir dir;
  PoseSequence sequence = poses(1, 17, 0.0f);
  sequence.values[4] = std::numeric_limits<float>::quiet_NaN();
  write_pose_file(dir / "out.csv", sequence, h36m_info());
  write_pose_file(dir / "out.json", sequence, h36m_info());
  write_pose_file(dir / "out.npy", sequence, h36m_info());
  expect_array(read_back(dir, "csv", dir / "out.csv")["arrays"][""], sequence);
  expect_array(read_back(dir, "npy", dir / "out.npy")["arrays"][""], sequence);
  // JSON has no NaN: the value is null, which numpy turns into nan when asked for floats
  EXPECT_THAT(poses_json_text({{"", sequence}}, h36m_info()), HasSubstr(", null, "));
  expect_array(read_back(dir, "json", dir / "out.json")["arrays"][""], sequence);
}

TEST(PoseWriters, ExtensionIsCaseInsensitive) {
  EXPECT_EQ(pose_file_format("a.NPZ"), PoseFileFormat::Npz);
  EXPECT_EQ(pose_file_format("dir.v2/a.Json"), PoseFileFormat::Json);
  EXPECT_EQ(pose_file_format("a.csv"), PoseFileFormat::Csv);
  EXPECT_EQ(pose_file_format("a.npy"), PoseFileFormat::Npy);
}

TEST(PoseWriters, UnknownExtensionIsAUsageError) {
  EXPECT_THAT([] { write_pose_file("out.txt", poses(1, 17, 0.0f), h36m_info()); },
              ThrowsMessage<UsageError>(HasSubstr("out.txt: unsupported output extension '.txt'")));
}

TEST(PoseWriters, NpyHoldsOneSequence) {
  TempDir dir;
  const std::vector<NamedPoses> two = {{"a", poses(1, 17, 0.0f)}, {"b", poses(1, 17, 0.0f)}};
  EXPECT_THAT([&] { write_pose_file(dir / "out.npy", two, h36m_info()); },
              ThrowsMessage<UsageError>(HasSubstr("a .npy file holds one sequence, got 2")));
  EXPECT_FALSE(fs::exists(dir / "out.npy"));
}

TEST(PoseWriters, NamesMustTellSequencesApart) {
  TempDir dir;
  const std::vector<NamedPoses> same = {{"a", poses(1, 17, 0.0f)}, {"a", poses(1, 17, 0.0f)}};
  EXPECT_THAT([&] { write_pose_file(dir / "out.npz", same, h36m_info()); },
              ThrowsMessage<UsageError>(HasSubstr("two sequences are named 'a'")));
  const std::vector<NamedPoses> unnamed = {{"", poses(1, 17, 0.0f)}, {"b", poses(1, 17, 0.0f)}};
  EXPECT_THROW(write_pose_file(dir / "out.csv", unnamed, h36m_info()), UsageError);
}

TEST(PoseWriters, JointNamesMustMatchTheSequences) {
  PoseOutputInfo info = h36m_info();
  info.joint_names.pop_back();
  EXPECT_THROW(poses_json_text({{"", poses(1, 17, 0.0f)}}, info), InternalError);
  info.joint_names.clear();  // unnamed joints are numbered
  EXPECT_THAT(poses_csv_text({{"", poses(1, 2, 0.0f)}}, info), HasSubstr("\n0,joint_1,"));
}

TEST(PoseWriters, FrameMustBeCameraOrWorld) {
  EXPECT_THROW(poses_json_text({{"", poses(1, 17, 0.0f)}}, h36m_info("cam")), InternalError);
}

TEST(PoseWriters, ReplacesAnExistingFileAndLeavesNoTemporaries) {
  TempDir dir;
  std::ofstream(dir / "out.csv") << "old";
  write_pose_file(dir / "out.csv", poses(1, 17, 0.0f), h36m_info());
  std::ifstream in(dir / "out.csv");
  std::string first_line;
  std::getline(in, first_line);
  EXPECT_EQ(first_line, "frame,joint,camera_x_m,camera_y_m,camera_z_m");
  int entries = 0;
  for (const auto& entry : fs::directory_iterator(dir.path())) entries += entry.is_regular_file() ? 1 : 0;
  EXPECT_EQ(entries, 1);
}

TEST(PoseWriters, CsvTextIsPlainAndShortest) {
  PoseSequence sequence(1, 1);
  sequence.values = {0.1f, -2.0f, 1e-7f};
  PoseOutputInfo info;
  info.joint_names = {"pelvis"};
  EXPECT_EQ(poses_csv_text({{"", sequence}}, info), "frame,joint,camera_x_m,camera_y_m,camera_z_m\n0,pelvis,0.1,-2,1e-07\n");
}

// A sequence of `frames` poses whose 2 input keypoints were filled: frame f, keypoint k holds (f + k) % 3.
NamedPoses with_fill_mask(const std::string& name, int frames) {
  NamedPoses named{name, poses(frames, 17, 0.0f)};
  named.keypoint_names = {"nose", "left_knee"};
  for (int f = 0; f < frames; ++f)
    for (int k = 0; k < 2; ++k) named.keypoint_fill.push_back(static_cast<std::uint8_t>((f + k) % 3));
  return named;
}

TEST(PoseWriters, JsonCarriesEachSequencesFillMaskAndKeypointNames) {
  const nlohmann::json one = nlohmann::json::parse(poses_json_text({with_fill_mask("clip", 3)}, h36m_info()));
  EXPECT_EQ(one["keypoint_names"], nlohmann::json({"nose", "left_knee"}));
  EXPECT_EQ(one["keypoints_filled"], nlohmann::json({{0, 1}, {1, 2}, {2, 0}}));
  EXPECT_EQ(one["poses"].size(), 3u);
  const nlohmann::json several = nlohmann::json::parse(
      poses_json_text({with_fill_mask("a", 1), {"b", poses(2, 17, 0.0f)}}, h36m_info()));
  EXPECT_EQ(several["sequences"][0]["keypoints_filled"], nlohmann::json({{0, 1}}));
  EXPECT_EQ(several["sequences"][0]["keypoint_names"], nlohmann::json({"nose", "left_knee"}));
  EXPECT_FALSE(several["sequences"][1].contains("keypoints_filled"));  // not tracked for b
  EXPECT_FALSE(nlohmann::json::parse(poses_json_text({{"", poses(1, 17, 0.0f)}}, h36m_info())).contains("keypoint_names"));
}

TEST(PoseWriters, NpzCarriesEachFillMaskAsAUint8Member) {
  REQUIRE_NUMPY();
  TempDir dir;
  write_pose_file(dir / "out.npz", {with_fill_mask("clip", 3), {"other", poses(2, 17, 0.0f)}}, h36m_info());
  const nlohmann::json report = read_back(dir, "npz", dir / "out.npz");
  EXPECT_THAT(report["keys"].get<std::vector<std::string>>(), ElementsAre("clip", "clip.keypoints_filled", "other"));
  const nlohmann::json& mask = report["arrays"]["clip.keypoints_filled"];
  EXPECT_EQ(mask["dtype"], "uint8");
  EXPECT_THAT(mask["shape"].get<std::vector<int>>(), ElementsAre(3, 2));
  EXPECT_THAT(mask["values"].get<std::vector<double>>(), ElementsAre(0, 1, 1, 2, 2, 0));
  write_pose_file(dir / "one.npz", {with_fill_mask("", 1)}, h36m_info());
  EXPECT_THAT(read_back(dir, "npz", dir / "one.npz")["keys"].get<std::vector<std::string>>(),
              ElementsAre("poses", "poses.keypoints_filled"));
}

TEST(PoseWriters, FillMasksMustFitTheirSequenceAndMembersMustNotCollide) {
  TempDir dir;
  NamedPoses short_mask = with_fill_mask("clip", 3);
  short_mask.keypoint_fill.pop_back();
  EXPECT_THROW(write_pose_file(dir / "out.json", {short_mask}, h36m_info()), InternalError);
  EXPECT_THROW(poses_json_text({short_mask}, h36m_info()), InternalError);
  const std::vector<NamedPoses> colliding = {with_fill_mask("a", 1), {"a.keypoints_filled", poses(1, 17, 0.0f)}};
  EXPECT_THAT([&] { write_pose_file(dir / "out.npz", colliding, h36m_info()); },
              ThrowsMessage<UsageError>(HasSubstr("the member 'a.keypoints_filled' would be written twice")));
}

}  // namespace
}  // namespace lift3d::io
