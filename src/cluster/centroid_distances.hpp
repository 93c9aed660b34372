#pragma once
// Distance source 2 of the NN-chain: cluster centroids and sizes only (memory O(n*d)), with
// Ward dissimilarities computed on the fly: 2|A||B|/(|A|+|B|) * ||c_A - c_B||^2, which is what
// the Lance-Williams recurrence of the matrix source keeps. Each nearest-neighbour search reads
// every live centroid once: O(n*d) time, memory-bandwidth bound.
//
// The two kernels below are the only arithmetic of this mode; the sharded version
// (mpi/cluster/sharded_centroids.hpp) calls the same ones, and their results do not depend on
// where the rows lie in memory, so both give bitwise the same linkage.
#include <cstdint>
#include <vector>

#include "cluster/active_set.hpp"
#include "cluster/nn_chain.hpp"
#include "cluster/points.hpp"

namespace conceptlens::cluster {

/// Rows per block when centroids are dealt to ranks (mpi/cluster/sharded_centroids.hpp).
constexpr std::int64_t kCentroidBlockRows = 64;

/// Ward dissimilarity (squared units) of clusters with centroids a, b (d values) and sizes
/// s_a, s_b. Sums in a fixed order whatever the alignment of a and b.
double ward_distance(const double* a, const double* b, std::int64_t d, double s_a, double s_b);

/// survivor := centroid of the union of clusters `dying` (size s_dying) and `survivor` (s_survivor).
void merge_centroid(const double* dying, double* survivor, std::int64_t d, double s_dying, double s_survivor);

class CentroidDistances {
 public:
  /// Copies the points (as float64) as the initial singleton centroids.
  template <class Scalar>
  explicit CentroidDistances(const PointsView<Scalar>& points)
      : centroids_(points.template cast<double>()) {}

  std::int64_t size() const { return centroids_.rows(); }

  /// Ward dissimilarity (squared units) of live clusters i and j.
  double distance(std::int64_t i, std::int64_t j, const std::vector<std::int64_t>& sizes) const;

  // --- the distance-source interface of nn_chain_ward ---
  Nearest nearest(std::int64_t i, std::int64_t prefer, const ActiveSet& active,
                  const std::vector<std::int64_t>& sizes) const;
  void merge(std::int64_t dying, std::int64_t survivor, double d,
             const std::vector<std::int64_t>& sizes, const ActiveSet& active);

 private:
  RowMatrix<double> centroids_;
};

}  // namespace conceptlens::cluster
