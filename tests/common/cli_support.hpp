#pragma once
// Running the `conceptlens` executable under mpiexec from a test, and the fixture of the CLI
// tests: a scratch directory per test and the check that bad input fails once, cleanly.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

namespace conceptlens::testing {

namespace fs = std::filesystem;

struct Result {
  int code = -1;
  std::string output;  ///< stdout and stderr together
};

/// Runs `conceptlens <args>` under mpiexec with `ranks` processes.
inline Result run(int ranks, const std::string& args) {
  const std::string command = std::string(CONCEPTLENS_MPIEXEC) + " --oversubscribe -n " +
                              std::to_string(ranks) + " " + CONCEPTLENS_EXE + " " + args + " 2>&1";
  Result result;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) result.output += buffer;
  const int status = pclose(pipe);
  result.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

/// Starts `conceptlens <args>` under mpiexec in its own process group (the ranks with it), so
/// the whole run can be killed at once as a batch system or a node failure would.
inline pid_t start_group(int ranks, const std::string& args, const std::filesystem::path& log) {
  const std::string command = std::string(CONCEPTLENS_MPIEXEC) + " --oversubscribe -n " + std::to_string(ranks) +
                              " " + CONCEPTLENS_EXE + " " + args + " > " + log.string() + " 2>&1";
  const pid_t pid = fork();
  if (pid == 0) {
    setpgid(0, 0);
    execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  setpgid(pid, pid);
  return pid;
}

inline std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("conceptlens-cli-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  /// Files in the test directory (to check that nothing half-written was left).
  std::vector<std::string> files() const {
    std::vector<std::string> names;
    for (const auto& entry : fs::recursive_directory_iterator(dir_)) names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }

  /// Bad input must fail with `code`, the message once, naming `expected` parts, and no output.
  void expect_failure(const std::string& args, int code, const std::vector<std::string>& expected) {
    const auto before = files();
    for (int ranks : {1, 2}) {
      SCOPED_TRACE(std::to_string(ranks) + " rank(s): conceptlens " + args);
      const auto result = run(ranks, args);
      EXPECT_EQ(result.code, code) << result.output;
      EXPECT_EQ(count(result.output, "conceptlens: error:"), 1u) << result.output;
      for (const auto& part : expected) EXPECT_NE(result.output.find(part), std::string::npos) << result.output;
      EXPECT_EQ(files(), before) << "outputs or temporaries left behind";
    }
  }

  fs::path dir_;
};

}  // namespace conceptlens::testing
