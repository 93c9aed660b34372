#include "cluster/sharded_rounds.hpp"

#include "cluster/condensed_matrix.hpp"
#include "cluster/mpi_round_team.hpp"
#include "cluster/raw_merge.hpp"
#include "comm/communicator.hpp"

namespace conceptlens::mpi {

template <class Scalar>
std::vector<Scalar> owned_rows(MPI_Comm comm, const cluster::PointsView<Scalar>& points, std::int64_t block) {
  std::vector<Scalar> rows;
  const auto d = static_cast<std::size_t>(points.cols());
  for (const auto& range : cluster::block_cyclic_rows(points.rows(), rank(comm), size(comm), block)) {
    rows.insert(rows.end(), points.row(range.first).data(), points.row(range.first).data() + d * static_cast<std::size_t>(range.last - range.first));
  }
  return rows;
}

template std::vector<float> owned_rows(MPI_Comm, const cluster::PointsView<float>&, std::int64_t);
template std::vector<double> owned_rows(MPI_Comm, const cluster::PointsView<double>&, std::int64_t);

template <class Scalar>
cluster::Linkage sharded_vector_linkage(MPI_Comm comm, std::int64_t n, std::int64_t d, std::vector<Scalar> owned,
                                        cluster::ChainHooks hooks, cluster::RoundStats* stats,
                                        cluster::RoundsLayout layout) {
  MpiRoundTeam team(comm);
  return cluster::to_scipy_linkage(
      n, cluster::rounds_ward(team, n, d, std::move(owned), std::move(hooks), stats, layout));
}

template cluster::Linkage sharded_vector_linkage(MPI_Comm, std::int64_t, std::int64_t, std::vector<float>,
                                                 cluster::ChainHooks, cluster::RoundStats*, cluster::RoundsLayout);
template cluster::Linkage sharded_vector_linkage(MPI_Comm, std::int64_t, std::int64_t, std::vector<double>,
                                                 cluster::ChainHooks, cluster::RoundStats*, cluster::RoundsLayout);

}  // namespace conceptlens::mpi
