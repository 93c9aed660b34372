// Golden tests against fastcluster: linkages and partitions produced by Debian's
// python3-fastcluster (tests/golden/make_ward_golden.py; see tests/golden/ward/README.md).
// Both modes must give fastcluster's merges (a, b, size exactly; heights to 1e-9 relative) and
// its partition at every K — on the committed cases, and (the lean mode) on random sets of up
// to 20,000 points that fastcluster clusters during the test (skipped without it).
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <regex>
#include <sys/wait.h>

#include "cluster/flat_clusters.hpp"
#include "cluster/ward.hpp"
#include "store/npy.hpp"
#include "test_support.hpp"

namespace cl = conceptlens::cluster;
namespace store = conceptlens::store;
namespace fs = std::filesystem;

namespace {

const fs::path kGolden = CONCEPTLENS_GOLDEN_DIR;

std::vector<std::string> cases() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(kGolden)) {
    const std::string file = entry.path().filename().string();
    const std::string suffix = ".points.npy";
    if (file.size() > suffix.size() && file.ends_with(suffix)) names.push_back(file.substr(0, file.size() - suffix.size()));
  }
  std::sort(names.begin(), names.end());
  return names;
}

cl::Linkage cluster(const store::NpyMatrix& points, cl::DistanceSource source) {
  return std::visit(
      [&](const auto& values) {
        using Scalar = typename std::decay_t<decltype(values)>::value_type;
        return cl::ward_linkage(cl::PointsView<Scalar>(values.data(), points.rows, points.cols), source);
      },
      points.values);
}

void expect_same_linkage(const cl::Linkage& ours, const store::NpyMatrix& reference) {
  const auto& z = std::get<std::vector<double>>(reference.values);
  ASSERT_EQ(reference.cols, 4);
  ASSERT_EQ(static_cast<std::int64_t>(ours.merges.size()), reference.rows);
  for (std::int64_t q = 0; q < reference.rows; ++q) {
    const auto& m = ours.merges[static_cast<std::size_t>(q)];
    const double* row = &z[static_cast<std::size_t>(4 * q)];
    ASSERT_EQ(m.a, static_cast<std::int64_t>(row[0])) << "merge " << q;
    ASSERT_EQ(m.b, static_cast<std::int64_t>(row[1])) << "merge " << q;
    ASSERT_NEAR(m.height, row[2], 1e-9 * row[2]) << "merge " << q;
    ASSERT_EQ(m.size, static_cast<std::int64_t>(row[3])) << "merge " << q;
  }
}

}  // namespace

TEST(WardGolden, MatchesFastclusterOnEveryCase) {
  const auto names = cases();
  ASSERT_GE(names.size(), 5u) << "golden cases missing in " << kGolden;
  const std::regex labels_file(R"((.+)\.labels_k(\d+)\.npy)");
  for (const auto& name : names) {
    SCOPED_TRACE(name);
    const auto points = store::read_npy_matrix(kGolden / (name + ".points.npy"));
    const auto reference = store::read_npy_matrix(kGolden / (name + ".linkage.npy"));
    for (auto source : {cl::DistanceSource::matrix, cl::DistanceSource::vector}) {
      SCOPED_TRACE(cl::to_string(source));
      const auto linkage = cluster(points, source);
      expect_same_linkage(linkage, reference);
      int partitions = 0;
      for (const auto& entry : fs::directory_iterator(kGolden)) {
        std::smatch match;
        const std::string file = entry.path().filename().string();
        if (!std::regex_match(file, match, labels_file) || match[1] != name) continue;
        const std::int64_t k = std::stoll(match[2]);
        const auto expected = store::read_npy_integers(entry.path());
        const auto labels = cl::flat_clusters(linkage, k);
        ASSERT_EQ(labels.size(), expected.size());
        for (std::size_t p = 0; p < labels.size(); ++p) {
          ASSERT_EQ(labels[p], expected[p]) << "K = " << k << ", point " << p;
        }
        ++partitions;
      }
      EXPECT_GE(partitions, 3);
    }
  }
}

namespace {

/// Runs a shell command; its exit status (-1 when it did not run).
int shell(const std::string& command) {
  const int status = std::system(command.c_str());
  return status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

TEST(WardGolden, LeanModeMatchesFastclusterOnRandomSetsUpTo20000Points) {
  if (shell("/usr/bin/python3 -c 'import fastcluster' 2>/dev/null") != 0) {
    GTEST_SKIP() << "/usr/bin/python3 with fastcluster is not available (Debian: python3-fastcluster)";
  }
  // (n, d, seed): make_points (activation-like clusters) in float32; fastcluster.linkage_vector.
  for (const auto& [n, d, seed] : {std::array<int, 3>{3000, 64, 1}, std::array<int, 3>{20000, 16, 2}}) {
    SCOPED_TRACE("n = " + std::to_string(n) + ", d = " + std::to_string(d) + ", seed " + std::to_string(seed));
    conceptlens::testing::ScratchDir dir;
    const int status = shell("/usr/bin/python3 " CONCEPTLENS_GOLDEN_DIR "/../make_ward_golden.py --random " +
                             std::to_string(n) + " " + std::to_string(d) + " " + std::to_string(seed) + " --out " +
                             dir.path().string());
    ASSERT_EQ(status, 0) << "make_ward_golden.py --random failed (3: the set is not tie-free)";
    const auto points = store::read_npy_matrix(dir / "random.points.npy");
    const auto reference = store::read_npy_matrix(dir / "random.linkage.npy");
    // The same merges in the same order (a, b are relabelled by order): so the same partition
    // at every K, flat_clusters being a function of the linkage.
    expect_same_linkage(cluster(points, cl::DistanceSource::vector), reference);
  }
}
