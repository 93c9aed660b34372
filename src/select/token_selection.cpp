#include "select/token_selection.hpp"

#include <string_view>
#include <unordered_map>

#include "corpus/corpus_file.hpp"
#include "util/error.hpp"

namespace conceptlens::select {
namespace {

void check_option(std::int64_t value, const char* name) {
  if (value < 0) {
    throw InputError("token selection: " + std::string(name) + " is " + std::to_string(value) +
                     ": expected a count >= 0 (0: no limit)");
  }
}

}  // namespace

TokenSelection select_tokens(std::span<const std::string> lines, std::span<const std::int64_t> offsets,
                             const SelectionOptions& options) {
  check_option(options.min_freq, "min_freq");
  check_option(options.max_per_type, "max_per_type");
  check_option(options.drop_freq, "drop_freq");
  check_option(options.max_words, "max_words");
  CONCEPTLENS_CHECK(offsets.size() == lines.size() + 1 && offsets.front() == 0);

  TokenSelection selection;
  const std::size_t sentences = lines.size();
  std::vector<std::vector<std::string_view>> words(sentences);  // of each line, split on ' '
  std::vector<bool> long_sentence(sentences, false);
  std::vector<bool>& kept = selection.kept_sentences;
  kept.assign(sentences, false);
  for (std::size_t s = 0; s < sentences; ++s) {
    const std::int64_t rows = offsets[s + 1] - offsets[s];
    if (!lines[s].empty()) words[s] = corpus::split_words(lines[s]);
    CONCEPTLENS_CHECK(rows >= 0 && static_cast<std::size_t>(rows) <= words[s].size());
    const std::int64_t length = corpus::python_word_count(lines[s]);
    if (options.max_words > 0 && length >= options.max_words) {  // 1. sentence_length.py
      long_sentence[s] = true;
      ++selection.long_sentences;
      selection.long_sentence_words += rows;
    } else if (rows != length) {  // 3. NeuroX's load_data: rows != len(line.split())
      ++selection.dropped_sentences;
      selection.dropped_sentence_words += rows;
    } else {
      kept[s] = true;
    }
  }

  // 4. frequency_count.py: type counts over every word of the lines the length filter kept
  struct Counts {
    std::int64_t corpus = 0;  ///< occurrences in those lines
    std::int64_t taken = 0;   ///< occurrences selected so far
  };
  std::unordered_map<std::string_view, Counts> counts;
  for (std::size_t s = 0; s < sentences; ++s) {
    if (long_sentence[s]) continue;
    for (const std::string_view word : words[s]) ++counts[word].corpus;
  }

  // 5. frequency_filter_data.py over the rows of the sentences left: delete frequent types, then
  // min frequency, then the cap per type
  for (std::size_t s = 0; s < sentences; ++s) {
    if (!kept[s]) continue;
    for (std::int64_t r = offsets[s]; r < offsets[s + 1]; ++r) {
      Counts& type = counts.find(words[s][static_cast<std::size_t>(r - offsets[s])])->second;
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

TokenSelection select_tokens(std::span<const std::string> lines, const SelectionOptions& options) {
  std::vector<std::int64_t> offsets = {0};
  for (const std::string& line : lines) {
    offsets.push_back(offsets.back() + (line.empty() ? 0 : static_cast<std::int64_t>(corpus::split_words(line).size())));
  }
  return select_tokens(lines, offsets, options);
}

}  // namespace conceptlens::select
