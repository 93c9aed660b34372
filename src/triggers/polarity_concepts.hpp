#pragma once
// Finding (iv) of Durrani et al. 2022: concepts of a fine-tuned model's top layers acquire
// polarity towards an output class, and their words work as adversarial triggers. A polarity
// concept is a concept aligned with a class of the task (token level, share > threshold, as
// `conceptlens align` counts it); its trigger is its most frequent word types.
#include <cstdint>
#include <string>
#include <vector>

#include "align/cluster_counts.hpp"
#include "align/label_alignment.hpp"

namespace conceptlens::triggers {

struct PolarityConcept {
  std::int32_t cluster = 0;
  std::string label_class;           ///< the class it is aligned with (the label file's name)
  double share = 0;                  ///< of its words carrying that class
  std::vector<std::string> words;    ///< its word types, most frequent first (ties: first met in the
                                     ///< clustering's point order); at most kTopWords or trigger_words
  std::vector<std::string> trigger;  ///< the first `trigger_words` of `words`
};

/// The aligned concepts of `alignment` (made from `counts` with `index`'s class labels), in
/// cluster order, each with its words and its trigger of at most `trigger_words` words.
std::vector<PolarityConcept> polarity_concepts(const align::ClusterCounts& counts, const align::Alignment& alignment,
                                               const align::LabelIndex& index, std::int64_t trigger_words);

/// The words joined by single spaces.
std::string join_words(const std::vector<std::string>& words);

}  // namespace conceptlens::triggers
