#pragma once
// For every live cluster k, the exact list of its m nearest live neighbours, ordered by
// (distance, index) — or nothing, when unknown. Invariant: every live cluster not in k's list
// comes after the list's last entry in that order. A merge keeps it cheaply: the two merged
// clusters leave every list; the union re-enters a list where it comes before the last entry, or
// where the list is complete (holds every live neighbour); elsewhere a cluster the list does not
// hold might come first. A list that runs empty is rebuilt by a full scan. With m > 1, most nearest-neighbour look-ups of the
// NN-chain (whose tip's neighbour has just been merged away) are answered without a scan.
#include <array>
#include <cstdint>
#include <limits>
#include <vector>

namespace conceptlens::cluster {

class NeighbourLists {
 public:
  static constexpr int kLength = 6;
  static constexpr double kNoBound = std::numeric_limits<double>::infinity();

  explicit NeighbourLists(std::int64_t n)
      : entries_(static_cast<std::size_t>(n)),
        count_(static_cast<std::size_t>(n), 0),
        complete_(static_cast<std::size_t>(n), false),
        bound_(static_cast<std::size_t>(n), kNoBound) {}

  bool known(std::int64_t k) const { return count_[at(k)] > 0; }
  std::int64_t nearest(std::int64_t k) const { return entries_[at(k)].index[0]; }
  double nearest_distance(std::int64_t k) const { return entries_[at(k)].distance[0]; }

  /// Starts a full scan of k: forgets its list; then every live neighbour is offered once.
  void begin_scan(std::int64_t k) {
    count_[at(k)] = 0;
    complete_[at(k)] = false;
    bound_[at(k)] = kNoBound;
  }

  /// bounds()[k]: an offer to k farther than this cannot enter k's list (a cheap pre-filter).
  const double* bounds() const { return bound_.data(); }

  /// During a full scan of k: keeps the m best offers, in any order of offering.
  void offer(std::int64_t k, std::int64_t c, double d) {
    if (d > bound_[at(k)]) return;
    auto& n = count_[at(k)];
    if (n == kLength && !before(d, c, entries_[at(k)], kLength - 1)) return;
    insert(k, c, d, n);
  }

  /// Ends a full scan of k: a list with room left holds every live neighbour.
  void end_scan(std::int64_t k) { complete_[at(k)] = count_[at(k)] < kLength; }

  /// After merging i and j into j at distance d from k: i and j leave k's list; the union
  /// re-enters only where the invariant allows.
  void merged(std::int64_t k, std::int64_t i, std::int64_t j, double d) {
    auto& n = count_[at(k)];
    if (n == 0) return;  // unknown: nothing to maintain
    drop(k, i, j);
    List& list = entries_[at(k)];
    if (complete_[at(k)]) {
      insert(k, j, d, n);
    } else if (n > 0 && before(d, j, list, n - 1)) {
      insert(k, j, d, n);
    }  // an empty, incomplete list is unknown now: the next look-up scans
  }

  /// After merging i and j into j, where k's distance to the union is kept by another shard:
  /// i and j leave k's list.
  void merged_elsewhere(std::int64_t k, std::int64_t i, std::int64_t j) {
    if (count_[at(k)] > 0) drop(k, i, j);
  }

 private:
  struct List {
    std::array<std::int64_t, kLength> index;
    std::array<double, kLength> distance;
  };

  static std::size_t at(std::int64_t k) { return static_cast<std::size_t>(k); }

  /// Removes i and j from k's list, if there.
  void drop(std::int64_t k, std::int64_t i, std::int64_t j) {
    auto& n = count_[at(k)];
    List& list = entries_[at(k)];
    bool holds = false;
    for (int q = 0; q < n; ++q) holds |= (list.index[q] == i) | (list.index[q] == j);
    if (!holds) return;
    int kept = 0;
    for (int q = 0; q < n; ++q) {
      if (list.index[q] == i || list.index[q] == j) continue;
      list.index[kept] = list.index[q];
      list.distance[kept] = list.distance[q];
      ++kept;
    }
    n = kept;
    bound_[at(k)] = kNoBound;
  }

  static bool before(double d, std::int64_t c, const List& list, int q) {
    return d < list.distance[q] || (d == list.distance[q] && c < list.index[q]);
  }

  void insert(std::int64_t k, std::int64_t c, double d, int& n) {
    List& list = entries_[at(k)];
    int q = n < kLength ? n : kLength - 1;  // the free (or dropped) slot
    while (q > 0 && before(d, c, list, q - 1)) {
      list.index[q] = list.index[q - 1];
      list.distance[q] = list.distance[q - 1];
      --q;
    }
    list.index[q] = c;
    list.distance[q] = d;
    if (n < kLength) ++n;
    if (n == kLength) bound_[at(k)] = list.distance[kLength - 1];
  }

  std::vector<List> entries_;
  std::vector<int> count_;
  std::vector<bool> complete_;
  std::vector<double> bound_;  ///< the last distance of a full list, else kNoBound
};

}  // namespace conceptlens::cluster
