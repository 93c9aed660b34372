// The sharded matrix (NN-chain) and the sharded centroids (the lean mode's rounds) give the
// serial core's linkage bitwise, at any rank count, including ranks whose shard is empty; and
// the shards cover the rows once, balanced by entries.
#include <gtest/gtest.h>

#include <random>

#include "cluster/rounds.hpp"
#include "cluster/sharded_matrix.hpp"
#include "cluster/sharded_rounds.hpp"
#include "cluster/ward.hpp"
#include "comm/communicator.hpp"
#include "linkage_checks.hpp"
#include "store/npy.hpp"

namespace cl = conceptlens::cluster;
namespace mpi = conceptlens::mpi;
using conceptlens::testing::expect_bitwise_equal;

namespace {

cl::RowMatrix<double> blobs(std::uint64_t seed, std::int64_t n, std::int64_t d) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  cl::RowMatrix<double> x(n, d);
  Eigen::RowVectorXd centre = Eigen::RowVectorXd::Zero(d);
  for (std::int64_t i = 0; i < n; ++i) {
    if (i == 0 || rng() % 7 == 0) {
      for (std::int64_t c = 0; c < d; ++c) centre[c] = 5 * normal(rng);
    }
    for (std::int64_t c = 0; c < d; ++c) x(i, c) = centre[c] + normal(rng);
  }
  return x;
}

/// The linkage of `source` sharded over MPI_COMM_WORLD in blocks of `block` rows.
template <class Scalar>
cl::Linkage sharded(const cl::PointsView<Scalar>& points, cl::DistanceSource source, std::int64_t block,
                    cl::ChainHooks hooks = {}) {
  if (source == cl::DistanceSource::matrix) {
    return mpi::sharded_ward_linkage(MPI_COMM_WORLD, points, std::move(hooks), block);
  }
  return mpi::sharded_vector_linkage(MPI_COMM_WORLD, points.rows(), points.cols(),
                                     mpi::owned_rows(MPI_COMM_WORLD, points, block), std::move(hooks), nullptr,
                                     cl::RoundsLayout{block});
}

/// Both sources, sharded with the production block size and with tiny blocks (rows
/// interleaved finely, so that small inputs are spread over every rank too): bitwise equal to
/// the serial core's source.
template <class Scalar>
void expect_same_as_serial(const cl::PointsView<Scalar>& points) {
  for (const auto source : {cl::DistanceSource::matrix, cl::DistanceSource::vector}) {
    const auto serial = cl::ward_linkage(points, source);
    const std::int64_t production = source == cl::DistanceSource::matrix ? cl::CondensedMatrix::kBlockRows
                                                                         : cl::kCentroidBlockRows;
    for (std::int64_t block : {production, std::int64_t{1}, std::int64_t{7}}) {
      SCOPED_TRACE(cl::to_string(source) + ", blocks of " + std::to_string(block) + " rows");
      expect_bitwise_equal(sharded(points, source, block), serial);
    }
  }
}

}  // namespace

TEST(BlockCyclicRows, CoverEveryRowOnceWithBalancedEntries) {
  for (std::int64_t n : {0, 1, 2, 3, 10, 1000, 20001}) {
    for (int ranks = 1; ranks <= 7; ++ranks) {
      for (std::int64_t block : {1, 3, 512}) {
        std::vector<int> holder(static_cast<std::size_t>(n), -1);
        double largest = 0;
        for (int r = 0; r < ranks; ++r) {
          double entries = 0;
          std::int64_t previous = 0;
          for (const auto& rows : cl::block_cyclic_rows(n, r, ranks, block)) {
            EXPECT_LE(previous, rows.first);
            EXPECT_LT(rows.first, rows.last);
            for (auto i = rows.first; i < rows.last; ++i) {
              EXPECT_EQ(holder[static_cast<std::size_t>(i)], -1) << "row " << i << " held twice";
              holder[static_cast<std::size_t>(i)] = r;
              entries += static_cast<double>(n - i - 1);
            }
            previous = rows.last;
          }
          largest = std::max(largest, entries);
        }
        for (std::int64_t i = 0; i < n; ++i) EXPECT_GE(holder[static_cast<std::size_t>(i)], 0) << "row " << i;
        const double total = 0.5 * static_cast<double>(n) * static_cast<double>(n - 1);
        EXPECT_LE(largest, total / ranks + static_cast<double>(block * n)) << n << " on " << ranks;
      }
    }
  }
}

TEST(ShardedWard, EqualsTheSerialCoreBitwise) {
  for (std::uint64_t seed : {1, 2, 3}) {
    const auto n = static_cast<std::int64_t>(50 + 150 * seed);
    SCOPED_TRACE("seed " + std::to_string(seed) + ", n = " + std::to_string(n));
    const auto x = blobs(seed, n, 12);
    expect_same_as_serial(cl::PointsView<double>(x.data(), x.rows(), x.cols()));
  }
}

TEST(ShardedWard, Float32GoldenCase) {
  const auto points = conceptlens::store::read_npy_matrix(std::string(CONCEPTLENS_GOLDEN_DIR) +
                                                          "/n1200_d32_f32.points.npy");
  const auto& values = std::get<std::vector<float>>(points.values);
  expect_same_as_serial(cl::PointsView<float>(values.data(), points.rows, points.cols));
}

TEST(ShardedWard, SeveralBlocksPerRank) {
  // n = 2600: six blocks of rows, dealt round-robin (every rank count holds several).
  const auto x = blobs(11, 2600, 4);
  expect_same_as_serial(cl::PointsView<double>(x.data(), x.rows(), x.cols()));
}

TEST(ShardedWard, MoreRanksThanRowsAndTinyInputs) {
  for (std::int64_t n : {1, 2, 3, 5}) {
    SCOPED_TRACE("n = " + std::to_string(n));
    const auto x = blobs(40 + static_cast<std::uint64_t>(n), n, 3);
    expect_same_as_serial(cl::PointsView<double>(x.data(), x.rows(), x.cols()));
  }
}

TEST(ShardedWard, TiesFollowTheDocumentedRule) {
  cl::RowMatrix<double> x(6, 1);
  x << 0, 1, 2, 3, 4, 5;  // every neighbour at distance 1
  expect_same_as_serial(cl::PointsView<double>(x.data(), x.rows(), x.cols()));
}

TEST(ShardedWard, ResumedFromSavedStatesEqualsTheUninterruptedRun) {
  // States are saved on every rank (each takes the same decisions); a resume replays the merges
  // on the shards. The states saved at this rank count are resumed at this rank count here; the
  // CLI test resumes a checkpoint at another rank count.
  const auto x = blobs(5, 700, 6);
  const cl::PointsView<double> points(x.data(), x.rows(), x.cols());
  for (const auto source : {cl::DistanceSource::matrix, cl::DistanceSource::vector}) {
    SCOPED_TRACE(cl::to_string(source));
    std::vector<cl::ChainState> saved;
    cl::ChainHooks record;
    record.after_merge = [&](const cl::ChainState& state) {  // after every merge (chain) or round
      if (source == cl::DistanceSource::vector || state.merges.size() % 97 == 1) saved.push_back(state);
    };
    const auto uninterrupted = sharded(points, source, 7, record);
    expect_bitwise_equal(uninterrupted, cl::ward_linkage(points, source));
    ASSERT_GE(saved.size(), 7U);
    for (const auto& state : saved) {
      cl::ChainHooks resume;
      resume.start = state;
      expect_bitwise_equal(sharded(points, source, 7, resume), uninterrupted);
    }
  }
}
