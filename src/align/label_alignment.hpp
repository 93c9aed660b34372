#pragma once
// Which latent concepts (clusters) line up with a human-defined label set, by ConceptX's rules
// (scripts/align_with_auto_tags.py) at token level, or the type-level variant of Hawasly et al.
// 2024 ("Scaling up Discovery of Latent Concepts in Deep NLP Models").
//
// Per cluster of `size` points, a tally per label:
//  - token level: the number of points whose word carries the label (a word labelled "A|||B"
//    counts for both);
//  - type level: the number of points whose word TYPE carries the label anywhere in the corpus.
// Then, the same at both levels:
//  - skipped ("unk") when the tallies of labels ending in "_UNK" (and "N/A" with na_unk) add
//    up to more than max_unk * size; at type level also skipped ("types") with at most
//    min_types distinct types;
//  - with ignore_unks, the labels ending in "_UNK" are then left out, and so are the points that
//    had no other label: `counted` = size less those points (a point whose word type carries
//    only UNK tags, at type level); otherwise counted = size;
//  - the majority label is the largest tally, ties going to the label met first in the
//    cluster's points (CLUSTERS.h5 order; one word's labels in their written order; one type's
//    labels in the order the corpus first gives them) — Counter.most_common(1) in ConceptX;
//  - share = tally / counted; aligned when share > threshold and the label has no "_UNK" in it.
// Labels that can align (those without "_UNK") make the denominator of coverage. The labels are
// those of the label file after the set's preprocessing (label_set_rules.hpp: O -> O_UNK, ...).
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "align/cluster_counts.hpp"
#include "align/label_index.hpp"
#include "align/label_set_rules.hpp"

namespace conceptlens::align {

enum class Level { token, type };
std::string_view level_name(Level level);
/// "token" or "type"; InputError otherwise.
Level parse_level(std::string_view name);

struct AlignOptions {
  std::string name{};         ///< the label set's name (--name), reported as given
  double threshold = 0.9;     ///< aligned when the majority label's share is > threshold
  double max_unk = 0.4;       ///< skipped when the UNK tallies are > max_unk * size
  Level level = Level::token;
  std::int64_t min_types = 5;  ///< type level: a cluster needs more distinct types than this
  LabelSetRules rules{};       ///< ConceptX's per-set settings (preprocess: applied by index_labels)
};

/// Words listed per cluster, most frequent first.
inline constexpr std::size_t kTopWords = 10;

struct ClusterAlignment {
  std::int32_t cluster = 0;
  std::int64_t size = 0;
  std::int64_t types = 0;     ///< distinct word types
  std::string label;          ///< majority label; "" when skipped
  double share = 0;           ///< the majority label's tally / size
  bool aligned = false;
  std::string skipped;        ///< "" or why no label was chosen: "empty", "types", "unk"
  std::vector<std::string> top_words;  ///< most frequent types (ties: by word), at most kTopWords
};

struct Alignment {
  AlignOptions options;
  std::int64_t k = 0;
  std::int64_t aligned = 0;       ///< aligned clusters
  double aligned_fraction = 0;    ///< aligned / k
  std::int64_t labels = 0;        ///< labels that can align: the vocabulary less those with "_UNK"
  std::int64_t covered_labels = 0;  ///< of those, the labels with at least one aligned cluster
  double coverage = 0;            ///< covered_labels / labels
  std::vector<ClusterAlignment> clusters;                       ///< [k]
  std::map<std::string, std::vector<std::int32_t>> per_label;  ///< every label that can align -> its aligned clusters
};

/// Aligns the clusters whose histograms `counts` holds (all points of a clustering).
Alignment align(const ClusterCounts& counts, const LabelIndex& index, const AlignOptions& options);

}  // namespace conceptlens::align
