#pragma once
// ConceptX's token selection: which corpus words (rows of ACT.h5) are clustered.
//
// Reference: hsajjad/ConceptX (the ConceptX repository of Sajjad et al., NAACL 2022), its
// pipeline `getclusters.sh` and the scripts it runs, read at commit 80624c5:
//   - scripts/sentence_length.py      keeps a line iff len(line.strip().split()) < --length
//                                     (default 300); runs on the corpus before anything else
//   - scripts/frequency_count.py      counts every word type (line.strip().split(' ')) over the
//                                     length-filtered corpus, i.e. over the kept sentences only
//   - scripts/frequency_filter_data.py then walks the words in corpus order and, per occurrence
//     of type w with corpus count c(w):
//       1. if c(w) > --delete-frequency:   skip it             ("Tokens skipped based on Del freq")
//       2. elif c(w) >= --minimum-frequency:
//            keep it if fewer than --maximum-frequency occurrences of w were kept so far,
//            else skip it                                    ("... based on Max freq")
//       3. else: skip it                                     ("... based on Min freq")
//     so a kept type keeps its first max occurrences in corpus order.
// The script's own defaults are min 5, max 50, delete 500000 (sentence_length.py: 300);
// getclusters.sh runs it with min 0, max 1000000, delete 1000000 and length 300.
//
// Differences, all in degenerate settings: here 0 means "no limit" for every option. In
// ConceptX, --maximum-frequency 0 still keeps each type's first occurrence (the first one is
// kept before the cap is checked), --delete-frequency 0 deletes every word and --length 0 every
// sentence; --minimum-frequency 0 and 1 mean "no limit" in both. Sentence lengths are counted
// in rows (words split on single spaces) where sentence_length.py splits on any whitespace:
// the same for corpora in the NeuroX/ConceptX format (single spaces, no leading or trailing
// blanks).
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace conceptlens::select {

/// The selection rules; 0 disables a rule. The defaults select every word.
struct SelectionOptions {
  std::int64_t min_freq = 0;      ///< keep types seen at least this often (--minimum-frequency)
  std::int64_t max_per_type = 0;  ///< keep each type's first occurrences only (--maximum-frequency)
  std::int64_t drop_freq = 0;     ///< drop types seen more often than this (--delete-frequency)
  std::int64_t max_words = 0;     ///< drop sentences of max_words words or more (sentence_length.py --length)

  /// The settings of ConceptX's getclusters.sh: min 0, max 1000000, delete 1000000, length 300.
  static SelectionOptions conceptx_pipeline() { return {0, 1000000, 1000000, 300}; }
  /// The defaults of frequency_filter_data.py (min 5, max 50, delete 500000) with
  /// sentence_length.py's default length 300.
  static SelectionOptions conceptx_script_defaults() { return {5, 50, 500000, 300}; }
};

/// The selected rows and what each rule removed (ConceptX prints the same token counts).
struct TokenSelection {
  std::vector<std::int64_t> rows;        ///< global word indices, ascending (corpus order)
  std::vector<bool> kept_sentences;      ///< per sentence: whether the length filter kept it
  std::int64_t long_sentences = 0;       ///< sentences removed by max_words
  std::int64_t long_sentence_words = 0;  ///< their words
  std::int64_t frequent_words = 0;       ///< words of types seen more than drop_freq times
  std::int64_t rare_words = 0;           ///< words of types seen fewer than min_freq times
  std::int64_t capped_words = 0;         ///< occurrences beyond a type's first max_per_type
};

/// Selects from a corpus given as its words in corpus order and the sentence offsets (words of
/// sentence s are words[offsets[s] .. offsets[s+1]-1]; offsets go from 0 to words.size(), as in
/// ActivationsInfo). Type counts are taken over the sentences that pass the length filter.
/// InputError for a negative option.
TokenSelection select_tokens(std::span<const std::string> words, std::span<const std::int64_t> offsets,
                             const SelectionOptions& options);

/// The same for a corpus given as the words of each sentence; rows number the words in order.
TokenSelection select_tokens(const std::vector<std::vector<std::string>>& sentences, const SelectionOptions& options);

}  // namespace conceptlens::select
