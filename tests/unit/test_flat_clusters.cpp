// Flat clusters from a linkage: the partition after n-K merges, numbered by first appearance.
#include <gtest/gtest.h>

#include "cluster/flat_clusters.hpp"
#include "util/error.hpp"

namespace cl = conceptlens::cluster;

namespace {
// Points 0..4; merges: (1,3) -> 5, (0,4) -> 6, (2,5) -> 7, (6,7) -> 8.
cl::Linkage example() {
  cl::Linkage z;
  z.n = 5;
  z.merges = {{1, 3, 0.5, 2}, {0, 4, 1.0, 2}, {2, 5, 2.0, 3}, {6, 7, 4.0, 5}};
  return z;
}
}  // namespace

TEST(FlatClusters, CutsAfterNMinusKMerges) {
  const auto z = example();
  EXPECT_EQ(cl::flat_clusters(z, 5), (std::vector<std::int32_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(cl::flat_clusters(z, 4), (std::vector<std::int32_t>{0, 1, 2, 1, 3}));
  EXPECT_EQ(cl::flat_clusters(z, 3), (std::vector<std::int32_t>{0, 1, 2, 1, 0}));
  EXPECT_EQ(cl::flat_clusters(z, 2), (std::vector<std::int32_t>{0, 1, 1, 1, 0}));
  EXPECT_EQ(cl::flat_clusters(z, 1), (std::vector<std::int32_t>{0, 0, 0, 0, 0}));
}

TEST(FlatClusters, RejectsKOutsideOneToN) {
  const auto z = example();
  EXPECT_THROW(cl::flat_clusters(z, 0), conceptlens::InputError);
  try {
    cl::flat_clusters(z, 6);
    FAIL() << "K > n accepted";
  } catch (const conceptlens::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("K = 6"), std::string::npos) << e.what();
  }
}
