// AtomicOutput: write under a temporary name, rename into place on commit, clean up otherwise.
#include "store/atomic_output.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include "test_support.hpp"
#include "util/error.hpp"

namespace conceptlens::store {
namespace {

using conceptlens::testing::expect_error;
using conceptlens::testing::read_file;
using conceptlens::testing::ScratchDir;
using conceptlens::testing::write_file;

TEST(AtomicOutput, TempNameIsBesideTheFinalFile) {
  ScratchDir dir;
  const AtomicOutput output(dir / "x.h5");
  EXPECT_EQ(output.final_path(), dir / "x.h5");
  EXPECT_EQ(output.temp_path(), dir / ("x.h5.tmp-" + std::to_string(::getpid())));
}

TEST(AtomicOutput, BareFileNameUsesTheWorkingDirectory) {
  const AtomicOutput output("x.h5");
  EXPECT_EQ(output.temp_path(), std::filesystem::path("x.h5.tmp-" + std::to_string(::getpid())));
}

TEST(AtomicOutput, CommitRenamesIntoPlace) {
  ScratchDir dir;
  AtomicOutput output(dir / "x.txt");
  write_file(output.temp_path(), "content");
  EXPECT_FALSE(std::filesystem::exists(output.final_path()));
  output.commit();
  EXPECT_FALSE(std::filesystem::exists(output.temp_path()));
  EXPECT_EQ(read_file(dir / "x.txt"), "content");
}

TEST(AtomicOutput, CommitReplacesAnExistingFile) {
  ScratchDir dir;
  write_file(dir / "x.txt", "old");
  AtomicOutput output(dir / "x.txt");
  write_file(output.temp_path(), "new");
  EXPECT_EQ(read_file(dir / "x.txt"), "old");
  output.commit();
  EXPECT_EQ(read_file(dir / "x.txt"), "new");
}

TEST(AtomicOutput, CommittedFileSurvivesTheDestructor) {
  ScratchDir dir;
  {
    AtomicOutput output(dir / "x.txt");
    write_file(output.temp_path(), "content");
    output.commit();
  }
  EXPECT_EQ(read_file(dir / "x.txt"), "content");
}

TEST(AtomicOutput, DestructorRemovesTheUncommittedTempFile) {
  ScratchDir dir;
  std::filesystem::path temp;
  {
    AtomicOutput output(dir / "x.txt");
    temp = output.temp_path();
    write_file(temp, "partial");
    ASSERT_TRUE(std::filesystem::exists(temp));
  }
  EXPECT_FALSE(std::filesystem::exists(temp));
  EXPECT_FALSE(std::filesystem::exists(dir / "x.txt"));
}

TEST(AtomicOutput, DestructorWithoutATempFileIsHarmless) {
  ScratchDir dir;
  { const AtomicOutput output(dir / "x.txt"); }
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

TEST(AtomicOutput, MoveTransfersOwnershipOfTheTempFile) {
  ScratchDir dir;
  std::filesystem::path temp;
  {
    AtomicOutput first(dir / "x.txt");
    temp = first.temp_path();
    write_file(temp, "partial");
    {
      AtomicOutput second(std::move(first));
      EXPECT_EQ(second.temp_path(), temp);
    }
    EXPECT_FALSE(std::filesystem::exists(temp));  // removed by `second`
    write_file(temp, "again");
  }
  EXPECT_TRUE(std::filesystem::exists(temp));  // `first` was moved from: not its file any more
}

TEST(AtomicOutput, MovedToObjectCanCommit) {
  ScratchDir dir;
  AtomicOutput first(dir / "x.txt");
  write_file(first.temp_path(), "content");
  AtomicOutput second(std::move(first));
  second.commit();
  EXPECT_EQ(read_file(dir / "x.txt"), "content");
}

TEST(AtomicOutput, MissingDirectory) {
  ScratchDir dir;
  const auto path = dir / "out" / "x.h5";
  expect_error<OutputError>([&] { AtomicOutput output(path); }, "cannot write '" + path.string() + "': ",
                            {"directory '" + (dir / "out").string() + "' does not exist"});
}

TEST(AtomicOutput, ParentIsAFile) {
  ScratchDir dir;
  write_file(dir / "out", "");
  const auto path = dir / "out" / "x.h5";
  const std::string parent = (dir / "out").string();
  expect_error<OutputError>([&] { AtomicOutput output(path); }, "cannot write '" + path.string() + "': ",
                            {std::string("'").append(parent).append("' is not a directory")});
}

TEST(AtomicOutput, FinalPathIsADirectory) {
  ScratchDir dir;
  std::filesystem::create_directory(dir / "x.h5");
  const auto path = dir / "x.h5";
  expect_error<OutputError>([&] { AtomicOutput output(path); }, "cannot write '" + path.string() + "': ",
                            {"directory"});
}

TEST(AtomicOutput, UnwritableDirectory) {
  ScratchDir dir;
  const auto locked = dir / "locked";
  std::filesystem::create_directory(locked);
  std::filesystem::permissions(locked, std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec);
  if (::access(locked.c_str(), W_OK) == 0) {
    std::filesystem::permissions(locked, std::filesystem::perms::owner_all);
    GTEST_SKIP() << "permissions are not enforced for this user (root?)";
  }
  const auto path = locked / "x.h5";
  expect_error<OutputError>([&] { AtomicOutput output(path); }, "cannot write '" + path.string() + "': ",
                            {"directory '" + locked.string() + "' is not writable"});
  std::filesystem::permissions(locked, std::filesystem::perms::owner_all);
}

TEST(AtomicOutput, CommitWithoutATempFileFails) {
  ScratchDir dir;
  AtomicOutput output(dir / "x.txt");
  const auto path = (dir / "x.txt").string();
  expect_error<OutputError>([&] { output.commit(); }, "cannot write '" + path + "': ",
                            {output.temp_path().string(), "No such file"});
}

}  // namespace
}  // namespace conceptlens::store
