#include "align/cluster_counts.hpp"

#include <string>

#include "util/error.hpp"

namespace conceptlens::align {
namespace {

/// The corpus index of point i's word; InputError naming both files when it is not one.
std::int64_t word_of_point(const store::ClusterAssignment& clustering, const LabelIndex& index, std::int64_t i) {
  const auto at = static_cast<std::size_t>(i);
  const std::int64_t sentence = clustering.sentence[at];
  const std::int64_t word = clustering.word[at];
  const std::string point = clustering.path.string() + ": point " + std::to_string(i);
  if (sentence < 0 || word < 0) {
    throw InputError(point + " has no corpus position (sentence " + std::to_string(sentence) + ", word " +
                     std::to_string(word) + "): its points came without their words (a .npy without --vocab?)");
  }
  if (sentence >= index.sentences()) {
    throw InputError(point + " is in sentence " + std::to_string(sentence + 1) + ", but " +
                     index.corpus_path.string() + " has " + std::to_string(index.sentences()) +
                     " lines: clustered from another corpus?");
  }
  const std::int64_t start = index.sentence_start[static_cast<std::size_t>(sentence)];
  const std::int64_t words = index.sentence_start[static_cast<std::size_t>(sentence) + 1] - start;
  if (word >= words) {
    throw InputError(point + " is word " + std::to_string(word + 1) + " of sentence " + std::to_string(sentence + 1) +
                     ", but " + index.corpus_path.string() + ":" + std::to_string(sentence + 1) + " has " +
                     std::to_string(words) + " words: clustered from another corpus?");
  }
  if (clustering.text.empty()) {
    throw InputError(clustering.path.string() + " does not name the words of its points (no /points/text: written "
                     "by an older conceptlens), so the corpus cannot be checked against it: cluster again");
  }
  const std::string& found = index.types[static_cast<std::size_t>(index.word_type[static_cast<std::size_t>(start + word)])];
  if (clustering.text[at] != found) {
    throw InputError(point + " is the word '" + clustering.text[at] + "', but word " + std::to_string(word + 1) +
                     " of " + index.corpus_path.string() + ":" + std::to_string(sentence + 1) + " is '" + found +
                     "': clustered from another corpus (or from a filtered copy of it, whose sentences are "
                     "numbered differently)?");
  }
  return start + word;
}

}  // namespace

void check_points(const store::ClusterAssignment& clustering, const LabelIndex& index) {
  for (std::size_t i = 0; i < clustering.cluster.size(); ++i) word_of_point(clustering, index, static_cast<std::int64_t>(i));
}

ClusterCounts count_points(const store::ClusterAssignment& clustering, const LabelIndex& index, std::int64_t first,
                           std::int64_t last) {
  CONCEPTLENS_CHECK(0 <= first && first <= last && last <= static_cast<std::int64_t>(clustering.cluster.size()));
  ClusterCounts counts;
  counts.clusters = clustering.k;
  counts.sizes.assign(static_cast<std::size_t>(clustering.k), 0);
  for (std::int64_t i = first; i < last; ++i) {
    const std::int64_t word = word_of_point(clustering, index, i);
    const std::int32_t cluster = clustering.cluster[static_cast<std::size_t>(i)];
    CONCEPTLENS_CHECK(cluster >= 0 && cluster < clustering.k);
    ++counts.sizes[static_cast<std::size_t>(cluster)];
    counts.type_counts.push_back({cluster, index.word_type[static_cast<std::size_t>(word)], 1, i});
    std::int64_t key = i * kMaxLabelsPerWord;
    for (const std::int32_t label : index.labels_of_word(word)) counts.label_counts.push_back({cluster, label, 1, key++});
  }
  combine_cells(counts.label_counts);
  combine_cells(counts.type_counts);
  return counts;
}

void add(ClusterCounts& total, const ClusterCounts& part) {
  CONCEPTLENS_CHECK(total.clusters == part.clusters && total.sizes.size() == part.sizes.size());
  for (std::size_t c = 0; c < total.sizes.size(); ++c) total.sizes[c] += part.sizes[c];
  total.label_counts = add_cells(total.label_counts, part.label_counts);
  total.type_counts = add_cells(total.type_counts, part.type_counts);
}

}  // namespace conceptlens::align
