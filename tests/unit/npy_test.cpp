#include "io/npy.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "lift3d/error.hpp"
#include "io/zip_archive.hpp"

namespace lift3d::io {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using Bytes = std::vector<std::uint8_t>;

const std::string kFixtures = std::string(LIFT3D_FIXTURES_DIR) + "/npy/";

const nlohmann::json& expected() {
  static const nlohmann::json json = [] {
    std::ifstream in(kFixtures + "expected.json");
    if (!in) throw std::runtime_error("missing " + kFixtures + "expected.json");
    return nlohmann::json::parse(in);
  }();
  return json;
}

// Checks dtype, shape and every element against what numpy read (tools/make_npy_fixtures.py).
void expect_matches(const Array& array, const nlohmann::json& want, const std::string& what) {
  SCOPED_TRACE(what);
  EXPECT_EQ(dtype_name(array.dtype), want["dtype"].get<std::string>());
  EXPECT_EQ(array.shape, want["shape"].get<std::vector<std::int64_t>>());
  const nlohmann::json& values = want["values"];
  ASSERT_EQ(static_cast<std::size_t>(array.numel()), values.size());
  if (array.dtype == DType::UInt64) {
    for (std::size_t i = 0; i < values.size(); ++i) {
      std::uint64_t value;
      std::memcpy(&value, &array.bytes[i * 8], 8);
      EXPECT_EQ(value, values[i].get<std::uint64_t>()) << "element " << i;
    }
  } else if (array.dtype == DType::Float16 || array.dtype == DType::Float32 ||
             array.dtype == DType::Float64) {
    const std::vector<double> got = array.to_double();
    for (std::size_t i = 0; i < values.size(); ++i)
      EXPECT_EQ(got[i], values[i].get<double>()) << "element " << i;
  } else {
    const std::vector<std::int64_t> got = array.to_int64();
    for (std::size_t i = 0; i < values.size(); ++i) {
      const std::int64_t want_value =
          values[i].is_boolean() ? values[i].get<bool>() : values[i].get<std::int64_t>();
      EXPECT_EQ(got[i], want_value) << "element " << i;
    }
  }
}

std::vector<std::string> npy_fixture_names() {
  std::vector<std::string> names;
  for (const auto& item : expected()["npy"].items()) names.push_back(item.key());
  return names;
}

class NpyFixtureTest : public ::testing::TestWithParam<std::string> {};

TEST_P(NpyFixtureTest, ElementsMatchNumpy) {
  const NpyContent content = read_npy(kFixtures + GetParam());
  ASSERT_TRUE(content.array.has_value());
  EXPECT_EQ(content.object, nullptr);
  expect_matches(*content.array, expected()["npy"][GetParam()], GetParam());
}

INSTANTIATE_TEST_SUITE_P(NumpyWritten, NpyFixtureTest, ::testing::ValuesIn(npy_fixture_names()),
                         [](const auto& info) {
                           std::string name = info.param.substr(0, info.param.find('.'));
                           return name;
                         });

TEST(NpyFixtureCoverageTest, FixturesCoverEveryDtypeOrderAndLayout) {
  const nlohmann::json& npy = expected()["npy"];
  for (const char* name : {"bool.npy",
                           "int8.npy",
                           "uint8.npy",
                           "int16.npy",
                           "uint16.npy",
                           "int32.npy",
                           "uint32.npy",
                           "int64.npy",
                           "uint64.npy",
                           "float16.npy",
                           "float32.npy",
                           "float64.npy",
                           "int16_be.npy",
                           "float64_be.npy",
                           "float16_be.npy",
                           "uint64_be.npy",
                           "float64_fortran.npy",
                           "int32_fortran_be.npy",
                           "scalar_float64.npy",
                           "empty_float32.npy",
                           "float32_v2.npy",
                           "float32_v3.npy"}) {
    EXPECT_TRUE(npy.contains(name)) << name;
  }
  EXPECT_TRUE(npy["float64_fortran.npy"]["fortran_order"].get<bool>());
  EXPECT_EQ(npy["empty_float32.npy"]["shape"], nlohmann::json::parse("[0, 17, 2]"));
}

TEST(NpyReadTest, BigEndianFileGivesNativeValues) {
  const Array little = *read_npy(kFixtures + "float64.npy").array;
  const Array big = *read_npy(kFixtures + "float64_be.npy").array;
  EXPECT_EQ(little.bytes, big.bytes);
  EXPECT_EQ(big.to_double()[0], -1.5);
}

TEST(NpyReadTest, FortranOrderIsConvertedToCOrder) {
  // numpy: np.asfortranarray(np.arange(12).reshape(3, 4) * 1000 - 5000), big-endian int32.
  const Array array = *read_npy(kFixtures + "int32_fortran_be.npy").array;
  ASSERT_EQ(array.shape, (std::vector<std::int64_t>{3, 4}));
  std::vector<std::int64_t> want;
  for (int i = 0; i < 12; ++i) want.push_back(i * 1000 - 5000);
  EXPECT_EQ(array.to_int64(), want);
}

TEST(NpyReadTest, ZeroDimensionalArray) {
  const Array array = *read_npy(kFixtures + "scalar_float64.npy").array;
  EXPECT_TRUE(array.shape.empty());
  EXPECT_EQ(array.to_double(), std::vector<double>{3.25});
}

TEST(NpyReadTest, EmptyArray) {
  const Array array = *read_npy(kFixtures + "empty_float32.npy").array;
  EXPECT_EQ(array.shape, (std::vector<std::int64_t>{0, 17, 2}));
  EXPECT_TRUE(array.bytes.empty());
}

// ---- npz ----

class NpzFixtureTest : public ::testing::TestWithParam<std::string> {};

TEST_P(NpzFixtureTest, KeysAndArraysMatchNumpy) {
  const nlohmann::json& want = expected()["npz"][GetParam()];
  NpzFile npz(kFixtures + GetParam());
  EXPECT_EQ(npz.keys(), want["keys"].get<std::vector<std::string>>());
  for (const auto& item : want["arrays"].items()) {
    ASSERT_TRUE(npz.contains(item.key()));
    const NpyContent content = npz.read(item.key());
    ASSERT_TRUE(content.array.has_value()) << item.key();
    expect_matches(*content.array, item.value(), GetParam() + ":" + item.key());
  }
}

INSTANTIATE_TEST_SUITE_P(NumpyWritten, NpzFixtureTest,
                         ::testing::Values("arrays_stored.npz", "arrays_compressed.npz",
                                           "metadata_object.npz"),
                         [](const auto& info) { return info.param.substr(0, info.param.find('.')); });

TEST(NpzReadTest, StoredAndCompressedFixturesReallyDiffer) {
  const ZipArchive stored(kFixtures + "arrays_stored.npz");
  const ZipArchive compressed(kFixtures + "arrays_compressed.npz");
  EXPECT_EQ(stored.entries().at(0).method, 0);
  EXPECT_EQ(compressed.entries().at(0).method, 8);
}

TEST(NpzReadTest, ObjectArrayDecodesToTheDict) {
  NpzFile npz(kFixtures + "metadata_object.npz");
  const NpyContent content = npz.read("metadata");
  EXPECT_FALSE(content.array.has_value());
  ASSERT_NE(content.object, nullptr);
  const Value* root = content.object->root();
  ASSERT_NE(root, nullptr);
  ASSERT_TRUE(root->is(Value::Kind::Dict)) << root->describe();
  const nlohmann::json& want = expected()["npz"]["metadata_object.npz"]["metadata"];

  const Value* layout = root->find("layout_name");
  ASSERT_NE(layout, nullptr);
  ASSERT_TRUE(layout->is(Value::Kind::Str));
  EXPECT_EQ(layout->text, want["layout_name"].get<std::string>());

  const Value* joints = root->find("num_joints");
  ASSERT_NE(joints, nullptr);
  ASSERT_TRUE(joints->is(Value::Kind::Int));
  EXPECT_EQ(joints->integer, want["num_joints"].get<int>());

  const Value* symmetry = root->find("keypoints_symmetry");
  ASSERT_NE(symmetry, nullptr);
  ASSERT_TRUE(symmetry->is(Value::Kind::List));
  ASSERT_EQ(symmetry->items.size(), 2u);
  for (std::size_t side = 0; side < 2; ++side) {
    const Value* list = symmetry->items[side];
    ASSERT_TRUE(list->is(Value::Kind::List));
    std::vector<std::int64_t> got;
    for (const Value* item : list->items) got.push_back(item->integer);
    EXPECT_EQ(got, want["keypoints_symmetry"][side].get<std::vector<std::int64_t>>());
  }
}

TEST(NpzReadTest, MissingKeyListsWhatIsThere) {
  const std::string path = kFixtures + "arrays_stored.npz";
  NpzFile npz(path);
  EXPECT_FALSE(npz.contains("positions_3d"));
  EXPECT_THAT([&] { npz.read("positions_3d"); },
              ::testing::ThrowsMessage<InputError>(
                  ::testing::StrEq(path + ": no array 'positions_3d' (has: keypoints, labels, scale)")));
}

TEST(NpzReadTest, KeyWithNpySuffixAlsoWorks) {
  NpzFile npz(kFixtures + "arrays_stored.npz");
  EXPECT_TRUE(npz.contains("labels.npy"));
  EXPECT_EQ(npz.read("labels.npy").array->to_int64(), (std::vector<std::int64_t>{0, 3, 6, 9, 12}));
}

// ---- writing ----

class NpyWriteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "lift3d_npy_test_XXXXXX";
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    for (const std::string& path : written_) ::unlink(path.c_str());
    ::rmdir(dir_.c_str());
  }
  std::string path(const std::string& name) {
    written_.push_back(dir_ + "/" + name);
    return written_.back();
  }
  std::string write(const std::string& name, const Bytes& data) {
    const std::string file = path(name);
    std::ofstream(file, std::ios::binary).write(reinterpret_cast<const char*>(data.data()), data.size());
    return file;
  }
  std::string write_text(const std::string& name, const std::string& text) {
    return write(name, Bytes(text.begin(), text.end()));
  }
  static bool have_numpy() { return std::system(LIFT3D_PYTHON " -c 'import numpy' >/dev/null 2>&1") == 0; }
  // Runs a Python check script with the given file as argv[1]; 0 when every assert held.
  int run_python(const std::string& script, const std::string& file) {
    const std::string script_path = write_text("check.py", script);
    return std::system((std::string(LIFT3D_PYTHON) + " " + script_path + " " + file).c_str());
  }
  std::string dir_;
  std::vector<std::string> written_;
};

template <typename T>
Array typed(DType dtype, std::vector<std::int64_t> shape, const std::vector<T>& values) {
  Array array;
  array.dtype = dtype;
  array.shape = std::move(shape);
  array.bytes.resize(values.size() * sizeof(T));
  std::memcpy(array.bytes.data(), values.data(), array.bytes.size());
  return array;
}

TEST_F(NpyWriteTest, RoundTripsEveryNumpyDtype) {
  const std::vector<Array> arrays = {
      typed<std::uint8_t>(DType::Bool, {3}, {1, 0, 1}),
      typed<std::int8_t>(DType::Int8, {2}, {-128, 127}),
      typed<std::uint8_t>(DType::UInt8, {2}, {0, 255}),
      typed<std::int16_t>(DType::Int16, {2}, {-32768, 32767}),
      typed<std::uint16_t>(DType::UInt16, {1}, {65535}),
      typed<std::int32_t>(DType::Int32, {2, 1}, {-7, 7}),
      typed<std::uint32_t>(DType::UInt32, {1}, {4000000000u}),
      typed<std::int64_t>(DType::Int64, {1, 1, 1}, {-(1LL << 60)}),
      typed<std::uint64_t>(DType::UInt64, {1}, {~0ULL}),
      typed<std::uint16_t>(DType::Float16, {2}, {0x3c00, 0xc000}),
      Array::from_float({2, 3}, {1, 2, 3, 4, 5, 6}),
      Array::from_double({}, {2.5}),
      Array::from_float({0, 17, 2}, {}),
  };
  for (const Array& array : arrays) {
    const std::string file = path("a_" + dtype_name(array.dtype) + ".npy");
    write_npy(file, array);
    const NpyContent content = read_npy(file);
    ASSERT_TRUE(content.array.has_value());
    EXPECT_EQ(content.array->dtype, array.dtype);
    EXPECT_EQ(content.array->shape, array.shape);
    EXPECT_EQ(content.array->bytes, array.bytes) << dtype_name(array.dtype);
  }
}

TEST_F(NpyWriteTest, HeaderIsVersion1AlignedTo64Bytes) {
  const Bytes bytes = npy_bytes(Array::from_float({3}, {1, 2, 3}));
  ASSERT_GE(bytes.size(), 10u);
  EXPECT_EQ(std::memcmp(bytes.data(), "\x93NUMPY\x01\x00", 8), 0);
  const std::size_t header_size = bytes[8] | (bytes[9] << 8);
  EXPECT_EQ((10 + header_size) % 64, 0u);
  EXPECT_EQ(bytes.size(), 10 + header_size + 12);
  const std::string header(bytes.begin() + 10, bytes.begin() + 10 + header_size);
  EXPECT_EQ(header.back(), '\n');
  EXPECT_THAT(header, HasSubstr("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }"));
}

TEST_F(NpyWriteTest, BFloat16HasNoNumpyDtype) {
  EXPECT_THROW(npy_bytes(typed<std::uint16_t>(DType::BFloat16, {1}, {0x3f80})), InternalError);
}

TEST_F(NpyWriteTest, InconsistentArrayIsABug) {
  Array array = Array::from_float({2}, {1, 2});
  array.bytes.resize(3);
  EXPECT_THROW(npy_bytes(array), InternalError);
}

TEST_F(NpyWriteTest, NpzRoundTripStoredAndCompressed) {
  for (bool compress : {false, true}) {
    const std::string file = path(compress ? "c.npz" : "s.npz");
    write_npz(file,
              {{"positions", Array::from_float({2, 2}, {1, 2, 3, 4})},
               {"ids", typed<std::int64_t>(DType::Int64, {3}, {5, 6, 7})}},
              compress);
    const ZipArchive zip(file);
    EXPECT_EQ(zip.entries().at(0).name, "positions.npy");
    EXPECT_EQ(zip.entries().at(0).method, compress ? 8 : 0);
    NpzFile npz(file);
    EXPECT_EQ(npz.keys(), (std::vector<std::string>{"positions", "ids"}));
    EXPECT_EQ(npz.read("positions").array->to_float(), (std::vector<float>{1, 2, 3, 4}));
    EXPECT_EQ(npz.read("ids").array->to_int64(), (std::vector<std::int64_t>{5, 6, 7}));
  }
}

TEST_F(NpyWriteTest, NumpyLoadsWrittenNpy) {
  if (!have_numpy()) GTEST_SKIP() << LIFT3D_PYTHON << " has no numpy";
  const std::string file = path("for_numpy.npy");
  write_npy(file, Array::from_float({2, 3}, {0.5f, -1.0f, 2.0f, 1e-3f, 3.25f, -7.5f}));
  EXPECT_EQ(run_python("import sys, numpy as np\n"
                       "a = np.load(sys.argv[1])\n"
                       "assert a.dtype == np.float32 and a.shape == (2, 3), (a.dtype, a.shape)\n"
                       "assert a.flags.c_contiguous\n"
                       "want = np.array([[0.5, -1.0, 2.0], [1e-3, 3.25, -7.5]], dtype=np.float32)\n"
                       "assert np.array_equal(a, want), a\n",
                       file),
            0);
}

TEST_F(NpyWriteTest, NumpyLoadsWrittenScalarAndEmptyArrays) {
  if (!have_numpy()) GTEST_SKIP() << LIFT3D_PYTHON << " has no numpy";
  const std::string scalar = path("scalar.npy");
  write_npy(scalar, typed<std::int64_t>(DType::Int64, {}, {-42}));
  EXPECT_EQ(run_python("import sys, numpy as np\n"
                       "a = np.load(sys.argv[1])\n"
                       "assert a.shape == () and a.dtype == np.int64 and int(a) == -42\n",
                       scalar),
            0);
  const std::string empty = path("empty.npy");
  write_npy(empty, Array::from_double({0, 17, 2}, {}));
  EXPECT_EQ(run_python("import sys, numpy as np\n"
                       "a = np.load(sys.argv[1])\n"
                       "assert a.shape == (0, 17, 2) and a.dtype == np.float64\n",
                       empty),
            0);
}

TEST_F(NpyWriteTest, NumpyLoadsWrittenNpz) {
  if (!have_numpy()) GTEST_SKIP() << LIFT3D_PYTHON << " has no numpy";
  for (bool compress : {false, true}) {
    const std::string file = path(compress ? "numpy_c.npz" : "numpy_s.npz");
    write_npz(file,
              {{"positions_3d", Array::from_float({1, 2, 3}, {0.1f, 0.2f, 0.3f, -1, -2, -3})},
               {"flags", typed<std::uint8_t>(DType::Bool, {2}, {1, 0})},
               {"half", typed<std::uint16_t>(DType::Float16, {1}, {0x3555})}},
              compress);
    EXPECT_EQ(
        run_python("import sys, numpy as np\n"
                   "with np.load(sys.argv[1]) as z:\n"
                   "    assert list(z.keys()) == ['positions_3d', 'flags', 'half'], list(z.keys())\n"
                   "    p = z['positions_3d']\n"
                   "    assert p.dtype == np.float32 and p.shape == (1, 2, 3)\n"
                   "    assert np.array_equal(p, np.array([[[0.1, 0.2, 0.3], [-1, -2, -3]]], np.float32))\n"
                   "    assert z['flags'].dtype == np.bool_ and z['flags'].tolist() == [True, False]\n"
                   "    assert z['half'].dtype == np.float16 and z['half'][0] == np.float16(1/3)\n",
                   file),
        0)
        << (compress ? "compressed" : "stored");
  }
}

TEST_F(NpyWriteTest, WriteNpyIsAtomicOnFailure) {
  const std::string file = dir_ + "/missing_dir/x.npy";
  EXPECT_THAT([&] { write_npy(file, Array::from_float({1}, {1})); },
              ::testing::ThrowsMessage<InputError>(HasSubstr(file)));
}

// ---- malformed input ----

// A .npy built from a header literal and raw data, for hand-made malformed files.
Bytes make_npy(const std::string& header, const Bytes& data, int major = 1) {
  Bytes out = {0x93, 'N', 'U', 'M', 'P', 'Y', static_cast<std::uint8_t>(major), 0};
  const std::size_t size = header.size();
  out.push_back(static_cast<std::uint8_t>(size));
  out.push_back(static_cast<std::uint8_t>(size >> 8));
  if (major > 1) {
    out.push_back(static_cast<std::uint8_t>(size >> 16));
    out.push_back(static_cast<std::uint8_t>(size >> 24));
  }
  out.insert(out.end(), header.begin(), header.end());
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

std::string header_for(const std::string& descr, const std::string& shape,
                       const std::string& fortran = "False") {
  return "{'descr': '" + descr + "', 'fortran_order': " + fortran + ", 'shape': " + shape + ", }\n";
}

Bytes float_bytes(std::initializer_list<float> values) {
  Bytes out(values.size() * 4);
  std::memcpy(out.data(), std::data(values), out.size());
  return out;
}

class NpyBadInputTest : public NpyWriteTest {
 protected:
  // The InputError message from reading `data` as a file named `name`.
  std::string read_error(const std::string& name, const Bytes& data) {
    const std::string file = write(name, data);
    try {
      read_npy(file);
    } catch (const InputError& e) {
      const std::string message = e.what();
      EXPECT_THAT(message, HasSubstr(file));  // every message names the file
      return message;
    }
    return "<no InputError thrown>";
  }
};

TEST_F(NpyBadInputTest, WrongMagic) {
  Bytes data = read_file(kFixtures + "float32.npy");
  data[1] = 'X';
  EXPECT_THAT(read_error("magic.npy", data), HasSubstr("not a .npy file (bad magic)"));
  EXPECT_THAT(read_error("tiny.npy", Bytes{0x93}), HasSubstr("bad magic"));
  EXPECT_THAT(read_error("empty.npy", Bytes{}), HasSubstr("bad magic"));
}

TEST_F(NpyBadInputTest, TruncatedData) {
  Bytes data = read_file(kFixtures + "keypoints.npy");
  data.resize(data.size() - 5);
  EXPECT_THAT(read_error("cut.npy", data), AllOf(HasSubstr("truncated data"), HasSubstr("[5, 17, 2]"),
                                                 HasSubstr("needs 680 bytes, only 675")));
}

TEST_F(NpyBadInputTest, TruncatedHeader) {
  Bytes data = read_file(kFixtures + "keypoints.npy");
  data.resize(40);
  EXPECT_THAT(read_error("head.npy", data), HasSubstr("truncated .npy header"));
  data.resize(9);
  EXPECT_THAT(read_error("head2.npy", data), HasSubstr("truncated .npy header"));
}

TEST_F(NpyBadInputTest, HugeShapeIsRejectedBeforeAllocating) {
  // 8 TB claimed by a file of a few dozen bytes.
  EXPECT_THAT(read_error("huge.npy", make_npy(header_for("<f8", "(1000000, 1000000)"), float_bytes({1}))),
              AllOf(HasSubstr("[1000000, 1000000]"), HasSubstr("needs 8000000000000 bytes, only 4")));
}

TEST_F(NpyBadInputTest, OverflowingShapeIsRejected) {
  EXPECT_THAT(read_error("overflow.npy", make_npy(header_for("<f4", "(4294967296, 4294967296, 4294967296)"),
                                                  float_bytes({1}))),
              HasSubstr("is too large"));
  EXPECT_THAT(read_error("bytes_overflow.npy", make_npy(header_for("<f8", "(2305843009213693952,)"), {})),
              HasSubstr("is too large"));
  EXPECT_THAT(read_error("digits.npy", make_npy(header_for("<f4", "(99999999999999999999,)"), {})),
              HasSubstr("dimension too large"));
}

TEST_F(NpyBadInputTest, StrayBytesAfterData) {
  EXPECT_THAT(read_error("stray.npy", make_npy(header_for("<f4", "(1,)"), float_bytes({1, 2}))),
              HasSubstr("4 stray bytes after the array data"));
}

TEST_F(NpyBadInputTest, UnsupportedDtypes) {
  EXPECT_THAT(read_error("complex.npy", make_npy(header_for("<c8", "(1,)"), Bytes(8))),
              HasSubstr("unsupported dtype '<c8'"));
  EXPECT_THAT(read_error("unicode.npy", make_npy(header_for("<U10", "(1,)"), Bytes(40))),
              HasSubstr("unsupported dtype '<U10'"));
  EXPECT_THAT(read_error("noorder.npy", make_npy(header_for("|f4", "(1,)"), Bytes(4))),
              HasSubstr("byte order"));
  EXPECT_THAT(
      read_error("structured.npy",
                 make_npy("{'descr': [('x', '<f4')], 'fortran_order': False, 'shape': (1,), }\n", Bytes(4))),
      HasSubstr("structured dtypes are not supported"));
}

TEST_F(NpyBadInputTest, UnsupportedVersion) {
  EXPECT_THAT(read_error("v4.npy", make_npy(header_for("<f4", "(1,)"), float_bytes({1}), 4)),
              HasSubstr("unsupported .npy format version 4.0"));
}

TEST_F(NpyBadInputTest, MalformedHeaders) {
  const Bytes one = float_bytes({1});
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"{'descr': '<f4', 'shape': (1,), }", "missing key 'fortran_order'"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'extra': 1}", "unexpected key 'extra'"},
      {"{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (1,)}", "duplicate key 'descr'"},
      {"{'descr': '<f4', 'fortran_order': 0, 'shape': (1,)}", "expected True or False"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}", "non-negative integer"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': [1]}", "expected '('"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (1,)} junk", "unexpected text after"},
      {"{'descr': '<f4' 'fortran_order': False, 'shape': (1,)}", "expected ',' or '}'"},
      {"{'descr': '<f\\x34', 'fortran_order': False, 'shape': (1,)}", "escape sequences"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (1,)", "unexpected end"},
      {"", "unexpected end"},
  };
  int index = 0;
  for (const auto& [header, problem] : cases) {
    EXPECT_THAT(read_error("h" + std::to_string(index++) + ".npy", make_npy(header, one)),
                AllOf(HasSubstr("malformed header"), HasSubstr(problem)))
        << header;
  }
}

TEST_F(NpyBadInputTest, NonAsciiHeaderNeedsVersion3) {
  const std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), } \xc3\xa9";
  EXPECT_THAT(read_error("utf8.npy", make_npy(header, float_bytes({1}))), HasSubstr("non-ascii"));
}

TEST_F(NpyBadInputTest, GarbageObjectArray) {
  EXPECT_THAT(read_error("object.npy", make_npy(header_for("|O", "()"), Bytes{0x80, 0x03, 0xff, 0xff})),
              HasSubstr("object array"));
}

TEST_F(NpyBadInputTest, NpzMemberWithBadNpyNamesFileAndMember) {
  ZipWriter writer;
  writer.add("good.npy", npy_bytes(Array::from_float({1}, {1})), true);
  Bytes bad = npy_bytes(Array::from_float({4}, {1, 2, 3, 4}));
  bad.resize(bad.size() - 4);
  writer.add("bad.npy", bad, true);
  const std::string file = write("members.npz", writer.bytes());
  NpzFile npz(file);
  EXPECT_EQ(npz.read("good").array->to_float(), std::vector<float>{1});
  EXPECT_THAT([&] { npz.read("bad"); },
              ::testing::ThrowsMessage<InputError>(AllOf(
                  HasSubstr(file + ": member 'bad.npy': truncated data"), HasSubstr("needs 16 bytes"))));
}

TEST_F(NpyBadInputTest, NpzThatIsNotAZip) {
  const std::string file = write("plain.npz", read_file(kFixtures + "float32.npy"));
  EXPECT_THAT([&] { NpzFile npz(file); },
              ::testing::ThrowsMessage<InputError>(AllOf(HasSubstr(file), HasSubstr("not a zip archive"))));
}

TEST_F(NpyBadInputTest, TruncatedNpz) {
  Bytes data = read_file(kFixtures + "arrays_compressed.npz");
  data.resize(data.size() / 2);
  const std::string file = write("cut.npz", data);
  EXPECT_THAT([&] { NpzFile npz(file); },
              ::testing::ThrowsMessage<InputError>(AllOf(HasSubstr(file), HasSubstr("not a zip archive"))));
}

TEST_F(NpyBadInputTest, CorruptCompressedNpzMember) {
  Bytes data = read_file(kFixtures + "arrays_compressed.npz");
  const ZipArchive zip(kFixtures + "arrays_compressed.npz");
  const ZipEntry& entry = zip.entries().at(0);
  // Flip a byte in the middle of the first member's deflate stream.
  const std::size_t name_and_extra = data[entry.local_header_offset + 26] + data[entry.local_header_offset + 28];
  data[entry.local_header_offset + 30 + name_and_extra + entry.compressed_size / 2] ^= 0x55;
  const std::string file = write("corrupt.npz", data);
  NpzFile npz(file);
  EXPECT_THAT([&] { npz.read("keypoints"); },
              ::testing::ThrowsMessage<InputError>(
                  AllOf(HasSubstr(file), HasSubstr("member 'keypoints.npy'"),
                        ::testing::AnyOf(HasSubstr("crc mismatch"), HasSubstr("deflate"), HasSubstr("inflates")))));
}

// ---- lenient where numpy is ----

TEST_F(NpyWriteTest, AcceptsLegacyAndUnusualButValidHeaders) {
  const Bytes one = float_bytes({1.5f});
  // No trailing comma, double quotes, keys in another order, Python 2 long literals, '=' byte order.
  for (const std::string& header :
       {std::string("{'shape': (1,), 'fortran_order': False, 'descr': '<f4'}\n"),
        std::string("{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (1L,)}"),
        header_for("=f4", "(1,)")}) {
    const Array array = *parse_npy(make_npy(header, one).data(), make_npy(header, one).size()).array;
    EXPECT_EQ(array.to_float(), std::vector<float>{1.5f}) << header;
  }
}

TEST_F(NpyWriteTest, FortranFlagOnOneDimensionalArrayChangesNothing) {
  const Bytes data = make_npy(header_for("<f4", "(3,)", "True"), float_bytes({1, 2, 3}));
  EXPECT_EQ(parse_npy(data.data(), data.size()).array->to_float(), (std::vector<float>{1, 2, 3}));
}

TEST_F(NpyWriteTest, ParseErrorsCarryNoFileName) {
  const Bytes data = {'n', 'o', 'p', 'e', 0, 0, 0, 0, 0, 0};
  EXPECT_THAT([&] { parse_npy(data.data(), data.size()); },
              ::testing::ThrowsMessage<InputError>(::testing::StrEq("not a .npy file (bad magic)")));
}

}  // namespace
}  // namespace lift3d::io
