// The corpus reader's checks and the batch plan of extraction: batches bounded by their padded
// tokens, each sentence padded by at most 10%, independent of the rank count, and dealt to
// ranks balanced by padded tokens.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <string>
#include <vector>

#include "corpus/corpus_file.hpp"
#include "corpus/lines.hpp"
#include "extract/batch_plan.hpp"
#include "test_support.hpp"
#include "util/error.hpp"

namespace conceptlens {
namespace {

using testing::expect_error;
using testing::ScratchDir;
using testing::write_file;

TEST(Corpus, ReadsStrippedLinesAndCountsWords) {
  ScratchDir dir;
  write_file(dir / "c.in", "The cat sat .\r\n  Hello \ncafé naïve\n");
  const corpus::Corpus corpus = corpus::read_corpus(dir / "c.in");
  EXPECT_EQ(corpus.lines, (std::vector<std::string>{"The cat sat .", "Hello", "café naïve"}));
  EXPECT_EQ(corpus.words, 7);
  EXPECT_EQ(corpus::corpus_checksum(corpus.lines), corpus::corpus_checksum({"The cat sat .", "Hello", "café naïve"}));
  EXPECT_NE(corpus::corpus_checksum(corpus.lines), corpus::corpus_checksum({"The cat sat .", "Hello"}));
}

TEST(Corpus, RejectsMalformedLinesNamingFileAndLine) {
  ScratchDir dir;
  const auto check = [&](const std::string& text, std::initializer_list<std::string> parts) {
    write_file(dir / "c.in", text);
    const std::string path = (dir / "c.in").string();
    expect_error<InputError>([&] { corpus::read_corpus(dir / "c.in"); }, path, parts);
  };
  check("", {"empty corpus"});
  check("a b\n\nc\n", {":2:", "empty line"});
  check("a b\nc\td\n", {":2:", "a tab at column 2"});
  check("a  b\n", {":1:", "two spaces in a row at column 3"});
  check("a \x01 b\n", {":1:", "control character U+0001"});
  check("ok\n\xff\xfe\n", {":2:", "not valid UTF-8 at byte 1"});
  check("short " + std::string(201, 'x') + "\n", {":1:", "word 2 has 201 characters", "200"});
  write_file(dir / "ok.in", "short " + std::string(200, 'x') + "\n");
  EXPECT_EQ(corpus::read_corpus(dir / "ok.in").words, 2);
}

TEST(Corpus, StripsLinesAsPythonsStrip) {
  // NeuroX reads a line as line.strip(): every character for which str.isspace() is true goes
  // from its ends. U+00A0, space, "a" is one word ("a"), not two.
  ScratchDir dir;
  const std::vector<std::string> spaces = {"\t", "\v", "\f", "\x1c", "\x1d", "\x1e", "\x1f", "\u0085", "\u00a0",
                                           "\u1680", "\u2000", "\u2005", "\u200a", "\u2028", "\u2029", "\u202f",
                                           "\u205f", "\u3000"};
  std::string text = "\u00a0 a\n";
  for (const std::string& space : spaces) text += space + " b " + space + space + "\n";
  write_file(dir / "c.in", text);
  const corpus::Corpus corpus = corpus::read_corpus(dir / "c.in");
  ASSERT_EQ(corpus.lines.size(), spaces.size() + 1);
  EXPECT_EQ(corpus.lines[0], "a");
  for (std::size_t i = 1; i < corpus.lines.size(); ++i) EXPECT_EQ(corpus.lines[i], "b") << "U+" << spaces[i - 1];
  EXPECT_EQ(corpus.words, static_cast<std::int64_t>(corpus.lines.size()));
  // not whitespace for Python: kept (and U+200B, a format character, is then a word of its own)
  EXPECT_EQ(corpus::python_strip("\u200b a\u00ad"), "\u200b a\u00ad");
  // invalid UTF-8 at an end stays, for the reader to report
  EXPECT_EQ(corpus::python_strip("\xff a \xc2"), "\xff a \xc2");
  EXPECT_EQ(corpus::python_strip(" \u3000 "), "");
}

TEST(Corpus, SplitsWordsAsPython) {
  EXPECT_EQ(corpus::split_words("a b"), (std::vector<std::string_view>{"a", "b"}));
  EXPECT_EQ(corpus::split_words(""), (std::vector<std::string_view>{""}));
  // str.split(): any whitespace separates, runs of it count once
  EXPECT_EQ(corpus::python_word_count("a b"), 2);
  EXPECT_EQ(corpus::python_word_count("a\u00a0b c\u3000\u3000d"), 4);
  EXPECT_EQ(corpus::python_word_count(""), 0);
}

TEST(BatchPlan, BatchesAreBoundedSortedAndCoverEverySentence) {
  const std::vector<std::int64_t> lengths = {5, 40, 7, 7, 12, 3, 40, 64, 9, 100};
  const std::vector<extract::Batch> batches = extract::plan_batches(lengths, 64);
  std::vector<std::int64_t> seen;
  for (const extract::Batch& batch : batches) {
    ASSERT_FALSE(batch.sentences.empty());
    EXPECT_TRUE(std::is_sorted(batch.sentences.begin(), batch.sentences.end()));
    std::int64_t longest = 0;
    for (const std::int64_t s : batch.sentences) longest = std::max(longest, lengths[static_cast<std::size_t>(s)]);
    EXPECT_EQ(batch.length, longest);
    for (const std::int64_t s : batch.sentences) {
      EXPECT_LE(10 * (batch.length - lengths[static_cast<std::size_t>(s)]), batch.length) << "padded by over 10%";
    }
    // at most 64 padded tokens, unless one sentence alone is longer
    if (batch.sentences.size() > 1) {
      EXPECT_LE(batch.padded_tokens(), 64);
    }
    seen.insert(seen.end(), batch.sentences.begin(), batch.sentences.end());
  }
  std::sort(seen.begin(), seen.end());
  std::vector<std::int64_t> all(lengths.size());
  std::iota(all.begin(), all.end(), 0);
  EXPECT_EQ(seen, all);
  EXPECT_EQ(batches.front().sentences, (std::vector<std::int64_t>{9}));  // longest first, alone
  // one-sentence batches: NeuroX's way
  EXPECT_EQ(extract::plan_batches(lengths, 1).size(), lengths.size());
}

TEST(BatchPlan, DealIsBalancedAndDeterministic) {
  std::vector<std::int64_t> lengths;
  for (int s = 0; s < 500; ++s) lengths.push_back(1 + (s * 37) % 90);
  const std::vector<extract::Batch> batches = extract::plan_batches(lengths, 512);
  for (int ranks = 1; ranks <= 4; ++ranks) {
    const auto dealt = extract::deal_batches(batches, ranks);
    ASSERT_EQ(dealt.size(), static_cast<std::size_t>(ranks));
    EXPECT_EQ(dealt, extract::deal_batches(batches, ranks));
    std::vector<std::int64_t> load;
    std::size_t total = 0;
    for (const auto& mine : dealt) {
      std::int64_t tokens = 0;
      for (const std::size_t b : mine) tokens += batches[b].padded_tokens();
      load.push_back(tokens);
      total += mine.size();
    }
    EXPECT_EQ(total, batches.size());
    const auto [low, high] = std::minmax_element(load.begin(), load.end());
    EXPECT_LE(*high - *low, 512) << ranks << " ranks";  // within one batch of each other
  }
}

}  // namespace
}  // namespace conceptlens
