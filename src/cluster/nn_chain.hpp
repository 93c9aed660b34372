#pragma once
// Exact Ward agglomerative clustering by the nearest-neighbour chain.
//
// Algorithm: Murtagh (1983), as in Müllner, "Modern hierarchical, agglomerative clustering
// algorithms" (2011), Fig. 4, and fastcluster's NN_chain_core. Grow a chain of nearest
// neighbours from the first live cluster until its last two elements are reciprocal nearest
// neighbours; merge them; continue from the rest of the chain. Ward's method is reducible, so
// the chain stays valid after a merge and the result equals the greedy (global minimum)
// agglomeration. O(n^2) distance evaluations, O(n) memory besides the distance source.
//
// Tie rule (documented, independent of how distances are stored or sharded): when looking for
// the nearest neighbour of the chain's tip, the chain predecessor wins ties; among other equal
// candidates the smallest index wins.
//
// The distance source is a template parameter (resolved at compile time) that works on
// Ward dissimilarities in *squared* units: for singletons, ||x - y||^2; for clusters A, B,
// 2|A||B|/(|A|+|B|) * ||c_A - c_B||^2 (the Lance-Williams recurrence on squared Euclidean
// distances keeps exactly this quantity). Square roots are taken once, at output. It provides:
//   std::int64_t size() const;                                  // number of points n
//   Nearest nearest(i, prefer, const ActiveSet&, sizes)         // min over live j != i
//   void merge(dying, survivor, d, sizes, const ActiveSet&)     // survivor := dying ∪ survivor
// where `sizes` are the current cluster sizes (updated by the chain after merge()).
//
// A cluster lives on in the slot of its largest point: a merge keeps the larger slot, as
// fastcluster does. So "index" in the tie rule is the cluster's largest point index.
#include <algorithm>
#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

#include "cluster/active_set.hpp"
#include "cluster/raw_merge.hpp"
#include "util/error.hpp"

namespace conceptlens::cluster {

/// Result of a nearest-neighbour search.
struct Nearest {
  std::int64_t index = -1;
  double distance = 0.0;  ///< squared Ward dissimilarity
};

/// Where an agglomeration stands: the merges found so far (in order) and, for the chain, the
/// chain itself; for the lean mode's rounds (rounds.hpp), every cluster's nearest-neighbour
/// list (NeighbourTable, O(n) entries). With the points, this is all a checkpoint needs: the
/// distance source's state after these merges is rebuilt by replaying them (the same updates
/// in the same order give the same values).
struct ChainState {
  std::vector<RawMerge> merges;
  std::vector<std::int64_t> chain;
  std::vector<Nearest> neighbours;  ///< rounds: NeighbourTable's entries (empty: recompute them)
  std::int64_t steps = 0;           ///< chain steps (nearest-neighbour searches), or rounds
};

/// Where an agglomeration starts (empty: from the beginning) and what runs after every merge
/// (for the rounds, after every round; e.g. a checkpoint timer; may be empty).
struct ChainHooks {
  ChainState start;
  std::function<void(const ChainState&)> after_merge;
  /// The rounds' first pass over all pairs: the share of this rank's pairs done (0..1).
  std::function<void(double)> progress;
};

/// Runs the chain over `source` (see above). Returns the n-1 merges in the order found.
template <class Source>
std::vector<RawMerge> nn_chain_ward(Source& source, ChainHooks hooks = {}) {
  const std::int64_t n = source.size();
  if (n < 2) return {};
  ChainState& state = hooks.start;
  std::vector<RawMerge>& merges = state.merges;
  std::vector<std::int64_t>& chain = state.chain;
  CONCEPTLENS_CHECK(static_cast<std::int64_t>(merges.size()) <= n - 1);
  merges.reserve(static_cast<std::size_t>(n - 1));
  chain.reserve(static_cast<std::size_t>(n));

  ActiveSet active(n);
  std::vector<std::int64_t> sizes(static_cast<std::size_t>(n), 1);
  auto apply = [&](std::int64_t dying, std::int64_t survivor, double d) {
    source.merge(dying, survivor, d, sizes, active);
    sizes[static_cast<std::size_t>(survivor)] += sizes[static_cast<std::size_t>(dying)];
    active.remove(dying);
  };
  for (const RawMerge& m : merges) apply(std::min(m.i, m.j), std::max(m.i, m.j), m.squared);

  while (static_cast<std::int64_t>(merges.size()) < n - 1) {
    if (chain.empty()) chain.push_back(active.first());
    Nearest nn;
    for (;;) {
      const std::int64_t tip = chain.back();
      const std::int64_t prev = chain.size() >= 2 ? chain[chain.size() - 2] : -1;
      nn = source.nearest(tip, prev, active, sizes);
      ++state.steps;
      CONCEPTLENS_CHECK(nn.index >= 0);
      if (nn.index == prev) break;  // tip and prev are reciprocal nearest neighbours
      chain.push_back(nn.index);
    }
    const std::int64_t a = chain.back();
    chain.pop_back();
    const std::int64_t b = chain.back();
    chain.pop_back();
    const std::int64_t survivor = std::max(a, b);
    const std::int64_t dying = std::min(a, b);

    apply(dying, survivor, nn.distance);
    merges.push_back(RawMerge{dying, survivor, nn.distance});
    if (hooks.after_merge) hooks.after_merge(std::as_const(state));
  }
  return std::move(merges);
}

}  // namespace conceptlens::cluster
