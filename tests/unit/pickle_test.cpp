#include "io/pickle.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "lift3d/error.hpp"
#include "io/file.hpp"

namespace lift3d::io {
namespace {

using ::testing::HasSubstr;
using Kind = Value::Kind;
using json = nlohmann::json;

const std::string kDir = std::string(LIFT3D_FIXTURES_DIR) + "/pickle/";

std::vector<std::uint8_t> fixture(const std::string& name) { return read_file(kDir + name); }

json fixture_json(const std::string& name) {
  std::ifstream in(kDir + name);
  return json::parse(in);
}

PickleDocument decode(const std::vector<std::uint8_t>& data, const UnpickleOptions& options = {}) {
  return unpickle(data.data(), data.size(), options);
}

PickleDocument decode(const std::string& data, const UnpickleOptions& options = {}) {
  return unpickle(reinterpret_cast<const std::uint8_t*>(data.data()), data.size(), options);
}

// The message of the InputError that decoding `data` throws ("" when it does not throw).
template <typename Data>
std::string error_of(const Data& data, const UnpickleOptions& options = {}) {
  try {
    decode(data, options);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

std::string hex(const std::string& bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

std::string hex(const std::vector<std::uint8_t>& bytes) {
  return hex(std::string(bytes.begin(), bytes.end()));
}

std::string float_bits(double value) {
  std::uint64_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  std::string big_endian(8, '\0');
  for (int i = 0; i < 8; ++i) big_endian[i] = static_cast<char>(bits >> (56 - 8 * i));
  return hex(big_endian);
}

// Compares a decoded value with an expectation the fixture script wrote from Python's own objects.
void expect_value(const Value& value, const json& expected, const std::string& path) {
  SCOPED_TRACE(path);
  const std::string type = expected.at("t");
  auto expect_items = [&](const std::vector<Value*>& items) {
    const json& wanted = expected.at("items");
    ASSERT_EQ(items.size(), wanted.size());
    for (std::size_t i = 0; i < items.size(); ++i)
      expect_value(*items[i], wanted[i], path + "[" + std::to_string(i) + "]");
  };
  if (type == "none") {
    EXPECT_TRUE(value.is(Kind::None)) << value.describe();
  } else if (type == "bool") {
    ASSERT_TRUE(value.is(Kind::Bool)) << value.describe();
    EXPECT_EQ(value.boolean, expected.at("v").get<bool>());
  } else if (type == "int") {
    ASSERT_TRUE(value.is(Kind::Int)) << value.describe();
    EXPECT_EQ(value.integer, expected.at("v").get<std::int64_t>());
    EXPECT_EQ(value.text, "");
  } else if (type == "bigint") {
    ASSERT_TRUE(value.is(Kind::Int)) << value.describe();
    EXPECT_EQ(value.text, expected.at("hex").get<std::string>());
  } else if (type == "float") {
    ASSERT_TRUE(value.is(Kind::Float)) << value.describe();
    EXPECT_EQ(float_bits(value.real), expected.at("bits").get<std::string>()) << value.real;
  } else if (type == "str") {
    ASSERT_TRUE(value.is(Kind::Str)) << value.describe();
    EXPECT_EQ(value.text, expected.at("v").get<std::string>());
  } else if (type == "bytes") {
    ASSERT_TRUE(value.is(Kind::Bytes)) << value.describe();
    EXPECT_EQ(hex(value.text), expected.at("hex").get<std::string>());
  } else if (type == "list") {
    ASSERT_TRUE(value.is(Kind::List)) << value.describe();
    expect_items(value.items);
  } else if (type == "tuple") {
    ASSERT_TRUE(value.is(Kind::Tuple)) << value.describe();
    expect_items(value.items);
  } else if (type == "dict") {
    ASSERT_TRUE(value.is(Kind::Dict)) << value.describe();
    const json& wanted = expected.at("entries");
    ASSERT_EQ(value.entries.size(), wanted.size());
    for (std::size_t i = 0; i < wanted.size(); ++i) {
      const std::string where = path + "{" + std::to_string(i) + "}";
      expect_value(*value.entries[i].first, wanted[i][0], where + ".key");
      expect_value(*value.entries[i].second, wanted[i][1], where + ".value");
    }
  } else if (type == "array") {
    ASSERT_TRUE(value.is(Kind::Array)) << value.describe();
    EXPECT_EQ(dtype_name(value.array.dtype), expected.at("dtype").get<std::string>());
    EXPECT_EQ(value.array.shape, expected.at("shape").get<std::vector<std::int64_t>>());
    EXPECT_EQ(hex(value.array.bytes), expected.at("hex").get<std::string>());
  } else if (type == "objarray") {
    ASSERT_TRUE(value.is(Kind::List)) << value.describe();
    EXPECT_EQ(value.array.shape, expected.at("shape").get<std::vector<std::int64_t>>());
    expect_items(value.items);
  } else if (type == "opaque") {
    ASSERT_TRUE(value.is(Kind::Opaque)) << value.describe();
    EXPECT_EQ(value.text, expected.at("name").get<std::string>());
  } else {
    FAIL() << "unknown expectation type " << type;
  }
}

std::string repeat(const std::string& text, std::size_t times) {
  std::string out;
  for (std::size_t i = 0; i < times; ++i) out += text;
  return out;
}

// A byte string from a literal that may contain NULs.
template <std::size_t N>
std::string bin(const char (&literal)[N]) {
  return std::string(literal, N - 1);
}

// ------------------------------------------------------------------------------------------------
// Pickles written by Python's pickle module

class PythonProtocol : public ::testing::TestWithParam<int> {
 protected:
  std::string name(const std::string& stem) const {
    return stem + "_p" + std::to_string(GetParam()) + ".pkl";
  }
};

TEST_P(PythonProtocol, DecodesEveryKindOfValueExactly) {
  const auto data = fixture(name("values"));
  std::size_t consumed = 0;
  PickleDocument doc = unpickle(data.data(), data.size(), {}, &consumed);
  EXPECT_EQ(consumed, data.size());
  expect_value(*doc.root(), fixture_json("values.json"), "values");
}

TEST_P(PythonProtocol, KeepsSharedReferencesShared) {
  PickleDocument doc = decode(fixture(name("values")));
  const Value& root = *doc.root();
  ASSERT_NE(root.find("shared_a"), nullptr);
  EXPECT_EQ(root.find("shared_a"), root.find("shared_b"));
  const Value* strs = root.find("strs");
  ASSERT_NE(strs, nullptr);
  ASSERT_EQ(strs->items.size(), 300u);
  EXPECT_EQ(root.find("late_str"), strs->items[299]);  // LONG_BINGET / GET of a late memo slot
}

TEST_P(PythonProtocol, RebuildsSelfReferencingContainers) {
  PickleDocument doc = decode(fixture(name("recursive")));
  const Value& root = *doc.root();
  ASSERT_TRUE(root.is(Kind::List));
  ASSERT_EQ(root.items.size(), 1u);
  const Value* pair = root.items[0];
  ASSERT_TRUE(pair->is(Kind::Tuple));
  ASSERT_EQ(pair->items.size(), 2u);
  const Value* inner = pair->items[0];
  ASSERT_TRUE(inner->is(Kind::List));
  ASSERT_EQ(inner->items.size(), 1u);
  EXPECT_EQ(inner->items[0], pair);
  EXPECT_EQ(pair->items[1]->integer, 1);
}

UnpickleOptions loader_prefixing_loaded() {
  UnpickleOptions options;
  options.persistent_load = [](PickleDocument& doc, const Value& pid) {
    Value* value = doc.make(Kind::Str);
    value->text = "loaded " + pid.text;
    return value;
  };
  return options;
}

TEST_P(PythonProtocol, HandsPersistentIdsToTheLoader) {
  PickleDocument doc = decode(fixture(name("persistent")), loader_prefixing_loaded());
  expect_value(*doc.root(), fixture_json("persistent.json"), "persistent");
}

TEST_P(PythonProtocol, RejectsPersistentIdsWithoutALoader) {
  EXPECT_THAT(error_of(fixture(name("persistent"))), HasSubstr("persistent ids are not supported"));
}

TEST_P(PythonProtocol, RefusesOsSystemViaReduce) {
  const std::string message = error_of(fixture(name("hostile_reduce_system")));
  EXPECT_THAT(message, HasSubstr("refusing to load global '"));
  EXPECT_THAT(message, HasSubstr("system'"));
}

TEST_P(PythonProtocol, RefusesBuiltinEval) {
  const std::string message = error_of(fixture(name("hostile_reduce_eval")));
  EXPECT_THAT(message, HasSubstr("refusing to load global '"));
  EXPECT_THAT(message, HasSubstr("eval'"));
}

TEST_P(PythonProtocol, RefusesPopenViaNewObj) {
  const std::string message = error_of(fixture(name("hostile_newobj_popen")));
  EXPECT_THAT(message, HasSubstr("refusing to load global '"));
  EXPECT_THAT(message, HasSubstr("Popen'"));
}

TEST_P(PythonProtocol, RefusesOsSystemInsideBuildState) {
  const std::string message = error_of(fixture(name("hostile_build_state_system")));
  EXPECT_THAT(message, HasSubstr("refusing to load global '"));
  EXPECT_THAT(message, HasSubstr("system'"));
}

INSTANTIATE_TEST_SUITE_P(Protocols0To5, PythonProtocol, ::testing::Range(0, 6));

TEST(Unpickle, FixturesCoverEveryOpcode) {
  // The fixture script fails unless its pickles use every opcode pickletools knows; this pins
  // that list so a regenerated fixture set cannot silently lose one.
  const std::vector<std::string> covered = fixture_json("manifest.json").at("covered_opcodes");
  const std::vector<std::string> all = {"ADDITEMS",
                                        "APPEND",
                                        "APPENDS",
                                        "BINBYTES",
                                        "BINBYTES8",
                                        "BINFLOAT",
                                        "BINGET",
                                        "BININT",
                                        "BININT1",
                                        "BININT2",
                                        "BINPERSID",
                                        "BINPUT",
                                        "BINSTRING",
                                        "BINUNICODE",
                                        "BINUNICODE8",
                                        "BUILD",
                                        "BYTEARRAY8",
                                        "DICT",
                                        "DUP",
                                        "EMPTY_DICT",
                                        "EMPTY_LIST",
                                        "EMPTY_SET",
                                        "EMPTY_TUPLE",
                                        "EXT1",
                                        "EXT2",
                                        "EXT4",
                                        "FLOAT",
                                        "FRAME",
                                        "FROZENSET",
                                        "GET",
                                        "GLOBAL",
                                        "INST",
                                        "INT",
                                        "LIST",
                                        "LONG",
                                        "LONG1",
                                        "LONG4",
                                        "LONG_BINGET",
                                        "LONG_BINPUT",
                                        "MARK",
                                        "MEMOIZE",
                                        "NEWFALSE",
                                        "NEWOBJ",
                                        "NEWOBJ_EX",
                                        "NEWTRUE",
                                        "NEXT_BUFFER",
                                        "NONE",
                                        "OBJ",
                                        "PERSID",
                                        "POP",
                                        "POP_MARK",
                                        "PROTO",
                                        "PUT",
                                        "READONLY_BUFFER",
                                        "REDUCE",
                                        "SETITEM",
                                        "SETITEMS",
                                        "SHORT_BINBYTES",
                                        "SHORT_BINSTRING",
                                        "SHORT_BINUNICODE",
                                        "STACK_GLOBAL",
                                        "STOP",
                                        "STRING",
                                        "TUPLE",
                                        "TUPLE1",
                                        "TUPLE2",
                                        "TUPLE3",
                                        "UNICODE"};
  EXPECT_EQ(covered, all);
}

TEST(Unpickle, HandAssembledPicklesMatchPython) {
  const json handmade = fixture_json("manifest.json").at("handmade");
  ASSERT_FALSE(handmade.empty());
  for (const auto& [name, expected] : handmade.items()) {
    PickleDocument doc = decode(fixture("handmade_" + name + ".pkl"));
    expect_value(*doc.root(), expected, name);
  }
}

TEST(Unpickle, NewObjExOfAnUnknownClassIsOpaque) {
  PickleDocument doc = decode(fixture("newobj_ex_p4.pkl"));
  ASSERT_TRUE(doc.root()->is(Kind::List));
  ASSERT_EQ(doc.root()->items.size(), 1u);
  EXPECT_TRUE(doc.root()->items[0]->is(Kind::Opaque));
  EXPECT_EQ(doc.root()->items[0]->text, "__main__.Point");
  EXPECT_EQ(doc.root()->items[0]->describe(), "opaque __main__.Point");
}

TEST(Unpickle, RejectsTheExtensionRegistry) {
  for (const char* name : {"reject_ext1.pkl", "reject_ext2.pkl", "reject_ext4.pkl"}) {
    EXPECT_THAT(error_of(fixture(name)), HasSubstr("extension registry is not supported")) << name;
  }
}

TEST(Unpickle, RejectsOutOfBandBuffers) {
  EXPECT_THAT(error_of(fixture("reject_buffers.pkl")), HasSubstr("out-of-band buffers are not supported"));
}

// ------------------------------------------------------------------------------------------------
// Hostile pickles assembled by hand

TEST(UnpickleHostile, RefusesGlobal) {
  EXPECT_THAT(error_of(std::string("cos\nsystem\n(S'echo hi'\ntR.")),
              HasSubstr("refusing to load global 'os.system' (byte offset 0)"));
}

TEST(UnpickleHostile, RefusesStackGlobal) {
  EXPECT_THAT(error_of(bin("\x80\x04\x8c\x02os\x8c\x06system\x93.")),
              HasSubstr("refusing to load global 'os.system'"));
}

TEST(UnpickleHostile, RefusesDottedNamesThatReachOs) {
  // Protocol 4 resolves "os.system" attribute by attribute starting from posixpath.
  EXPECT_THAT(error_of(bin("\x80\x04\x8c\tposixpath\x8c\tos.system\x93.")),
              HasSubstr("refusing to load global 'posixpath.os.system'"));
  EXPECT_THAT(error_of(std::string("ccollections\n__builtins__.eval\n.")),
              HasSubstr("refusing to load global 'collections.__builtins__.eval'"));
}

TEST(UnpickleHostile, RefusesInst) {
  EXPECT_THAT(error_of(std::string("(S'echo hi'\nios\nsystem\n.")),
              HasSubstr("refusing to load global 'os.system'"));
}

TEST(UnpickleHostile, RefusesObj) {
  EXPECT_THAT(error_of(std::string("(cos\nsystem\nS'echo hi'\no.")),
              HasSubstr("refusing to load global 'os.system'"));
}

TEST(UnpickleHostile, RefusesCodeRunningBuiltinsAndModules) {
  for (const char* global :
       {"builtins\nexec", "__builtin__\neval", "builtins\ngetattr", "builtins\n__import__", "builtins\nopen",
        "subprocess\nPopen", "sys\nmodules", "importlib\nimport_module", "runpy\nrun_path", "pickle\nloads",
        "shutil\nrmtree", "socket\nsocket", "webbrowser\nopen", "nt\nsystem", "posix\nsystem",
        "torch.storage\n_load_from_bytes", "torch.serialization\nload",
        "numpy.testing._private.utils\nrunstring"}) {
    const std::string data = std::string("c") + global + "\n.";
    EXPECT_THAT(error_of(data), HasSubstr("refusing to load global")) << global;
  }
}

TEST(UnpickleOpaque, UnknownClassesStayOpaqueThroughReduceBuildAndItems) {
  // torch.optim.adam.Adam() with a BUILD state, then APPENDS and SETITEMS on the result.
  const std::string data =
      bin("\x80\x02"
          "ctorch.optim.adam\nAdam\n)R}X\x02\x00\x00\x00lrG?\x1a\x36\xe2\xeb\x1c\x43\x2d"
          "sb"
          "(K\x01"
          "e"
          "(K\x01K\x02u.");
  PickleDocument doc = decode(data);
  ASSERT_TRUE(doc.root()->is(Kind::Opaque));
  EXPECT_EQ(doc.root()->text, "torch.optim.adam.Adam");
  EXPECT_TRUE(doc.root()->items.empty());
  EXPECT_TRUE(doc.root()->entries.empty());
}

// A numpy RandomState (how training checkpoints hold the shuffling state): the object stays opaque,
// its BUILD state is kept aside for a caller that knows the class.
TEST(UnpickleOpaque, KeepsTheBuildStateAside) {
  const std::string data = bin("\x80\x02"
                               "cnumpy.random._pickle\n__randomstate_ctor\n)R}X\x03\x00\x00\x00posK\x07sb.");
  PickleDocument doc = decode(data);
  ASSERT_TRUE(doc.root()->is(Kind::Opaque));
  ASSERT_NE(doc.root()->state, nullptr);
  ASSERT_NE(doc.root()->state->find("pos"), nullptr);
  EXPECT_EQ(doc.root()->state->find("pos")->integer, 7);
  EXPECT_TRUE(doc.root()->items.empty());
}

TEST(UnpickleOpaque, BareUnknownGlobalIsOpaque) {
  PickleDocument doc = decode(std::string("cnumpy.random.mtrand\nRandomState\n."));
  EXPECT_EQ(doc.root()->describe(), "opaque numpy.random.mtrand.RandomState");
}

TEST(UnpickleOpaque, WhitelistedGlobalBeforeItIsCalled) {
  PickleDocument doc = decode(std::string("ctorch\nFloatStorage\n."));
  EXPECT_TRUE(doc.root()->is(Kind::Global));
  EXPECT_EQ(doc.root()->describe(), "global torch.FloatStorage");
}

// ------------------------------------------------------------------------------------------------
// Limits

TEST(UnpickleLimits, MarksDeeperThanMaxDepthFail) {
  EXPECT_THAT(error_of(repeat("(", 1001) + "."), HasSubstr("nesting deeper than 1000 levels"));
}

TEST(UnpickleLimits, NestedListsDeeperThanMaxDepthFail) {
  EXPECT_THAT(error_of(repeat("]", 2000) + repeat("a", 1999) + "."),
              HasSubstr("nesting deeper than 1000 levels"));
}

TEST(UnpickleLimits, NestingThroughTheMemoIsCountedToo) {
  // Each round nests the previous list one level deeper without growing the stack.
  std::string data = "]p0\n";
  for (int i = 0; i < 1100; ++i) data += "]g" + std::to_string(i) + "\nap" + std::to_string(i + 1) + "\n0";
  data += "g0\n.";
  EXPECT_THAT(error_of(data), HasSubstr("nesting deeper than 1000 levels"));
}

TEST(UnpickleLimits, NestingWithinMaxDepthDecodes) {
  PickleDocument doc = decode(repeat("]", 500) + repeat("a", 499) + ".");
  int depth = 1;
  for (const Value* v = doc.root(); !v->items.empty(); v = v->items[0]) ++depth;
  EXPECT_EQ(depth, 500);
}

TEST(UnpickleLimits, MaxDepthIsConfigurable) {
  UnpickleOptions options;
  options.max_depth = 10;
  EXPECT_NO_THROW(decode(repeat("]", 10) + repeat("a", 9) + ".", options));
  EXPECT_THAT(error_of(repeat("]", 11) + repeat("a", 10) + ".", options),
              HasSubstr("nesting deeper than 10 levels"));
}

TEST(UnpickleLimits, GetOfAnUnsetMemoIndexFails) {
  EXPECT_THAT(error_of(std::string("g5\n.")), HasSubstr("memo index 5 is not set (byte offset 0)"));
  EXPECT_THAT(error_of(std::string("\x80\x02h\x07.")), HasSubstr("memo index 7 is not set (byte offset 2)"));
  EXPECT_THAT(error_of(std::string("\x80\x02j\xff\xff\xff\xff.")),
              HasSubstr("memo index 4294967295 is not set"));
}

TEST(UnpickleLimits, HugeMemoIndicesNeitherAllocateNorOverflow) {
  PickleDocument doc =
      decode(bin("\x80\x02K\x2ar\xff\xff\xff\xff"
                 "0j\xff\xff\xff\xff."));
  EXPECT_EQ(doc.root()->integer, 42);
  EXPECT_THAT(error_of(std::string("I1\np99999999999\n.")), HasSubstr("memo index 99999999999 is too large"));
  EXPECT_THAT(error_of(std::string("I1\np184467440737095516160\n.")), HasSubstr("bad memo index"));
  EXPECT_THAT(error_of(std::string("p0\n.")), HasSubstr("stack underflow"));
}

TEST(UnpickleLimits, ClaimedLengthsAreCheckedBeforeAllocating) {
  const std::string claims[] = {
      bin("X\xff\xff\xff\xff"
          "abc."),  // BINUNICODE 4 GiB
      bin("\x80\x04\x8d\xff\xff\xff\xff\xff\xff\xff\x7f"
          "abc."),  // BINUNICODE8
      bin("\x80\x04\x8e\xff\xff\xff\xff\xff\xff\xff\xff"
          "abc."),  // BINBYTES8
      bin("\x80\x05\x96\x00\x00\x00\x00\x00\x00\x00\x01"
          "abc."),  // BYTEARRAY8
      bin("B\x00\x00\x00\x10"
          "abc."),  // BINBYTES
      bin("T\x00\x00\x00\x10"
          "abc."),  // BINSTRING
      bin("\x80\x04\x95\xff\xff\xff\xff\xff\xff\xff\xff"
          "N."),  // FRAME
  };
  for (const std::string& data : claims) {
    EXPECT_THROW(decode(data), TruncatedPickleError) << hex(data);
  }
  EXPECT_THAT(error_of(bin("T\xff\xff\xff\xff"
                           "abc.")),
              HasSubstr("BINSTRING: negative length"));
}

TEST(UnpickleLimits, HugeIntegersAreRefused) {
  EXPECT_THAT(error_of(bin("\x80\x02\x8b\x00\x00\x10\x00") + std::string(1 << 20, '\x01') + "."),
              HasSubstr("LONG4: integer of 1048576 bytes is too large (limit 512)"));
  EXPECT_THAT(error_of("L" + std::string(5000, '9') + "L\n."),
              HasSubstr("integer of 5000 digits is too large"));
}

TEST(UnpickleLimits, CopiesThroughTheMemoCannotExplode) {
  // 1 MiB of bytes, then bytes(big) a thousand times: 7 input bytes each would copy 1 MiB.
  std::string data =
      bin("\x80\x02"
          "c__builtin__\nbytes\nq\x00"
          "B\x00\x00\x10\x00");
  data += std::string(1 << 20, 'x') + bin("q\x01"
                                          "0");
  for (int i = 0; i < 1000; ++i) data += bin("h\x00h\x01\x85R0");
  data += "N.";
  EXPECT_THAT(error_of(data), HasSubstr("the pickle expands to more than"));
}

TEST(UnpickleLimits, RehashingAHugeDictKeyCannotExplode) {
  std::string data =
      bin("\x80\x02}q\x00"
          "X\x00\x00\x10\x00");
  data += std::string(1 << 20, 'k') + bin("q\x01"
                                          "0");
  for (int i = 0; i < 1000; ++i) data += bin("h\x00h\x01Ns0");
  data += "N.";
  EXPECT_THAT(error_of(data), HasSubstr("the pickle expands to more than"));
}

TEST(UnpickleLimits, EveryTruncationOfAPythonPickleIsReportedAsTruncation) {
  for (const char* name :
       {"values_p0.pkl", "values_p2.pkl", "values_p5.pkl", "recursive_p1.pkl", "persistent_p3.pkl"}) {
    const auto data = fixture(name);
    const std::size_t stride = data.size() > 4000 ? 13 : 1;
    for (std::size_t length = 0; length < data.size(); length += stride) {
      EXPECT_THROW(unpickle(data.data(), length, loader_prefixing_loaded()), TruncatedPickleError)
          << name << " cut at " << length;
    }
  }
}

TEST(UnpickleLimits, CorruptedBytesNeverCrash) {
  // Deterministic byte flips: every outcome must be a value or an InputError.
  std::uint64_t state = 0x9E3779B97F4A7C15ULL;
  auto next = [&state] {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  for (const char* name : {"values_p0.pkl", "values_p2.pkl", "values_p4.pkl", "values_p5.pkl"}) {
    const auto original = fixture(name);
    for (int round = 0; round < 300; ++round) {
      auto data = original;
      const int flips = 1 + static_cast<int>(next() % 4);
      for (int f = 0; f < flips; ++f) data[next() % data.size()] = static_cast<std::uint8_t>(next());
      try {
        unpickle(data.data(), data.size(), loader_prefixing_loaded());
      } catch (const InputError&) {
      }
    }
  }
}

// ------------------------------------------------------------------------------------------------
// Malformed streams

TEST(UnpickleErrors, ReportsTheOffsetOfTheFailingOpcode) {
  EXPECT_THAT(error_of(std::string("\x80\x02K\x01K\x02\xff.")),
              HasSubstr("unknown opcode 0xff (byte offset 6)"));
}

TEST(UnpickleErrors, RejectsNewerProtocols) {
  EXPECT_THAT(error_of(std::string("\x80\x06N.")), HasSubstr("unsupported pickle protocol 6"));
}

TEST(UnpickleErrors, StackUnderflowAndMissingMarks) {
  EXPECT_THAT(error_of(std::string("a.")), HasSubstr("APPEND: stack underflow"));
  EXPECT_THAT(error_of(std::string("(.")), HasSubstr("STOP: stack underflow"));
  EXPECT_THAT(error_of(std::string("N(a.")),
              HasSubstr("APPEND: stack underflow"));  // cannot reach below a mark
  EXPECT_THAT(error_of(std::string("Nt.")), HasSubstr("TUPLE: no MARK on the stack"));
  EXPECT_THAT(error_of(std::string("")), HasSubstr("truncated pickle"));
  EXPECT_THAT(error_of(std::string("N")), HasSubstr("no STOP opcode"));
}

TEST(UnpickleErrors, TypeMismatchesAreErrors) {
  EXPECT_THAT(error_of(std::string("NNa.")), HasSubstr("APPEND on a none"));
  EXPECT_THAT(error_of(std::string("I1\nNNs.")), HasSubstr("SETITEM on a int"));
  EXPECT_THAT(error_of(std::string("I1\n)R.")), HasSubstr("REDUCE: cannot call a int"));
  EXPECT_THAT(error_of(std::string("c__builtin__\nset\nI1\nR.")),
              HasSubstr("REDUCE arguments: expected a tuple"));
  EXPECT_THAT(error_of(std::string("I1\nI2\nb.")), HasSubstr("BUILD on a int"));
  EXPECT_THAT(error_of(std::string("(I1\nd.")), HasSubstr("DICT: odd number of items"));
  EXPECT_THAT(error_of(std::string("S'abc\n.")), HasSubstr("STRING: the argument must be quoted"));
  EXPECT_THAT(error_of(std::string("Iabc\n.")), HasSubstr("INT: bad integer 'abc'"));
  EXPECT_THAT(error_of(std::string("F1.5x\n.")), HasSubstr("FLOAT: bad number '1.5x'"));
  EXPECT_THAT(error_of(std::string("V\\u12\n.")), HasSubstr("UNICODE: truncated \\u escape"));
}

TEST(UnpickleErrors, TorchRebuildChecksItsArguments) {
  // _rebuild_tensor_v2 on something that is not a storage.
  EXPECT_THAT(error_of(bin("\x80\x02"
                           "ctorch._utils\n_rebuild_tensor_v2\n(NK\x00)))\x89"
                           "}tR.")),
              HasSubstr("expected a storage, got a none"));
}

UnpickleOptions loader_making_storages() {
  UnpickleOptions options;
  options.persistent_load = [](PickleDocument& doc, const Value& pid) {
    Value* storage = doc.make(Kind::Storage);
    storage->storage.key = pid.text;
    storage->storage.dtype = DType::Float32;
    storage->storage.numel = 8;
    return storage;
  };
  return options;
}

TEST(UnpickleTorch, RebuildTensorVersionOneAndTwo) {
  for (const char* function : {"_rebuild_tensor", "_rebuild_tensor_v2"}) {
    const std::string extra = std::string(function) == "_rebuild_tensor"
                                  ? ""
                                  : bin("\x89"
                                        "ccollections\nOrderedDict\n)R");
    const std::string data = bin("\x80\x02"
                                 "ctorch._utils\n") +
                             function + bin("\n(X\x01\x00\x00\x00kQK\x02K\x02K\x03\x86K\x03K\x01\x86") +
                             extra + "tR.";
    PickleDocument doc = decode(data, loader_making_storages());
    ASSERT_TRUE(doc.root()->is(Kind::Tensor)) << function << ": " << doc.root()->describe();
    const TensorRef& t = doc.root()->tensor;
    EXPECT_EQ(t.storage.key, "k");
    EXPECT_EQ(t.storage.numel, 8);
    EXPECT_EQ(t.storage_offset, 2);
    EXPECT_EQ(t.shape, (std::vector<std::int64_t>{2, 3}));
    EXPECT_EQ(t.strides, (std::vector<std::int64_t>{3, 1}));
  }
}

TEST(UnpickleTorch, RebuildParameterReturnsItsTensor) {
  for (const char* function : {"_rebuild_parameter", "_rebuild_parameter_with_state"}) {
    const std::string state = std::string(function) == "_rebuild_parameter" ? "" : "}";
    const std::string data =
        bin("\x80\x02"
            "ctorch._utils\n") +
        function +
        bin("\n(ctorch._utils\n_rebuild_tensor\n(X\x01\x00\x00\x00kQK\x00K\x04\x85K\x01\x85tR"
            "\x88"
            "ccollections\nOrderedDict\n)R") +
        state + "tR.";
    PickleDocument doc = decode(data, loader_making_storages());
    ASSERT_TRUE(doc.root()->is(Kind::Tensor)) << function << ": " << doc.root()->describe();
    EXPECT_EQ(doc.root()->tensor.shape, (std::vector<std::int64_t>{4}));
  }
}

TEST(UnpickleTorch, UnreadableStorageTypesLeaveTheTensorOpaque) {
  UnpickleOptions options;
  options.persistent_load = [](PickleDocument& doc, const Value&) {
    Value* opaque = doc.make(Kind::Opaque);
    opaque->text = "torch.ComplexFloatStorage";
    return opaque;
  };
  const std::string data =
      bin("\x80\x02"
          "ctorch._utils\n_rebuild_tensor\n(X\x01\x00\x00\x00kQK\x00K\x04\x85K\x01\x85tR.");
  PickleDocument doc = decode(data, options);
  EXPECT_EQ(doc.root()->describe(), "opaque torch.ComplexFloatStorage");
}

// ------------------------------------------------------------------------------------------------
// Odds and ends

TEST(Unpickle, ConsumedAllowsBackToBackPickles) {
  const std::string data = bin("\x80\x02K\x07.\x80\x02X\x02\x00\x00\x00hi.");
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(data.data());
  std::size_t first = 0, second = 0;
  PickleDocument a = unpickle(bytes, data.size(), {}, &first);
  ASSERT_EQ(first, 5u);
  PickleDocument b = unpickle(bytes + first, data.size() - first, {}, &second);
  EXPECT_EQ(a.root()->integer, 7);
  EXPECT_EQ(b.root()->text, "hi");
  EXPECT_EQ(first + second, data.size());
}

TEST(Unpickle, FindMatchesStrAndBytesKeys) {
  PickleDocument doc = decode(std::string("(S'py2'\nI1\nVpy3\nI2\nI3\nI4\nd."));
  ASSERT_NE(doc.root()->find("py2"), nullptr);
  EXPECT_EQ(doc.root()->find("py2")->integer, 1);
  EXPECT_EQ(doc.root()->find("py3")->integer, 2);
  EXPECT_EQ(doc.root()->find("3"), nullptr);
  EXPECT_EQ(doc.root()->find("missing"), nullptr);
  EXPECT_EQ(doc.root()->items.size(), 0u);
}

TEST(Unpickle, DescribeNamesKinds) {
  PickleDocument doc =
      decode(bin("(N\x88"
                 "K\x01G?\xf0\x00\x00\x00\x00\x00\x00"
                 "X\x00\x00\x00\x00"
                 "C\x00])}l."));
  const std::vector<std::string> expected = {"none",  "bool", "int",   "float", "str",
                                             "bytes", "list", "tuple", "dict"};
  ASSERT_EQ(doc.root()->items.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) EXPECT_EQ(doc.root()->items[i]->describe(), expected[i]);
}

TEST(Unpickle, TorchStorageDtypes) {
  EXPECT_EQ(torch_storage_dtype("torch.FloatStorage"), DType::Float32);
  EXPECT_EQ(torch_storage_dtype("torch.DoubleStorage"), DType::Float64);
  EXPECT_EQ(torch_storage_dtype("torch.HalfStorage"), DType::Float16);
  EXPECT_EQ(torch_storage_dtype("torch.BFloat16Storage"), DType::BFloat16);
  EXPECT_EQ(torch_storage_dtype("torch.LongStorage"), DType::Int64);
  EXPECT_EQ(torch_storage_dtype("torch.IntStorage"), DType::Int32);
  EXPECT_EQ(torch_storage_dtype("torch.ShortStorage"), DType::Int16);
  EXPECT_EQ(torch_storage_dtype("torch.CharStorage"), DType::Int8);
  EXPECT_EQ(torch_storage_dtype("torch.ByteStorage"), DType::UInt8);
  EXPECT_EQ(torch_storage_dtype("torch.BoolStorage"), DType::Bool);
  EXPECT_EQ(torch_storage_dtype("torch.cuda.FloatStorage"), DType::Float32);
  EXPECT_EQ(torch_storage_dtype("torch.ComplexFloatStorage"), std::nullopt);
  EXPECT_EQ(torch_storage_dtype("FloatStorage"), std::nullopt);
}

}  // namespace
}  // namespace lift3d::io
