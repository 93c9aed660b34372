#pragma once
// ConceptX's token selection: which corpus words (rows of ACT.h5) are clustered.
//
// Reference: hsajjad/ConceptX (the ConceptX repository of Sajjad et al., NAACL 2022), its
// pipeline `getclusters.sh` and the scripts it runs, read at commit 80624c5, and the NeuroX
// loader they call (fdalvi/NeuroX neurox/data/loader.py):
//   1. scripts/sentence_length.py      keeps a line iff len(line.strip().split()) < --length
//                                      (default 300): words split on any whitespace
//   2. NeuroX's transformers_extractor extracts the kept lines; a sentence longer than the
//                                      tokenizer's model_max_length gets rows for the words
//                                      that fit only (ACT.h5 stores them so too)
//   3. scripts/create_data_single_layer.py loads them with NeuroX's load_data, which drops every
//                                      sentence whose rows differ from len(line.strip().split())
//                                      — a truncated sentence, or one with Unicode whitespace
//                                      inside a word — and numbers the rest: the key
//                                      word|||k|||sent|||tok has sent = the index among the
//                                      sentences left and k = the occurrence among their words
//   4. scripts/frequency_count.py      counts every word type (line.strip().split(' ')) over the
//                                      length-filtered lines, whole: the words of the sentences
//                                      step 3 dropped, and of those it truncated, count too
//   5. scripts/frequency_filter_data.py then walks the rows left in corpus order and, per
//      occurrence of type w with count c(w):
//       a. if c(w) > --delete-frequency:   skip it             ("Tokens skipped based on Del freq")
//       b. elif c(w) >= --minimum-frequency:
//            keep it if fewer than --maximum-frequency occurrences of w were kept so far,
//            else skip it                                    ("... based on Max freq")
//       c. else: skip it                                     ("... based on Min freq")
//     so a kept type keeps its first max occurrences in corpus order.
// This selection is that pipeline's, from the corpus lines and the rows each sentence has.
// The script's own defaults are min 5, max 50, delete 500000 (sentence_length.py: 300);
// getclusters.sh runs it with min 0, max 1000000, delete 1000000 and length 300.
//
// Differences, all in degenerate settings: here 0 means "no limit" for every option. In
// ConceptX, --maximum-frequency 0 still keeps each type's first occurrence (the first one is
// kept before the cap is checked), --delete-frequency 0 deletes every word and --length 0 every
// sentence; --minimum-frequency 0 and 1 mean "no limit" in both. NeuroX's loader stops with an
// assertion when it drops 100 sentences or more, and skips lines of more than 1000 words (then
// stops on the count mismatch); here any number is dropped and counted. A line whose words
// split on single spaces and on any whitespace are as many but not the same (a word ending in
// U+00A0 before a space) keeps its rows here; ConceptX would key it by the word without the
// U+00A0, which frequency_count.py never counted.
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

/// The selected rows and what each rule removed, in rows (ConceptX prints the same token counts).
struct TokenSelection {
  std::vector<std::int64_t> rows;          ///< global row indices, ascending (corpus order)
  std::vector<bool> kept_sentences;        ///< per sentence: kept by the length filter and the loader
  std::int64_t long_sentences = 0;         ///< sentences removed by max_words (step 1)
  std::int64_t long_sentence_words = 0;    ///< their rows
  std::int64_t dropped_sentences = 0;      ///< sentences NeuroX's loader drops (step 3)
  std::int64_t dropped_sentence_words = 0; ///< their rows
  std::int64_t frequent_words = 0;         ///< rows of types seen more than drop_freq times
  std::int64_t rare_words = 0;             ///< rows of types seen fewer than min_freq times
  std::int64_t capped_words = 0;           ///< occurrences beyond a type's first max_per_type
};

/// Selects from a corpus given as its lines (as read: stripped) and the rows of each sentence:
/// sentence s has the rows offsets[s] .. offsets[s+1]-1, which are the first
/// offsets[s+1] - offsets[s] words of lines[s] (split on single spaces; all of them unless
/// extraction truncated the sentence), as in ActivationsInfo. InputError for a negative option.
TokenSelection select_tokens(std::span<const std::string> lines, std::span<const std::int64_t> offsets,
                             const SelectionOptions& options);

/// The same for a corpus whose every word has a row (nothing truncated): what a selection from
/// the corpus file alone can tell.
TokenSelection select_tokens(std::span<const std::string> lines, const SelectionOptions& options);

}  // namespace conceptlens::select
