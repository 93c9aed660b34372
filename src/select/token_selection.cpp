#include "select/token_selection.hpp"

#include <string_view>
#include <unordered_map>

#include "util/error.hpp"

namespace conceptlens::select {
namespace {

void check_option(std::int64_t value, const char* name) {
  if (value < 0) {
    throw InputError("token selection: " + std::string(name) + " is " + std::to_string(value) +
                     ": expected a count >= 0 (0: no limit)");
  }
}

/// The selection over a corpus whose word at row r is word(r); see token_selection.hpp.
template <typename WordOf>
TokenSelection select(WordOf&& word, std::span<const std::int64_t> offsets, std::size_t words,
                      const SelectionOptions& options) {
  check_option(options.min_freq, "min_freq");
  check_option(options.max_per_type, "max_per_type");
  check_option(options.drop_freq, "drop_freq");
  check_option(options.max_words, "max_words");
  CONCEPTLENS_CHECK(!offsets.empty() && offsets.front() == 0);
  CONCEPTLENS_CHECK(offsets.back() == static_cast<std::int64_t>(words));

  TokenSelection selection;
  const std::size_t sentences = offsets.size() - 1;

  // sentence_length.py: a sentence stays iff it has fewer than max_words words
  std::vector<bool>& kept = selection.kept_sentences;
  kept.assign(sentences, true);
  for (std::size_t s = 0; s < sentences; ++s) {
    const std::int64_t length = offsets[s + 1] - offsets[s];
    CONCEPTLENS_CHECK(length >= 0);
    if (options.max_words > 0 && length >= options.max_words) {
      kept[s] = false;
      ++selection.long_sentences;
      selection.long_sentence_words += length;
    }
  }

  // frequency_count.py: type counts over the kept sentences
  struct Counts {
    std::int64_t corpus = 0;  ///< occurrences in the kept sentences
    std::int64_t taken = 0;   ///< occurrences selected so far
  };
  std::unordered_map<std::string_view, Counts> counts;
  for (std::size_t s = 0; s < sentences; ++s) {
    if (!kept[s]) continue;
    for (std::int64_t r = offsets[s]; r < offsets[s + 1]; ++r) ++counts[word(static_cast<std::size_t>(r))].corpus;
  }

  // frequency_filter_data.py: delete frequent types, then min frequency, then the cap per type
  for (std::size_t s = 0; s < sentences; ++s) {
    if (!kept[s]) continue;
    for (std::int64_t r = offsets[s]; r < offsets[s + 1]; ++r) {
      Counts& type = counts.find(word(static_cast<std::size_t>(r)))->second;
      if (options.drop_freq > 0 && type.corpus > options.drop_freq) {
        ++selection.frequent_words;
      } else if (type.corpus >= options.min_freq) {
        if (options.max_per_type == 0 || type.taken < options.max_per_type) {
          selection.rows.push_back(r);
          ++type.taken;
        } else {
          ++selection.capped_words;
        }
      } else {
        ++selection.rare_words;
      }
    }
  }
  return selection;
}

}  // namespace

TokenSelection select_tokens(std::span<const std::string> words, std::span<const std::int64_t> offsets,
                             const SelectionOptions& options) {
  return select([&](std::size_t row) { return std::string_view(words[row]); }, offsets, words.size(), options);
}

TokenSelection select_tokens(const std::vector<std::vector<std::string>>& sentences, const SelectionOptions& options) {
  std::vector<std::string_view> words;
  std::vector<std::int64_t> offsets = {0};
  for (const std::vector<std::string>& sentence : sentences) {
    words.insert(words.end(), sentence.begin(), sentence.end());
    offsets.push_back(static_cast<std::int64_t>(words.size()));
  }
  return select([&](std::size_t row) { return words[row]; }, offsets, words.size(), options);
}

}  // namespace conceptlens::select
