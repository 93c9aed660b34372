#pragma once
// Distance source 1 of the NN-chain: a condensed (upper-triangular, row-major) matrix of
// squared Ward dissimilarities, as SciPy's pdist stores it: entry (i, j), i < j, lives at
// i*(2n-i-1)/2 + (j-i-1). Memory: n(n-1)/2 doubles + O(n). Merges apply the Lance-Williams
// update for Ward on squared Euclidean distances.
//
// Nearest neighbours are cached in NeighbourLists (see there), kept exact by the merge pass,
// which rewrites d(j, k) for every live k anyway; the initial lists come out of the distance
// computation. A row is scanned only when a cluster's list has run empty.
#include <cstdint>
#include <vector>

#include "cluster/active_set.hpp"
#include "cluster/neighbour_lists.hpp"
#include "cluster/nn_chain.hpp"
#include "cluster/points.hpp"
#include "util/large_buffer.hpp"

namespace conceptlens::cluster {

class CondensedMatrix {
 public:
  /// Squared Euclidean distances of the rows of `points`, computed as blocked matrix products
  /// on centred float64 copies of row blocks (||x||^2 + ||y||^2 - 2 x.y), with pairs that are
  /// close relative to their norms recomputed directly as sum((x - y)^2) so that small
  /// distances keep full relative precision. Throws InputError if n(n-1)/2 doubles overflow.
  template <class Scalar>
  static CondensedMatrix squared_euclidean(const PointsView<Scalar>& points);

  /// Bytes needed for n points (checked arithmetic; throws InputError on overflow).
  static std::uint64_t bytes_for(std::int64_t n);

  std::int64_t size() const { return n_; }
  double at(std::int64_t i, std::int64_t j) const { return d_[index(i, j)]; }

  // --- the distance-source interface of nn_chain_ward ---
  Nearest nearest(std::int64_t i, std::int64_t prefer, const ActiveSet& active,
                  const std::vector<std::int64_t>& sizes) const;
  void merge(std::int64_t dying, std::int64_t survivor, double d,
             const std::vector<std::int64_t>& sizes, const ActiveSet& active);

 private:
  explicit CondensedMatrix(std::int64_t n);
  std::size_t index(std::int64_t i, std::int64_t j) const {  // requires i < j
    return static_cast<std::size_t>(i * (2 * n_ - i - 1) / 2 + (j - i - 1));
  }
  std::size_t index_any(std::int64_t i, std::int64_t j) const {
    return i < j ? index(i, j) : index(j, i);
  }

  /// Offers the distances d[t] = d(i, j_begin + t), t < count, to the lists of i and each j.
  void offer_row(std::int64_t i, std::int64_t j_begin, const double* d, std::int64_t count);
  /// Full scan of the live neighbours of i: rebuilds its list.
  void scan(std::int64_t i, const ActiveSet& active) const;

  std::int64_t n_ = 0;
  LargeBuffer<double> d_;  // n(n-1)/2 entries, on huge pages where possible
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
