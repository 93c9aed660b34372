#include "cluster/sharded_matrix.hpp"

#include <algorithm>
#include <cstring>

#include "cluster/nn_chain.hpp"
#include "cluster/ward.hpp"
#include "comm/communicator.hpp"

namespace conceptlens::mpi {

template <class Scalar>
ShardedMatrix::ShardedMatrix(MPI_Comm comm, const cluster::PointsView<Scalar>& points,
                             std::int64_t block_rows)
    : comm_(comm),
      block_rows_(block_rows),
      shard_(cluster::CondensedMatrix::squared_euclidean(
          points, cluster::block_cyclic_rows(points.rows(), mpi::rank(comm), mpi::size(comm), block_rows))) {
  row_buffer_.resize(static_cast<std::size_t>(std::max<std::int64_t>(points.rows(), 1)));
}

template ShardedMatrix::ShardedMatrix(MPI_Comm, const cluster::PointsView<float>&, std::int64_t);
template ShardedMatrix::ShardedMatrix(MPI_Comm, const cluster::PointsView<double>&, std::int64_t);

int ShardedMatrix::owner(std::int64_t row) const {
  return static_cast<int>(row / block_rows_ % comm_.size());
}

cluster::Nearest ShardedMatrix::nearest(std::int64_t i, std::int64_t prefer,
                                        const cluster::ActiveSet& active,
                                        const std::vector<std::int64_t>& /*sizes*/) const {
  const cluster::Nearest held = shard_.held_nearest(i, active);
  Candidate mine;
  mine.distance = held.distance;
  mine.index = held.index;
  if (prefer >= 0 && shard_.holds(i, prefer)) mine.to_prefer = shard_.at(i, prefer);
  return reduction_.reduce(comm_.get(), mine, prefer);
}

void ShardedMatrix::merge(std::int64_t dying, std::int64_t survivor, double d,
                          const std::vector<std::int64_t>& sizes,
                          const cluster::ActiveSet& active) {
  const int from = owner(dying);
  const std::int64_t length = shard_.row_length(dying);
  // row[t] = d(dying, dying + 1 + t), as in the shard that holds the row.
  double* row = row_buffer_.data();
  if (from == comm_.rank()) {
    std::memcpy(row, shard_.row(dying), static_cast<std::size_t>(length) * sizeof(double));
  }
  MPI_Bcast(row, static_cast<int>(length), MPI_DOUBLE, from, comm_.get());
  shard_.merge(dying, survivor, d, sizes, active, row);
}

template <class Scalar>
cluster::Linkage sharded_ward_linkage(MPI_Comm comm, const cluster::PointsView<Scalar>& points,
                                      cluster::ChainHooks hooks, std::int64_t block_rows) {
  ShardedMatrix matrix(comm, points, block_rows);
  return cluster::to_scipy_linkage(points.rows(), cluster::nn_chain_ward(matrix, std::move(hooks)));
}

template cluster::Linkage sharded_ward_linkage(MPI_Comm, const cluster::PointsView<float>&, cluster::ChainHooks,
                                               std::int64_t);
template cluster::Linkage sharded_ward_linkage(MPI_Comm, const cluster::PointsView<double>&, cluster::ChainHooks,
                                               std::int64_t);

}  // namespace conceptlens::mpi
