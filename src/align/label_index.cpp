#include "align/label_index.hpp"

#include <algorithm>

#include "util/error.hpp"

namespace conceptlens::align {
namespace {

/// Sorted unique strings, and the id of one of them.
struct Vocabulary {
  std::vector<std::string> words;

  void finish() {
    std::sort(words.begin(), words.end());
    words.erase(std::unique(words.begin(), words.end()), words.end());
  }
  std::int32_t id(std::string_view word) const {
    const auto at = std::lower_bound(words.begin(), words.end(), word);
    CONCEPTLENS_CHECK(at != words.end() && *at == word);
    return static_cast<std::int32_t>(at - words.begin());
  }
};

}  // namespace

LabelIndex index_labels(const corpus::Corpus& corpus, const corpus::WordLabels& labels, Preprocess preprocess) {
  CONCEPTLENS_CHECK(static_cast<std::int64_t>(labels.labels.size()) == corpus.sentences());
  Vocabulary label_vocabulary;
  Vocabulary type_vocabulary;
  std::vector<std::vector<std::string_view>> words(labels.labels.size());
  for (std::size_t s = 0; s < labels.labels.size(); ++s) {
    words[s] = corpus::split_words(corpus.lines[s]);
    CONCEPTLENS_CHECK(words[s].size() == labels.labels[s].size());
    for (std::size_t w = 0; w < words[s].size(); ++w) {
      type_vocabulary.words.emplace_back(words[s][w]);
      const std::vector<std::string_view> parts = corpus::split_label(labels.labels[s][w]);
      if (static_cast<std::int64_t>(parts.size()) > kMaxLabelsPerWord) {
        throw InputError(labels.path.string() + ": sentence " + std::to_string(s + 1) + ", word " +
                         std::to_string(w + 1) + " has " + std::to_string(parts.size()) + " labels; at most " +
                         std::to_string(kMaxLabelsPerWord) + " per word");
      }
      for (const std::string_view part : parts) label_vocabulary.words.push_back(preprocess_label(preprocess, part));
    }
  }
  label_vocabulary.finish();
  type_vocabulary.finish();

  LabelIndex index;
  index.corpus_path = corpus.path;
  index.labels_path = labels.path;
  std::vector<std::vector<std::int32_t>> tags_of_type(type_vocabulary.words.size());
  index.sentence_start.push_back(0);
  index.word_labels_start.push_back(0);
  for (std::size_t s = 0; s < words.size(); ++s) {
    for (std::size_t w = 0; w < words[s].size(); ++w) {
      const std::int32_t type = type_vocabulary.id(words[s][w]);
      index.word_type.push_back(type);
      std::vector<std::int32_t>& tags = tags_of_type[static_cast<std::size_t>(type)];
      for (const std::string_view part : corpus::split_label(labels.labels[s][w])) {
        const std::int32_t label = label_vocabulary.id(preprocess_label(preprocess, part));
        index.word_labels.push_back(label);
        if (std::find(tags.begin(), tags.end(), label) == tags.end()) tags.push_back(label);
      }
      index.word_labels_start.push_back(static_cast<std::int64_t>(index.word_labels.size()));
    }
    index.sentence_start.push_back(static_cast<std::int64_t>(index.word_type.size()));
  }
  index.type_tags_start.push_back(0);
  for (const std::vector<std::int32_t>& tags : tags_of_type) {
    index.type_tags.insert(index.type_tags.end(), tags.begin(), tags.end());
    index.type_tags_start.push_back(static_cast<std::int64_t>(index.type_tags.size()));
  }
  index.labels = std::move(label_vocabulary.words);
  index.types = std::move(type_vocabulary.words);
  return index;
}

}  // namespace conceptlens::align
