#pragma once
// The memory-lean distributed distance source for the NN-chain: cluster centroids (float64)
// and sizes, the centroids sharded over the ranks, Ward dissimilarities computed on the fly
// with the serial source's kernels (src/cluster/centroid_distances.hpp). Memory per rank:
// n*d/P doubles + O(n). Rows are dealt in blocks of `block_rows`, round-robin, like the
// matrix shards: live clusters drift to high slots, so dealing them out keeps the scans
// balanced.
//   nearest(): the owner of the tip broadcasts its centroid (d doubles); every rank scans its
//              live centroids (n_live*d/P values read, memory-bandwidth bound); one allreduce
//              of 24 bytes (NearestReduction). Critical path per chain step: bcast(d) + scan of
//              n_live/P centroids + allreduce.
//   merge():   the owner of `dying` sends its centroid to the owner of `survivor` (nothing
//              when it is the same rank), which updates it. Critical path: one message of d.
// The linkage is bitwise the serial vector mode's for every rank count.
#include <mpi.h>

#include <cstdint>
#include <vector>

#include "cluster/active_set.hpp"
#include "cluster/centroid_distances.hpp"
#include "cluster/condensed_matrix.hpp"
#include "cluster/linkage.hpp"
#include "cluster/nearest_reduction.hpp"
#include "cluster/points.hpp"
#include "comm/communicator.hpp"

namespace conceptlens::mpi {

class ShardedCentroids {
 public:
  static constexpr std::int64_t kBlockRows = cluster::kCentroidBlockRows;

  /// Collective. `owned` holds this rank's rows of an n-point set, those of
  /// cluster::block_cyclic_rows(n, rank, size, block_rows), in increasing order.
  template <class Scalar>
  ShardedCentroids(MPI_Comm comm, std::int64_t n, const cluster::PointsView<Scalar>& owned,
                   std::int64_t block_rows = kBlockRows);

  std::int64_t size() const { return n_; }

  // --- the distance-source interface of nn_chain_ward; both collective ---
  cluster::Nearest nearest(std::int64_t i, std::int64_t prefer, const cluster::ActiveSet& active,
                           const std::vector<std::int64_t>& sizes);
  void merge(std::int64_t dying, std::int64_t survivor, double d,
             const std::vector<std::int64_t>& sizes, const cluster::ActiveSet& active);

 private:
  int owner(std::int64_t i) const { return static_cast<int>(i / block_ % comm_.size()); }
  /// Position of an owned slot's centroid in owned_.
  std::int64_t local(std::int64_t i) const { return i / (block_ * comm_.size()) * block_ + i % block_; }
  double* centroid(std::int64_t i) { return owned_.row(local(i)).data(); }

  Communicator comm_;
  std::int64_t n_;
  std::int64_t block_;
  cluster::RowMatrix<double> owned_;
  std::vector<double> buffer_;  ///< the tip's centroid, or the dying one during a merge
  NearestReduction reduction_;
};

/// Collective. This rank's rows of `points` under the deal of ShardedCentroids (for callers
/// that hold every point; a reader can also load only these rows).
template <class Scalar>
cluster::RowMatrix<Scalar> owned_rows(MPI_Comm comm, const cluster::PointsView<Scalar>& points,
                                      std::int64_t block_rows = ShardedCentroids::kBlockRows);

/// Collective. Ward linkage (vector mode) of the n points whose rows this rank holds in
/// `owned` (identical on every rank and for every rank count).
template <class Scalar>
cluster::Linkage sharded_vector_linkage(MPI_Comm comm, std::int64_t n, const cluster::PointsView<Scalar>& owned,
                                        cluster::ChainHooks hooks = {},
                                        std::int64_t block_rows = ShardedCentroids::kBlockRows);

}  // namespace conceptlens::mpi
