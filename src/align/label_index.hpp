#pragma once
// A labelled corpus as alignment reads it: the label and word-type vocabularies and, for every
// corpus word, its type and its label ids. Every MPI rank builds the same index from the same
// files, so ids in count cells mean the same on every rank.
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "align/label_set_rules.hpp"
#include "corpus/corpus_file.hpp"
#include "corpus/labels.hpp"

namespace conceptlens::align {

/// Most labels one word may carry ("A|||B|||..."): occurrence keys are point * this + the
/// label's position in the word's label string.
inline constexpr std::int64_t kMaxLabelsPerWord = 1024;

struct LabelIndex {
  std::filesystem::path corpus_path;
  std::filesystem::path labels_path;
  std::vector<std::string> labels;  ///< label vocabulary: sorted unique labels ("A|||B" gives A and B), preprocessed
  std::vector<std::string> types;   ///< type vocabulary: sorted unique words of the corpus
  std::vector<std::int64_t> sentence_start;     ///< [sentences + 1]: index of each sentence's first word
  std::vector<std::int32_t> word_type;          ///< [words]: type id of every corpus word
  std::vector<std::int64_t> word_labels_start;  ///< [words + 1]: into word_labels
  std::vector<std::int32_t> word_labels;        ///< label ids of every word, in its label string's order
  std::vector<std::int64_t> type_tags_start;    ///< [types + 1]: into type_tags
  std::vector<std::int32_t> type_tags;  ///< labels each type carries anywhere in the corpus, by first appearance

  std::int64_t sentences() const { return static_cast<std::int64_t>(sentence_start.size()) - 1; }
  std::span<const std::int32_t> labels_of_word(std::int64_t word) const { return range(word_labels, word_labels_start, word); }
  std::span<const std::int32_t> tags_of_type(std::int32_t type) const { return range(type_tags, type_tags_start, type); }

 private:
  static std::span<const std::int32_t> range(const std::vector<std::int32_t>& values,
                                             const std::vector<std::int64_t>& start, std::int64_t i) {
    const auto at = static_cast<std::size_t>(i);
    return std::span<const std::int32_t>(values).subspan(static_cast<std::size_t>(start[at]),
                                                         static_cast<std::size_t>(start[at + 1] - start[at]));
  }
};

/// Indexes `labels` (read for `corpus` by corpus::read_labels), each label after `preprocess`
/// (label_set_rules.hpp). InputError naming the label file and line for a word with more than
/// kMaxLabelsPerWord labels.
LabelIndex index_labels(const corpus::Corpus& corpus, const corpus::WordLabels& labels,
                        Preprocess preprocess = Preprocess::none);

}  // namespace conceptlens::align
