#pragma once
// The lean mode under MPI: exact Ward by rounds of reciprocal nearest neighbours
// (src/cluster/rounds.hpp) with the centroids sharded over the ranks of a communicator — rows
// dealt in blocks of cluster::kCentroidBlockRows slots, round-robin — and the rounds' few
// collectives over MPI (mpi_round_team.hpp). Memory per rank: n*d/P centroids (float64 and a
// float32 copy) + O(n); the linkage is bitwise the same for every rank count.
#include <mpi.h>

#include <cstdint>
#include <vector>

#include "cluster/linkage.hpp"
#include "cluster/nn_chain.hpp"
#include "cluster/points.hpp"
#include "cluster/rounds.hpp"

namespace conceptlens::mpi {

/// Local. This rank's rows of `points` under the lean mode's deal (for callers that hold every
/// point; a reader can also load only these rows).
template <class Scalar>
std::vector<Scalar> owned_rows(MPI_Comm comm, const cluster::PointsView<Scalar>& points,
                               std::int64_t block = cluster::kCentroidBlockRows);

/// Collective. Ward linkage (vector mode) of the n points of dimension d whose rows this rank
/// holds in `owned` (the deal of owned_rows with layout.block; consumed), the same on every
/// rank and for every rank count; `stats` (may be null) receives what the rounds did on this
/// rank.
template <class Scalar>
cluster::Linkage sharded_vector_linkage(MPI_Comm comm, std::int64_t n, std::int64_t d, std::vector<Scalar> owned,
                                        cluster::ChainHooks hooks = {}, cluster::RoundStats* stats = nullptr,
                                        cluster::RoundsLayout layout = {});

}  // namespace conceptlens::mpi
