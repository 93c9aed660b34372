#pragma once
// The lean mode's nearest-neighbour searches as matrix products (rounds.cpp): for a set of
// "states" (clusters whose neighbours are sought), the kStride nearest live clusters under the
// tie rule, with exact float64 Ward distances.
//
// Pairs come in blocks of centroid rows (CentroidRows): float32 products of the centred
// centroids (sgemm, tiles of kTileRows x kTileCols) give, for every pair, an interval
// [lower, upper] that provably holds its exact Ward distance (product_bound.hpp). Each state
// keeps the kStride smallest upper ends seen and the kStride best exact distances found; its
// threshold is the smaller of the two kStride-th values, and a pair whose lower end exceeds it
// cannot be among the state's kStride nearest. The few pairs that pass are queued and, while
// both blocks are at hand, re-checked exactly (ward_distance, float64, from the centroids) in
// a prune: so every pair among a state's kStride nearest is computed exactly and kept. The
// result is therefore exact whatever the candidates were — it does not depend on how the
// products were tiled or split over ranks, nor on float32 rounding.
//
// A pair can be offered to both sides (the first pass computes each pair once, for both
// clusters): `row_state` and `col_state` name the states of each block's rows.
#include <cstdint>
#include <functional>
#include <vector>

#include "cluster/centroid_rows.hpp"
#include "cluster/neighbour_table.hpp"
#include "cluster/product_bound.hpp"

namespace conceptlens::cluster {

/// What the passes of a clustering did (summed), for the log and the benchmark.
struct PassStats {
  double product_seconds = 0;  ///< in the float32 matrix products
  double pairs = 0;            ///< pairs bounded by the products
  std::int64_t exact = 0;      ///< pairs re-checked in float64
};

class NearestPass {
 public:
  static constexpr std::int64_t kTileRows = 512;
  static constexpr std::int64_t kTileCols = 1024;

  /// A search for the nearest neighbours of `states` clusters in dimension d.
  NearestPass(std::int64_t states, std::int64_t d);

  /// Offers the pairs (r, c), r in [row_begin, row_end) of `rows` and c of `cols` — only
  /// c > r when `upper` (rows and cols are then the same block) — to the search of state
  /// row_state[r] (state r when null) and, when col_state is given, of state col_state[c].
  /// A pair of the same slot is skipped. `sizes`: cluster sizes by slot.
  void offer(const CentroidRows& rows, const std::int64_t* row_state, std::int64_t row_begin, std::int64_t row_end,
             const CentroidRows& cols, const std::int64_t* col_state, bool upper,
             const std::vector<std::int64_t>& sizes);

  /// The nearest neighbours found for every state: kStride entries each, in order (kNone
  /// where fewer), state after state.
  std::vector<Nearest>& best() { return best_; }

  /// Called after every tile row with the pairs bounded so far by this pass.
  std::function<void(double)> progress;
  PassStats stats;

 private:
  struct Queued {
    std::int64_t r;
    std::int64_t c;
    double lower;  ///< lower end of the pair's exact Ward distance
    int sides;     ///< 1: for the row's state, 2: for the column's
  };

  double threshold(std::int64_t state) const { return threshold_[static_cast<std::size_t>(state)]; }
  void take_upper(std::int64_t state, double upper);
  void take_exact(std::int64_t state, const Nearest& entry);
  /// Re-checks the queued pairs that may still matter, exactly.
  void prune(const CentroidRows& rows, const std::int64_t* row_state, const CentroidRows& cols,
             const std::int64_t* col_state, const std::vector<std::int64_t>& sizes);

  std::int64_t d_;
  ProductBound bound_;
  std::vector<double> upper_;      ///< per state: the kStride smallest upper ends, ascending
  std::vector<Nearest> best_;      ///< per state: the kStride best exact entries, in order
  std::vector<double> threshold_;  ///< per state: min(upper_ kStride-th, best_ kStride-th)
  std::vector<Queued> queue_;
  std::vector<float> tile_;
};

}  // namespace conceptlens::cluster
