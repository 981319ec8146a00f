#include "io/zip_archive.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "lift3d/error.hpp"

namespace lift3d::io {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

using Bytes = std::vector<std::uint8_t>;

const std::string kFixtures = std::string(LIFT3D_FIXTURES_DIR) + "/npy/";

Bytes bytes_of(const std::string& text) { return Bytes(text.begin(), text.end()); }

Bytes from_hex(const std::string& hex) {
  Bytes out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<std::uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}

std::uint32_t crc_of(const Bytes& data) {
  return static_cast<std::uint32_t>(::crc32(0, data.data(), static_cast<uInt>(data.size())));
}

Bytes raw_deflate(const Bytes& data) {
  z_stream stream{};
  EXPECT_EQ(deflateInit2(&stream, 9, Z_DEFLATED, -MAX_WBITS, 9, Z_DEFAULT_STRATEGY), Z_OK);
  Bytes out(deflateBound(&stream, static_cast<uLong>(data.size())));
  stream.next_in = const_cast<Bytef*>(data.data());
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = out.data();
  stream.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&stream, Z_FINISH), Z_STREAM_END);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

void put16(Bytes& out, std::uint64_t v) {
  out.push_back(static_cast<std::uint8_t>(v));
  out.push_back(static_cast<std::uint8_t>(v >> 8));
}
void put32(Bytes& out, std::uint64_t v) {
  put16(out, v & 0xffff);
  put16(out, (v >> 16) & 0xffff);
}
void put64(Bytes& out, std::uint64_t v) {
  put32(out, v & 0xffffffffu);
  put32(out, v >> 32);
}

// A hand-rolled zip builder whose every field can lie, for the malformed-input tests.
struct RawMember {
  std::string name;
  Bytes payload;  // exactly what goes into the file after the local header
  std::uint16_t method = 0;
  std::uint32_t crc = 0;
  std::uint64_t compressed_size = 0;
  std::uint64_t uncompressed_size = 0;
  std::uint16_t flags = 0;
  bool zip64_central = false;  // sizes and offset in a zip64 extra field of the central header
  std::int64_t offset_override = -1;
  bool write_local = true;  // false: only a central directory entry (pointing at offset_override)
};

Bytes local_header(const RawMember& m) {
  Bytes out;
  put32(out, 0x04034b50);
  put16(out, 20);
  put16(out, m.flags);
  put16(out, m.method);
  put32(out, 0);
  put32(out, m.crc);
  put32(out, m.compressed_size);
  put32(out, m.uncompressed_size);
  put16(out, m.name.size());
  put16(out, 0);
  out.insert(out.end(), m.name.begin(), m.name.end());
  return out;
}

RawMember stored(const std::string& name, const Bytes& data) {
  return {name, data, 0, crc_of(data), data.size(), data.size()};
}
RawMember deflated(const std::string& name, const Bytes& data) {
  const Bytes compressed = raw_deflate(data);
  return {name, compressed, 8, crc_of(data), compressed.size(), data.size()};
}

Bytes build_zip(const std::vector<RawMember>& members, bool zip64_end = false,
                const std::string& comment = "") {
  Bytes out, directory;
  for (const RawMember& m : members) {
    const std::uint64_t offset =
        m.offset_override >= 0 ? static_cast<std::uint64_t>(m.offset_override) : out.size();
    if (m.write_local) {
      const Bytes header = local_header(m);
      out.insert(out.end(), header.begin(), header.end());
      out.insert(out.end(), m.payload.begin(), m.payload.end());
    }

    put32(directory, 0x02014b50);
    put16(directory, 20);
    put16(directory, 20);
    put16(directory, m.flags);
    put16(directory, m.method);
    put32(directory, 0);
    put32(directory, m.crc);
    put32(directory, m.zip64_central ? 0xffffffffu : m.compressed_size);
    put32(directory, m.zip64_central ? 0xffffffffu : m.uncompressed_size);
    put16(directory, m.name.size());
    put16(directory, m.zip64_central ? 28 : 0);
    put16(directory, 0);
    put16(directory, 0);
    put16(directory, 0);
    put32(directory, 0);
    put32(directory, m.zip64_central ? 0xffffffffu : offset);
    directory.insert(directory.end(), m.name.begin(), m.name.end());
    if (m.zip64_central) {
      put16(directory, 1);
      put16(directory, 24);
      put64(directory, m.uncompressed_size);
      put64(directory, m.compressed_size);
      put64(directory, offset);
    }
  }
  const std::uint64_t directory_offset = out.size();
  out.insert(out.end(), directory.begin(), directory.end());
  if (zip64_end) {
    const std::uint64_t record_offset = out.size();
    put32(out, 0x06064b50);
    put64(out, 44);
    put16(out, 45);
    put16(out, 45);
    put32(out, 0);
    put32(out, 0);
    put64(out, members.size());
    put64(out, members.size());
    put64(out, directory.size());
    put64(out, directory_offset);
    put32(out, 0x07064b50);
    put32(out, 0);
    put64(out, record_offset);
    put32(out, 1);
  }
  put32(out, 0x06054b50);
  put16(out, 0);
  put16(out, 0);
  put16(out, zip64_end ? 0xffff : members.size());
  put16(out, zip64_end ? 0xffff : members.size());
  put32(out, zip64_end ? 0xffffffffu : directory.size());
  put32(out, zip64_end ? 0xffffffffu : directory_offset);
  put16(out, comment.size());
  out.insert(out.end(), comment.begin(), comment.end());
  return out;
}

class ZipArchiveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "lift3d_zip_test_XXXXXX";
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    for (const std::string& path : written_) ::unlink(path.c_str());
    ::rmdir(dir_.c_str());
  }
  std::string write(const std::string& name, const Bytes& data) {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(data.data()), data.size());
    written_.push_back(path);
    return path;
  }
  // The InputError message from opening `data` as a zip and reading every member.
  std::string open_and_read_error(const Bytes& data, const std::string& name = "bad.zip") {
    const std::string path = write(name, data);
    try {
      ZipArchive zip(path);
      for (const ZipEntry& entry : zip.entries()) zip.read(entry);
    } catch (const InputError& e) {
      const std::string message = e.what();
      EXPECT_THAT(message, HasSubstr(path));  // every message names the file
      return message;
    }
    return "<no InputError thrown>";
  }
  std::string dir_;
  std::vector<std::string> written_;
};

TEST_F(ZipArchiveTest, WriterRoundTripsStoredAndDeflatedMembers) {
  ZipWriter writer;
  const Bytes text = bytes_of(std::string(5000, 'a') + "tail");
  Bytes binary(300);
  for (std::size_t i = 0; i < binary.size(); ++i) binary[i] = static_cast<std::uint8_t>(i * 7);
  writer.add("text.txt", text, true);
  writer.add("sub/binary.bin", binary, false);
  const std::string path = write("round.zip", writer.bytes());

  ZipArchive zip(path);
  ASSERT_EQ(zip.entries().size(), 2u);
  EXPECT_EQ(zip.path(), path);
  const ZipEntry& first = zip.entries()[0];
  EXPECT_EQ(first.name, "text.txt");
  EXPECT_EQ(first.method, 8);
  EXPECT_EQ(first.uncompressed_size, text.size());
  EXPECT_LT(first.compressed_size, 100u);
  EXPECT_EQ(first.crc32, crc_of(text));
  EXPECT_EQ(zip.read(first), text);
  const ZipEntry* second = zip.find("sub/binary.bin");
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(second->method, 0);
  EXPECT_EQ(zip.read(*second), binary);
}

// A file already open (probed for its format first, as TorchCheckpoint does) is read without
// being opened again; messages still name it.
TEST_F(ZipArchiveTest, ReadsAFileAlreadyOpen) {
  ZipWriter writer;
  writer.add("m", bytes_of("content"), true);
  const std::string path = write("open.zip", writer.bytes());
  FileReader file(path);
  std::uint8_t head[4];
  file.read(0, head, sizeof head);
  ZipArchive zip(std::move(file));
  EXPECT_EQ(zip.path(), path);
  EXPECT_EQ(zip.read(zip.entries().at(0)), bytes_of("content"));

  const std::string plain = write("plain.txt", bytes_of("not a zip archive, only some text"));
  EXPECT_THAT([&] { ZipArchive{FileReader(plain)}; },
              ::testing::ThrowsMessage<InputError>(HasSubstr(plain + ": not a zip archive")));
}

TEST_F(ZipArchiveTest, EmptyMembersRoundTrip) {
  ZipWriter writer;
  writer.add("stored", {}, false);
  writer.add("deflated", {}, true);
  ZipArchive zip(write("empty.zip", writer.bytes()));
  EXPECT_TRUE(zip.read(*zip.find("stored")).empty());
  EXPECT_TRUE(zip.read(*zip.find("deflated")).empty());
}

TEST_F(ZipArchiveTest, ArchiveWithoutMembers) {
  ZipArchive zip(write("none.zip", ZipWriter().bytes()));
  EXPECT_TRUE(zip.entries().empty());
  EXPECT_EQ(zip.find("x"), nullptr);
}

TEST_F(ZipArchiveTest, FindReturnsNullForMissingMember) {
  ZipWriter writer;
  writer.add("a", bytes_of("1"), false);
  ZipArchive zip(write("a.zip", writer.bytes()));
  EXPECT_EQ(zip.find("b"), nullptr);
  EXPECT_EQ(zip.find("A"), nullptr);
}

TEST_F(ZipArchiveTest, WriterOutputIsDeterministic) {
  ZipWriter first, second;
  for (ZipWriter* writer : {&first, &second}) {
    writer->add("x.npy", bytes_of("payload payload payload"), true);
    writer->add("y.npy", bytes_of("raw"), false);
  }
  EXPECT_EQ(first.bytes(), second.bytes());
}

TEST_F(ZipArchiveTest, WriterRejectsDuplicateNames) {
  ZipWriter writer;
  writer.add("a", bytes_of("1"), false);
  EXPECT_THROW(writer.add("a", bytes_of("2"), true), InternalError);
}

TEST_F(ZipArchiveTest, WriteIsAtomicAndReadable) {
  ZipWriter writer;
  writer.add("m", bytes_of("content"), true);
  const std::string path = dir_ + "/written.zip";
  written_.push_back(path);
  writer.write(path);
  ZipArchive zip(path);
  EXPECT_EQ(zip.read(zip.entries().at(0)), bytes_of("content"));
}

TEST_F(ZipArchiveTest, PythonZipfileReadsWriterOutput) {
  if (std::system(LIFT3D_PYTHON " -c 'import zipfile' >/dev/null 2>&1") != 0) GTEST_SKIP() << "no python3";
  ZipWriter writer;
  writer.add("deflated.txt", bytes_of(std::string(1000, 'z') + "end"), true);
  writer.add("stored.bin", bytes_of("abc"), false);
  writer.add("caf\xc3\xa9.txt", bytes_of("utf8 name"), false);
  const std::string path = write("py.zip", writer.bytes());
  const std::string script =
      "import zipfile,sys\n"
      "z=zipfile.ZipFile(sys.argv[1])\n"
      "assert z.testzip() is None\n"
      "assert z.namelist()==['deflated.txt','stored.bin','caf\\u00e9.txt'], z.namelist()\n"
      "assert z.read('deflated.txt')==b'z'*1000+b'end'\n"
      "assert z.read('stored.bin')==b'abc'\n"
      "assert z.getinfo('deflated.txt').compress_type==zipfile.ZIP_DEFLATED\n";
  const std::string script_path = write("check.py", bytes_of(script));
  EXPECT_EQ(std::system((std::string(LIFT3D_PYTHON) + " " + script_path + " " + path).c_str()), 0);
}

TEST_F(ZipArchiveTest, ReadStoredRangeReadsInsideMember) {
  ZipWriter writer;
  writer.add("data", bytes_of("0123456789"), false);
  writer.add("packed", bytes_of("0123456789"), true);
  ZipArchive zip(write("range.zip", writer.bytes()));
  char buffer[4];
  zip.read_stored_range(*zip.find("data"), 3, buffer, 4);
  EXPECT_EQ(std::string(buffer, 4), "3456");
  zip.read_stored_range(*zip.find("data"), 10, buffer, 0);
  EXPECT_THAT([&] { zip.read_stored_range(*zip.find("data"), 8, buffer, 3); },
              ::testing::ThrowsMessage<InputError>(AllOf(HasSubstr("member 'data'"), HasSubstr("exceeds"))));
  EXPECT_THAT([&] { zip.read_stored_range(*zip.find("packed"), 0, buffer, 1); },
              ::testing::ThrowsMessage<InputError>(HasSubstr("stored")));
}

TEST_F(ZipArchiveTest, MaxSizeLimitIsEnforced) {
  ZipWriter writer;
  writer.add("big", Bytes(1000, 1), true);
  const std::string path = write("limit.zip", writer.bytes());
  ZipArchive zip(path);
  EXPECT_EQ(zip.read(zip.entries()[0], 1000).size(), 1000u);
  EXPECT_THAT([&] { zip.read(zip.entries()[0], 999); },
              ::testing::ThrowsMessage<InputError>(
                  AllOf(HasSubstr(path), HasSubstr("member 'big'"), HasSubstr("exceed the limit of 999"))));
}

TEST_F(ZipArchiveTest, ArchiveCommentIsAllowed) {
  const Bytes zip = build_zip({stored("a", bytes_of("hello"))}, false, "a comment with PK\x05\x06 inside");
  ZipArchive archive(write("comment.zip", zip));
  EXPECT_EQ(archive.read(archive.entries()[0]), bytes_of("hello"));
}

TEST_F(ZipArchiveTest, HandBuiltZip64IsRead) {
  RawMember member = deflated("deep.bin", Bytes(4000, 9));
  member.zip64_central = true;
  ZipArchive zip(write("z64.zip", build_zip({stored("first", bytes_of("1")), member}, true)));
  ASSERT_EQ(zip.entries().size(), 2u);
  EXPECT_EQ(zip.entries()[1].uncompressed_size, 4000u);
  EXPECT_EQ(zip.read(zip.entries()[1]), Bytes(4000, 9));
}

// Fixtures written by Python's zipfile (tools/make_npy_fixtures.py): zip64 records, and data
// descriptors as in torch.save's zip checkpoints.
class ZipFixtureTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ZipFixtureTest, MembersMatchWhatPythonWrote) {
  std::ifstream in(kFixtures + "expected.json");
  ASSERT_TRUE(in) << "missing fixture sidecar";
  const nlohmann::json expected = nlohmann::json::parse(in)["zip"][GetParam()];
  ZipArchive zip(kFixtures + GetParam());
  ASSERT_EQ(zip.entries().size(), expected["members"].size());
  for (std::size_t i = 0; i < zip.entries().size(); ++i) {
    const nlohmann::json& want = expected["members"][i];
    const ZipEntry& entry = zip.entries()[i];
    EXPECT_EQ(entry.name, want["name"].get<std::string>());
    EXPECT_EQ(entry.method, want["method"].get<int>());
    EXPECT_EQ(entry.uncompressed_size, want["size"].get<std::uint64_t>());
    EXPECT_EQ(entry.crc32, want["crc32"].get<std::uint32_t>());
    EXPECT_EQ(zip.read(entry), from_hex(want["hex"].get<std::string>())) << entry.name;
  }
}

INSTANTIATE_TEST_SUITE_P(PythonZips, ZipFixtureTest, ::testing::Values("zip64.zip", "streamed.zip"),
                         [](const auto& info) { return info.param.substr(0, info.param.find('.')); });

TEST_F(ZipArchiveTest, StreamedFixtureReallyUsesDataDescriptors) {
  std::ifstream in(kFixtures + "expected.json");
  const nlohmann::json members = nlohmann::json::parse(in)["zip"]["streamed.zip"]["members"];
  for (const auto& member : members) EXPECT_EQ(member["flags"].get<int>() & 8, 8);
}

// ---- malformed archives ----

TEST_F(ZipArchiveTest, NotAZipFile) {
  const std::string message = open_and_read_error(bytes_of(std::string(100, 'x')), "text.zip");
  EXPECT_THAT(message, AllOf(HasSubstr("text.zip"), HasSubstr("not a zip archive")));
}

TEST_F(ZipArchiveTest, EmptyFile) {
  EXPECT_THAT(open_and_read_error({}, "empty.zip"),
              AllOf(HasSubstr("empty.zip"), HasSubstr("not a zip archive")));
}

TEST_F(ZipArchiveTest, MissingFile) {
  EXPECT_THAT([&] { ZipArchive zip(dir_ + "/absent.zip"); },
              ::testing::ThrowsMessage<InputError>(AllOf(HasSubstr("absent.zip"), HasSubstr("cannot open"))));
}

TEST_F(ZipArchiveTest, TruncatedArchiveLosesEndRecord) {
  ZipWriter writer;
  writer.add("a", Bytes(500, 3), false);
  Bytes zip = writer.bytes();
  zip.resize(zip.size() / 2);
  EXPECT_THAT(open_and_read_error(zip, "cut.zip"),
              AllOf(HasSubstr("cut.zip"), HasSubstr("not a zip archive")));
}

TEST_F(ZipArchiveTest, CommentLengthMustReachEndOfFile) {
  Bytes zip = build_zip({stored("a", bytes_of("x"))});
  zip[zip.size() - 2] = 5;  // claims a 5-byte comment that is not there
  EXPECT_THAT(open_and_read_error(zip), HasSubstr("no end of central directory record"));
}

TEST_F(ZipArchiveTest, TruncatedBeforeCentralDirectory) {
  // Data removed from the middle: the end record survives but points past the real data.
  ZipWriter writer;
  writer.add("a", Bytes(500, 3), false);
  Bytes zip = writer.bytes();
  zip.erase(zip.begin() + 100, zip.begin() + 400);
  EXPECT_THAT(open_and_read_error(zip, "hole.zip"),
              AllOf(HasSubstr("hole.zip"), HasSubstr("outside the file")));
}

TEST_F(ZipArchiveTest, CrcMismatch) {
  ZipWriter writer;
  writer.add("data.npy", bytes_of("exact payload"), false);
  Bytes zip = writer.bytes();
  zip[30 + 8 + 2] ^= 0x20;  // flip one byte of the stored data
  const std::string message = open_and_read_error(zip, "crc.zip");
  EXPECT_THAT(message,
              AllOf(HasSubstr("crc.zip"), HasSubstr("member 'data.npy'"), HasSubstr("crc mismatch")));
}

TEST_F(ZipArchiveTest, CrcMismatchInDeflatedMember) {
  RawMember member = deflated("x.npy", Bytes(2000, 5));
  member.crc ^= 1;
  EXPECT_THAT(open_and_read_error(build_zip({member})),
              AllOf(HasSubstr("member 'x.npy'"), HasSubstr("crc mismatch")));
}

TEST_F(ZipArchiveTest, StoredMemberClaimingMoreBytesThanTheFileHas) {
  RawMember member = stored("liar.npy", bytes_of("short"));
  member.compressed_size = member.uncompressed_size = 1u << 30;  // 1 GiB in a file of ~100 bytes
  EXPECT_THAT(open_and_read_error(build_zip({member}), "liar.zip"),
              AllOf(HasSubstr("liar.zip"), HasSubstr("member 'liar.npy'"), HasSubstr("remain in the file")));
}

TEST_F(ZipArchiveTest, StoredMemberWithDifferentSizes) {
  RawMember member = stored("odd", bytes_of("12345678"));
  member.uncompressed_size = 4;
  EXPECT_THAT(open_and_read_error(build_zip({member})),
              AllOf(HasSubstr("member 'odd'"), HasSubstr("stored member")));
}

TEST_F(ZipArchiveTest, LocalHeaderDisagreesWithCentralDirectory) {
  ZipWriter writer;
  writer.add("a.npy", bytes_of("0123456789"), false);
  Bytes zip = writer.bytes();
  zip[22] = 9;  // local header uncompressed size: 10 -> 9
  EXPECT_THAT(open_and_read_error(zip), AllOf(HasSubstr("member 'a.npy'"), HasSubstr("disagrees")));
}

TEST_F(ZipArchiveTest, LocalHeaderMethodDisagrees) {
  ZipWriter writer;
  writer.add("a.npy", bytes_of("0123456789"), false);
  Bytes zip = writer.bytes();
  zip[8] = 8;
  EXPECT_THAT(open_and_read_error(zip), AllOf(HasSubstr("member 'a.npy'"), HasSubstr("compression method")));
}

TEST_F(ZipArchiveTest, LocalHeaderSignatureBroken) {
  ZipWriter writer;
  writer.add("a", bytes_of("0123456789"), false);
  Bytes zip = writer.bytes();
  zip[0] = 'X';
  EXPECT_THAT(open_and_read_error(zip), AllOf(HasSubstr("member 'a'"), HasSubstr("local header signature")));
}

TEST_F(ZipArchiveTest, DeflatedMemberLyingAboutItsSize) {
  RawMember member = deflated("short.npy", Bytes(1000, 7));
  member.uncompressed_size = 2000;  // the stream ends after 1000 bytes
  EXPECT_THAT(open_and_read_error(build_zip({member})),
              AllOf(HasSubstr("member 'short.npy'"), HasSubstr("inflates to 1000 bytes"), HasSubstr("2000")));
}

TEST_F(ZipArchiveTest, ZipBombDeclaredSmallInflatesHuge) {
  // 5 MB of zeros compress to ~5 KB; the directory claims 1000 bytes with a matching CRC.
  const Bytes head(1000, 0);
  RawMember member = deflated("bomb.npy", Bytes(5'000'000, 0));
  member.uncompressed_size = head.size();
  member.crc = crc_of(head);
  const std::string message = open_and_read_error(build_zip({member}), "bomb.zip");
  EXPECT_THAT(message, AllOf(HasSubstr("bomb.zip"), HasSubstr("member 'bomb.npy'"),
                             HasSubstr("more than the declared 1000 bytes")));
}

TEST_F(ZipArchiveTest, DeclaredSizeImplausibleForCompressedSize) {
  RawMember member = deflated("huge.npy", bytes_of("tiny"));
  member.uncompressed_size = 1ull << 40;  // 1 TiB from a few bytes: beyond deflate's 1032:1
  member.zip64_central = true;
  member.flags = 8;  // data descriptor: the local header carries no sizes to compare
  EXPECT_THAT(open_and_read_error(build_zip({member}, true), "huge.zip"),
              AllOf(HasSubstr("huge.zip"), HasSubstr("member 'huge.npy'"), HasSubstr("implausible")));
}

TEST_F(ZipArchiveTest, TruncatedDeflateStream) {
  // Pseudo-random bytes barely compress, so half the stream is missing a lot of output.
  Bytes varied(20000);
  std::uint32_t state = 1;
  for (auto& byte : varied) byte = static_cast<std::uint8_t>((state = state * 1103515245u + 12345u) >> 24);
  RawMember member = deflated("cut.npy", varied);
  member.payload.resize(member.payload.size() / 2);
  member.compressed_size = member.payload.size();
  const std::string message = open_and_read_error(build_zip({member}), "trunc.zip");
  EXPECT_THAT(message, AllOf(HasSubstr("trunc.zip"), HasSubstr("member 'cut.npy'"),
                             HasSubstr("truncated deflate stream")));
}

TEST_F(ZipArchiveTest, CorruptDeflateStream) {
  RawMember member = stored("junk", Bytes(64, 0xff));
  member.method = 8;  // 0xff... is not a valid deflate block sequence
  member.uncompressed_size = 64;
  EXPECT_THAT(open_and_read_error(build_zip({member})),
              AllOf(HasSubstr("member 'junk'"), HasSubstr("corrupt deflate stream")));
}

TEST_F(ZipArchiveTest, UnsupportedCompressionMethod) {
  RawMember member = stored("bz", bytes_of("BZh9"));
  member.method = 12;
  EXPECT_THAT(open_and_read_error(build_zip({member})),
              AllOf(HasSubstr("member 'bz'"), HasSubstr("unsupported compression method 12")));
}

TEST_F(ZipArchiveTest, EncryptedMemberIsRejected) {
  RawMember member = stored("secret", bytes_of("xxxx"));
  member.flags = 1;
  EXPECT_THAT(open_and_read_error(build_zip({member})), AllOf(HasSubstr("secret"), HasSubstr("encrypted")));
}

TEST_F(ZipArchiveTest, DuplicateMemberNamesAreRejected) {
  EXPECT_THAT(open_and_read_error(build_zip({stored("a", bytes_of("1")), stored("a", bytes_of("2"))})),
              HasSubstr("duplicate member 'a'"));
}

TEST_F(ZipArchiveTest, OverlappingMembersAreRejected) {
  // Member 'b' has a valid local header hidden inside the data of member 'a': the overlap trick
  // of some zip bombs, where one compressed run is counted many times.
  RawMember inner = stored("b", bytes_of("data"));
  RawMember outer = stored("a", local_header(inner));
  outer.payload.insert(outer.payload.end(), inner.payload.begin(), inner.payload.end());
  outer.crc = crc_of(outer.payload);
  outer.compressed_size = outer.uncompressed_size = outer.payload.size();
  inner.offset_override = 30 + 1;
  inner.write_local = false;
  const std::string message = open_and_read_error(build_zip({outer, inner}), "overlap.zip");
  EXPECT_THAT(message, AllOf(HasSubstr("overlap.zip"), HasSubstr("members overlap at offset 31")));
}

TEST_F(ZipArchiveTest, EntryCountLargerThanDirectory) {
  Bytes zip = build_zip({stored("a", bytes_of("1"))});
  zip[zip.size() - 12] = 200;  // total entries
  zip[zip.size() - 14] = 200;  // entries on this disk
  EXPECT_THAT(open_and_read_error(zip), HasSubstr("claims 200 members"));
}

TEST_F(ZipArchiveTest, CorruptCentralDirectoryEntry) {
  Bytes zip = build_zip({stored("a", bytes_of("1"))});
  zip[30 + 1 + 1] = 'Q';  // first byte of the central header signature
  EXPECT_THAT(open_and_read_error(zip), HasSubstr("central directory entry 0 is corrupt"));
}

TEST_F(ZipArchiveTest, Zip64ExtraFieldMissing) {
  RawMember member = stored("m", bytes_of("abc"));
  member.zip64_central = true;
  Bytes zip = build_zip({member});
  // Rename the zip64 extra field id so the reader cannot find the real sizes.
  const std::size_t extra = 30 + 1 + 3 + 46 + 1;
  ASSERT_EQ(zip[extra], 1);
  zip[extra] = 0x99;
  EXPECT_THAT(open_and_read_error(zip), AllOf(HasSubstr("member 'm'"), HasSubstr("zip64 extra field")));
}

TEST_F(ZipArchiveTest, Zip64RecordOutOfPlace) {
  Bytes zip = build_zip({stored("m", bytes_of("abc"))}, true);
  // Locator offset field (8 bytes) sits 22 + 12 bytes before the end; point it past the file.
  zip[zip.size() - 22 - 12 + 7] = 0x7f;
  EXPECT_THAT(open_and_read_error(zip), HasSubstr("zip64 end of central directory record out of place"));
}

}  // namespace
}  // namespace lift3d::io
