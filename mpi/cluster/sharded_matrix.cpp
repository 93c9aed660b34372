#include "cluster/sharded_matrix.hpp"

#include <algorithm>
#include <cstring>
#include <limits>

#include "cluster/nn_chain.hpp"
#include "cluster/ward.hpp"
#include "comm/communicator.hpp"

namespace conceptlens::mpi {

namespace {

/// What each rank contributes to a chain step's reduction.
struct Candidate {
  double to_prefer;     ///< distance from the tip to the chain predecessor (+inf if not held)
  double distance;      ///< the nearest held neighbour's distance
  std::int64_t index;   ///< and its index (-1: none)
};

bool before(const Candidate& a, const Candidate& b) {
  if (a.index < 0) return false;
  if (b.index < 0) return true;
  return a.distance < b.distance || (a.distance == b.distance && a.index < b.index);
}

void combine(void* in, void* inout, int* count, MPI_Datatype* /*type*/) {
  auto* a = static_cast<const Candidate*>(in);
  auto* b = static_cast<Candidate*>(inout);
  for (int q = 0; q < *count; ++q) {
    const double to_prefer = std::min(a[q].to_prefer, b[q].to_prefer);
    if (before(a[q], b[q])) b[q] = a[q];
    b[q].to_prefer = to_prefer;
  }
}

}  // namespace

template <class Scalar>
ShardedMatrix::ShardedMatrix(MPI_Comm comm, const cluster::PointsView<Scalar>& points,
                             std::int64_t block_rows)
    : comm_(comm),
      block_rows_(block_rows),
      shard_(cluster::CondensedMatrix::squared_euclidean(
          points, cluster::block_cyclic_rows(points.rows(), mpi::rank(comm), mpi::size(comm), block_rows))) {
  row_buffer_.resize(static_cast<std::size_t>(std::max<std::int64_t>(points.rows(), 1)));
  MPI_Type_contiguous(sizeof(Candidate), MPI_BYTE, &candidate_type_);
  MPI_Type_commit(&candidate_type_);
  MPI_Op_create(&combine, /*commute=*/1, &candidate_min_);
}

template ShardedMatrix::ShardedMatrix(MPI_Comm, const cluster::PointsView<float>&, std::int64_t);
template ShardedMatrix::ShardedMatrix(MPI_Comm, const cluster::PointsView<double>&, std::int64_t);

ShardedMatrix::~ShardedMatrix() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (finalized) return;
  if (candidate_min_ != MPI_OP_NULL) MPI_Op_free(&candidate_min_);
  if (candidate_type_ != MPI_DATATYPE_NULL) MPI_Type_free(&candidate_type_);
}

int ShardedMatrix::owner(std::int64_t row) const {
  return static_cast<int>(row / block_rows_ % comm_.size());
}

cluster::Nearest ShardedMatrix::nearest(std::int64_t i, std::int64_t prefer,
                                        const cluster::ActiveSet& active,
                                        const std::vector<std::int64_t>& /*sizes*/) const {
  const cluster::Nearest held = shard_.held_nearest(i, active);
  Candidate mine{std::numeric_limits<double>::infinity(), held.distance, held.index};
  if (prefer >= 0 && shard_.holds(i, prefer)) mine.to_prefer = shard_.at(i, prefer);
  Candidate global = mine;
  MPI_Allreduce(&mine, &global, 1, candidate_type_, candidate_min_, comm_.get());
  // The chain predecessor wins ties.
  if (prefer >= 0 && global.to_prefer <= global.distance) return {prefer, global.to_prefer};
  return {global.index, global.distance};
}

void ShardedMatrix::merge(std::int64_t dying, std::int64_t survivor, double d,
                          const std::vector<std::int64_t>& sizes,
                          const cluster::ActiveSet& active) {
  const int from = owner(dying);
  const std::int64_t length = shard_.row_length(dying);
  // row_buffer_[k] = d(dying, k) for k > dying, as in the shard that holds the row.
  double* row = row_buffer_.data() + dying + 1;
  if (from == comm_.rank()) {
    std::memcpy(row, shard_.row(dying) + dying + 1, static_cast<std::size_t>(length) * sizeof(double));
  }
  MPI_Bcast(row, static_cast<int>(length), MPI_DOUBLE, from, comm_.get());
  shard_.merge(dying, survivor, d, sizes, active, row_buffer_.data());
}

template <class Scalar>
cluster::Linkage sharded_ward_linkage(MPI_Comm comm, const cluster::PointsView<Scalar>& points,
                                      std::int64_t block_rows) {
  ShardedMatrix matrix(comm, points, block_rows);
  return cluster::to_scipy_linkage(points.rows(), cluster::nn_chain_ward(matrix));
}

template cluster::Linkage sharded_ward_linkage(MPI_Comm, const cluster::PointsView<float>&, std::int64_t);
template cluster::Linkage sharded_ward_linkage(MPI_Comm, const cluster::PointsView<double>&, std::int64_t);

}  // namespace conceptlens::mpi
