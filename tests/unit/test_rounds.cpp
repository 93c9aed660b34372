// The lean mode's parts against brute force: the float32 products' error bound holds, the
// product pass returns exactly the nearest neighbours an exhaustive float64 search finds (on
// inputs chosen to stress the bound: large offsets, near-duplicates, clusters of many sizes),
// the neighbour table keeps its invariant, and the rounds give the documented tie rule's
// hierarchy on duplicate points, and the same linkage whatever their per-round cap.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "cluster/centroid_distances.hpp"
#include "cluster/centroid_rows.hpp"
#include "cluster/nearest_pass.hpp"
#include "cluster/neighbour_table.hpp"
#include "cluster/panel_product.hpp"
#include "cluster/product_bound.hpp"
#include "cluster/round_team.hpp"
#include "cluster/rounds.hpp"
#include "cluster/ward.hpp"
#include "linkage_checks.hpp"
#include "util/error.hpp"

namespace cl = conceptlens::cluster;
using conceptlens::testing::expect_bitwise_equal;

extern "C" {
int openblas_get_num_threads(void);
void openblas_set_num_threads(int num_threads);
}

namespace {

constexpr int kStride = cl::NeighbourTable::kStride;

/// Points around `offset` (every coordinate), in groups of 1 to 8 points `spread` apart, the
/// groups `scale` apart: many near-ties relative to the norms when offset >> scale.
std::vector<double> grouped_points(std::mt19937_64& rng, std::int64_t n, std::int64_t d, double offset, double scale,
                                   double spread) {
  std::normal_distribution<double> normal;
  std::vector<double> x(static_cast<std::size_t>(n * d));
  std::vector<double> centre(static_cast<std::size_t>(d));
  std::int64_t left = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    if (left-- <= 0) {
      left = static_cast<std::int64_t>(rng() % 8);
      for (auto& c : centre) c = offset + scale * normal(rng);
    }
    for (std::int64_t k = 0; k < d; ++k) {
      x[static_cast<std::size_t>(i * d + k)] = centre[static_cast<std::size_t>(k)] + spread * normal(rng);
    }
  }
  return x;
}

/// Every cluster's kStride nearest neighbours by exhaustive float64 search, in the tie rule's order.
std::vector<cl::Nearest> brute_force(const std::vector<double>& x, const std::vector<std::int64_t>& sizes,
                                     std::int64_t d) {
  const auto n = static_cast<std::int64_t>(sizes.size());
  std::vector<cl::Nearest> best(static_cast<std::size_t>(n * kStride), cl::kNone);
  for (std::int64_t i = 0; i < n; ++i) {
    std::vector<cl::Nearest> all;
    for (std::int64_t j = 0; j < n; ++j) {
      if (j == i) continue;
      all.push_back({j, cl::ward_distance(&x[static_cast<std::size_t>(i * d)], &x[static_cast<std::size_t>(j * d)], d,
                                          static_cast<double>(sizes[static_cast<std::size_t>(i)]),
                                          static_cast<double>(sizes[static_cast<std::size_t>(j)]))});
    }
    std::sort(all.begin(), all.end(), cl::before);
    std::copy_n(all.begin(), std::min<std::size_t>(all.size(), kStride), best.begin() + i * kStride);
  }
  return best;
}

}  // namespace

// The products run on one OpenBLAS thread whatever the process set before (a sweep's extraction
// sets its share of the cores): their bits, and so the ties of exact duplicates, must not follow
// the hosts' shapes.
TEST(PanelProduct, RunsOnOneThreadWhateverTheProcessSet) {
  if (cl::product_backend().rfind("OpenBLAS", 0) != 0) GTEST_SKIP() << "the products run on Eigen here";
  const std::vector<double> a(64 * 32, 0.5), b(48 * 32, 0.25);
  std::vector<double> one(64 * 48), set(64 * 48);
  cl::product_abt(a.data(), 64, b.data(), 48, 32, one.data());
  openblas_set_num_threads(2);
  cl::product_abt(a.data(), 64, b.data(), 48, 32, set.data());
  EXPECT_EQ(openblas_get_num_threads(), 1);
  EXPECT_EQ(one, set);
}

TEST(ProductBound, HoldsForEveryPairOfFloat32Products) {
  // The pass estimates ||a - b||^2 as n_a + n_b - 2 fl32(a'.b'); the exact value lies within
  // relative * (n_a + n_b) + absolute of it (product_bound.hpp), also where the estimate
  // cancels badly (large offsets, tiny distances).
  std::mt19937_64 rng(3);
  for (const std::int64_t d : {1, 7, 96, 768}) {
    for (const double offset : {0.0, 40.0, 3000.0}) {
      SCOPED_TRACE("d = " + std::to_string(d) + ", offset " + std::to_string(offset));
      const std::int64_t n = 96;
      const auto x = grouped_points(rng, n, d, offset, 1.0, 1e-3);
      cl::CentroidRows rows(d, {});
      for (std::int64_t i = 0; i < n; ++i) rows.append(i, &x[static_cast<std::size_t>(i * d)]);
      std::vector<float> products(static_cast<std::size_t>(n * n));
      cl::product_abt(rows.product(0), n, rows.product(0), n, d, products.data());
      const auto bound = cl::ProductBound::for_dimension(d);
      double worst = 0;  // largest |error| / allowed
      for (std::int64_t i = 0; i < n; ++i) {
        for (std::int64_t j = 0; j < n; ++j) {
          const double e = rows.norm(i) + rows.norm(j) - 2.0 * static_cast<double>(products[static_cast<std::size_t>(i * n + j)]);
          long double q = 0;
          for (std::int64_t k = 0; k < d; ++k) {
            const long double diff = static_cast<long double>(x[static_cast<std::size_t>(i * d + k)]) -
                                     static_cast<long double>(x[static_cast<std::size_t>(j * d + k)]);
            q += diff * diff;
          }
          const double allowed = bound.relative * (rows.norm(i) + rows.norm(j)) + bound.absolute;
          worst = std::max(worst, static_cast<double>(std::fabs(static_cast<long double>(e) - q)) / allowed);
        }
      }
      EXPECT_LE(worst, 1.0);
    }
  }
}

TEST(NearestPass, FindsExactlyTheNearestNeighboursOfAnExhaustiveSearch) {
  std::mt19937_64 rng(11);
  for (const double offset : {0.0, 500.0}) {
    for (const double spread : {1e-6, 0.3}) {
      SCOPED_TRACE("offset " + std::to_string(offset) + ", spread " + std::to_string(spread));
      const std::int64_t n = 1300;  // tiles of rows and of columns, and their edges
      const std::int64_t d = 12;
      const auto x = grouped_points(rng, n, d, offset, 1.0, spread);
      std::vector<std::int64_t> sizes(static_cast<std::size_t>(n));
      for (auto& s : sizes) s = 1 + static_cast<std::int64_t>(rng() % 5);  // Ward weights vary
      cl::CentroidRows rows(d, std::vector<double>(static_cast<std::size_t>(d), offset));
      for (std::int64_t i = 0; i < n; ++i) rows.append(i, &x[static_cast<std::size_t>(i * d)]);
      const auto expected = brute_force(x, sizes, d);

      // All pairs once, for both sides (the first pass), and each row against all (a search).
      cl::NearestPass both(n, d);
      both.offer(rows, rows.slots(), 0, n, rows, rows.slots(), /*upper=*/true, sizes);
      cl::NearestPass rowwise(n, d);
      rowwise.offer(rows, nullptr, 0, n, rows, nullptr, /*upper=*/false, sizes);
      for (cl::NearestPass* pass : {&both, &rowwise}) {
        for (std::int64_t i = 0; i < n * kStride; ++i) {
          const auto& got = pass->best()[static_cast<std::size_t>(i)];
          ASSERT_EQ(got.index, expected[static_cast<std::size_t>(i)].index) << "cluster " << i / kStride;
          ASSERT_EQ(got.distance, expected[static_cast<std::size_t>(i)].distance) << "cluster " << i / kStride;
        }
      }
      // The filter is what makes the pass fast: few pairs are re-checked in float64.
      EXPECT_LT(both.stats.exact, n * kStride * 3) << both.stats.exact << " exact re-checks";
    }
  }
}

TEST(NeighbourTable, KeepsTheListSortedAndTheBoundBelowEveryOtherCluster) {
  std::vector<cl::Nearest> entries;
  cl::NeighbourTable::reset(entries, 2);
  cl::NeighbourTable table(entries);
  EXPECT_FALSE(table.known(0));
  // A search found 2, 3, ... (distances 1, 2, ...) and the bound after them.
  std::vector<cl::Nearest> best(kStride);
  for (int q = 0; q < kStride; ++q) best[static_cast<std::size_t>(q)] = {q + 2, q + 1.0};
  table.set(0, best.data());
  ASSERT_TRUE(table.known(0));
  EXPECT_EQ(table.count(0), cl::NeighbourTable::kLength);
  EXPECT_EQ(table.bound(0).index, kStride + 1);
  // An offer at the bound or after it is not taken; one before it evicts the last entry, which
  // becomes the bound; ties go to the smaller index.
  table.offer(0, {1000, static_cast<double>(kStride)});
  EXPECT_EQ(table.bound(0).index, kStride + 1);
  table.offer(0, {1, 2.0});
  EXPECT_EQ(table.list(0)[1].index, 1);  // before 3, also at distance 2
  EXPECT_EQ(table.list(0)[2].index, 3);
  EXPECT_EQ(table.bound(0).distance, static_cast<double>(cl::NeighbourTable::kLength));
  // A full list that cannot take an offer below its bound lowers the bound to it.
  table.offer(0, {500, cl::NeighbourTable::kLength - 0.5});
  EXPECT_EQ(table.bound(0).index, 500);
  // Dropping merged clusters keeps the rest in order; an emptied list is unknown.
  std::vector<char> gone(1000, 0);
  gone[1] = gone[2] = 1;
  table.drop(0, gone);
  EXPECT_EQ(table.head(0).index, 3);
  std::fill(gone.begin(), gone.end(), 1);
  table.drop(0, gone);
  EXPECT_FALSE(table.known(0));
  // A union's list starts empty under a distance-only bound: only entries before it enter.
  table.restart(1, {-1, 5.0});
  table.offer(1, {7, 5.0});
  EXPECT_FALSE(table.known(1));
  table.offer(1, {9, 4.0});
  EXPECT_EQ(table.head(1).index, 9);
}

TEST(RoundsTies, DuplicatePointsMergeByTheDocumentedRule) {
  // A at slots 0, 2, 3, 5, 6 and B at 1, 4, 7. A cluster's nearest neighbour is the nearest
  // live cluster, ties to the smaller slot; reciprocal pairs merge in the round where they
  // appear, the union taking the larger slot. Round 1: {0,2} and {1,4}; round 2: {2,3} (the
  // union 2 and its nearest 3) and {4,7}; round 3: {3,5}; round 4: {5,6}; then A and B.
  Eigen::MatrixXd x(8, 2);
  x << 0, 0, 4, 3, 0, 0, 0, 0, 4, 3, 0, 0, 0, 0, 4, 3;
  const cl::RowMatrix<double> rows = x;
  const auto z = cl::ward_linkage(cl::PointsView<double>(rows.data(), 8, 2), cl::DistanceSource::vector);
  const std::vector<std::array<std::int64_t, 3>> expected{{0, 2, 2}, {1, 4, 2}, {3, 8, 3}, {7, 9, 3},
                                                          {5, 10, 4}, {6, 12, 5}, {11, 13, 8}};
  ASSERT_EQ(z.merges.size(), expected.size());
  for (std::size_t q = 0; q < expected.size(); ++q) {
    EXPECT_EQ(z.merges[q].a, expected[q][0]) << "merge " << q;
    EXPECT_EQ(z.merges[q].b, expected[q][1]) << "merge " << q;
    EXPECT_EQ(z.merges[q].size, expected[q][2]) << "merge " << q;
    EXPECT_EQ(z.merges[q].height, q + 1 < expected.size() ? 0.0 : std::sqrt(2.0 * 5 * 3 / 8 * 25)) << "merge " << q;
  }
}

TEST(RoundsTies, AllPointsEqualMergeAtZero) {
  const cl::RowMatrix<float> rows = cl::RowMatrix<float>::Constant(50, 3, 1.5F);
  const auto z = cl::ward_linkage(cl::PointsView<float>(rows.data(), 50, 3), cl::DistanceSource::vector);
  ASSERT_EQ(z.merges.size(), 49U);
  for (const auto& m : z.merges) EXPECT_EQ(m.height, 0.0);
  EXPECT_EQ(z.merges.back().size, 50);
}

TEST(Rounds, TheCapOnMergesPerRoundOnlyAddsRounds) {
  // Deferred reciprocal pairs stay reciprocal: merging at most 2 pairs per round gives the same
  // tie-free linkage, in more rounds.
  std::mt19937_64 rng(5);
  const std::int64_t n = 300;
  const std::int64_t d = 6;
  const auto x = grouped_points(rng, n, d, 2.0, 3.0, 0.5);
  auto run = [&](cl::RoundsLayout layout, cl::RoundStats& stats) {
    cl::SoloTeam team;
    return cl::to_scipy_linkage(n, cl::rounds_ward(team, n, d, x, {}, &stats, layout));
  };
  cl::RoundStats free_stats;
  cl::RoundStats capped_stats;
  const auto free = run({}, free_stats);
  const auto capped = run({cl::kCentroidBlockRows, 2 * 2 * d * static_cast<std::int64_t>(sizeof(double))}, capped_stats);
  expect_bitwise_equal(capped, free);
  EXPECT_LE(capped_stats.max_merges, 2);
  EXPECT_GT(capped_stats.rounds, free_stats.rounds);
  EXPECT_GT(free_stats.max_merges, 2);
}

TEST(Rounds, OutOfRangeCoordinatesAreRefused) {
  std::vector<double> x{0, 1, 0x1p49, 2};
  cl::SoloTeam team;
  EXPECT_THROW(cl::rounds_ward(team, 2, 2, x), conceptlens::InputError);
}
