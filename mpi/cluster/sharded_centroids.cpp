#include "cluster/sharded_centroids.hpp"

#include <limits>

#include "cluster/centroid_distances.hpp"
#include "cluster/nn_chain.hpp"
#include "cluster/raw_merge.hpp"
#include "util/error.hpp"

namespace conceptlens::mpi {

template <class Scalar>
ShardedCentroids::ShardedCentroids(MPI_Comm comm, std::int64_t n, const cluster::PointsView<Scalar>& owned,
                                   std::int64_t block_rows)
    : comm_(comm), n_(n), block_(block_rows), owned_(owned.template cast<double>()),
      buffer_(static_cast<std::size_t>(owned.cols())) {
  CONCEPTLENS_CHECK(owned.rows() ==
                    cluster::row_count(cluster::block_cyclic_rows(n, comm_.rank(), comm_.size(), block_)));
}

template ShardedCentroids::ShardedCentroids(MPI_Comm, std::int64_t, const cluster::PointsView<float>&, std::int64_t);
template ShardedCentroids::ShardedCentroids(MPI_Comm, std::int64_t, const cluster::PointsView<double>&, std::int64_t);

cluster::Nearest ShardedCentroids::nearest(std::int64_t i, std::int64_t prefer, const cluster::ActiveSet& active,
                                           const std::vector<std::int64_t>& sizes) {
  const std::int64_t d = owned_.cols();
  const int from = owner(i);
  if (from == comm_.rank()) std::copy_n(centroid(i), d, buffer_.data());
  MPI_Bcast(buffer_.data(), static_cast<int>(d), MPI_DOUBLE, from, comm_.get());
  const double* tip = buffer_.data();
  const auto s_tip = static_cast<double>(sizes[static_cast<std::size_t>(i)]);
  auto distance = [&](std::int64_t j) {
    return cluster::ward_distance(tip, centroid(j), d, s_tip, static_cast<double>(sizes[static_cast<std::size_t>(j)]));
  };

  Candidate mine;
  if (prefer >= 0 && owner(prefer) == comm_.rank()) mine.to_prefer = distance(prefer);
  // This rank's live slots, block by block, in increasing order: the first of equal distances
  // (the smallest index) is kept.
  const std::int64_t stride = block_ * comm_.size();
  for (std::int64_t begin = comm_.rank() * block_; begin < n_; begin += stride) {
    const std::int64_t end = std::min(begin + block_, n_);
    for (std::int64_t j = active.first_from(begin); j < end; j = active.next(j)) {
      if (j == i) continue;
      const double dj = distance(j);
      if (dj < mine.distance) {
        mine.distance = dj;
        mine.index = j;
      }
    }
  }
  return reduction_.reduce(comm_.get(), mine, prefer);
}

void ShardedCentroids::merge(std::int64_t dying, std::int64_t survivor, double /*d*/,
                             const std::vector<std::int64_t>& sizes, const cluster::ActiveSet& /*active*/) {
  const int from = owner(dying);
  const int to = owner(survivor);
  const int me = comm_.rank();
  if (me != from && me != to) return;
  const std::int64_t d = owned_.cols();
  const double* dying_centroid = nullptr;
  if (from == to) {
    dying_centroid = centroid(dying);
  } else if (me == from) {
    MPI_Send(centroid(dying), static_cast<int>(d), MPI_DOUBLE, to, 0, comm_.get());
    return;
  } else {
    MPI_Recv(buffer_.data(), static_cast<int>(d), MPI_DOUBLE, from, 0, comm_.get(), MPI_STATUS_IGNORE);
    dying_centroid = buffer_.data();
  }
  cluster::merge_centroid(dying_centroid, centroid(survivor), d,
                          static_cast<double>(sizes[static_cast<std::size_t>(dying)]),
                          static_cast<double>(sizes[static_cast<std::size_t>(survivor)]));
}

template <class Scalar>
cluster::RowMatrix<Scalar> owned_rows(MPI_Comm comm, const cluster::PointsView<Scalar>& points,
                                      std::int64_t block_rows) {
  const auto ranges = cluster::block_cyclic_rows(points.rows(), rank(comm), size(comm), block_rows);
  cluster::RowMatrix<Scalar> rows(cluster::row_count(ranges), points.cols());
  std::int64_t next = 0;
  for (const auto& range : ranges) {
    const std::int64_t count = range.last - range.first;
    rows.middleRows(next, count) = points.middleRows(range.first, count);
    next += count;
  }
  return rows;
}

template cluster::RowMatrix<float> owned_rows(MPI_Comm, const cluster::PointsView<float>&, std::int64_t);
template cluster::RowMatrix<double> owned_rows(MPI_Comm, const cluster::PointsView<double>&, std::int64_t);

template <class Scalar>
cluster::Linkage sharded_vector_linkage(MPI_Comm comm, std::int64_t n, const cluster::PointsView<Scalar>& owned,
                                        cluster::ChainHooks hooks, std::int64_t block_rows) {
  ShardedCentroids centroids(comm, n, owned, block_rows);
  return cluster::to_scipy_linkage(n, cluster::nn_chain_ward(centroids, std::move(hooks)));
}

template cluster::Linkage sharded_vector_linkage(MPI_Comm, std::int64_t, const cluster::PointsView<float>&,
                                                 cluster::ChainHooks, std::int64_t);
template cluster::Linkage sharded_vector_linkage(MPI_Comm, std::int64_t, const cluster::PointsView<double>&,
                                                 cluster::ChainHooks, std::int64_t);

}  // namespace conceptlens::mpi
