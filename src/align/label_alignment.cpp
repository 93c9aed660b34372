#include "align/label_alignment.hpp"

#include <algorithm>
#include <span>

#include "util/error.hpp"

namespace conceptlens::align {
namespace {

/// The cells of one cluster in a canonical cell list, from `at` on (advanced past them).
std::span<const Cell> cells_of(const std::vector<Cell>& cells, std::size_t& at, std::int32_t cluster) {
  const std::size_t begin = at;
  while (at < cells.size() && cells[at].cluster == cluster) ++at;
  return std::span<const Cell>(cells).subspan(begin, at - begin);
}

/// Type level: every type's points count for each label the type carries; the label's key is
/// the type's first point in the cluster and the label's place among the type's labels.
/// `unknown` gets the points whose type carries only UNK labels.
std::vector<Cell> type_level_tallies(std::span<const Cell> types, const LabelIndex& index, std::int64_t& unknown) {
  const auto places = static_cast<std::int64_t>(index.labels.size());  // a type carries at most every label
  std::vector<Cell> tallies;
  unknown = 0;
  for (const Cell& type : types) {
    std::int64_t key = type.first * places;
    bool only_unk = true;
    for (const std::int32_t label : index.tags_of_type(type.id)) {
      tallies.push_back({type.cluster, label, type.count, key++});
      only_unk = only_unk && is_unk(index.labels[static_cast<std::size_t>(label)]);
    }
    unknown += only_unk ? type.count : 0;
  }
  combine_cells(tallies);
  return tallies;
}

std::vector<std::string> top_words(std::span<const Cell> types, const LabelIndex& index) {
  std::vector<Cell> sorted(types.begin(), types.end());
  const std::size_t keep = std::min(sorted.size(), kTopWords);
  // type ids follow the sorted vocabulary: ties by id are ties by word
  std::partial_sort(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(keep), sorted.end(),
                    [](const Cell& a, const Cell& b) { return a.count != b.count ? a.count > b.count : a.id < b.id; });
  std::vector<std::string> words;
  for (std::size_t i = 0; i < keep; ++i) words.push_back(index.types[static_cast<std::size_t>(sorted[i].id)]);
  return words;
}

/// Applies the rules of the file comment to one cluster; `unknown` of its points have only UNK
/// labels.
void decide(ClusterAlignment& cluster, std::span<const Cell> tallies, std::int64_t unknown, const LabelIndex& index,
            const AlignOptions& options) {
  const LabelSetRules& rules = options.rules;
  std::int64_t unk = 0;
  const Cell* best = nullptr;
  for (const Cell& tally : tallies) {
    const std::string& label = index.labels[static_cast<std::size_t>(tally.id)];
    if (is_unk(label) || (rules.na_unk && label == "N/A")) unk += tally.count;
    if (rules.ignore_unks && is_unk(label)) continue;
    if (best == nullptr || tally.count > best->count || (tally.count == best->count && tally.first < best->first)) {
      best = &tally;
    }
  }
  if (cluster.size == 0) {
    cluster.skipped = "empty";
  } else if (options.level == Level::type && cluster.types <= options.min_types) {
    cluster.skipped = "types";
  } else if (static_cast<double>(unk) / static_cast<double>(cluster.size) > options.max_unk || best == nullptr) {
    cluster.skipped = "unk";  // (no label left: every point's labels were UNK, ignore_unks)
  } else {
    const std::int64_t counted = rules.ignore_unks ? cluster.size - unknown : cluster.size;
    cluster.label = index.labels[static_cast<std::size_t>(best->id)];
    cluster.share = static_cast<double>(best->count) / static_cast<double>(counted);
    cluster.aligned = cluster.share > options.threshold && can_align(cluster.label);
  }
}

}  // namespace

std::string_view level_name(Level level) { return level == Level::token ? "token" : "type"; }

Level parse_level(std::string_view name) {
  if (name == "token") return Level::token;
  if (name == "type") return Level::type;
  throw InputError("unknown alignment level '" + std::string(name) + "': expected token or type");
}

Alignment align(const ClusterCounts& counts, const LabelIndex& index, const AlignOptions& options) {
  CONCEPTLENS_CHECK(counts.sizes.size() == static_cast<std::size_t>(counts.clusters));
  Alignment result;
  result.options = options;
  result.k = counts.clusters;
  for (const std::string& label : index.labels) {
    if (can_align(label)) result.per_label[label];
  }
  std::size_t label_at = 0;
  std::size_t type_at = 0;
  for (std::int32_t c = 0; c < counts.clusters; ++c) {
    const std::span<const Cell> labels = cells_of(counts.label_counts, label_at, c);
    const std::span<const Cell> types = cells_of(counts.type_counts, type_at, c);
    ClusterAlignment cluster;
    cluster.cluster = c;
    cluster.size = counts.sizes[static_cast<std::size_t>(c)];
    cluster.types = static_cast<std::int64_t>(types.size());
    cluster.top_words = top_words(types, index);
    if (options.level == Level::token) {
      decide(cluster, labels, counts.unknown[static_cast<std::size_t>(c)], index, options);
    } else {
      std::int64_t unknown = 0;
      const std::vector<Cell> tallies = type_level_tallies(types, index, unknown);
      decide(cluster, tallies, unknown, index, options);
    }
    if (cluster.aligned) {
      ++result.aligned;
      result.per_label[cluster.label].push_back(c);
    }
    result.clusters.push_back(std::move(cluster));
  }
  CONCEPTLENS_CHECK(label_at == counts.label_counts.size() && type_at == counts.type_counts.size());
  result.labels = static_cast<std::int64_t>(result.per_label.size());
  for (const auto& [label, clusters] : result.per_label) result.covered_labels += clusters.empty() ? 0 : 1;
  result.aligned_fraction = result.k > 0 ? static_cast<double>(result.aligned) / static_cast<double>(result.k) : 0.0;
  result.coverage = result.labels > 0 ? static_cast<double>(result.covered_labels) / static_cast<double>(result.labels) : 0.0;
  return result;
}

}  // namespace conceptlens::align
