#pragma once
// Distributed distance source for the NN-chain (src/cluster/nn_chain.hpp): the condensed Ward
// matrix sharded by rows over the ranks of a communicator, each shard a CondensedMatrix over
// its rows. Every rank runs the same chain; the chain's decisions are global:
//   nearest(): each rank finds the nearest neighbour of the chain's tip among the entries it
//              holds (its neighbour lists answer most look-ups without a scan); one
//              MPI_Allreduce picks the global (distance, index) minimum and the distance to the
//              chain predecessor. Critical path per chain step: one local look-up, O(n/P) when
//              it must scan, + one allreduce of 24 bytes.
//   merge():   the rank holding row `dying` broadcasts it (MPI_Bcast, n - dying - 1 doubles);
//              every rank applies the Lance-Williams update to the entries d(k, survivor) it
//              holds. Critical path per merge: one broadcast of O(n) + O(n/P) updates.
// Rows are dealt to the ranks in blocks of CondensedMatrix::kBlockRows, round-robin
// (block_cyclic_rows): every rank holds about the same number of entries (n^2/2P, within one
// block), and since live clusters drift to high rows as the chain runs (a merge keeps the larger
// slot), dealing the blocks out also balances the chain's work, which contiguous shards did not.
// The result is bitwise the same for every rank count: each entry is computed by the same
// product on a global grid, and every decision uses the same comparisons as the serial source.
#include <mpi.h>

#include <cstdint>
#include <vector>

#include "cluster/condensed_matrix.hpp"
#include "cluster/linkage.hpp"
#include "cluster/nearest_reduction.hpp"
#include "comm/communicator.hpp"

namespace conceptlens::mpi {

class ShardedMatrix {
 public:
  /// Collective. Computes this rank's shard from the points (every rank passes all points);
  /// rows are dealt in blocks of `block_rows` (tests use small blocks to interleave more).
  template <class Scalar>
  ShardedMatrix(MPI_Comm comm, const cluster::PointsView<Scalar>& points,
                std::int64_t block_rows = cluster::CondensedMatrix::kBlockRows);
  ShardedMatrix(const ShardedMatrix&) = delete;
  ShardedMatrix& operator=(const ShardedMatrix&) = delete;

  std::int64_t size() const { return shard_.size(); }

  // --- the distance-source interface of nn_chain_ward; both collective ---
  cluster::Nearest nearest(std::int64_t i, std::int64_t prefer, const cluster::ActiveSet& active,
                           const std::vector<std::int64_t>& sizes) const;
  void merge(std::int64_t dying, std::int64_t survivor, double d,
             const std::vector<std::int64_t>& sizes, const cluster::ActiveSet& active);

 private:
  int owner(std::int64_t row) const;

  Communicator comm_;  ///< a duplicate: the chain's messages stay apart
  std::int64_t block_rows_;
  cluster::CondensedMatrix shard_;
  std::vector<double> row_buffer_;
  NearestReduction reduction_;
};

/// Collective. Ward linkage of the points (identical on every rank and for every rank count).
template <class Scalar>
cluster::Linkage sharded_ward_linkage(MPI_Comm comm, const cluster::PointsView<Scalar>& points,
                                      cluster::ChainHooks hooks = {},
                                      std::int64_t block_rows = cluster::CondensedMatrix::kBlockRows);

}  // namespace conceptlens::mpi
