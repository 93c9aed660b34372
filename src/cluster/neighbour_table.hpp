#pragma once
// What the lean mode knows of every live cluster's nearest neighbours (rounds.cpp): for cluster
// k, up to kLength entries (neighbour, exact Ward distance), sorted by (distance, index), and a
// bound, such that
//     every live cluster j != k that is not in k's list comes at or after the bound
// in (distance, index) order, and every entry comes before it. The list's first entry is then
// k's nearest neighbour under the tie rule (smallest distance, then smallest index). A bound with
// index -1 is a distance only (j at or after it: distance >= bound's); kNone as the bound says
// the list holds every live cluster. A list that runs empty is unknown: a search refills it.
//
// The table is a view over a flat vector of (kLength + 1) entries per cluster (the list, then
// the bound), which is also what a checkpoint saves (ChainState::neighbours).
#include <cstdint>
#include <limits>
#include <vector>

#include "cluster/nn_chain.hpp"

namespace conceptlens::cluster {

/// An absent entry, and the bound of a list that holds every live cluster.
inline constexpr Nearest kNone{std::numeric_limits<std::int64_t>::max(), std::numeric_limits<double>::infinity()};

/// The order of the tie rule: smaller distance first, then smaller index.
inline bool before(const Nearest& a, const Nearest& b) {
  return a.distance < b.distance || (a.distance == b.distance && a.index < b.index);
}

class NeighbourTable {
 public:
  static constexpr int kLength = 24;          ///< entries per list (measured: bench/README.md)
  static constexpr int kStride = kLength + 1;  ///< the list and its bound

  explicit NeighbourTable(std::vector<Nearest>& entries) : entries_(entries) {}

  /// `entries` sized for n clusters, every list unknown.
  static void reset(std::vector<Nearest>& entries, std::int64_t n);

  bool known(std::int64_t k) const { return row(k)[0].index != kNone.index; }
  /// k's nearest neighbour (known(k)).
  const Nearest& head(std::int64_t k) const { return row(k)[0]; }
  const Nearest& bound(std::int64_t k) const { return row(k)[kLength]; }
  /// The entries of k's list, count(k) of them.
  const Nearest* list(std::int64_t k) const { return row(k); }
  int count(std::int64_t k) const;

  /// k's list from a search: `best` holds k's kStride nearest live neighbours in order (kNone
  /// where there are fewer); the first kLength become the list, the next the bound.
  void set(std::int64_t k, const Nearest* best);
  /// k's list emptied, with `bound` (a union's list before its candidates are offered).
  void restart(std::int64_t k, const Nearest& bound);
  /// Removes the entries whose index is flagged in `gone` (indexed by slot).
  void drop(std::int64_t k, const std::vector<char>& gone);
  /// An exact distance from k to cluster `entry.index`: enters the list when it comes before
  /// the bound; a list that overflows, or an offer it cannot take, lowers the bound to keep the
  /// invariant.
  void offer(std::int64_t k, const Nearest& entry);

 private:
  Nearest* row(std::int64_t k) { return entries_.data() + static_cast<std::size_t>(k) * kStride; }
  const Nearest* row(std::int64_t k) const { return entries_.data() + static_cast<std::size_t>(k) * kStride; }

  std::vector<Nearest>& entries_;
};

}  // namespace conceptlens::cluster
