// Ward by the NN-chain against the naive oracle: every merge is the global minimum, for both
// distance sources, float32 and float64 input, and random sizes and dimensions.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>

#include "cluster/flat_clusters.hpp"
#include "cluster/ward.hpp"
#include "ward_oracle.hpp"

namespace cl = conceptlens::cluster;
using conceptlens::testing::naive_ward;

namespace {

/// Gaussian blobs of uneven sizes with one heavy-tailed dimension: like activations, tie-free.
Eigen::MatrixXd blobs(std::mt19937_64& rng, std::int64_t n, std::int64_t d) {
  std::normal_distribution<double> normal;
  std::student_t_distribution<double> heavy(1.5);
  Eigen::MatrixXd x(n, d);
  Eigen::RowVectorXd centre = Eigen::RowVectorXd::Zero(d);
  for (std::int64_t i = 0; i < n; ++i) {
    if (i == 0 || rng() % 5 == 0) {
      for (std::int64_t c = 0; c < d; ++c) centre[c] = 4 * normal(rng);
    }
    for (std::int64_t c = 0; c < d; ++c) x(i, c) = centre[c] + normal(rng);
    x(i, 0) += heavy(rng);
  }
  return x;
}

/// The partition as a set of member sets, comparable whatever the cluster numbering.
std::set<std::set<std::int64_t>> as_sets(const std::vector<std::int32_t>& labels) {
  std::map<std::int32_t, std::set<std::int64_t>> by_label;
  for (std::size_t p = 0; p < labels.size(); ++p) by_label[labels[p]].insert(static_cast<std::int64_t>(p));
  std::set<std::set<std::int64_t>> sets;
  for (auto& [label, members] : by_label) sets.insert(members);
  return sets;
}

std::set<std::set<std::int64_t>> as_sets(const std::vector<std::vector<std::int64_t>>& partition) {
  std::set<std::set<std::int64_t>> sets;
  for (const auto& members : partition) sets.insert({members.begin(), members.end()});
  return sets;
}

template <class Scalar>
cl::Linkage run(const Eigen::MatrixXd& x, cl::DistanceSource source) {
  const cl::RowMatrix<Scalar> rows = x.cast<Scalar>();
  return cl::ward_linkage(cl::PointsView<Scalar>(rows.data(), rows.rows(), rows.cols()), source);
}

void expect_matches_oracle(const Eigen::MatrixXd& x, const cl::Linkage& linkage) {
  const auto steps = naive_ward(x);
  const auto n = x.rows();
  ASSERT_EQ(linkage.n, n);
  ASSERT_EQ(linkage.merges.size(), static_cast<std::size_t>(n - 1));
  for (std::int64_t q = 0; q < n - 1; ++q) {
    const auto& m = linkage.merges[static_cast<std::size_t>(q)];
    EXPECT_NEAR(m.height, steps[static_cast<std::size_t>(q)].height, 1e-9 * (1 + m.height)) << "merge " << q;
    EXPECT_LT(m.a, m.b);
    EXPECT_LT(m.b, n + q);
    const std::int64_t k = n - q - 1;
    EXPECT_EQ(as_sets(cl::flat_clusters(linkage, k)), as_sets(steps[static_cast<std::size_t>(q)].partition))
        << "partition at K = " << k;
  }
}

}  // namespace

TEST(WardOracle, EveryMergeIsTheGlobalMinimum) {
  for (std::uint64_t seed = 1; seed <= 30; ++seed) {
    std::mt19937_64 rng(seed);
    const auto n = static_cast<std::int64_t>(2 + rng() % 60);
    const auto d = static_cast<std::int64_t>(1 + rng() % 8);
    SCOPED_TRACE("seed " + std::to_string(seed) + ", n = " + std::to_string(n) + ", d = " + std::to_string(d));
    const Eigen::MatrixXd x = blobs(rng, n, d);
    expect_matches_oracle(x, run<double>(x, cl::DistanceSource::matrix));
    expect_matches_oracle(x, run<double>(x, cl::DistanceSource::vector));
  }
}

TEST(WardOracle, Float32InputIsClusteredInDoublePrecision) {
  std::mt19937_64 rng(99);
  const Eigen::MatrixXd x = blobs(rng, 50, 6).cast<float>().cast<double>();
  expect_matches_oracle(x, run<float>(x, cl::DistanceSource::matrix));
  expect_matches_oracle(x, run<float>(x, cl::DistanceSource::vector));
}

TEST(WardOracle, BothSourcesGiveTheSameLinkage) {
  std::mt19937_64 rng(7);
  const Eigen::MatrixXd x = blobs(rng, 400, 16);
  const auto a = run<double>(x, cl::DistanceSource::matrix);
  const auto b = run<double>(x, cl::DistanceSource::vector);
  ASSERT_EQ(a.merges.size(), b.merges.size());
  for (std::size_t q = 0; q < a.merges.size(); ++q) {
    EXPECT_EQ(a.merges[q].a, b.merges[q].a) << q;
    EXPECT_EQ(a.merges[q].b, b.merges[q].b) << q;
    EXPECT_EQ(a.merges[q].size, b.merges[q].size) << q;
    EXPECT_NEAR(a.merges[q].height, b.merges[q].height, 1e-10 * a.merges[q].height) << q;
  }
}

TEST(WardOracle, LargeOffsetsKeepSmallDistancesExact) {
  // Points far from the origin and close together: the product form alone would cancel.
  Eigen::MatrixXd x(4, 2);
  x << 1e6, 1e6, 1e6 + 1e-3, 1e6, 1e6, 1e6 + 3e-3, 1e6 + 10, 1e6;
  const auto linkage = run<double>(x, cl::DistanceSource::matrix);
  expect_matches_oracle(x, linkage);
  EXPECT_NEAR(linkage.merges[0].height, x(1, 0) - x(0, 0), 1e-15);  // exact difference of the doubles
}

TEST(WardTies, ChainPredecessorWinsThenSmallerIndex) {
  // Four points at 0, 1, 2, 3: d(0,1) = d(1,2) = d(2,3) = 1. The chain starts at 0 -> 1; at 1,
  // the predecessor 0 ties with 2 and wins, so {0,1} merges first, then {2,3}.
  Eigen::MatrixXd x(4, 1);
  x << 0, 1, 2, 3;
  for (auto source : {cl::DistanceSource::matrix, cl::DistanceSource::vector}) {
    const auto z = run<double>(x, source);
    ASSERT_EQ(z.merges.size(), 3u);
    EXPECT_EQ(z.merges[0].a, 0);
    EXPECT_EQ(z.merges[0].b, 1);
    EXPECT_DOUBLE_EQ(z.merges[0].height, 1.0);
    EXPECT_EQ(z.merges[1].a, 2);
    EXPECT_EQ(z.merges[1].b, 3);
    EXPECT_DOUBLE_EQ(z.merges[1].height, 1.0);
    EXPECT_EQ(z.merges[2].a, 4);
    EXPECT_EQ(z.merges[2].b, 5);
    EXPECT_NEAR(z.merges[2].height, std::sqrt(8.0), 1e-12);  // sqrt(2*2*2/4 * 2^2)
    EXPECT_EQ(z.merges[2].size, 4);
  }
}

TEST(WardTies, DuplicatePointsMergeAtZeroBySmallerIndex) {
  Eigen::MatrixXd x(3, 2);
  x << 1, 1, 5, 5, 1, 1;
  for (auto source : {cl::DistanceSource::matrix, cl::DistanceSource::vector}) {
    const auto z = run<double>(x, source);
    EXPECT_EQ(z.merges[0].a, 0);
    EXPECT_EQ(z.merges[0].b, 2);
    EXPECT_EQ(z.merges[0].height, 0.0);
  }
}

TEST(WardSmall, OneAndTwoPoints) {
  Eigen::MatrixXd one(1, 3);
  one << 1, 2, 3;
  EXPECT_TRUE(run<double>(one, cl::DistanceSource::matrix).merges.empty());
  Eigen::MatrixXd two(2, 2);
  two << 0, 0, 3, 4;
  const auto z = run<double>(two, cl::DistanceSource::matrix);
  ASSERT_EQ(z.merges.size(), 1u);
  EXPECT_DOUBLE_EQ(z.merges[0].height, 5.0);
  EXPECT_EQ(z.merges[0].size, 2);
}
