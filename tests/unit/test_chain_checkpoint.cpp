// Checkpoint and resume of the NN-chain and of the rounds: a run resumed from any saved state
// ends with the uninterrupted run's linkage, bitwise, for both modes; checkpoint files round-trip,
// refuse other content, and the row fingerprint does not depend on how the rows are split.
#include <gtest/gtest.h>

#include <random>

#include "cluster/checkpoint.hpp"
#include "cluster/ward.hpp"
#include "linkage_checks.hpp"
#include "test_support.hpp"
#include "util/error.hpp"

namespace cl = conceptlens::cluster;
using conceptlens::InputError;
using conceptlens::testing::expect_bitwise_equal;
using conceptlens::testing::ScratchDir;

namespace {

cl::RowMatrix<double> random_points(std::uint64_t seed, std::int64_t n, std::int64_t d) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  cl::RowMatrix<double> x(n, d);
  for (std::int64_t i = 0; i < n; ++i) {
    for (std::int64_t c = 0; c < d; ++c) x(i, c) = normal(rng) + static_cast<double>(i % 4) * 3.0;
  }
  return x;
}

}  // namespace

TEST(ChainResume, FromAnySavedStateGivesTheUninterruptedLinkage) {
  for (const auto source : {cl::DistanceSource::matrix, cl::DistanceSource::vector}) {
    for (std::uint64_t seed = 1; seed <= 4; ++seed) {
      SCOPED_TRACE(cl::to_string(source) + " seed " + std::to_string(seed));
      const auto x = random_points(seed, 150 + static_cast<std::int64_t>(seed) * 37, 5);
      const cl::PointsView<double> points(x.data(), x.rows(), x.cols());
      // Save the state after every merge (chain) or round (rounds), as a checkpoint timer with
      // interval 0 would.
      std::vector<cl::ChainState> saved;
      cl::ChainHooks record;
      record.after_merge = [&](const cl::ChainState& state) { saved.push_back(state); };
      cl::RoundStats stats;
      const auto uninterrupted = cl::ward_linkage(points, source, record, &stats);
      if (source == cl::DistanceSource::matrix) {
        ASSERT_EQ(saved.size(), static_cast<std::size_t>(x.rows() - 1));
      } else {
        ASSERT_EQ(saved.size(), static_cast<std::size_t>(stats.rounds));
        ASSERT_GE(saved.size(), 5U);
      }
      for (std::size_t at = 0; at < saved.size(); at += 1 + at / 4) {
        cl::ChainHooks resume;
        resume.start = saved[at];
        expect_bitwise_equal(cl::ward_linkage(points, source, resume), uninterrupted);
        if (source == cl::DistanceSource::vector) {
          // Without its neighbour lists the state still resumes: they are recomputed from all
          // pairs (as when a round finds no reciprocal pair), and lead to the same merges.
          resume.start.neighbours.clear();
          expect_bitwise_equal(cl::ward_linkage(points, source, resume), uninterrupted);
        }
      }
    }
  }
}

TEST(ChainCheckpoint, RoundTripsThroughTheFile) {
  ScratchDir dir;
  cl::ChainCheckpoint checkpoint;
  checkpoint.fingerprint = 0x0123456789abcdefULL;
  checkpoint.state.merges = {{3, 7, 0.25}, {1, 2, 1e-300}, {0, 9, 12345.678}};
  checkpoint.state.chain = {4, 8, 5};
  cl::write_checkpoint(dir / "c.checkpoint", checkpoint);
  EXPECT_FALSE(std::filesystem::exists(dir / ("c.checkpoint.tmp-" + std::to_string(::getpid()))));
  const auto bytes = cl::read_checkpoint_bytes(dir / "c.checkpoint");
  ASSERT_TRUE(bytes.has_value());
  const auto back = cl::decode_checkpoint(*bytes, dir / "c.checkpoint");
  EXPECT_EQ(back.fingerprint, checkpoint.fingerprint);
  ASSERT_EQ(back.state.merges.size(), 3U);
  for (std::size_t q = 0; q < 3; ++q) {
    EXPECT_EQ(back.state.merges[q].i, checkpoint.state.merges[q].i);
    EXPECT_EQ(back.state.merges[q].j, checkpoint.state.merges[q].j);
    EXPECT_EQ(back.state.merges[q].squared, checkpoint.state.merges[q].squared);
  }
  EXPECT_EQ(back.state.chain, checkpoint.state.chain);
  EXPECT_FALSE(cl::read_checkpoint_bytes(dir / "missing.checkpoint").has_value());
}

TEST(ChainCheckpoint, OtherBytesAreRefusedNamingTheFile) {
  for (const std::string& bytes : {std::string(), std::string("not a checkpoint at all"),
                                  cl::encode_checkpoint({}).substr(0, 30)}) {
    try {
      cl::decode_checkpoint(bytes, "/tmp/x.checkpoint");
      FAIL() << "accepted " << bytes.size() << " bytes";
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find("/tmp/x.checkpoint"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("not a conceptlens checkpoint"), std::string::npos) << e.what();
    }
  }
}

TEST(ChainCheckpoint, FingerprintIsTheSameForAnySplitOfTheRows) {
  const auto x = random_points(9, 100, 3);
  const cl::PointsView<double> all(x.data(), x.rows(), x.cols());
  const std::uint64_t whole = cl::hash_rows(all, 0);
  std::uint64_t split = 0;
  for (std::int64_t first : {0, 17, 60}) {
    const std::int64_t last = first == 0 ? 17 : (first == 17 ? 60 : 100);
    split += cl::hash_rows(cl::PointsView<double>(x.row(first).data(), last - first, 3), first);
  }
  EXPECT_EQ(split, whole);
  // Any change of a value, or of the order of rows, changes it.
  auto y = x;
  y(42, 1) = std::nextafter(y(42, 1), 1e9);
  EXPECT_NE(cl::hash_rows(cl::PointsView<double>(y.data(), 100, 3), 0), whole);
  auto z = x;
  z.row(3).swap(z.row(4));
  EXPECT_NE(cl::hash_rows(cl::PointsView<double>(z.data(), 100, 3), 0), whole);
  EXPECT_NE(cl::fingerprint(whole, 100, 3, 8, "matrix"), cl::fingerprint(whole, 100, 3, 8, "vector"));
}
