#include "align/concept_comparison.hpp"

#include <algorithm>
#include <string>

#include "util/error.hpp"

namespace conceptlens::align {
namespace {

/// Best matches of every concept of one side, from cells keyed (concept, other concept).
std::vector<ConceptMatch> best_matches(const std::vector<Cell>& cells, const std::vector<std::int64_t>& sizes,
                                       double threshold) {
  std::vector<ConceptMatch> matches(sizes.size());
  for (std::size_t c = 0; c < sizes.size(); ++c) {
    matches[c].cluster = static_cast<std::int32_t>(c);
    matches[c].size = sizes[c];
  }
  for (const Cell& cell : cells) {  // sorted by (concept, other): the first of equal counts has the smaller id
    ConceptMatch& match = matches[static_cast<std::size_t>(cell.cluster)];
    if (cell.count > match.shared) {
      match.match = cell.id;
      match.shared = cell.count;
    }
  }
  for (ConceptMatch& match : matches) {
    if (match.size == 0) continue;
    match.overlap = static_cast<double>(match.shared) / static_cast<double>(match.size);
    match.aligned = match.overlap >= threshold;
  }
  return matches;
}

std::int64_t aligned_count(const std::vector<ConceptMatch>& matches) {
  return std::count_if(matches.begin(), matches.end(), [](const ConceptMatch& m) { return m.aligned; });
}

double fraction(std::int64_t part, std::size_t whole) {
  return whole > 0 ? static_cast<double>(part) / static_cast<double>(whole) : 0.0;
}

}  // namespace

void check_same_points(const store::ClusterAssignment& clustering, const store::ClusterAssignment& reference) {
  const std::string files = clustering.path.string() + " and " + reference.path.string();
  const std::string why = ": both clusterings must cover the same points (same corpus and token selection)";
  if (clustering.cluster.size() != reference.cluster.size()) {
    throw InputError(files + " cluster different points: " + clustering.path.string() + " has " +
                     std::to_string(clustering.cluster.size()) + ", " + reference.path.string() + " has " +
                     std::to_string(reference.cluster.size()) + why);
  }
  for (const store::ClusterAssignment* side : {&clustering, &reference}) {
    // points without positions or words cannot be matched: equal -1s would pass any check
    const auto unknown = std::find_if(side->sentence.begin(), side->sentence.end(), [](std::int32_t s) { return s < 0; });
    if (unknown != side->sentence.end() || side->text.empty()) {
      const std::string point =
          unknown != side->sentence.end() ? "point " + std::to_string(unknown - side->sentence.begin()) : "its points";
      throw InputError(side->path.string() + ": " + point + (unknown != side->sentence.end() ? " has" : " have") +
                       " no corpus position or word (a .npy clustered without --vocab, or a file of an older "
                       "conceptlens), so it cannot be checked that both clusterings hold the same points");
    }
  }
  for (std::size_t i = 0; i < clustering.cluster.size(); ++i) {
    if (clustering.sentence[i] != reference.sentence[i] || clustering.word[i] != reference.word[i] ||
        clustering.text[i] != reference.text[i]) {
      const auto position = [](const store::ClusterAssignment& a, std::size_t at) {
        return "'" + a.text[at] + "' (sentence " + std::to_string(a.sentence[at]) + ", word " +
               std::to_string(a.word[at]) + ") in " + a.path.string();
      };
      throw InputError(files + " cluster different points: point " + std::to_string(i) + " is " +
                       position(clustering, i) + " but " + position(reference, i) + why);
    }
  }
}

PairCounts count_pairs(const store::ClusterAssignment& clustering, const store::ClusterAssignment& reference,
                       std::int64_t first, std::int64_t last) {
  CONCEPTLENS_CHECK(clustering.cluster.size() == reference.cluster.size());
  CONCEPTLENS_CHECK(0 <= first && first <= last && last <= static_cast<std::int64_t>(clustering.cluster.size()));
  PairCounts counts;
  counts.clusters = clustering.k;
  counts.reference_clusters = reference.k;
  counts.sizes.assign(static_cast<std::size_t>(clustering.k), 0);
  counts.reference_sizes.assign(static_cast<std::size_t>(reference.k), 0);
  for (std::int64_t i = first; i < last; ++i) {
    const std::int32_t a = clustering.cluster[static_cast<std::size_t>(i)];
    const std::int32_t b = reference.cluster[static_cast<std::size_t>(i)];
    ++counts.sizes[static_cast<std::size_t>(a)];
    ++counts.reference_sizes[static_cast<std::size_t>(b)];
    counts.shared.push_back({a, b, 1, i});
  }
  combine_cells(counts.shared);
  return counts;
}

void add(PairCounts& total, const PairCounts& part) {
  CONCEPTLENS_CHECK(total.clusters == part.clusters && total.reference_clusters == part.reference_clusters);
  for (std::size_t c = 0; c < total.sizes.size(); ++c) total.sizes[c] += part.sizes[c];
  for (std::size_t c = 0; c < total.reference_sizes.size(); ++c) total.reference_sizes[c] += part.reference_sizes[c];
  total.shared = add_cells(total.shared, part.shared);
}

Comparison compare(const PairCounts& counts, double threshold) {
  Comparison result;
  result.k = counts.clusters;
  result.threshold = threshold;
  result.clusters = best_matches(counts.shared, counts.sizes, threshold);
  std::vector<Cell> transposed = counts.shared;
  for (Cell& cell : transposed) std::swap(cell.cluster, cell.id);
  combine_cells(transposed);
  result.reference = best_matches(transposed, counts.reference_sizes, threshold);
  result.aligned = aligned_count(result.clusters);
  result.reference_aligned = aligned_count(result.reference);
  result.aligned_fraction = fraction(result.aligned, result.clusters.size());
  result.reference_aligned_fraction = fraction(result.reference_aligned, result.reference.size());
  return result;
}

}  // namespace conceptlens::align
