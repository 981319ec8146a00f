// The catalogue of bad inputs, each through a public entry point a user's file reaches:
// pipeline::load_model, io::read_videopose_2d, io::read_videopose_3d, pipeline::read_keypoints_2d,
// pipeline::collect_jobs and core::run_model. Every case asserts the exact error class and that the message
// starts with the file's path and names the problem. Damaged files are made here from the committed
// fixtures (truncation, flipped bytes, patched zip headers, spliced pickles); the rest come from
// tools/make_hostile_fixtures.py (tests/fixtures/hostile/). Pickle payloads would `touch` a marker
// file if anything ever executed them; a test proves with Python that they are live, and every
// other test checks that the marker never appears. The readers' own unit tests cover their parsers
// in depth; this file is about what reaches the user.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <new>
#include <optional>
#include <algorithm>
#include <string>
#include <typeinfo>
#include <vector>

#include <zlib.h>

#include "pipeline/inference_jobs.hpp"
#include "pipeline/checkpoint_model.hpp"
#include "core/lifter.hpp"
#include "lift3d/error.hpp"
#include "io/file.hpp"
#include "pipeline/keypoint_input.hpp"
#include "io/pickle.hpp"
#include "io/videopose_2d.hpp"
#include "io/videopose_3d.hpp"
#include "io/zip_archive.hpp"

// ------------------------------------------------------------------------------------------------
// The largest single allocation while a watch is active: "no allocation beyond what the file
// really holds" is checked, not assumed. Replacing the global operator new is allowed by the
// standard; delete is replaced too so that the sanitizers see matching malloc/free pairs.
namespace {
std::atomic<bool> g_watching{false};
std::atomic<std::size_t> g_largest{0};

void* watched_alloc(std::size_t size) {
  if (g_watching.load(std::memory_order_relaxed)) {
    std::size_t seen = g_largest.load(std::memory_order_relaxed);
    while (size > seen && !g_largest.compare_exchange_weak(seen, size)) {
    }
  }
  return std::malloc(size ? size : 1);
}
}  // namespace

void* operator new(std::size_t size) {
  if (void* p = watched_alloc(size)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) {
  if (void* p = watched_alloc(size)) return p;
  throw std::bad_alloc();
}
void* operator new(std::size_t size, const std::nothrow_t&) noexcept { return watched_alloc(size); }
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept { return watched_alloc(size); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

namespace lift3d {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using Bytes = std::vector<std::uint8_t>;

const std::string kFixtures = LIFT3D_FIXTURES_DIR;
const std::string kHostile = kFixtures + "/hostile/";
const std::string kModel = kFixtures + "/model/arc333_zip.bin";        // 3,3,3 + trajectory, 17 joints
const std::string kModelLegacy = kFixtures + "/model/arc333_legacy.bin";
const std::string kData2D = kFixtures + "/datasets/data_2d_custom_tiny.npz";
const std::string kData2DH36m = kFixtures + "/datasets/data_2d_h36m_tiny.npz";
const std::string kData3D = kFixtures + "/metrics/data_3d_h36m_tiny.npz";
constexpr std::size_t kAllocationLimit = std::size_t{64} << 20;  // far below any claimed size here

// Runs `body` and returns the largest single allocation it made.
std::size_t largest_allocation(const std::function<void()>& body) {
  g_largest = 0;
  g_watching = true;
  try {
    body();
  } catch (...) {
    g_watching = false;
    throw;
  }
  g_watching = false;
  return g_largest;
}

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "lift3d-hostile-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  std::string file(const std::string& name) const { return (fs::path(path_) / name).string(); }
  std::string write(const std::string& name, const Bytes& data) const {
    const std::string path = file(name);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
    if (!out) throw std::runtime_error("cannot write " + path);
    return path;
  }
  std::string write(const std::string& name, const std::string& text) const {
    return write(name, Bytes(text.begin(), text.end()));
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

Bytes bytes_of(const std::string& path) { return io::read_file(path); }
Bytes bytes_of_text(const std::string& text) { return Bytes(text.begin(), text.end()); }

// A byte string from a literal that may contain NULs.
template <std::size_t N>
std::string bin(const char (&literal)[N]) {
  return std::string(literal, N - 1);
}

// The message of the error `body` throws, after checking its exact class and the message contract:
// one line, starting with "<path>: ", no trailing period, containing every fragment.
template <typename E>
void expect_error(const std::function<void()>& body, const std::string& path, const std::vector<std::string>& fragments) {
  try {
    body();
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_EQ(typeid(e), typeid(E)) << "wrong error class for: " << message;
    EXPECT_EQ(message.rfind(path + ": ", 0), 0u) << "message does not start with the path: " << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    EXPECT_NE(message.back(), '.') << message;
    for (const std::string& fragment : fragments) EXPECT_THAT(message, HasSubstr(fragment));
    return;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "not a lift3d error: " << typeid(e).name() << ": " << e.what();
    return;
  }
  ADD_FAILURE() << "no error for " << path;
}

pipeline::LoadedModel load(const std::string& path) { return pipeline::load_model(path, {}); }

void expect_model_error(const std::string& path, const std::vector<std::string>& fragments) {
  expect_error<ModelError>([&] { load(path); }, path, fragments);
}

void expect_input_error_2d(const std::string& path, const std::vector<std::string>& fragments) {
  expect_error<InputError>([&] { io::read_videopose_2d(path); }, path, fragments);
}

// The pose model of kModel: 17 COCO keypoints in, 17 joints out.
const core::ModelConfig& pose_config() {
  static const core::ModelConfig config = pipeline::inspect_checkpoint(kModel, {}).pose;
  return config;
}

pipeline::SelectionOptions custom_selection() {
  pipeline::SelectionOptions selection;
  selection.dataset = "custom";
  return selection;
}

// ------------------------------------------------------------------------------------------------
// Byte-level tools: zip rewriting and patching, .npy object arrays, legacy checkpoint splicing

// Copies a zip, replacing the members `replace` selects by name.
Bytes rewrite_zip_if(const std::string& source, const std::function<bool(const std::string&)>& replace,
                     const Bytes& replacement, bool compress) {
  io::ZipArchive archive(source);
  io::ZipWriter writer;
  for (const io::ZipEntry& entry : archive.entries())
    writer.add(entry.name, replace(entry.name) ? replacement : archive.read(entry), compress);
  return writer.bytes();
}
// Same, replacing the members whose name ends with `suffix`.
Bytes rewrite_zip(const std::string& source, const std::string& suffix, const Bytes& replacement, bool compress) {
  return rewrite_zip_if(
      source,
      [&](const std::string& name) {
        return name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
      },
      replacement, compress);
}

std::uint32_t le32(const Bytes& data, std::size_t at) {
  return data[at] | data[at + 1] << 8 | data[at + 2] << 16 | static_cast<std::uint32_t>(data[at + 3]) << 24;
}
void put32(Bytes& data, std::size_t at, std::uint32_t value) {
  for (int i = 0; i < 4; ++i) data[at + i] = static_cast<std::uint8_t>(value >> (8 * i));
}

// Offsets of the local and central headers of `member` in a zip made by ZipWriter or numpy.
struct MemberHeaders {
  std::size_t local = 0, central = 0;
};
MemberHeaders find_member(const Bytes& zip, const std::string& member) {
  MemberHeaders found{SIZE_MAX, SIZE_MAX};
  for (std::size_t i = 0; i + 46 <= zip.size(); ++i) {
    if (le32(zip, i) == 0x02014b50) {
      const std::size_t name_size = zip[i + 28] | zip[i + 29] << 8;
      if (std::string(zip.begin() + i + 46, zip.begin() + i + 46 + name_size) == member) {
        found.central = i;
        found.local = le32(zip, i + 42);
      }
    }
  }
  if (found.central == SIZE_MAX) throw std::runtime_error("no member " + member);
  return found;
}
// Sets a member's declared sizes (and crc) in both headers.
void patch_member(Bytes& zip, const std::string& member, std::uint32_t compressed, std::uint32_t uncompressed,
                  std::optional<std::uint32_t> crc = std::nullopt) {
  const MemberHeaders at = find_member(zip, member);
  put32(zip, at.central + 20, compressed);
  put32(zip, at.central + 24, uncompressed);
  put32(zip, at.local + 18, compressed);
  put32(zip, at.local + 22, uncompressed);
  if (crc) {
    put32(zip, at.central + 16, *crc);
    put32(zip, at.local + 14, *crc);
  }
}

// A version 1.0 .npy header (padded as numpy pads it) followed by `payload`.
Bytes npy_with_header(const std::string& dict, const Bytes& payload) {
  std::string header = dict;
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  const std::string prefix = bin("\x93NUMPY\x01\x00") + static_cast<char>(header.size() & 0xff) +
                             static_cast<char>(header.size() >> 8) + header;
  Bytes out(prefix.begin(), prefix.end());
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}
Bytes object_npy(const Bytes& pickle) {
  return npy_with_header("{'descr': '|O', 'fortran_order': False, 'shape': (), }", pickle);
}

// Splits a legacy checkpoint into its five pickles and the raw storages.
struct LegacyParts {
  std::vector<Bytes> pickles;  // magic, protocol, sys info, objects, storage keys
  Bytes storages;
};
LegacyParts split_legacy(const Bytes& file) {
  LegacyParts parts;
  io::UnpickleOptions options;
  options.persistent_load = [](io::PickleDocument& doc, const io::Value&) { return doc.make(io::Value::Kind::Storage); };
  std::size_t position = 0;
  for (int i = 0; i < 5; ++i) {
    std::size_t used = 0;
    io::unpickle(file.data() + position, file.size() - position, options, &used);
    parts.pickles.emplace_back(file.begin() + position, file.begin() + position + used);
    position += used;
  }
  parts.storages.assign(file.begin() + position, file.end());
  return parts;
}
Bytes join_legacy(const LegacyParts& parts) {
  Bytes out;
  for (const Bytes& pickle : parts.pickles) out.insert(out.end(), pickle.begin(), pickle.end());
  out.insert(out.end(), parts.storages.begin(), parts.storages.end());
  return out;
}

// Deterministic pseudo-random numbers for byte flips.
struct XorShift {
  std::uint64_t state = 0x9E3779B97F4A7C15ULL;
  std::uint64_t next() {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  }
};

// ------------------------------------------------------------------------------------------------
// Pickle payloads: each would run `touch <marker>` if Python unpickled it (see PayloadsAreLive)

struct Payload {
  std::string name;
  std::string refused_global;  // the global the unpickler names
  bool live;                   // Python really runs the command (NEWOBJ alone only constructs)
  std::string bytes;
};

std::string binunicode(const std::string& text) {  // X + uint32 length
  std::string out = "X";
  for (int i = 0; i < 4; ++i) out += static_cast<char>((text.size() >> (8 * i)) & 0xff);
  return out + text;
}

std::vector<Payload> payloads(const std::string& marker) {
  const std::string cmd = "touch " + marker;
  std::string short_cmd = "\x8c";  // SHORT_BINUNICODE
  short_cmd += static_cast<char>(cmd.size());
  short_cmd += cmd;
  return {
      {"GLOBAL+REDUCE", "os.system", true, "cos\nsystem\n(V" + cmd + "\ntR."},
      {"STACK_GLOBAL+REDUCE", "os.system", true,
       bin("\x80\x04\x8c\x02os\x8c\x06system\x93") + short_cmd + "\x85R."},
      {"INST", "os.system", true, "(V" + cmd + "\nios\nsystem\n."},
      {"OBJ", "os.system", true, "(cos\nsystem\nV" + cmd + "\no."},
      // NEWOBJ makes an object whose __dict__ the first BUILD fills with __setstate__ = os.system;
      // the second BUILD then calls it with the command.
      {"NEWOBJ+BUILD", "os.system", true,
       "\x80\x02" "cargparse\nNamespace\n)\x81}V__setstate__\ncos\nsystem\nsbV" + cmd + "\nb."},
      {"NEWOBJ subprocess.Popen", "subprocess.Popen", false,
       "\x80\x02" "csubprocess\nPopen\n(V" + cmd + "\nt\x81."},
      {"REDUCE subprocess.Popen", "subprocess.Popen", true, "csubprocess\nPopen\n((Vtouch\nV" + marker + "\nltR."},
      {"REDUCE builtins.eval", "builtins.eval", true,
       "\x80\x02" "cbuiltins\neval\n" + binunicode("__import__('os').system('" + cmd + "')") + "\x85R."},
      {"builtins.getattr chain", "builtins.getattr", true,
       "cbuiltins\ngetattr\n(cbuiltins\n__import__\n(Vos\ntRVsystem\ntR(V" + cmd + "\ntR."},
      {"nested in containers", "os.system", true, "(Va\n((Vb\ncos\nsystem\n(V" + cmd + "\ntRdld."},
  };
}

Bytes bytes_of(const Payload& payload) { return bytes_of_text(payload.bytes); }

class PayloadTest : public ::testing::Test {
 protected:
  void TearDown() override { EXPECT_FALSE(fs::exists(marker())) << "a payload ran: " << marker(); }
  std::string marker() const { return dir_.file("PWNED"); }
  const TempDir& dir() const { return dir_; }

 private:
  TempDir dir_;
};

TEST(AllocationWatch, SeesLargeAllocations) {
  // The guard behind every "allocates nothing" test below.
  const std::size_t largest = largest_allocation([] { std::vector<char> big(2 * kAllocationLimit); });
  EXPECT_GE(largest, 2 * kAllocationLimit);
}

TEST_F(PayloadTest, PayloadsAreLive) {
  // Proves the catalogue's pickles are real attacks: Python's own unpickler runs them.
  if (std::system((std::string(LIFT3D_PYTHON) + " -c 'import pickle' 2>/dev/null").c_str()) != 0)
    GTEST_SKIP() << "no python";
  TempDir sandbox;
  int index = 0;
  for (const Payload& payload : payloads(sandbox.file("ran"))) {
    SCOPED_TRACE(payload.name);
    const std::string marker = sandbox.file("ran");
    const std::string file = sandbox.write("p" + std::to_string(index++) + ".pkl", bytes_of(payload));
    const std::string command = std::string(LIFT3D_PYTHON) +
                                " -c 'import pickle, sys; pickle.load(open(sys.argv[1], \"rb\"))' " + file +
                                " >/dev/null 2>&1" + (payload.refused_global == "subprocess.Popen" ? "; sleep 0.3" : "");
    (void)std::system(command.c_str());
    EXPECT_EQ(fs::exists(marker), payload.live);
    fs::remove(marker);
  }
}

TEST_F(PayloadTest, ZipCheckpointDataPklIsRefused) {
  for (const Payload& payload : payloads(marker())) {
    SCOPED_TRACE(payload.name);
    const std::string path = dir().write("hostile_zip.bin", rewrite_zip(kModel, "/data.pkl", bytes_of(payload), false));
    expect_model_error(path, {"data.pkl: refusing to load global '" + payload.refused_global + "'"});
    expect_error<ModelError>([&] { pipeline::inspect_checkpoint(path, {}); }, path, {"refusing to load global"});
  }
}

TEST_F(PayloadTest, LegacyCheckpointObjectPickleIsRefused) {
  const LegacyParts original = split_legacy(bytes_of(kModelLegacy));
  for (const Payload& payload : payloads(marker())) {
    SCOPED_TRACE(payload.name);
    LegacyParts parts = original;
    parts.pickles[3] = bytes_of(payload);
    const std::string path = dir().write("hostile_legacy.bin", join_legacy(parts));
    expect_model_error(path, {"object pickle: refusing to load global '" + payload.refused_global + "'"});
  }
}

TEST_F(PayloadTest, LegacyCheckpointHeaderPicklesAreRefused) {
  const LegacyParts original = split_legacy(bytes_of(kModelLegacy));
  const Payload payload = payloads(marker()).front();
  for (int slot : {0, 1, 2, 4}) {
    SCOPED_TRACE(slot);
    LegacyParts parts = original;
    parts.pickles[slot] = bytes_of(payload);
    const std::string path = dir().write("hostile_header.bin", join_legacy(parts));
    expect_model_error(path, {"refusing to load global 'os.system'"});
  }
}

TEST_F(PayloadTest, VideoPose2DPicklesAreRefused) {
  for (const std::string member : {"positions_2d.npy", "metadata.npy"}) {
    for (const Payload& payload : payloads(marker())) {
      SCOPED_TRACE(member + " " + payload.name);
      const std::string path = dir().write("hostile.npz", rewrite_zip(kData2D, member, object_npy(bytes_of(payload)), true));
      expect_input_error_2d(path, {"member '" + member + "'", "refusing to load global '" + payload.refused_global + "'"});
      expect_error<InputError>([&] { pipeline::collect_jobs(path, custom_selection(), pose_config()); }, path,
                               {"refusing to load global"});
    }
  }
}

TEST_F(PayloadTest, VideoPose3DPicklesAreRefused) {
  for (const Payload& payload : payloads(marker())) {
    SCOPED_TRACE(payload.name);
    const std::string path = dir().write("hostile_3d.npz", rewrite_zip(kData3D, "positions_3d.npy", object_npy(bytes_of(payload)), true));
    expect_error<InputError>([&] { io::read_videopose_3d(path); }, path,
                             {"member 'positions_3d.npy'", "refusing to load global '" + payload.refused_global + "'"});
  }
}

TEST(HostileFixtures, PythonMadePayloadsAreRefused) {
  // numpy pickles os.system under its real module name, posix.
  expect_input_error_2d(kHostile + "data_2d_payload.npz", {"positions_2d.npy", "refusing to load global 'posix.system'"});
  expect_input_error_2d(kHostile + "data_2d_payload_metadata.npz", {"metadata.npy", "refusing to load global 'posix.system'"});
  expect_error<InputError>([&] { io::read_videopose_3d(kHostile + "data_3d_payload.npz"); }, kHostile + "data_3d_payload.npz",
                           {"refusing to load global 'posix.system'"});
  // torch.save of a dict holding the payload, in both formats.
  expect_model_error(kHostile + "ckpt_payload.bin", {"data.pkl: refusing to load global 'posix.system'"});
  expect_model_error(kHostile + "ckpt_payload_legacy.bin", {"object pickle: refusing to load global 'posix.system'"});
}

// ------------------------------------------------------------------------------------------------
// Pickles that try to exhaust the stack, the memo or the time

// A zip checkpoint whose data.pkl is `pickle`.
std::string checkpoint_with_pickle(const TempDir& dir, const std::string& pickle, const std::string& name = "p.bin") {
  return dir.write(name, rewrite_zip(kModel, "/data.pkl", bytes_of_text(pickle), false));
}

std::string repeat(const std::string& text, std::size_t times) {
  std::string out;
  out.reserve(text.size() * times);
  for (std::size_t i = 0; i < times; ++i) out += text;
  return out;
}

TEST(DeepPickles, NestingIsLimitedInCheckpoints) {
  TempDir dir;
  expect_model_error(checkpoint_with_pickle(dir, repeat("(", 200000) + "."), {"data.pkl", "nesting deeper than 1000 levels"});
  expect_model_error(checkpoint_with_pickle(dir, repeat("]", 200000) + repeat("a", 199999) + "."),
                     {"nesting deeper than 1000 levels"});
}

TEST(DeepPickles, NestingIsLimitedInNpz) {
  TempDir dir;
  const std::string deep = "\x80\x02" + repeat("]", 100000) + repeat("a", 99999) + ".";
  const std::string path = dir.write("deep.npz", rewrite_zip(kData2D, "positions_2d.npy", object_npy(bytes_of_text(deep)), true));
  expect_input_error_2d(path, {"positions_2d.npy", "nesting deeper than 1000 levels"});
}

TEST(DeepPickles, SelfReferencesThroughTheMemoEndInAnError) {
  TempDir dir;
  // {'model_pos': d} with d = {'x': d}: the state_dict entry is a dict, not a tensor.
  const std::string pickle = bin("\x80\x02}X\x09\x00\x00\x00model_pos}q\x00X\x01\x00\x00\x00xh\x00ss.");
  expect_model_error(checkpoint_with_pickle(dir, pickle), {"'model_pos' entry 'x' is a dict, expected a tensor"});
  expect_input_error_2d(kHostile + "data_2d_cyclic.npz", {"v.mp4/v.mp4: expected a list of per-camera arrays, found dict"});
}

TEST(DeepPickles, ExponentiallySharedStructuresAreNotExpanded) {
  // 2^60 paths through 60 shared lists (a "billion laughs"): every reader must stop at the first
  // level that has the wrong type instead of walking the tree.
  TempDir dir;
  std::string pickle = bin("\x80\x02}X\x09\x00\x00\x00model_pos");
  pickle += "]q" + std::string(1, '\0') + "0";  // memo 0: [], popped
  for (int level = 1; level <= 60; ++level) {
    const char previous = static_cast<char>(level - 1), current = static_cast<char>(level);
    pickle += std::string("](h") + previous + "h" + previous + "eq" + current + (level < 60 ? "0" : "");
  }
  pickle += "s.";
  expect_model_error(checkpoint_with_pickle(dir, pickle), {"'model_pos' is a list, expected a state_dict"});
  expect_input_error_2d(kHostile + "data_2d_laughs.npz", {"v.mp4/custom/0: expected a keypoint array, found list"});
}

TEST(DeepPickles, MemoAbuseIsRefused) {
  TempDir dir;
  expect_model_error(checkpoint_with_pickle(dir, "\x80\x02h\x07."), {"memo index 7 is not set"});
  expect_model_error(checkpoint_with_pickle(dir, "I1\np99999999999\n."), {"memo index 99999999999 is too large"});
  expect_model_error(checkpoint_with_pickle(dir, bin("\x80\x02j\xff\xff\xff\xff.")),
                     {"memo index 4294967295 is not set"});
  // A huge but valid memo index neither allocates for it nor fails.
  const std::size_t largest = largest_allocation([&] {
    expect_model_error(checkpoint_with_pickle(dir, bin("\x80\x02K\x2ar\xff\xff\xff\xff" "0j\xff\xff\xff\xff.")),
                       {"holds int, expected a VideoPose3D checkpoint dict"});
  });
  EXPECT_LT(largest, kAllocationLimit);
}

TEST(DeepPickles, LengthsClaimingGigabytesAreNotAllocated) {
  TempDir dir;
  const std::size_t largest = largest_allocation([&] {
    expect_model_error(checkpoint_with_pickle(dir, bin("\x80\x04\x8e\xff\xff\xff\xff\xff\xff\xff\x7f" "abc.")),
                       {"truncated"});
    expect_model_error(checkpoint_with_pickle(dir, bin("X\xff\xff\xff\x7f" "abc.")), {"truncated"});
  });
  EXPECT_LT(largest, kAllocationLimit);
}

// ------------------------------------------------------------------------------------------------
// Checkpoints: truncation, corruption, wrong magic numbers, claims of 2^40 elements

TEST(BadCheckpoints, TruncatedZipCheckpointsNameTheFile) {
  TempDir dir;
  const Bytes whole = bytes_of(kModel);
  std::vector<std::size_t> cuts = {0, 1, 3, 4, 29, 30, 100, whole.size() - 22, whole.size() - 1};
  for (std::size_t cut = 997; cut < whole.size(); cut += whole.size() / 23) cuts.push_back(cut);
  for (std::size_t cut : cuts) {
    SCOPED_TRACE(cut);
    const std::string path = dir.write("cut.bin", Bytes(whole.begin(), whole.begin() + cut));
    expect_error<ModelError>([&] { load(path); }, path, {});
  }
}

TEST(BadCheckpoints, TruncatedLegacyCheckpointsNameTheFile) {
  TempDir dir;
  const Bytes whole = bytes_of(kModelLegacy);
  const LegacyParts parts = split_legacy(whole);
  std::size_t header = 0;
  for (const Bytes& pickle : parts.pickles) header += pickle.size();
  // Inside the pickles: always an error that says the pickle is truncated.
  for (std::size_t cut = 0; cut < header; cut += 1 + header / 40) {
    SCOPED_TRACE(cut);
    const std::string path = dir.write("cut.bin", Bytes(whole.begin(), whole.begin() + cut));
    expect_error<ModelError>([&] { load(path); }, path, {});
  }
  // Inside the storages: the model's tensors are the last ones written, so any cut there fails
  // when they are read, naming the storage that is cut off.
  for (std::size_t cut : {whole.size() - 1, whole.size() - 8, header + 8}) {
    SCOPED_TRACE(cut);
    const std::string path = dir.write("cut.bin", Bytes(whole.begin(), whole.begin() + cut));
    expect_model_error(path, {"is cut off by the end of the file"});
  }
}

TEST(BadCheckpoints, WrongMagicNumbers) {
  TempDir dir;
  Bytes zip = bytes_of(kModel);
  zip[3] = 5;  // "PK\3\5": not a zip, so read as a legacy stream, which it is not either
  expect_model_error(dir.write("a.bin", zip), {"not a PyTorch checkpoint"});

  const LegacyParts parts = split_legacy(bytes_of(kModelLegacy));
  LegacyParts bad_magic = parts;
  bad_magic.pickles[0] = bytes_of_text(bin("\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x20."));
  expect_model_error(dir.write("b.bin", join_legacy(bad_magic)), {"not a PyTorch checkpoint (no torch.save magic number)"});
  LegacyParts bad_protocol = parts;
  bad_protocol.pickles[1] = bytes_of_text(bin("\x80\x02M\xea\x03."));  // 1002
  expect_model_error(dir.write("c.bin", join_legacy(bad_protocol)), {"unsupported legacy checkpoint protocol"});

  Bytes tar(1024, 0);
  std::memcpy(tar.data() + 257, "ustar", 5);
  expect_model_error(dir.write("d.bin", tar), {"tar-based torch checkpoints"});
  expect_model_error(dir.write("e.bin", bin("\x93NUMPY\x01\x00")), {"not a PyTorch checkpoint"});
  expect_model_error(dir.write("f.bin", Bytes{}), {});
  expect_model_error(kFixtures + "/datasets/data_2d_custom_tiny.npz", {"without a */data.pkl record"});
  expect_model_error(dir.file("missing.bin"), {});
}

TEST(BadCheckpoints, FlippedBytesGiveModelErrorsOrALoadableModel) {
  TempDir dir;
  XorShift random;
  for (const std::string& source : {kModel, kModelLegacy}) {
    const Bytes original = bytes_of(source);
    for (int round = 0; round < 60; ++round) {
      Bytes data = original;
      const int flips = 1 + static_cast<int>(random.next() % 3);
      for (int f = 0; f < flips; ++f) {
        // Half of the flips land in the first 2 KB, where the headers and pickles are.
        const std::size_t at = random.next() % (round % 2 ? data.size() : std::min<std::size_t>(2048, data.size()));
        data[at] = static_cast<std::uint8_t>(random.next());
      }
      const std::string path = dir.write("flipped.bin", data);
      try {
        load(path);
      } catch (const ModelError& e) {
        EXPECT_EQ(std::string(e.what()).rfind(path + ": ", 0), 0u) << e.what();
      } catch (const std::exception& e) {
        ADD_FAILURE() << source << " round " << round << ": " << typeid(e).name() << ": " << e.what();
      }
    }
  }
}

TEST(BadCheckpoints, CorruptedZipMembers) {
  TempDir dir;
  Bytes zip = bytes_of(kModel);
  const MemberHeaders pkl = find_member(zip, "arc333_zip/data.pkl");
  const std::size_t data = pkl.local + 30 + (zip[pkl.local + 26] | zip[pkl.local + 27] << 8) +
                           (zip[pkl.local + 28] | zip[pkl.local + 29] << 8);
  zip[data + 40] ^= 0x55;  // inside the stored pickle
  expect_model_error(dir.write("crc.bin", zip), {"member 'arc333_zip/data.pkl'", "crc mismatch"});

  const auto is_storage = [](const std::string& name) { return name.find("/data/") != std::string::npos; };
  const std::string odd = dir.write("odd.bin", rewrite_zip_if(kModel, is_storage, Bytes(5, 0), false));
  expect_model_error(odd, {"holds 5 bytes, not a whole number of float32 elements"});
}

TEST(BadCheckpoints, StorageClaimsOf2To40ElementsAllocateNothing) {
  // The pickle says the storage holds 2^40 floats and the tensor spans most of them; the file
  // holds 408. torch itself tries to allocate 4 TiB for the legacy file.
  for (const char* name : {"ckpt_legacy_numel_2e40.bin", "ckpt_zip_numel_2e40.bin"}) {
    SCOPED_TRACE(name);
    const std::size_t largest = largest_allocation([&] {
      expect_model_error(kHostile + name, {"tensor of shape [10779525762, 34, 3]", "needs 1099511627724 elements but storage '0' holds 408"});
    });
    EXPECT_LT(largest, kAllocationLimit);
  }
  // The element count in front of the raw legacy storage claims 2^40.
  const std::size_t largest = largest_allocation([&] {
    expect_model_error(kHostile + std::string("ckpt_legacy_storage_header_2e40.bin"),
                       {"storage '0' is cut off by the end of the file"});
  });
  EXPECT_LT(largest, kAllocationLimit);
  EXPECT_NO_THROW(load(kHostile + "ckpt_legacy_handmade_ok.bin"));  // the same writer, honest counts
}

TEST(BadCheckpoints, TensorsThatMatchNoArchitecture) {
  const std::string H = kHostile;
  for (const char* name : {"ckpt_not_videopose.bin", "ckpt_not_videopose_legacy.bin"})
    expect_model_error(H + name, {"model_pos: missing tensor 'expand_conv.weight'"});
  expect_model_error(H + "ckpt_bare_state_dict.bin", {"holds a bare state_dict"});
  expect_model_error(H + "ckpt_list_root.bin", {"holds list, expected a VideoPose3D checkpoint dict"});
  expect_model_error(H + "ckpt_model_pos_list.bin", {"'model_pos' is a list, expected a state_dict"});
  expect_model_error(H + "ckpt_no_model_pos.bin", {"no 'model_pos' state_dict (has: epoch, model)"});
  for (const char* name : {"ckpt_shrink_not_xyz.bin", "ckpt_shrink_not_xyz_legacy.bin"})
    expect_model_error(H + name, {"tensor 'shrink.weight' has shape [50, 4, 1]"});
  expect_model_error(H + "ckpt_missing_tensor.bin", {"model_pos: missing tensor 'layers_bn.1.running_var'"});
  expect_model_error(H + "ckpt_extra_tensor.bin", {"unexpected tensor 'attention.weight'"});
  expect_model_error(H + "ckpt_inconsistent_channels.bin",
                     {"tensor 'layers_conv.0.weight' has shape [4, 8, 3], expected [4, 4, 3]"});
  expect_model_error(H + "ckpt_integer_weights.bin", {"tensor 'expand_bn.weight' has dtype int64, expected a float type"});
  expect_model_error(H + "ckpt_even_filter.bin", {"even filter width 2"});
  expect_model_error(H + "ckpt_traj_17_joints.bin", {"model_traj predicts 17 joints, expected 1"});
  EXPECT_NO_THROW(load(H + "ckpt_good_arc33.bin"));
}

TEST(BadCheckpoints, ArchitectureHintsThatDoNotFit) {
  pipeline::ArchitectureHints hints;
  hints.filter_widths = std::vector<int>{3, 3, 3, 3, 3};
  expect_error<ModelError>([&] { pipeline::load_model(kModel, hints); }, kModel, {"holds architecture 3,3,3"});
  hints = {};
  hints.channels = 1024;
  expect_error<ModelError>([&] { pipeline::load_model(kModel, hints); }, kModel, {"not the requested 1024"});
}

// ------------------------------------------------------------------------------------------------
// npz / zip damage on the VideoPose3D readers

TEST(BadNpz, TruncatedAtAnyPointNamesTheFile) {
  TempDir dir;
  const Bytes whole = bytes_of(kData2D);
  for (std::size_t cut = 0; cut < whole.size(); cut += 1 + whole.size() / 50) {
    SCOPED_TRACE(cut);
    const std::string path = dir.write("cut.npz", Bytes(whole.begin(), whole.begin() + cut));
    expect_input_error_2d(path, {});
    expect_error<InputError>([&] { pipeline::collect_jobs(path, custom_selection(), pose_config()); }, path, {});
  }
  const Bytes whole3d = bytes_of(kData3D);
  for (std::size_t cut = 0; cut < whole3d.size(); cut += 1 + whole3d.size() / 20) {
    const std::string path = dir.write("cut3d.npz", Bytes(whole3d.begin(), whole3d.begin() + cut));
    expect_error<InputError>([&] { io::read_videopose_3d(path); }, path, {});
  }
}

TEST(BadNpz, NotAZip) {
  TempDir dir;
  Bytes data = bytes_of(kData2D);
  data[2] = 9;
  data[data.size() - 22 + 2] = 9;  // the end record's signature too
  expect_input_error_2d(dir.write("magic.npz", data), {});
  expect_input_error_2d(dir.write("text.npz", std::string("positions_2d")), {});
  expect_input_error_2d(dir.write("empty.npz", Bytes{}), {});
  const std::string npy = dir.write("npy.npz", bytes_of(kFixtures + "/npy/float32.npy"));
  expect_input_error_2d(npy, {});
  expect_input_error_2d(dir.file("missing.npz"), {});
}

TEST(BadNpz, FlippedBytesGiveInputErrorsOrAFile) {
  TempDir dir;
  XorShift random;
  for (const std::string& source : {kData2D, kData2DH36m}) {
    const Bytes original = bytes_of(source);
    for (int round = 0; round < 80; ++round) {
      Bytes data = original;
      const int flips = 1 + static_cast<int>(random.next() % 3);
      for (int f = 0; f < flips; ++f) data[random.next() % data.size()] = static_cast<std::uint8_t>(random.next());
      const std::string path = dir.write("flipped.npz", data);
      try {
        io::read_videopose_2d(path);
      } catch (const InputError& e) {
        EXPECT_EQ(typeid(e), typeid(InputError)) << e.what();
        EXPECT_EQ(std::string(e.what()).rfind(path + ": ", 0), 0u) << e.what();
      } catch (const std::exception& e) {
        ADD_FAILURE() << "round " << round << ": " << typeid(e).name() << ": " << e.what();
      }
    }
  }
}

TEST(BadNpz, MemberClaimingAHugeSizeAllocatesNothing) {
  TempDir dir;
  Bytes zip = bytes_of(kData2D);
  const MemberHeaders at = find_member(zip, "positions_2d.npy");
  patch_member(zip, "positions_2d.npy", le32(zip, at.central + 20), 0xfffffff0u);
  const std::string path = dir.write("huge.npz", zip);
  const std::size_t largest = largest_allocation(
      [&] { expect_input_error_2d(path, {"member 'positions_2d.npy'", "declared size of 4294967280 bytes is implausible"}); });
  EXPECT_LT(largest, kAllocationLimit);
}

TEST(BadNpz, MemberWhoseCompressedSizeLies) {
  TempDir dir;
  Bytes zip = bytes_of(kData2D);
  const MemberHeaders at = find_member(zip, "positions_2d.npy");
  patch_member(zip, "positions_2d.npy", 0x7fffffffu, le32(zip, at.central + 24));
  expect_input_error_2d(dir.write("lying.npz", zip), {"member 'positions_2d.npy'", "compressed bytes but only"});

  zip = bytes_of(kData2D);
  put32(zip, find_member(zip, "positions_2d.npy").local + 22, 12345);  // local header alone disagrees
  expect_input_error_2d(dir.write("disagree.npz", zip), {"local header disagrees with the central directory"});
}

TEST(BadNpz, ZipBombDeclaredSmallStopsAtTheDeclaredSize) {
  // 16 MiB of zeros deflate to ~16 KB; the headers claim 1000 bytes.
  TempDir dir;
  const Bytes zeros(16u << 20, 0);
  const io::ZipArchive original(kData2D);
  io::ZipWriter writer;
  writer.add("metadata.npy", original.read(*original.find("metadata.npy")), true);
  writer.add("positions_2d.npy", zeros, true);
  Bytes zip = writer.bytes();
  const MemberHeaders at = find_member(zip, "positions_2d.npy");
  patch_member(zip, "positions_2d.npy", le32(zip, at.central + 20), 1000);
  const std::string path = dir.write("bomb.npz", zip);
  const std::size_t largest = largest_allocation(
      [&] { expect_input_error_2d(path, {"member 'positions_2d.npy'", "inflates to more than the declared 1000 bytes"}); });
  EXPECT_LT(largest, std::size_t{1} << 20);
}

TEST(BadNpz, CommittedBombAndLyingMember) {
  std::size_t largest = largest_allocation([&] {
    expect_input_error_2d(kHostile + "data_2d_zip_bomb.npz", {"inflates to more than the declared 1000 bytes"});
  });
  EXPECT_LT(largest, std::size_t{1} << 20);
  largest = largest_allocation([&] {
    expect_input_error_2d(kHostile + "data_2d_huge_member.npz", {"declared size of 4294967280 bytes is implausible"});
  });
  EXPECT_LT(largest, kAllocationLimit);
}

TEST(BadNpz, NumericMemberClaimingAHugeShapeAllocatesNothing) {
  TempDir dir;
  const Bytes npy = npy_with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (1099511627776, 17, 2), }", Bytes(64, 0));
  const std::string path = dir.write("shape.npz", rewrite_zip(kData2D, "positions_2d.npy", npy, true));
  const std::size_t largest = largest_allocation([&] { expect_input_error_2d(path, {"positions_2d.npy", "truncated data"}); });
  EXPECT_LT(largest, kAllocationLimit);
}

TEST(BadNpz, PickledArraysClaimingHugeShapesAllocateNothing) {
  std::size_t largest = largest_allocation(
      [&] { expect_input_error_2d(kHostile + "data_2d_huge_shape.npz", {"positions_2d.npy", "1099511627776"}); });
  EXPECT_LT(largest, kAllocationLimit);
  largest = largest_allocation([&] {
    expect_error<InputError>([&] { io::read_videopose_3d(kHostile + "data_3d_huge_shape.npz"); },
                             kHostile + "data_3d_huge_shape.npz", {"positions_3d.npy", "1099511627776"});
  });
  EXPECT_LT(largest, kAllocationLimit);
}

// ------------------------------------------------------------------------------------------------
// VideoPose3D 2D files whose content is wrong

TEST(BadVideoPose2D, NonFiniteKeypoints) {
  expect_input_error_2d(kHostile + "data_2d_nan.npz", {"v.mp4/custom/0: keypoints contain NaN or infinite values"});
  expect_input_error_2d(kHostile + "data_2d_inf.npz", {"v.mp4/custom/0: keypoints contain NaN or infinite values"});
  expect_error<InputError>([&] { io::read_videopose_3d(kHostile + "data_3d_inf.npz"); }, kHostile + "data_3d_inf.npz",
                           {"S1", "Walking"});
}

TEST(BadVideoPose2D, StructureAndTypes) {
  const std::string H = kHostile;
  expect_input_error_2d(H + "data_2d_no_positions.npz", {"no 'positions_2d' array"});
  expect_input_error_2d(H + "data_2d_positions_numeric.npz", {"positions_2d: expected a pickled dict, found a numeric array"});
  expect_input_error_2d(H + "data_2d_actions_not_dict.npz", {"positions_2d['v.mp4'] is list, expected a dict of actions"});
  expect_input_error_2d(H + "data_2d_cameras_not_list.npz", {"v.mp4/custom: expected a list of per-camera arrays"});
  expect_input_error_2d(H + "data_2d_bad_shape.npz", {"v.mp4/custom/0: keypoint array has shape"});
  expect_input_error_2d(H + "data_2d_int_dtype.npz", {"v.mp4/custom/0: keypoint array has dtype int32, expected float"});
  expect_input_error_2d(H + "data_2d_symmetry_unequal.npz", {"keypoints_symmetry: left and right lists differ in length"});
  expect_input_error_2d(H + "data_2d_bad_resolution.npz", {"video_metadata 'v.mp4'", "implausible resolution -5x1000"});
}

TEST(BadVideoPose2D, IntegersThatDoNotFitAreRefusedNotWrapped) {
  // Regression: a float width of 1e300 was cast to int (undefined behaviour), 2^32 + 640 wrapped to
  // 640 and was accepted, a symmetry index of 2^32 + 1 became 1, and a NaN index failed with a
  // message that did not name the file.
  const std::string H = kHostile;
  expect_input_error_2d(H + "data_2d_width_huge_float.npz", {"video_metadata 'v.mp4'", "1e+300 is out of range"});
  expect_input_error_2d(H + "data_2d_width_wraps.npz", {"video_metadata 'v.mp4'", "4294967936 is out of range"});
  expect_input_error_2d(H + "data_2d_width_bigint.npz", {"video_metadata 'v.mp4'", "0x400000000000000000 is out of range"});
  expect_input_error_2d(H + "data_2d_symmetry_wraps.npz", {"keypoints_symmetry", "4294967297 is out of range"});
  expect_input_error_2d(H + "data_2d_symmetry_nan.npz", {"keypoints_symmetry", "does not fit in int64"});
}

TEST(BadVideoPose2D, SymmetryIndexOutsideTheKeypoints) {
  const std::string path = kHostile + "data_2d_symmetry_out_of_range.npz";
  expect_error<InputError>([&] { pipeline::collect_jobs(path, custom_selection(), pose_config()); }, path,
                           {"keypoints_symmetry index 40 is outside the 17 keypoints"});
}

TEST(BadVideoPose2D, NoResolutionForTheVideo) {
  const std::string path = kHostile + "data_2d_no_video_metadata_entry.npz";
  expect_error<InputError>([&] { pipeline::collect_jobs(path, custom_selection(), pose_config()); }, path,
                           {"no video_metadata entry for 'v.mp4'"});
}

TEST(BadVideoPose2D, WrongJointCountForTheModel) {
  const std::string path = kHostile + "data_2d_15_joints.npz";
  expect_error<InputError>([&] { pipeline::collect_jobs(path, custom_selection(), pose_config()); }, path,
                           {"v.mp4/custom/0 has 15 keypoints, the model expects 17"});
}

TEST(BadVideoPose2D, EmptySequence) {
  const std::string path = kHostile + "data_2d_empty_sequence.npz";
  expect_error<InputError>([&] { pipeline::collect_jobs(path, custom_selection(), pose_config()); }, path,
                           {"v.mp4/custom/0 has no frames"});
}

TEST(BadVideoPose2D, UnknownSubjectActionCamera) {
  pipeline::SelectionOptions selection;
  selection.dataset = "h36m";
  selection.subject = "S7";
  expect_error<UsageError>([&] { pipeline::collect_jobs(kData2DH36m, selection, pose_config()); }, kData2DH36m,
                           {"no subject 'S7' (has: S9, S11)"});
  selection.subject = "S9";
  selection.action = "Running";
  expect_error<UsageError>([&] { pipeline::collect_jobs(kData2DH36m, selection, pose_config()); }, kData2DH36m,
                           {"no action 'Running' for the selected subjects (has: Directions, Walking 1)"});
  selection.action = "Walking 1";
  selection.camera = 9;
  expect_error<UsageError>([&] { pipeline::collect_jobs(kData2DH36m, selection, pose_config()); }, kData2DH36m,
                           {"no camera 9 in the selection"});
  selection = {};
  expect_error<UsageError>([&] { pipeline::collect_jobs(kData2DH36m, selection, pose_config()); }, kData2DH36m,
                           {"--dataset"});
}

// ------------------------------------------------------------------------------------------------
// JSON keypoint files

const std::string kJsonFixtures[] = {"sequence.lift3d.json", "coco_results.json", "alphapose_halpe26.json",
                                     "mmpose.json", "mmpose_predictions.json"};

pipeline::KeypointReadOptions coco_options() {
  pipeline::KeypointReadOptions options;
  options.target_layout = "coco";
  return options;
}

void expect_json_error(const std::string& path, const std::vector<std::string>& fragments) {
  expect_error<InputError>([&] { pipeline::read_keypoints_2d(path, coco_options()); }, path, fragments);
}

TEST(BadJson, CutInsideEveryNestingLevel) {
  // Each fixture cut right after every opening bracket and right before every closing one, i.e.
  // inside every level of nesting, plus a stray character at the same places.
  TempDir dir;
  for (const std::string& name : kJsonFixtures) {
    const Bytes text = bytes_of(kFixtures + "/formats/" + name);
    std::vector<std::size_t> places;
    for (std::size_t i = 0; i < text.size(); ++i)
      if (text[i] == '[' || text[i] == '{') places.push_back(i + 1);
      else if (text[i] == ']' || text[i] == '}') places.push_back(i);
    const std::size_t stride = 1 + places.size() / 150;
    for (std::size_t p = 0; p < places.size(); p += stride) {
      SCOPED_TRACE(name + " at " + std::to_string(places[p]));
      const std::string cut = dir.write("cut.json", Bytes(text.begin(), text.begin() + places[p]));
      expect_json_error(cut, {"invalid json"});
      Bytes stray = text;
      stray.insert(stray.begin() + places[p], '#');
      const std::string bad = dir.write("stray.json", stray);
      expect_json_error(bad, {"invalid json"});
    }
  }
}

TEST(BadJson, OpenPoseFrameCutInsideEveryLevel) {
  TempDir dir;
  const std::string frames = kFixtures + "/formats/openpose_body25";
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(frames)) files.push_back(entry.path().filename().string());
  std::sort(files.begin(), files.end());
  ASSERT_GE(files.size(), 2u);
  const Bytes text = bytes_of(frames + "/" + files[1]);
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '[' && text[i] != '{') continue;
    TempDir copy;
    for (const std::string& file : files) fs::copy_file(frames + "/" + file, copy.file(file));
    const std::string bad = copy.write(files[1], Bytes(text.begin(), text.begin() + i + 1));
    expect_error<InputError>([&] { pipeline::read_keypoints_2d(copy.path(), coco_options()); }, bad, {"invalid json"});
  }
}

TEST(BadJson, NotJsonAtAll) {
  TempDir dir;
  expect_json_error(dir.write("empty.json", std::string()), {"invalid json"});
  expect_json_error(dir.write("binary.json", bytes_of(kModel)), {"invalid json"});
  expect_json_error(dir.write("nan.json", std::string(R"({"format": "lift3d-keypoints-2d", "x": NaN})")), {"invalid json"});
  expect_json_error(dir.write("utf8.json", std::string("{\"format\": \"lift3d-keypoints-2d\xff\"}")), {"invalid json"});
  expect_json_error(dir.write("trailing.json", std::string("[] []")), {"invalid json"});
}

TEST(BadJson, DeepNestingIsAnErrorNotACrash) {
  TempDir dir;
  expect_json_error(dir.write("deep_arrays.json", repeat("[", 100000) + repeat("]", 100000)), {"expected an object, got array"});
  expect_json_error(dir.write("deep_objects.json", repeat("{\"a\":", 100000) + "1" + repeat("}", 100000)),
                    {"unrecognised json object"});
  expect_json_error(dir.write("deep_open.json", repeat("[", 100000)), {"invalid json"});
}

std::string lift3d_json(const std::string& frames, const std::string& layout = "coco") {
  return R"({"format": "lift3d-keypoints-2d", "version": 1, "layout": ")" + layout +
         R"(", "image_width": 1000, "image_height": 1000, "keypoints": [)" + frames + "]}";
}

std::string json_frame(int joints, const std::string& first = "[500, 500, 0.9]") {
  std::string frame = "[" + first;
  for (int j = 1; j < joints; ++j) frame += ", [" + std::to_string(400 + 10 * j) + ", " + std::to_string(300 + 7 * j) + ", 0.9]";
  return frame + "]";
}

TEST(BadJson, NonFiniteKeypoints) {
  // JSON has no NaN or infinity; numbers too large for a double are refused by the parser.
  TempDir dir;
  expect_json_error(dir.write("inf.json", lift3d_json(json_frame(17, "[1e999, 2, 1]"))),
                    {"invalid json: number overflow parsing '1e999'"});
  expect_json_error(dir.write("big.json", lift3d_json(json_frame(17, "[1e300, 2, 1]"))),
                    {"keypoints[0][0][0]: number 1e+300 is out of float range"});
  std::string values = "-1e999";
  for (int i = 1; i < 51; ++i) values += ",1";
  expect_json_error(dir.write("coco_inf.json", R"([{"image_id": 0, "category_id": 1, "keypoints": [)" + values +
                                                   R"(], "score": 1}])"),
                    {"invalid json: number overflow parsing '-1e999'"});
}

TEST(BadJson, EmptySequences) {
  TempDir dir;
  expect_json_error(dir.write("none.json", lift3d_json("")), {"keypoints: no frames"});
  expect_json_error(dir.write("list.json", std::string("[]")), {"empty list, no detections to read"});
  expect_json_error(dir.write("mm.json", std::string(R"([{"frame_id": 0, "instances": []}])")),
                    {"no person detected in any of the 1 frames"});
  // Every joint missing in every frame: nothing to interpolate from.
  std::string nulls = "[null";
  for (int j = 1; j < 17; ++j) nulls += ", null";
  expect_json_error(dir.write("nulls.json", lift3d_json(nulls + "], " + nulls + "]")), {"no usable keypoints"});
}

TEST(BadJson, WrongJointCounts) {
  TempDir dir;
  expect_json_error(dir.write("16.json", lift3d_json(json_frame(16))), {"keypoints[0]: 16 joints, layout 'coco' has 17"});
  // A 17-joint input for a model that takes HumanEva's 15 keypoints.
  core::ModelConfig humaneva = pose_config();
  humaneva.input_channels = 30;
  const std::string path = dir.write("ok.json", lift3d_json(json_frame(17)));
  pipeline::SelectionOptions selection;
  expect_error<UsageError>([&] { pipeline::collect_jobs(path, selection, humaneva); }, path,
                           {"17 keypoints per frame after mapping to 'coco', the model expects 15"});
}

TEST(BadJson, SelectionOptionsOfNpzFilesAreUsageErrors) {
  TempDir dir;
  const std::string path = dir.write("ok.json", lift3d_json(json_frame(17)));
  pipeline::SelectionOptions selection;
  selection.subject = "S1";
  expect_error<UsageError>([&] { pipeline::collect_jobs(path, selection, pose_config()); }, path, {"--subject"});
}

// ------------------------------------------------------------------------------------------------
// Sequences of one frame and none, through the model

TEST(ShortSequences, OneFrameGivesOneFrameEqualToAConstantSequence) {
  // Edge padding makes a one-frame sequence look like that frame held still: its output is the
  // output of any frame of a constant sequence.
  const pipeline::LoadedModel model = load(kModel);
  const std::vector<pipeline::InferenceJob> jobs =
      pipeline::collect_jobs(kHostile + "data_2d_one_frame.npz", custom_selection(), model.info.pose);
  ASSERT_EQ(jobs.size(), 1u);
  ASSERT_EQ(jobs[0].keypoints.frames, 1);
  core::LiftOptions options;
  const PoseSequence one = core::run_model(model.lifter.pose, jobs[0].keypoints, &jobs[0].flip, options);
  ASSERT_EQ(one.frames, 1);
  KeypointSequence held = jobs[0].keypoints;
  held.frames = 40;
  held.values.clear();
  for (int t = 0; t < held.frames; ++t)
    held.values.insert(held.values.end(), jobs[0].keypoints.values.begin(), jobs[0].keypoints.values.end());
  const PoseSequence constant = core::run_model(model.lifter.pose, held, &jobs[0].flip, options);
  for (int t : {0, 20, 39})
    for (int i = 0; i < one.joints * 3; ++i) EXPECT_NEAR(constant.values[t * one.joints * 3 + i], one.values[i], 1e-6);

  TempDir dir;
  const std::string json = dir.write("one.json", lift3d_json(json_frame(17)));
  const std::vector<pipeline::InferenceJob> json_jobs = pipeline::collect_jobs(json, {}, model.info.pose);
  ASSERT_EQ(json_jobs.size(), 1u);
  EXPECT_EQ(core::lift(model.lifter, json_jobs[0].keypoints, json_jobs[0].flip, options, true).frames, 1);
}

TEST(ShortSequences, EmptyOrMismatchedInputsAreRefusedByTheModel) {
  const pipeline::LoadedModel model = load(kModel);
  KeypointSequence empty;
  empty.joints = 17;
  core::LiftOptions options;
  options.flip_tta = false;
  EXPECT_THROW(core::run_model(model.lifter.pose, empty, nullptr, options), UsageError);
  KeypointSequence fifteen;
  fifteen.frames = 5;
  fifteen.joints = 15;
  fifteen.values.assign(5 * 15 * 2, 0.0f);
  try {
    core::run_model(model.lifter.pose, fifteen, nullptr, options);
    ADD_FAILURE() << "no error";
  } catch (const UsageError& e) {
    EXPECT_THAT(e.what(), HasSubstr("the model expects 34 input values per frame, the input has 15 joints"));
  }
}

}  // namespace
}  // namespace lift3d
