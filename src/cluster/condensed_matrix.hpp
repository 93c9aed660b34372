#pragma once
// Distance source 1 of the NN-chain: the condensed (upper-triangular, row-major) matrix of
// squared Ward dissimilarities, as SciPy's pdist stores it: entry (i, j), i < j, lives in row i
// at offset i*(2n-i-1)/2 + (j-i-1). An object holds the rows [first, last): all of them in the
// serial case, a block-cyclic shard of them under MPI (mpi/cluster/sharded_matrix.hpp adds the
// communication). Memory: the held rows' entries + O(n). Merges apply the Lance-Williams update
// for Ward on squared Euclidean distances.
//
// Nearest neighbours are cached in NeighbourLists over the held entries (see there), kept exact
// by the merge pass, which rewrites d(j, k) for every live k anyway; the initial lists come
// out of the distance computation. A row is scanned only when a cluster's list has run empty.
#include <cstdint>
#include <vector>

#include "cluster/active_set.hpp"
#include "cluster/neighbour_lists.hpp"
#include "cluster/nn_chain.hpp"
#include "cluster/points.hpp"
#include "util/large_buffer.hpp"

namespace conceptlens::cluster {

/// A contiguous range of matrix rows [first, last).
struct RowRange {
  std::int64_t first = 0;
  std::int64_t last = 0;
  bool contains(std::int64_t i) const { return first <= i && i < last; }
};

/// Rows held by one object: sorted, disjoint ranges.
using RowRanges = std::vector<RowRange>;

/// The number of rows in `ranges`.
inline std::int64_t row_count(const RowRanges& ranges) {
  std::int64_t count = 0;
  for (const RowRange& range : ranges) count += range.last - range.first;
  return count;
}

/// The rows rank `rank` of `ranks` holds under a block-cyclic layout: blocks of `block` rows
/// dealt round-robin. Live clusters drift to high rows as the chain runs, so dealing the rows
/// out keeps the chain's work balanced as well as the entries (within one block).
RowRanges block_cyclic_rows(std::int64_t n, int rank, int ranks, std::int64_t block);

class CondensedMatrix {
 public:
  /// Rows per block of the distance products. A block is computed whole by whoever holds any
  /// of its rows, so shards should deal whole blocks.
  static constexpr std::int64_t kBlockRows = 512;

  /// Rows `rows` of the squared Euclidean distances of the rows of `points`, computed as
  /// blocked matrix products on centred float64 copies of row blocks (||x||^2 + ||y||^2 - 2 x.y),
  /// with pairs that are close relative to their norms recomputed directly as sum((x - y)^2) so
  /// that small distances keep full relative precision. Every entry has the same value whatever
  /// the row range. Throws InputError if the sizes overflow.
  template <class Scalar>
  static CondensedMatrix squared_euclidean(const PointsView<Scalar>& points, const RowRanges& rows);
  /// The whole matrix.
  template <class Scalar>
  static CondensedMatrix squared_euclidean(const PointsView<Scalar>& points) {
    return squared_euclidean(points, RowRanges{{0, points.rows()}});
  }

  /// Bytes for the entries of rows `rows` of an n-point matrix (checked arithmetic; InputError
  /// on overflow).
  static std::uint64_t bytes_for(std::int64_t n, const RowRanges& rows);
  static std::uint64_t bytes_for(std::int64_t n) { return bytes_for(n, RowRanges{{0, n}}); }

  std::int64_t size() const { return n_; }
  /// Whether this object holds row i.
  bool holds_row(std::int64_t i) const { return row_offset_[static_cast<std::size_t>(i)] >= 0; }
  /// Whether this object holds entry (i, j), i != j.
  bool holds(std::int64_t i, std::int64_t j) const { return holds_row(std::min(i, j)); }
  double at(std::int64_t i, std::int64_t j) const { return d_[local(std::min(i, j), std::max(i, j))]; }
  /// Row i (held): row(i)[t] = d(i, i + 1 + t) for t < row_length(i).
  const double* row(std::int64_t i) const { return mutable_row(i); }
  /// Entries in row i: n - i - 1.
  std::int64_t row_length(std::int64_t i) const { return n_ - i - 1; }

  /// The nearest live neighbour of i among the held entries (index -1 when none).
  Nearest held_nearest(std::int64_t i, const ActiveSet& active) const;

  /// Merges cluster `dying` into `survivor` (dying < survivor, as the chain does): rewrites the
  /// held entries d(k, survivor) and the neighbour lists. `row_dying` is row `dying` of the
  /// whole matrix (row_dying[t] = d(dying, dying + 1 + t)) — this object's own row when it
  /// holds it, else a copy from the rank that does.
  void merge(std::int64_t dying, std::int64_t survivor, double d,
             const std::vector<std::int64_t>& sizes, const ActiveSet& active,
             const double* row_dying);

  // --- the distance-source interface of nn_chain_ward (an object holding every row) ---
  Nearest nearest(std::int64_t i, std::int64_t prefer, const ActiveSet& active,
                  const std::vector<std::int64_t>& sizes) const;
  void merge(std::int64_t dying, std::int64_t survivor, double d,
             const std::vector<std::int64_t>& sizes, const ActiveSet& active) {
    merge(dying, survivor, d, sizes, active, row(dying));
  }

 private:
  CondensedMatrix(std::int64_t n, const RowRanges& rows);
  /// Row i's first entry, d(i, i + 1) (one past the last entry when the row is empty).
  double* mutable_row(std::int64_t i) const { return d_.data() + local(i, i + 1); }
  /// Position of held entry (i, j), i < j, in d_.
  std::size_t local(std::int64_t i, std::int64_t j) const {
    return static_cast<std::size_t>(row_offset_[static_cast<std::size_t>(i)] + (j - i - 1));
  }

  /// Offers the distances d[t] = d(i, j_begin + t), t < count, to the lists of i and each j.
  void offer_row(std::int64_t i, std::int64_t j_begin, const double* d, std::int64_t count);
  /// Full scan of the held entries of i: rebuilds its list.
  void scan(std::int64_t i, const ActiveSet& active) const;

  std::int64_t n_ = 0;
  RowRanges ranges_;
  std::vector<std::int64_t> row_offset_;  // position of row i's first entry in d_; -1: not held
  LargeBuffer<double> d_;         // the held entries, on huge pages where possible
  mutable NeighbourLists lists_;  // a cache: filling it does not change the distances
};

/// The Lance-Williams update for Ward's method on squared distances: the dissimilarity of
/// cluster k to the union of i and j, from d(i,k), d(j,k), d(i,j) and the sizes (symmetric in
/// i and j).
inline double ward_update(double d_ik, double d_jk, double d_ij, double s_i, double s_j,
                          double s_k) {
  return ((s_i + s_k) * d_ik + (s_j + s_k) * d_jk - s_k * d_ij) / (s_i + s_j + s_k);
}

}  // namespace conceptlens::cluster
