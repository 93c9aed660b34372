// ConceptX's token selection (scripts/sentence_length.py, frequency_count.py and
// frequency_filter_data.py of hsajjad/ConceptX): every expectation below is worked out by hand
// from the rules quoted in src/select/token_selection.hpp.
#include "select/token_selection.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "util/error.hpp"

namespace conceptlens::select {
namespace {

using Rows = std::vector<std::int64_t>;
using Corpus = std::vector<std::string>;  // the lines; every word a row

Corpus corpus(std::initializer_list<std::string> lines) { return Corpus(lines); }

SelectionOptions options(std::int64_t min_freq, std::int64_t max_per_type, std::int64_t drop_freq,
                         std::int64_t max_words) {
  SelectionOptions o;
  o.min_freq = min_freq;
  o.max_per_type = max_per_type;
  o.drop_freq = drop_freq;
  o.max_words = max_words;
  return o;
}

Rows rows(const Corpus& sentences, const SelectionOptions& o) { return select_tokens(sentences, o).rows; }

// rows 0 1 2 | 3 4 5:  a at 0, 2, 4 (3 times); b at 1, 5 (twice); c at 3 (once)
const Corpus kABC = corpus({"a b a", "c a b"});

TEST(TokenSelection, DefaultsSelectEveryWord) {
  // every option 0: no rule applies
  EXPECT_EQ(rows(kABC, SelectionOptions{}), (Rows{0, 1, 2, 3, 4, 5}));
  EXPECT_TRUE(rows({}, SelectionOptions{}).empty());
}

TEST(TokenSelection, MinFreqAlone) {
  // keep types seen >= min_freq times: 2 keeps a and b (c once); 3 keeps a only
  EXPECT_EQ(rows(kABC, options(2, 0, 0, 0)), (Rows{0, 1, 2, 4, 5}));
  EXPECT_EQ(rows(kABC, options(3, 0, 0, 0)), (Rows{0, 2, 4}));
  // 1 is no limit, as 0; 4 exceeds every count
  EXPECT_EQ(rows(kABC, options(1, 0, 0, 0)), (Rows{0, 1, 2, 3, 4, 5}));
  EXPECT_TRUE(rows(kABC, options(4, 0, 0, 0)).empty());
}

TEST(TokenSelection, MaxPerTypeAlone) {
  // the first occurrence of each type in corpus order: a at 0, b at 1, c at 3
  EXPECT_EQ(rows(kABC, options(0, 1, 0, 0)), (Rows{0, 1, 3}));
  // the first two: a at 0 and 2 (not 4), b at 1 and 5, c at 3
  EXPECT_EQ(rows(kABC, options(0, 2, 0, 0)), (Rows{0, 1, 2, 3, 5}));
  // 3 caps nothing here
  EXPECT_EQ(rows(kABC, options(0, 3, 0, 0)), (Rows{0, 1, 2, 3, 4, 5}));
}

TEST(TokenSelection, DropFreqAlone) {
  // drop types seen MORE than drop_freq times: 2 drops a (3 > 2) and keeps b (2 is not > 2)
  EXPECT_EQ(rows(kABC, options(0, 0, 2, 0)), (Rows{1, 3, 5}));
  // 1 also drops b
  EXPECT_EQ(rows(kABC, options(0, 0, 1, 0)), (Rows{3}));
  // 3 drops nothing: the comparison is strict
  EXPECT_EQ(rows(kABC, options(0, 0, 3, 0)), (Rows{0, 1, 2, 3, 4, 5}));
}

TEST(TokenSelection, MaxWordsAlone) {
  // sentence lengths 3, 2, 4 (rows 0-2, 3-4, 5-8); a sentence stays iff length < max_words
  const Corpus sentences = corpus({"x y z", "x y", "w x y z"});
  // 3: the 3-word sentence goes too (3 is not < 3), only the 2-word one stays
  EXPECT_EQ(rows(sentences, options(0, 0, 0, 3)), (Rows{3, 4}));
  // 4: the first two stay
  EXPECT_EQ(rows(sentences, options(0, 0, 0, 4)), (Rows{0, 1, 2, 3, 4}));
  // 5: all stay; 2 and 1: none
  EXPECT_EQ(rows(sentences, options(0, 0, 0, 5)), (Rows{0, 1, 2, 3, 4, 5, 6, 7, 8}));
  EXPECT_TRUE(rows(sentences, options(0, 0, 0, 2)).empty());
  EXPECT_TRUE(rows(sentences, options(0, 0, 0, 1)).empty());
  const TokenSelection selection = select_tokens(sentences, options(0, 0, 0, 3));
  EXPECT_EQ(selection.long_sentences, 2);
  EXPECT_EQ(selection.long_sentence_words, 7);
}

TEST(TokenSelection, CountsAreTakenAfterTheLengthFilter) {
  // rows 0-3 "a a a a" (dropped by max_words 3), 4-5 "a b", 6-7 "b c". frequency_count.py
  // runs on the length-filtered corpus: a is seen once, b twice, c once.
  const Corpus sentences = corpus({"a a a a", "a b", "b c"});
  // min 2 keeps only b (a would pass with its whole-corpus count of 5)
  EXPECT_EQ(rows(sentences, options(2, 0, 0, 3)), (Rows{5, 6}));
  // drop 2 drops nothing (a would be dropped with its whole-corpus count of 5)
  EXPECT_EQ(rows(sentences, options(0, 0, 2, 3)), (Rows{4, 5, 6, 7}));
  // the cap counts from the first kept sentence: a's first occurrence is now row 4
  EXPECT_EQ(rows(sentences, options(0, 1, 0, 3)), (Rows{4, 5, 7}));
}

TEST(TokenSelection, AllRulesCombined) {
  // rows 0-5 "the cat sat on the mat", 6-8 "the dog sat", 9-16 "a cat and a dog and the bird",
  // 17-19 "the cat end". max_words 8 drops the 8-word sentence; counts over the other three:
  // the 4, cat 2, sat 2, on/mat/dog/end 1. drop 3 drops "the" (4 > 3); min 2 keeps cat and
  // sat; max 1 keeps their first occurrences: cat at row 1, sat at row 2.
  const Corpus sentences =
      corpus({"the cat sat on the mat", "the dog sat", "a cat and a dog and the bird", "the cat end"});
  const TokenSelection selection = select_tokens(sentences, options(2, 1, 3, 8));
  EXPECT_EQ(selection.rows, (Rows{1, 2}));
  EXPECT_EQ(selection.long_sentences, 1);
  EXPECT_EQ(selection.long_sentence_words, 8);
  EXPECT_EQ(selection.frequent_words, 4);  // the x4
  EXPECT_EQ(selection.rare_words, 4);      // on, mat, dog, end
  EXPECT_EQ(selection.capped_words, 2);    // sat at 8, cat at 18
  // max 2: cat at 1 and 18, sat at 2 and 8
  EXPECT_EQ(rows(sentences, options(2, 2, 3, 8)), (Rows{1, 2, 8, 18}));
  // no length filter: the 8-word sentence counts too: the 5, cat 3, sat 2, dog 2, a 2, and 2,
  // singletons on, mat, bird, end. drop 3 drops only "the" (cat's 3 is not > 3); min 2 keeps
  // cat, sat, dog, a, and; max 1 keeps their first occurrences: cat 1, sat 2, dog 7, a 9, and 11.
  EXPECT_EQ(rows(sentences, options(2, 1, 3, 0)), (Rows{1, 2, 7, 9, 11}));
  // drop 2 also drops cat: sat 2, dog 7, a 9, and 11
  EXPECT_EQ(rows(sentences, options(2, 1, 2, 0)), (Rows{2, 7, 9, 11}));
}

TEST(TokenSelection, DeleteIsCheckedBeforeMinimum) {
  // drop 1 and min 3: b (2 occurrences) is both frequent and rare; frequency_filter_data.py
  // tests the delete frequency first, so it counts as frequent. a (3) is dropped as frequent,
  // c (1) is rare.
  const TokenSelection selection = select_tokens(kABC, options(3, 0, 1, 0));
  EXPECT_TRUE(selection.rows.empty());
  EXPECT_EQ(selection.frequent_words, 5);
  EXPECT_EQ(selection.rare_words, 1);
  EXPECT_EQ(selection.capped_words, 0);
}

TEST(TokenSelection, MinFreqAndMaxPerType) {
  // min 2 removes c; max 1 keeps a at 0 and b at 1
  EXPECT_EQ(rows(kABC, options(2, 1, 0, 0)), (Rows{0, 1}));
}

TEST(TokenSelection, TypesAreCaseAndByteExact) {
  // types are the exact strings: "The" and "the" differ, "café" is one type
  const Corpus sentences = corpus({"The the café", "café the"});
  // the: 2 (rows 1, 4), café: 2 (rows 2, 3), The: 1
  EXPECT_EQ(rows(sentences, options(2, 0, 0, 0)), (Rows{1, 2, 3, 4}));
}

TEST(TokenSelection, TruncatedSentencesAreJudgedByTheirWordsAndDroppedAsNeuroxLoads) {
  // line 1 has 4 words, but extraction kept 2 (rows 3-4, "b x"): rows 0-2 "a b c", 5-6 "x c"
  const Corpus lines = corpus({"a b c", "b x x x", "x c"});
  const std::vector<std::int64_t> offsets = {0, 3, 5, 7};
  // NeuroX's loader drops a sentence whose rows are not its words: line 1's rows are never points
  TokenSelection selection = select_tokens(lines, offsets, options(0, 0, 0, 0));
  EXPECT_EQ(selection.rows, (Rows{0, 1, 2, 5, 6}));
  EXPECT_EQ(selection.kept_sentences, (std::vector<bool>{true, false, true}));
  EXPECT_EQ(selection.dropped_sentences, 1);
  EXPECT_EQ(selection.dropped_sentence_words, 2);
  // but frequency_count.py counted its words, all 4: a 1, b 2, c 2, x 4; min 2 keeps b, c, x
  EXPECT_EQ(select_tokens(lines, offsets, options(2, 0, 0, 0)).rows, (Rows{1, 2, 5, 6}));
  // sentence_length.py judges it by its 4 words, not its 2 rows: max_words 4 drops it as long,
  // and its words no longer count: a 1, b 1, c 2, x 1
  selection = select_tokens(lines, offsets, options(2, 0, 0, 4));
  EXPECT_EQ(selection.rows, (Rows{2, 6}));
  EXPECT_EQ(selection.long_sentences, 1);
  EXPECT_EQ(selection.long_sentence_words, 2);
  EXPECT_EQ(selection.dropped_sentences, 0);
  // with every word a row, nothing is dropped
  EXPECT_EQ(select_tokens(lines, options(0, 0, 0, 0)).rows, (Rows{0, 1, 2, 3, 4, 5, 6, 7, 8}));
}

TEST(TokenSelection, WordsAreCountedAsPythonSplitsThem) {
  // "a\u00a0b c": 2 words split on ' ' (NeuroX's rows), 3 for str.split() (sentence_length.py,
  // NeuroX's loader): the loader drops it; its length is 3
  const Corpus lines = corpus({"a\u00a0b c", "c d"});
  TokenSelection selection = select_tokens(lines, options(0, 0, 0, 0));
  EXPECT_EQ(selection.rows, (Rows{2, 3}));
  EXPECT_EQ(selection.dropped_sentences, 1);
  selection = select_tokens(lines, options(0, 0, 0, 3));
  EXPECT_EQ(selection.rows, (Rows{2, 3}));
  EXPECT_EQ(selection.long_sentences, 1);
}

TEST(TokenSelection, ConceptXPresets) {
  const SelectionOptions pipeline = SelectionOptions::conceptx_pipeline();
  EXPECT_EQ(pipeline.min_freq, 0);
  EXPECT_EQ(pipeline.max_per_type, 1000000);
  EXPECT_EQ(pipeline.drop_freq, 1000000);
  EXPECT_EQ(pipeline.max_words, 300);
  const SelectionOptions script = SelectionOptions::conceptx_script_defaults();
  EXPECT_EQ(script.min_freq, 5);
  EXPECT_EQ(script.max_per_type, 50);
  EXPECT_EQ(script.drop_freq, 500000);
  EXPECT_EQ(script.max_words, 300);
  // the pipeline's settings keep everything in a small corpus; the script's defaults need 5
  // occurrences: only "a" (6 times) passes
  const Corpus sentences = corpus({"a b a", "a a", "b a a"});
  EXPECT_EQ(rows(sentences, pipeline), (Rows{0, 1, 2, 3, 4, 5, 6, 7}));
  EXPECT_EQ(rows(sentences, script), (Rows{0, 2, 3, 4, 6, 7}));
}

TEST(TokenSelection, NegativeOptionsAreInputErrors) {
  EXPECT_THROW(select_tokens(kABC, options(-1, 0, 0, 0)), InputError);
  EXPECT_THROW(select_tokens(kABC, options(0, -1, 0, 0)), InputError);
  EXPECT_THROW(select_tokens(kABC, options(0, 0, -1, 0)), InputError);
  try {
    select_tokens(kABC, options(0, 0, 0, -2));
    ADD_FAILURE() << "expected an InputError";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find("max_words is -2"), std::string::npos) << error.what();
  }
}

}  // namespace
}  // namespace conceptlens::select
