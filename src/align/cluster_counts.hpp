#pragma once
// The per-cluster histograms that label alignment needs, counted for any range of points:
// counting [0, n) at once equals adding the counts of [0, a) and [a, n), whatever a is — what
// makes results independent of how MPI ranks split the points.
#include <cstdint>
#include <vector>

#include "align/cells.hpp"
#include "align/label_index.hpp"
#include "store/clusters_file.hpp"

namespace conceptlens::align {

struct ClusterCounts {
  std::int64_t clusters = 0;        ///< K
  std::vector<std::int64_t> sizes;  ///< [K]: points of each cluster
  /// (cluster, label id): (point, label) pairs, as ConceptX counts them (a word labelled "A|||B"
  /// counts once for A and once for B); first = point * kMaxLabelsPerWord + the label's position
  /// in the word's label string.
  std::vector<Cell> label_counts;
  /// (cluster, type id): points whose word is that type; first = the first such point.
  std::vector<Cell> type_counts;

  friend bool operator==(const ClusterCounts&, const ClusterCounts&) = default;
};

/// Checks that every point of `clustering` is a word of the indexed corpus, the word the file
/// names (/points/text). InputError naming the CLUSTERS.h5 file, the first point that is not,
/// and the corpus file and line otherwise (or that the file names no words).
void check_points(const store::ClusterAssignment& clustering, const LabelIndex& index);

/// Counts points [first, last) of `clustering` (checked as check_points does).
ClusterCounts count_points(const store::ClusterAssignment& clustering, const LabelIndex& index, std::int64_t first,
                           std::int64_t last);

/// Adds `part` (counts of other points of the same clustering) into `total`.
void add(ClusterCounts& total, const ClusterCounts& part);

}  // namespace conceptlens::align
