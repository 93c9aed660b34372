#pragma once
// Exact Ward agglomerative clustering in O(n*d) memory at the speed of the matrix multiply:
// rounds of reciprocal nearest neighbours (the lean mode, `--mode vector`).
//
// Algorithm. Ward's method is reducible: merging A and B never brings the union closer to a
// third cluster C than the nearer of A and B was (Lance-Williams: D(A+B, C) >= min(D(A,C),
// D(B,C)) when D(A,B) <= both). Hence every pair of reciprocal nearest neighbours present at a
// moment may be merged, all of them in the same round, and the hierarchy is the one of the
// sequential greedy algorithm (Murtagh 1983; the parallel form: Sumengen et al., "Scaling
// hierarchical agglomerative clustering to billion-sized datasets", 2021). A round:
//   1. pairs: every cluster k whose nearest neighbour j has k as its own nearest neighbour;
//      each pair merges, at the height of their exact Ward distance, the union taking the larger
//      slot (as fastcluster does);
//   2. the parts' centroids are shared and every rank computes the unions (float64);
//   3. neighbour lists (NeighbourTable: up to 12 nearest neighbours and a bound) are kept valid
//      with few exact distances: a cluster whose list held a part gets its exact distance to
//      the union; a union's list is formed from its parts' lists, under a bound that
//      Lance-Williams gives from the parts' bounds;
//   4. clusters whose list ran empty (few) are searched again: a matrix product of these
//      queries with all live centroids (NearestPass, float32 products whose rounding is bounded
//      rigorously, the candidates re-checked in float64).
// The first round's lists come from one pass over all pairs (each pair once: n^2/2 products).
// Every decision — who is whose nearest neighbour, and the merge heights — uses exact float64
// Ward distances of the centroids (ward_distance), never the products.
//
// Tie rule (documented; the same for every rank count): a cluster's nearest neighbour is the
// live cluster with the smallest Ward distance, ties to the smaller slot (a cluster's slot is
// its largest point index); every reciprocal pair merges in the round where it appears (up to
// RoundsLayout::max_merges(d) per round, the smaller slots first); the merges of a round are
// listed by the smaller slot. On tie-free data the linkage is the
// unique Ward hierarchy (fastcluster's). The lists assume reducibility, which holds exactly in
// real arithmetic; where rounding breaks it (distances equal to the last bits), the result
// can differ from another exact implementation only there, as the NN-chain's can.
//
// Distribution. Centroids are dealt to the ranks in blocks of kCentroidBlockRows slots,
// round-robin; sizes, the live set and the neighbour lists, O(n), are the same on every rank,
// and every rank takes the same decisions. Messages per round (RoundTeam): one allgather of
// the parts' centroids (2 d doubles per merge), one allgather of the exact distances for the
// lists (one double each) with the centroids of clusters whose list may run empty, one
// reduction of the searched clusters' lists (13 entries of 16 bytes each); three collectives
// per round, whatever its size. The first pass exchanges shards (P/2 steps of one
// point-to-point message each way) and reduces all lists once.
#include <algorithm>
#include <cstdint>
#include <vector>

#include "cluster/nearest_pass.hpp"
#include "cluster/nn_chain.hpp"
#include "cluster/raw_merge.hpp"
#include "cluster/round_team.hpp"

namespace conceptlens::cluster {

/// Slots per block when centroids are dealt to ranks.
constexpr std::int64_t kCentroidBlockRows = 64;

/// The parts' centroids one round shares (float64) stay within this many bytes: a round merges
/// at most max_merges(d) pairs, the ones with the smallest slots; the others, still reciprocal,
/// merge in the next rounds.
constexpr std::int64_t kRoundBytes = std::int64_t{64} << 20;

/// How the rounds lay out their work; the result does not depend on it but for the tie rule's
/// max_merges (tests use small values to spread small inputs over ranks and rounds).
struct RoundsLayout {
  std::int64_t block = kCentroidBlockRows;  ///< slots per block dealt to the ranks
  std::int64_t round_bytes = kRoundBytes;   ///< bound on the parts' centroids one round shares
  std::int64_t max_merges(std::int64_t d) const {
    return std::max<std::int64_t>(1, round_bytes / (2 * d * static_cast<std::int64_t>(sizeof(double))));
  }
};

/// What the rounds did (this rank's share of the work where it is split).
struct RoundStats {
  std::int64_t rounds = 0;       ///< rounds with merges (the first pass not counted)
  std::int64_t max_merges = 0;   ///< most merges in one round
  std::int64_t searches = 0;     ///< clusters searched again after the first pass
  std::int64_t updates = 0;      ///< exact distances computed to keep the lists
  double first_pass_seconds = 0;
  double seconds = 0;            ///< the whole agglomeration
  PassStats pass;                ///< this rank's products, first pass and searches together
  TeamStats team;
};

/// The peak memory of one rank (rank 0, which holds the most clusters) clustering n points of
/// dimension d on `ranks` ranks, the points read as `point_bytes`-byte values — all of them
/// first when `whole_input`, else only the rank's own — an estimate from the sizes of what it
/// holds in each phase (reading, the first pass, the rounds), the largest union pool possible
/// (half its clusters) included.
std::uint64_t rounds_bytes_per_rank(std::int64_t n, std::int64_t d, std::size_t point_bytes, int ranks,
                                    bool whole_input);

/// Collective over `team`. The n-1 merges of exact Ward on n points of dimension d, in the
/// order found. `owned`: this rank's rows of the points, those of block_cyclic_rows(n, rank,
/// size, layout.block) in order, row-major (finite; consumed and released once copied); `hooks`
/// resume from a checkpoint and observe the rounds; `stats` (may be null) receives what the
/// rounds did. The result does not depend on the number of ranks. InputError (on every rank)
/// when a coordinate's magnitude reaches 2^49.
template <class Scalar>
std::vector<RawMerge> rounds_ward(RoundTeam& team, std::int64_t n, std::int64_t d, std::vector<Scalar> owned,
                                  ChainHooks hooks = {}, RoundStats* stats = nullptr, RoundsLayout layout = {});

}  // namespace conceptlens::cluster
