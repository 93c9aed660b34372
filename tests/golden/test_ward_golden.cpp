// Golden tests against fastcluster: linkages and partitions produced by Debian's
// python3-fastcluster (tests/golden/make_ward_golden.py; see tests/golden/ward/README.md).
// Both distance sources must give fastcluster's merges (a, b, size exactly; heights to 1e-9
// relative) and its partition at every K.
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>

#include "cluster/flat_clusters.hpp"
#include "cluster/ward.hpp"
#include "store/npy.hpp"

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
