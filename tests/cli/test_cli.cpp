// The `conceptlens` executable end to end, launched with mpiexec at 1-4 ranks: results that do
// not depend on the rank count, ConceptX outputs, and bad input failing once, with the file
// named, a non-zero exit code and no output left behind.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "store/clusters_file.hpp"
#include "store/npy.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;
namespace store = conceptlens::store;
using conceptlens::testing::npy_bytes;
using conceptlens::testing::read_file;
using conceptlens::testing::write_file;

namespace {

const fs::path kSource = CONCEPTLENS_SOURCE_DIR;
const fs::path kDemoPoints = kSource / "jobs/data/demo/processed-point.npy";
const fs::path kDemoVocab = kSource / "jobs/data/demo/processed-vocab.npy";

struct Result {
  int code = -1;
  std::string output;  ///< stdout and stderr together
};

/// Runs `conceptlens <args>` under mpiexec with `ranks` processes.
Result run(int ranks, const std::string& args) {
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

std::size_t count(const std::string& text, const std::string& what) {
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

}  // namespace

TEST_F(Cli, HelpListsTheOptions) {
  const auto top = run(1, "--help");
  EXPECT_EQ(top.code, 0);
  EXPECT_NE(top.output.find("cluster"), std::string::npos) << top.output;
  const auto result = run(1, "cluster --help");
  EXPECT_EQ(result.code, 0);
  for (const char* option : {"--points", "--vocab", "--k", "--out", "--mode", "--memory-per-rank", "--dry-run",
                             "--conceptx-dir"}) {
    EXPECT_NE(result.output.find(option), std::string::npos) << option << "\n" << result.output;
  }
}

TEST_F(Cli, SameResultsAtEveryRankCountAndMode) {
  const auto n = store::read_npy_matrix(kDemoPoints).rows;
  std::vector<store::ClustersFile> results;
  for (int ranks = 1; ranks <= 4; ++ranks) {
    for (const std::string mode : {"matrix", "vector"}) {
      SCOPED_TRACE(std::to_string(ranks) + " rank(s), " + mode);
      const auto out = dir_ / (mode + std::to_string(ranks) + ".h5");
      const auto conceptx = dir_ / ("conceptx-" + mode + std::to_string(ranks));
      fs::create_directories(conceptx);
      const auto result = run(ranks, "cluster --points " + kDemoPoints.string() + " --vocab " +
                                         kDemoVocab.string() + " --k 20,5 --mode " + mode +
                                         " --out " + out.string() + " --conceptx-dir " + conceptx.string());
      ASSERT_EQ(result.code, 0) << result.output;
      results.push_back(store::read_clusters_file(out));
      const auto& first = results.front();
      const auto& now = results.back();
      EXPECT_EQ(now.linkage.n, n);
      ASSERT_EQ(now.linkage.merges.size(), first.linkage.merges.size());
      for (std::size_t q = 0; q < first.linkage.merges.size(); ++q) {
        EXPECT_EQ(now.linkage.merges[q].a, first.linkage.merges[q].a);
        EXPECT_EQ(now.linkage.merges[q].b, first.linkage.merges[q].b);
        EXPECT_NEAR(now.linkage.merges[q].height, first.linkage.merges[q].height,
                    1e-9 * first.linkage.merges[q].height);
      }
      EXPECT_EQ(now.labels, first.labels);
      EXPECT_EQ(now.sentence, first.sentence);
      EXPECT_EQ(now.word, first.word);
      EXPECT_EQ(now.mode, mode);
      ASSERT_EQ(now.labels.size(), 2u);
      for (const int k : {5, 20}) {
        const auto text = read_file(conceptx / ("clusters-" + std::to_string(k) + ".txt"));
        EXPECT_EQ(static_cast<std::int64_t>(count(text, "\n")), n);
        EXPECT_EQ(text, read_file(dir_ / "conceptx-matrix1" / ("clusters-" + std::to_string(k) + ".txt")));
      }
    }
  }
  // Points know their corpus position from the vocab keys.
  const auto& first = results.front();
  EXPECT_EQ(first.sentence.front(), 0);
  EXPECT_EQ(first.word.front(), 0);
  EXPECT_GE(*std::max_element(first.sentence.begin(), first.sentence.end()), 1);
}

TEST_F(Cli, BrokenHeaderIsRejected) {
  const auto bad = dir_ / "broken.npy";
  std::ofstream(bad) << "this is not numpy";
  expect_failure("cluster --points " + bad.string() + " --k 2 --out " + (dir_ / "out.h5").string(), 2,
                 {bad.string()});
}

TEST_F(Cli, UnsupportedDtypeAndFortranOrderAreRejected) {
  const auto ints = dir_ / "ints.npy";
  write_file(ints, npy_bytes("{'descr': '<i8', 'fortran_order': False, 'shape': (3, 2), }", std::string(48, '\0')));
  expect_failure("cluster --points " + ints.string() + " --k 2 --out " + (dir_ / "out.h5").string(), 2,
                 {ints.string(), "<i8"});
  const auto fortran = dir_ / "fortran.npy";
  write_file(fortran, npy_bytes("{'descr': '<f8', 'fortran_order': True, 'shape': (3, 2), }", std::string(48, '\0')));
  expect_failure("cluster --points " + fortran.string() + " --k 2 --out " + (dir_ / "out.h5").string(), 2,
                 {fortran.string(), "Fortran"});
}

TEST_F(Cli, NonFiniteValuesAreRejected) {
  const auto nan = dir_ / "nan.npy";
  const std::vector<double> values{0, 1, 2, std::nan(""), 4, 5};
  store::write_npy_matrix(nan, values.data(), 3, 2);
  expect_failure("cluster --points " + nan.string() + " --k 2 --out " + (dir_ / "out.h5").string(), 2,
                 {nan.string(), "NaN"});
}

TEST_F(Cli, MoreClustersThanPointsIsRejected) {
  const auto n = store::read_npy_matrix(kDemoPoints).rows;
  expect_failure("cluster --points " + kDemoPoints.string() + " --k 5," + std::to_string(n + 1) +
                     " --out " + (dir_ / "out.h5").string(),
                 2, {kDemoPoints.string(), "n = " + std::to_string(n)});
}

TEST_F(Cli, VocabOfAnotherLengthIsRejected) {
  const auto vocab = dir_ / "vocab.npy";
  store::write_npy_strings(vocab, {"a|||0|||0|||0", "b|||0|||0|||1"});
  expect_failure("cluster --points " + kDemoPoints.string() + " --vocab " + vocab.string() +
                     " --k 2 --out " + (dir_ / "out.h5").string(),
                 2, {vocab.string(), kDemoPoints.string(), "2 vocab keys"});
}

TEST_F(Cli, UnwritableOutputIsRejectedBeforeClustering) {
  expect_failure("cluster --points " + kDemoPoints.string() + " --k 2 --out " +
                     (dir_ / "missing" / "out.h5").string(),
                 3, {(dir_ / "missing").string()});
}

TEST_F(Cli, DryRunPrintsThePlanAndWritesNothing) {
  for (int ranks : {1, 3}) {
    const auto result = run(ranks, "cluster --points " + kDemoPoints.string() + " --k 5 --dry-run --out " +
                                       (dir_ / "out.h5").string());
    EXPECT_EQ(result.code, 0) << result.output;
    EXPECT_EQ(count(result.output, "plan: n = 203 points of d = 32, matrix mode on " + std::to_string(ranks) +
                                       " rank(s)"), 1u) << result.output;
    EXPECT_TRUE(files().empty());
  }
}

TEST_F(Cli, PlansThatCannotFitAreRefused) {
  expect_failure("cluster --points " + kDemoPoints.string() + " --k 5 --mode matrix --memory-per-rank 1KiB --out " +
                     (dir_ / "out.h5").string(),
                 2, {"does not fit the memory per rank", "matrix mode", "budget 1.00 KiB"});
  // auto falls back to the vector mode when the matrix does not fit but the centroids do
  const auto result = run(2, "cluster --points " + kDemoPoints.string() +
                                 " --k 5 --memory-per-rank 140KiB --dry-run --out " + (dir_ / "out.h5").string());
  EXPECT_EQ(result.code, 0) << result.output;
  EXPECT_NE(result.output.find("vector mode on 2 rank(s)"), std::string::npos) << result.output;
}

TEST_F(Cli, UsageErrorsExitWithOne) {
  for (int ranks : {1, 3}) {
    const auto result = run(ranks, "cluster --points " + kDemoPoints.string() + " --out x.h5");
    EXPECT_EQ(result.code, 1) << result.output;
    EXPECT_NE(result.output.find("--k"), std::string::npos) << result.output;
  }
}
