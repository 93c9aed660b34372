#pragma once
// Alignment under MPI: each rank counts the points it owns (align::count_points / count_pairs
// over its own range), and the counts are summed on the root. The counts are additive and
// canonical (align/cells.hpp), so the root's sum is the serial count for any rank count.
#include <mpi.h>

#include <cstdint>
#include <utility>

#include "align/cluster_counts.hpp"
#include "align/concept_comparison.hpp"

namespace conceptlens::mpi {

/// Local. The points [first, last) this rank counts when `comm`'s ranks split n points into
/// contiguous ranges (sizes differ by at most one).
std::pair<std::int64_t, std::int64_t> owned_points(MPI_Comm comm, std::int64_t n);

/// Collective. The sum of every rank's counts, on `root` (other ranks get empty counts).
align::ClusterCounts sum_on_root(MPI_Comm comm, const align::ClusterCounts& mine, int root);
align::PairCounts sum_on_root(MPI_Comm comm, const align::PairCounts& mine, int root);

}  // namespace conceptlens::mpi
