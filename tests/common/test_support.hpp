#pragma once
// Helpers shared by the tests: a scratch directory, the committed test data, hand-made .npy
// files and checks on error messages.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <iterator>
#include <string>

#include "scratch_dir.hpp"

namespace conceptlens::testing {

/// A scratch copy of the files of a folder that `keep` accepts (by file name), to change.
class FolderCopy {
 public:
  FolderCopy(const std::filesystem::path& from, const std::function<bool(const std::string&)>& keep) {
    for (const auto& entry : std::filesystem::directory_iterator(from)) {
      const std::string name = entry.path().filename().string();
      if (keep(name)) std::filesystem::copy_file(entry.path(), dir_.path() / name);
    }
  }
  const std::filesystem::path& path() const { return dir_.path(); }
  std::filesystem::path operator/(const std::string& name) const { return dir_.path() / name; }

 private:
  ScratchDir dir_;
};

/// A version 1.0 file with the given header dict (padded as NumPy does) and data bytes.
inline std::string npy_bytes(const std::string& dict, const std::string& data) {
  std::string header = dict;
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  out += static_cast<char>(header.size() & 0xff);
  out += static_cast<char>(header.size() >> 8);
  return out + header + data;
}

/// tests/data: $CONCEPTLENS_TEST_DATA (set by ctest), else found from this file's location.
inline std::filesystem::path test_data_dir() {
  if (const char* dir = std::getenv("CONCEPTLENS_TEST_DATA"); dir != nullptr && *dir != '\0') return dir;
  return std::filesystem::path(__FILE__).parent_path().parent_path() / "data";
}

/// The shared folder beside the repository (../shared): $CONCEPTLENS_SHARED, else found from
/// this file's location. A user's clone has none: tests that need it skip with a message.
inline std::filesystem::path shared_dir() {
  if (const char* dir = std::getenv("CONCEPTLENS_SHARED"); dir != nullptr && *dir != '\0') return dir;
  return std::filesystem::path(__FILE__).parent_path().parent_path().parent_path().parent_path() / "shared";
}

inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << "cannot open " << path;
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline void write_file(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(out.good()) << "cannot write " << path;
}

/// Runs `action`, expects it to throw `Error`, and checks that the message starts with
/// `prefix` and contains every one of `parts`.
template <typename Error, typename Action>
void expect_error(Action&& action, const std::string& prefix, std::initializer_list<std::string> parts) {
  try {
    action();
    ADD_FAILURE() << "expected an exception starting with '" << prefix << "'";
  } catch (const Error& error) {
    const std::string message = error.what();
    EXPECT_EQ(message.rfind(prefix, 0), 0u) << "message does not start with '" << prefix << "': " << message;
    for (const std::string& part : parts) {
      EXPECT_NE(message.find(part), std::string::npos) << "message lacks '" << part << "': " << message;
    }
  }
}

}  // namespace conceptlens::testing
