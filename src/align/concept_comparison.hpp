#pragma once
// Fine-tuned vs base concepts (`conceptlens compare`): two flat clusterings of the same points.
// A concept's best match on the other side is the concept it shares most points with (ties:
// the smaller id); overlap = shared / the concept's size; aligned when overlap >= threshold
// (>= here, > for labels: DESIGN.md). Both directions are reported.
#include <cstdint>
#include <vector>

#include "align/cells.hpp"
#include "store/clusters_file.hpp"

namespace conceptlens::align {

/// Additive co-occurrence counts, like ClusterCounts: any split of the points sums to the same.
struct PairCounts {
  std::int64_t clusters = 0;                  ///< K of the clustering
  std::int64_t reference_clusters = 0;        ///< K of the reference
  std::vector<std::int64_t> sizes;            ///< [clusters]
  std::vector<std::int64_t> reference_sizes;  ///< [reference_clusters]
  std::vector<Cell> shared;  ///< (cluster, reference cluster): shared points; first = the first such point

  friend bool operator==(const PairCounts&, const PairCounts&) = default;
};

/// Both files must hold the same points (n, /points/sentence, /points/word, /points/text):
/// InputError naming both files and the first difference otherwise, or naming a file whose
/// points have no position or word (nothing to check them by).
void check_same_points(const store::ClusterAssignment& clustering, const store::ClusterAssignment& reference);

/// Counts points [first, last) of two clusterings of the same points (see check_same_points).
PairCounts count_pairs(const store::ClusterAssignment& clustering, const store::ClusterAssignment& reference,
                       std::int64_t first, std::int64_t last);

void add(PairCounts& total, const PairCounts& part);

struct ConceptMatch {
  std::int32_t cluster = 0;  ///< a concept of this side
  std::int64_t size = 0;
  std::int32_t match = -1;   ///< the other side's concept sharing most points; -1 for an empty concept
  std::int64_t shared = 0;
  double overlap = 0;        ///< shared / size
  bool aligned = false;      ///< overlap >= threshold
};

struct Comparison {
  std::int64_t k = 0;
  double threshold = 0.9;
  std::vector<ConceptMatch> clusters;   ///< each concept of the clustering (fine-tuned) -> reference
  std::vector<ConceptMatch> reference;  ///< each reference (base) concept -> clustering
  std::int64_t aligned = 0;             ///< aligned concepts of the clustering
  std::int64_t reference_aligned = 0;   ///< aligned concepts of the reference
  double aligned_fraction = 0;            ///< aligned / clusters
  double reference_aligned_fraction = 0;  ///< reference_aligned / reference clusters
};

Comparison compare(const PairCounts& counts, double threshold = 0.9);

}  // namespace conceptlens::align
