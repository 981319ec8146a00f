#include "io/file.hpp"

#include <dirent.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "lift3d/error.hpp"

namespace lift3d::io {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

// A fresh directory per test, removed with its contents afterwards.
class FileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "lift3d_file_test_XXXXXX";
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    for (const std::string& name : list_dir()) {
      const std::string path = dir_ + "/" + name;
      if (::unlink(path.c_str()) != 0) ::rmdir(path.c_str());
    }
    ::rmdir(dir_.c_str());
  }
  std::vector<std::string> list_dir() const {
    std::vector<std::string> names;
    if (DIR* d = ::opendir(dir_.c_str())) {
      while (dirent* entry = ::readdir(d)) {
        const std::string name = entry->d_name;
        if (name != "." && name != "..") names.push_back(name);
      }
      ::closedir(d);
    }
    return names;
  }
  std::string write_plain(const std::string& name, const std::string& content) const {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }
  std::string dir_;
};

template <typename F>
std::string error_message(F&& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "<no InputError thrown>";
}

TEST_F(FileTest, ReaderReportsSizeAndPath) {
  const std::string path = write_plain("a.bin", "hello world");
  FileReader reader(path);
  EXPECT_EQ(reader.size(), 11u);
  EXPECT_EQ(reader.path(), path);
}

TEST_F(FileTest, ReadsRangesInsideTheFile) {
  FileReader reader(write_plain("a.bin", "0123456789"));
  const std::vector<std::uint8_t> middle = reader.read(3, 4);
  EXPECT_EQ(std::string(middle.begin(), middle.end()), "3456");
  char last[2];
  reader.read(8, last, 2);
  EXPECT_EQ(std::string(last, 2), "89");
  EXPECT_TRUE(reader.read(10, 0).empty());
}

TEST_F(FileTest, ReadPastEndThrowsWithPath) {
  const std::string path = write_plain("short.bin", "0123456789");
  FileReader reader(path);
  const std::string message = error_message([&] { reader.read(8, 3); });
  EXPECT_THAT(message, AllOf(HasSubstr(path), HasSubstr("unexpected end of file"), HasSubstr("offset 8")));
  EXPECT_THROW(reader.read(11, 0), InputError);
}

TEST_F(FileTest, HugeReadIsRejectedBeforeAllocating) {
  FileReader reader(write_plain("a.bin", "0123"));
  // Would be a 16 EiB allocation if the range were not checked first.
  EXPECT_THROW(reader.read(0, static_cast<std::size_t>(-1)), InputError);
  EXPECT_THROW(reader.read(2, static_cast<std::size_t>(-1)), InputError);
  EXPECT_THROW(reader.read(static_cast<std::uint64_t>(-1), 2), InputError);
}

TEST_F(FileTest, MissingFileThrowsWithPathAndReason) {
  const std::string path = dir_ + "/missing.bin";
  EXPECT_THAT(error_message([&] { FileReader reader(path); }),
              AllOf(HasSubstr(path), HasSubstr("cannot open"), HasSubstr("no such file")));
}

TEST_F(FileTest, DirectoryIsNotARegularFile) {
  EXPECT_THAT(error_message([&] { FileReader reader(dir_); }), HasSubstr("not a regular file"));
}

TEST_F(FileTest, ReaderCanBeMoved) {
  FileReader first(write_plain("a.bin", "abc"));
  FileReader second(std::move(first));
  EXPECT_EQ(second.read(1, 2), (std::vector<std::uint8_t>{'b', 'c'}));
  FileReader third(write_plain("b.bin", "xyz"));
  third = std::move(second);
  EXPECT_EQ(third.size(), 3u);
  EXPECT_EQ(third.read(0, 1), (std::vector<std::uint8_t>{'a'}));
}

TEST_F(FileTest, ReadFileReturnsWholeContent) {
  const std::string content("\x00\x01\xff text", 8);
  const std::vector<std::uint8_t> bytes = read_file(write_plain("a.bin", content));
  EXPECT_EQ(std::string(bytes.begin(), bytes.end()), content);
  EXPECT_TRUE(read_file(write_plain("empty.bin", "")).empty());
}

TEST_F(FileTest, AtomicWriteCreatesFile) {
  const std::string path = dir_ + "/out.txt";
  write_file_atomic(path, std::string("payload"));
  const std::vector<std::uint8_t> bytes = read_file(path);
  EXPECT_EQ(std::string(bytes.begin(), bytes.end()), "payload");
  EXPECT_EQ(list_dir(), std::vector<std::string>{"out.txt"});  // no temporary left behind
}

TEST_F(FileTest, AtomicWriteReplacesExistingFile) {
  const std::string path = write_plain("out.txt", "old content that is longer");
  write_file_atomic(path, std::string("new"));
  const std::vector<std::uint8_t> bytes = read_file(path);
  EXPECT_EQ(std::string(bytes.begin(), bytes.end()), "new");
  EXPECT_EQ(list_dir().size(), 1u);
}

TEST_F(FileTest, AtomicWriteOfEmptyData) {
  const std::string path = dir_ + "/empty";
  write_file_atomic(path, nullptr, 0);
  EXPECT_TRUE(read_file(path).empty());
}

TEST_F(FileTest, AtomicWriteGivesNewFilesTheUsualPermissions) {
  const mode_t mask = ::umask(022);
  ::umask(mask);
  const std::string path = dir_ + "/perm.txt";
  write_file_atomic(path, std::string("x"));
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0666 & ~mask);
}

TEST_F(FileTest, AtomicWriteKeepsPermissionsOfReplacedFile) {
  const std::string path = write_plain("perm.txt", "old");
  ASSERT_EQ(::chmod(path.c_str(), 0640), 0);
  write_file_atomic(path, std::string("new"));
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0640u);
}

TEST_F(FileTest, AtomicWriteIntoMissingDirectoryThrowsWithPath) {
  const std::string path = dir_ + "/no/such/dir/out.txt";
  EXPECT_THAT(error_message([&] { write_file_atomic(path, std::string("x")); }),
              AllOf(HasSubstr(path), HasSubstr("does not exist")));
}

TEST_F(FileTest, DirectoryTargetIsRefusedAndLeavesNothing) {
  const std::string target = dir_ + "/occupied";
  ASSERT_EQ(::mkdir(target.c_str(), 0755), 0);
  EXPECT_THAT(error_message([&] { write_file_atomic(target, std::string("data")); }),
              AllOf(HasSubstr(target), HasSubstr("is a directory")));
  EXPECT_EQ(list_dir(), std::vector<std::string>{"occupied"});
}

TEST_F(FileTest, TrailingSlashIsNotAFileName) {
  EXPECT_THROW(write_file_atomic(dir_ + "/", std::string("x")), InputError);
}

TEST_F(FileTest, RelativePathWritesIntoCurrentDirectory) {
  char cwd[4096];
  ASSERT_NE(::getcwd(cwd, sizeof cwd), nullptr);
  ASSERT_EQ(::chdir(dir_.c_str()), 0);
  write_file_atomic("relative.txt", std::string("r"));
  EXPECT_EQ(read_file("relative.txt"), (std::vector<std::uint8_t>{'r'}));
  ASSERT_EQ(::chdir(cwd), 0);
}

}  // namespace
}  // namespace lift3d::io
