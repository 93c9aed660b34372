#include "align/reduce_counts.hpp"

#include <vector>

#include "comm/communicator.hpp"

namespace conceptlens::mpi {
namespace {

/// Every rank's cells gathered on `root`, in canonical form there.
std::vector<align::Cell> gather_cells(MPI_Comm comm, const std::vector<align::Cell>& mine, int root) {
  const int ranks = size(comm);
  const bool is_root = rank(comm) == root;
  const int bytes = static_cast<int>(mine.size() * sizeof(align::Cell));
  std::vector<int> counts(is_root ? static_cast<std::size_t>(ranks) : 0);
  MPI_Gather(&bytes, 1, MPI_INT, counts.data(), 1, MPI_INT, root, comm);
  std::vector<int> offsets(counts.size(), 0);
  std::int64_t total = 0;
  for (std::size_t r = 0; r < counts.size(); ++r) {
    offsets[r] = static_cast<int>(total);
    total += counts[r];
  }
  std::vector<align::Cell> all(static_cast<std::size_t>(total) / sizeof(align::Cell));
  MPI_Gatherv(mine.data(), bytes, MPI_BYTE, all.data(), counts.data(), offsets.data(), MPI_BYTE, root, comm);
  if (is_root) align::combine_cells(all);
  return all;
}

std::vector<std::int64_t> sum_sizes(MPI_Comm comm, const std::vector<std::int64_t>& mine, int root) {
  std::vector<std::int64_t> sum(rank(comm) == root ? mine.size() : 0);
  MPI_Reduce(mine.data(), sum.data(), static_cast<int>(mine.size()), MPI_INT64_T, MPI_SUM, root, comm);
  return sum;
}

}  // namespace

std::pair<std::int64_t, std::int64_t> owned_points(MPI_Comm comm, std::int64_t n) {
  const std::int64_t ranks = size(comm);
  const std::int64_t r = rank(comm);
  const auto first = [&](std::int64_t q) { return q * (n / ranks) + std::min(q, n % ranks); };
  return {first(r), first(r + 1)};
}

align::ClusterCounts sum_on_root(MPI_Comm comm, const align::ClusterCounts& mine, int root) {
  align::ClusterCounts sum;
  sum.sizes = sum_sizes(comm, mine.sizes, root);
  sum.unknown = sum_sizes(comm, mine.unknown, root);
  sum.label_counts = gather_cells(comm, mine.label_counts, root);
  sum.type_counts = gather_cells(comm, mine.type_counts, root);
  if (rank(comm) == root) sum.clusters = mine.clusters;
  return sum;
}

align::PairCounts sum_on_root(MPI_Comm comm, const align::PairCounts& mine, int root) {
  align::PairCounts sum;
  sum.sizes = sum_sizes(comm, mine.sizes, root);
  sum.reference_sizes = sum_sizes(comm, mine.reference_sizes, root);
  sum.shared = gather_cells(comm, mine.shared, root);
  if (rank(comm) == root) {
    sum.clusters = mine.clusters;
    sum.reference_clusters = mine.reference_clusters;
  }
  return sum;
}

}  // namespace conceptlens::mpi
