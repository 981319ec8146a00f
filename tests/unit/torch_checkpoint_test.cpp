#include "io/torch_checkpoint.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "lift3d/error.hpp"
#include "io/file.hpp"
#include "io/zip_archive.hpp"

namespace lift3d::io {
namespace {

using ::testing::HasSubstr;
using Kind = Value::Kind;
using json = nlohmann::json;

const std::string kDir = std::string(LIFT3D_FIXTURES_DIR) + "/checkpoints/";

const json& expected() {
  static const json value = [] {
    std::ifstream in(kDir + "expected.json");
    return json::parse(in);
  }();
  return value;
}

std::string hex(const std::vector<std::uint8_t>& bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

void expect_array(const Array& array, const json& wanted, const std::string& what) {
  SCOPED_TRACE(what);
  EXPECT_EQ(dtype_name(array.dtype), wanted.at("dtype").get<std::string>());
  EXPECT_EQ(array.shape, wanted.at("shape").get<std::vector<std::int64_t>>());
  EXPECT_EQ(hex(array.bytes), wanted.at("hex").get<std::string>());
}

const Value& tensor_at(const Value& dict, const std::string& key) {
  const Value* value = dict.find(key);
  EXPECT_NE(value, nullptr) << key;
  if (value == nullptr || !value->is(Kind::Tensor)) throw std::runtime_error("no tensor '" + key + "'");
  return *value;
}

// A scratch file under the test's temporary directory, removed at the end of the test.
class ScratchFile {
 public:
  explicit ScratchFile(const std::string& name) : path_(::testing::TempDir() + "lift3d_torch_" + name) {}
  ~ScratchFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }
  void write(const std::vector<std::uint8_t>& data) const {
    std::ofstream out(path_, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
  }

 private:
  std::string path_;
};

std::string model_error_of(const std::string& path) {
  try {
    TorchCheckpoint checkpoint(path);
  } catch (const ModelError& e) {
    return e.what();
  }
  return "";
}

// ------------------------------------------------------------------------------------------------
// torch.save output in both formats

class TensorFixture : public ::testing::TestWithParam<const char*> {};

TEST_P(TensorFixture, ReadsTensorsOfEveryDtypeAndLayout) {
  TorchCheckpoint checkpoint(kDir + GetParam());
  const Value& root = checkpoint.root();
  ASSERT_TRUE(root.is(Kind::Dict));
  for (const auto& [name, wanted] : expected().at("tensors").items()) {
    if (name == "nested.list.0") continue;
    expect_array(checkpoint.read_tensor(tensor_at(root, name).tensor), wanted, name);
  }
}

TEST_P(TensorFixture, ReadsTensorsInsideNestedContainers) {
  TorchCheckpoint checkpoint(kDir + GetParam());
  const Value* nested = checkpoint.root().find("nested");
  ASSERT_NE(nested, nullptr);
  const Value* list = nested->find("list");
  ASSERT_TRUE(list != nullptr && list->is(Kind::List) && list->items.size() == 2);
  ASSERT_TRUE(list->items[0]->is(Kind::Tensor));
  expect_array(checkpoint.read_tensor(list->items[0]->tensor), expected().at("tensors").at("nested.list.0"),
               "nested");
  EXPECT_TRUE(nested->find("none")->is(Kind::None));
}

TEST_P(TensorFixture, ViewsShareTheirBaseStorage) {
  TorchCheckpoint checkpoint(kDir + GetParam());
  const TensorRef& base = tensor_at(checkpoint.root(), "base").tensor;
  const TensorRef& view = tensor_at(checkpoint.root(), "view_offset").tensor;
  const TensorRef& transposed = tensor_at(checkpoint.root(), "transposed").tensor;
  EXPECT_EQ(view.storage.key, base.storage.key);
  EXPECT_EQ(view.storage_offset, 7);  // base[1:, 2:] of a 4x5 tensor
  EXPECT_EQ(transposed.strides, (std::vector<std::int64_t>{1, 5}));
  EXPECT_EQ(tensor_at(checkpoint.root(), "expanded").tensor.strides, (std::vector<std::int64_t>{1, 0}));
}

TEST_P(TensorFixture, TorchSizeBecomesATuple) {
  TorchCheckpoint checkpoint(kDir + GetParam());
  const Value* size = checkpoint.root().find("size");
  ASSERT_TRUE(size != nullptr && size->is(Kind::Tuple));
  ASSERT_EQ(size->items.size(), 2u);
  EXPECT_EQ(size->items[0]->integer, 2);
  EXPECT_EQ(size->items[1]->integer, 3);
}

TEST_P(TensorFixture, EveryTruncationFailsCleanly) {
  const std::vector<std::uint8_t> original = read_file(kDir + GetParam());
  ScratchFile scratch(std::string("cut_") + GetParam());
  for (std::size_t length = 0; length < original.size(); length += 3) {
    scratch.write(
        std::vector<std::uint8_t>(original.begin(), original.begin() + static_cast<std::ptrdiff_t>(length)));
    try {
      TorchCheckpoint checkpoint(scratch.path());
      // What survives the cut must still be exact; what does not must fail with a ModelError.
      for (const auto& [name, wanted] : expected().at("tensors").items()) {
        if (name == "nested.list.0") continue;
        try {
          expect_array(checkpoint.read_tensor(tensor_at(checkpoint.root(), name).tensor), wanted, name);
        } catch (const ModelError&) {
        }
      }
    } catch (const ModelError& e) {
      EXPECT_THAT(e.what(), HasSubstr(scratch.path())) << length;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(LegacyZipAndArchive, TensorFixture,
                         ::testing::Values("tensors_legacy.pt", "tensors_zip.pt", "tensors_archive.pt"));

TEST(TorchCheckpoint, ReportsTheFormat) {
  EXPECT_EQ(TorchCheckpoint(kDir + "tensors_legacy.pt").format(), "legacy");
  EXPECT_EQ(TorchCheckpoint(kDir + "tensors_zip.pt").format(), "zip");
  EXPECT_EQ(TorchCheckpoint(kDir + "tensors_zip.pt").path(), kDir + "tensors_zip.pt");
}

TEST(TorchCheckpoint, FindsTheRecordsUnderAnyTopFolder) {
  // The fixtures really use different folders: the file stem and "archive".
  EXPECT_EQ(expected().at("zip_folders").at("tensors_zip.pt"), json::array({"tensors_zip"}));
  EXPECT_EQ(expected().at("zip_folders").at("tensors_archive.pt"), json::array({"archive"}));
  for (const char* name : {"tensors_zip.pt", "tensors_archive.pt"}) {
    TorchCheckpoint checkpoint(kDir + name);
    expect_array(checkpoint.read_tensor(tensor_at(checkpoint.root(), "f32").tensor),
                 expected().at("tensors").at("f32"), name);
  }
}

TEST(TorchCheckpoint, ReadsLegacyStorageViews) {
  TorchCheckpoint checkpoint(kDir + "storage_view_legacy.pt");
  const TensorRef& t = tensor_at(checkpoint.root(), "t").tensor;
  EXPECT_EQ(t.storage.view_offset, 3);
  EXPECT_EQ(t.storage.numel, 5);
  expect_array(checkpoint.read_tensor(t), expected().at("storage_view").at("t"), "t");
}

// ------------------------------------------------------------------------------------------------
// A checkpoint laid out like VideoPose3D's run.py writes it

class VideoPoseFixture : public ::testing::TestWithParam<const char*> {};

TEST_P(VideoPoseFixture, ReadsTheTopLevelEntries) {
  TorchCheckpoint checkpoint(kDir + GetParam());
  const json& wanted = expected().at("videopose");
  const Value& root = checkpoint.root();
  ASSERT_TRUE(root.is(Kind::Dict));
  std::vector<std::string> keys;
  for (const auto& entry : root.entries) keys.push_back(entry.first->text);
  EXPECT_EQ(keys, wanted.at("keys").get<std::vector<std::string>>());
  EXPECT_EQ(root.find("epoch")->integer, wanted.at("epoch").get<std::int64_t>());
  ASSERT_TRUE(root.find("lr")->is(Kind::Float));
  EXPECT_DOUBLE_EQ(root.find("lr")->real, 0.0001);
  EXPECT_TRUE(root.find("model_traj")->is(Kind::None));
  EXPECT_TRUE(root.find("random_state_semi")->is(Kind::None));
}

TEST_P(VideoPoseFixture, KeepsTheRandomStateOpaque) {
  TorchCheckpoint checkpoint(kDir + GetParam());
  const Value* random_state = checkpoint.root().find("random_state");
  ASSERT_NE(random_state, nullptr);
  EXPECT_TRUE(random_state->is(Kind::Opaque));
  EXPECT_EQ(random_state->text, expected().at("videopose").at("random_state_reduce").get<std::string>());
}

TEST_P(VideoPoseFixture, ReadsModelPosInOrder) {
  TorchCheckpoint checkpoint(kDir + GetParam());
  std::optional<StateDict> state = read_state_dict(checkpoint, "model_pos");
  ASSERT_TRUE(state.has_value());
  const json& wanted = expected().at("videopose").at("model_pos");
  ASSERT_EQ(state->size(), wanted.size());
  for (std::size_t i = 0; i < wanted.size(); ++i) {
    EXPECT_EQ((*state)[i].name, wanted[i][0].get<std::string>());
    expect_array((*state)[i].array, wanted[i][1], (*state)[i].name);
  }
}

TEST_P(VideoPoseFixture, ModelTrajNoneAndMissingKeysAreAbsent) {
  TorchCheckpoint checkpoint(kDir + GetParam());
  EXPECT_FALSE(read_state_dict(checkpoint, "model_traj").has_value());
  EXPECT_FALSE(read_state_dict(checkpoint, "no_such_key").has_value());
}

TEST_P(VideoPoseFixture, NonStateDictEntriesAreErrors) {
  TorchCheckpoint checkpoint(kDir + GetParam());
  try {
    read_state_dict(checkpoint, "epoch");
    FAIL() << "no error";
  } catch (const ModelError& e) {
    EXPECT_THAT(e.what(), HasSubstr(": 'epoch' is a int, expected a state_dict"));
    EXPECT_THAT(e.what(), HasSubstr(GetParam()));
  }
  try {
    read_state_dict(checkpoint, "optimizer");
    FAIL() << "no error";
  } catch (const ModelError& e) {
    EXPECT_THAT(e.what(), HasSubstr("'optimizer' entry 'state' is a dict, expected a tensor"));
  }
}

TEST_P(VideoPoseFixture, ReadsOptimizerStateOnDemand) {
  TorchCheckpoint checkpoint(kDir + GetParam());
  const Value* optimizer = checkpoint.root().find("optimizer");
  ASSERT_NE(optimizer, nullptr);
  const Value* state = optimizer->find("state");
  ASSERT_TRUE(state != nullptr && state->is(Kind::Dict));
  const json& wanted = expected().at("videopose").at("optimizer_state");
  ASSERT_EQ(state->entries.size(), wanted.size());
  for (const auto& [param, tensors] : state->entries) {
    ASSERT_TRUE(param->is(Kind::Int));
    const json& param_wanted = wanted.at(std::to_string(param->integer));
    ASSERT_EQ(tensors->entries.size(), param_wanted.size());
    for (const auto& [name, tensor] : tensors->entries) {
      ASSERT_TRUE(tensor->is(Kind::Tensor)) << name->text;
      expect_array(checkpoint.read_tensor(tensor->tensor), param_wanted.at(name->text), name->text);
    }
  }
  const Value* groups = optimizer->find("param_groups");
  ASSERT_TRUE(groups != nullptr && groups->is(Kind::List) && groups->items.size() == 1);
  std::vector<std::string> keys;
  for (const auto& entry : groups->items[0]->entries) keys.push_back(entry.first->text);
  EXPECT_EQ(keys,
            expected().at("videopose").at("optimizer_param_groups_keys").get<std::vector<std::string>>());
}

INSTANTIATE_TEST_SUITE_P(LegacyAndZip, VideoPoseFixture,
                         ::testing::Values("videopose_legacy.bin", "videopose_zip.bin"));

// Every tensor in the checkpoint: model_pos and the optimizer's state.
std::vector<const TensorRef*> all_tensors(const Value& root) {
  std::vector<const TensorRef*> tensors;
  for (const auto& entry : root.find("model_pos")->entries) tensors.push_back(&entry.second->tensor);
  for (const auto& param : root.find("optimizer")->find("state")->entries) {
    for (const auto& entry : param.second->entries) tensors.push_back(&entry.second->tensor);
  }
  return tensors;
}

TEST(TorchCheckpointLazy, LegacyStoragesAreReadOnlyWhenUsed) {
  // Cut the last byte off the last storage: the file still opens, every other tensor reads
  // exactly, and only the tensors of the damaged storage fail.
  const std::string name = "videopose_legacy.bin";
  std::vector<std::uint8_t> data = read_file(kDir + name);
  data.pop_back();
  ScratchFile scratch("lazy.bin");
  scratch.write(data);
  TorchCheckpoint original(kDir + name);
  TorchCheckpoint damaged(scratch.path());

  std::string last_key;  // the fixture script names the storages 0, 1, ... in file order
  for (const TensorRef* t : all_tensors(damaged.root())) last_key = std::max(last_key, t->storage.key);
  int failed = 0, read = 0;
  for (const TensorRef* t : all_tensors(damaged.root())) {
    if (t->storage.key == last_key) {
      try {
        damaged.read_tensor(*t);
        ADD_FAILURE() << "read a tensor of the damaged storage";
      } catch (const ModelError& e) {
        EXPECT_THAT(e.what(), HasSubstr("storage '" + last_key + "' is cut off by the end of the file"));
      }
      ++failed;
    } else {
      EXPECT_EQ(damaged.read_tensor(*t).bytes, original.read_tensor(*t).bytes);
      ++read;
    }
  }
  EXPECT_GE(failed, 1);
  EXPECT_GT(read, 10);
}

// ------------------------------------------------------------------------------------------------
// Bad files

TEST(TorchCheckpointErrors, MissingFile) {
  const std::string path = kDir + "no_such_file.bin";
  EXPECT_THAT(model_error_of(path), HasSubstr(path));
}

TEST(TorchCheckpointErrors, NotACheckpoint) {
  ScratchFile text("text.bin");
  const std::string words = "just some text, not a pickle\n";
  text.write(std::vector<std::uint8_t>(words.begin(), words.end()));
  EXPECT_THAT(model_error_of(text.path()), HasSubstr(text.path() + ": not a PyTorch checkpoint"));

  ScratchFile pickled_int("int.bin");
  pickled_int.write({0x80, 0x02, 'K', 0x05, '.'});
  EXPECT_THAT(model_error_of(pickled_int.path()), HasSubstr("no torch.save magic number"));

  ScratchFile empty("empty.bin");
  empty.write({});
  EXPECT_THAT(model_error_of(empty.path()), HasSubstr(empty.path() + ": "));
}

TEST(TorchCheckpointErrors, ZipWithoutDataPkl) {
  ScratchFile zip("nodata.zip");
  ZipWriter writer;
  writer.add("folder/other.txt", {'x'}, false);
  writer.write(zip.path());
  EXPECT_THAT(model_error_of(zip.path()), HasSubstr("without a */data.pkl record"));
}

// Rewrites a zip checkpoint, dropping or replacing members.
void rewrite_zip(const std::string& source, const std::string& target, const std::string& drop,
                 const std::string& replace = "", const std::vector<std::uint8_t>& replacement = {}) {
  ZipArchive archive(source);
  ZipWriter writer;
  for (const ZipEntry& entry : archive.entries()) {
    if (entry.name == drop) continue;
    writer.add(entry.name, entry.name == replace ? replacement : archive.read(entry), false);
  }
  writer.write(target);
}

TEST(TorchCheckpointErrors, MissingZipStorageFailsOnlyWhenRead) {
  ScratchFile zip("missing_member.pt");
  rewrite_zip(kDir + "tensors_zip.pt", zip.path(), "tensors_zip/data/0");
  TorchCheckpoint checkpoint(zip.path());
  int failures = 0;
  for (const auto& [name, wanted] : expected().at("tensors").items()) {
    if (name == "nested.list.0") continue;
    const TensorRef& t = tensor_at(checkpoint.root(), name).tensor;
    if (t.storage.key == "0") {
      try {
        checkpoint.read_tensor(t);
        ADD_FAILURE() << name;
      } catch (const ModelError& e) {
        EXPECT_THAT(e.what(), HasSubstr("storage '0' has no member 'tensors_zip/data/0'"));
        ++failures;
      }
    } else {
      expect_array(checkpoint.read_tensor(t), wanted, name);
    }
  }
  EXPECT_EQ(failures, 1);
}

TEST(TorchCheckpointErrors, HostileDataPklIsRefused) {
  ScratchFile zip("hostile.pt");
  const std::string hostile = "cos\nsystem\n(S'echo pwned'\ntR.";
  rewrite_zip(kDir + "tensors_zip.pt", zip.path(), "", "tensors_zip/data.pkl",
              std::vector<std::uint8_t>(hostile.begin(), hostile.end()));
  EXPECT_THAT(model_error_of(zip.path()),
              HasSubstr(zip.path() + ": tensors_zip/data.pkl: refusing to load global 'os.system'"));
}

TEST(TorchCheckpointErrors, TensorsBeyondTheirStorageAreRefused) {
  TorchCheckpoint checkpoint(kDir + "tensors_zip.pt");
  TensorRef t = tensor_at(checkpoint.root(), "base").tensor;  // 20 floats
  t.shape = {5, 5};
  t.strides = {5, 1};
  try {
    checkpoint.read_tensor(t);
    FAIL() << "no error";
  } catch (const ModelError& e) {
    EXPECT_THAT(e.what(), HasSubstr("needs 25 elements but storage '" + t.storage.key + "' holds 20"));
  }
  t = tensor_at(checkpoint.root(), "view_offset").tensor;
  t.storage_offset = 15;  // 15 + (3-1)*5 + (3-1) = 27 > 19
  EXPECT_THROW(checkpoint.read_tensor(t), ModelError);
  t = tensor_at(checkpoint.root(), "base").tensor;
  t.shape = {std::int64_t{1} << 40, std::int64_t{1} << 40};
  t.strides = {std::int64_t{1} << 40, 1};
  EXPECT_THROW(checkpoint.read_tensor(t), ModelError);
  t = tensor_at(checkpoint.root(), "base").tensor;
  t.storage.dtype = DType::Float64;
  try {
    checkpoint.read_tensor(t);
    ADD_FAILURE() << "no error";
  } catch (const ModelError& e) {
    EXPECT_THAT(e.what(), HasSubstr("holds float32, not float64"));
  }
  t = tensor_at(checkpoint.root(), "base").tensor;
  t.storage.key = "no such key";
  EXPECT_THROW(checkpoint.read_tensor(t), ModelError);
}

TEST(TorchCheckpointErrors, TruncatedLegacyHeader) {
  std::vector<std::uint8_t> data = read_file(kDir + "tensors_legacy.pt");
  data.resize(100);
  ScratchFile cut("cut_header.pt");
  cut.write(data);
  EXPECT_THAT(model_error_of(cut.path()), HasSubstr("truncated pickle"));
}

}  // namespace
}  // namespace lift3d::io
