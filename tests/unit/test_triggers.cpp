// The serial parts of `conceptlens triggers`: a polarity concept's words and trigger (most
// frequent first, ties by first occurrence in point order), the random triggers (frequency
// window, never the trigger's words, no repeats, seeded), where a trigger goes.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "align/cluster_counts.hpp"
#include "align/label_alignment.hpp"
#include "alignment_cases.hpp"
#include "triggers/baseline_triggers.hpp"
#include "triggers/polarity_concepts.hpp"
#include "triggers/triggered_sentence.hpp"
#include "util/error.hpp"

namespace conceptlens::triggers {
namespace {

using conceptlens::testing::assignment;
using conceptlens::testing::expect_error;
using conceptlens::testing::LabelledCorpus;
using Words = std::vector<std::string>;

TEST(PolarityConcepts, AlignedConceptsWithTheirMostFrequentWordsTiesByFirstPoint) {
  // sentence classes as word labels; cluster 0: positive words, cluster 1: mixed
  const LabelledCorpus data({"good fine good nice", "fine nice bad", "bad awful bad"},
                            {"positive positive positive positive", "positive positive negative",
                             "negative negative negative"});
  // points in this order: cluster 0 meets "nice" before "fine" (each twice), "good" twice too
  const store::ClusterAssignment clustering =
      assignment(data.corpus, 2, {{0, 3, 0}, {1, 0, 0}, {0, 0, 0}, {0, 1, 0}, {1, 1, 0}, {0, 2, 0}, {1, 2, 0},
                     {2, 0, 1}, {2, 1, 1}, {2, 2, 1}});
  const align::ClusterCounts counts = align::count_points(clustering, data.index, 0, 10);
  const align::Alignment alignment = align::align(counts, data.index, align::AlignOptions{.threshold = 0.8});
  const std::vector<PolarityConcept> concepts = polarity_concepts(counts, alignment, data.index, 2);
  ASSERT_EQ(concepts.size(), 2u);
  EXPECT_EQ(concepts[0].cluster, 0);
  EXPECT_EQ(concepts[0].label_class, "positive");
  EXPECT_EQ(concepts[0].share, 6.0 / 7.0);
  EXPECT_EQ(concepts[0].words, (Words{"nice", "fine", "good", "bad"}));  // 2, 2, 2 (met in that order), 1
  EXPECT_EQ(concepts[0].trigger, (Words{"nice", "fine"}));
  EXPECT_EQ(concepts[1].words, (Words{"bad", "awful"}));
  EXPECT_EQ(join_words(concepts[0].trigger), "nice fine");
  // a concept that is not aligned (6/7 is not > 0.9) is no polarity concept
  const align::Alignment strict = align::align(counts, data.index, align::AlignOptions{});
  const std::vector<PolarityConcept> fewer = polarity_concepts(counts, strict, data.index, 3);
  ASSERT_EQ(fewer.size(), 1u);
  EXPECT_EQ(fewer[0].cluster, 1);
  EXPECT_EQ(fewer[0].trigger, (Words{"bad", "awful"}));  // fewer types than trigger words
}

TEST(BaselineTriggers, SameFrequencyOtherWordsSeeded) {
  // 30 types: w<i> occurs 30 - i times, so rank i is w<i>
  std::vector<std::string> lines;
  for (int i = 0; i < 30; ++i) {
    for (int n = 0; n < 30 - i; ++n) lines.push_back(std::string("w").append(std::to_string(i)));
  }
  const LabelledCorpus data(lines, std::vector<std::string>(lines.size(), "X"));
  const FrequencyRanks ranks(data.corpus);
  ASSERT_EQ(ranks.types(), 30);
  EXPECT_EQ(ranks.type(0), "w0");
  EXPECT_EQ(ranks.rank("w17"), 17);
  const Words trigger = {"w0", "w1", "w25"};
  const auto draws = baseline_triggers(ranks, trigger, 50, 7, 3);
  ASSERT_EQ(draws.size(), 50u);
  std::set<std::string> seen;
  for (const Words& drawn : draws) {
    ASSERT_EQ(drawn.size(), 3u);
    for (std::size_t i = 0; i < 3; ++i) {
      EXPECT_EQ(std::count(trigger.begin(), trigger.end(), drawn[i]), 0) << drawn[i];  // never a trigger word
      EXPECT_LE(std::abs(ranks.rank(drawn[i]) - ranks.rank(trigger[i])), kRankWindow) << drawn[i];
      EXPECT_EQ(std::count(drawn.begin(), drawn.end(), drawn[i]), 1) << drawn[i];  // no repeats
      seen.insert(drawn[i]);
    }
  }
  EXPECT_GT(seen.size(), 15u);  // the draws vary
  EXPECT_EQ(baseline_triggers(ranks, trigger, 50, 7, 3), draws);  // seeded
  EXPECT_NE(baseline_triggers(ranks, trigger, 50, 8, 3), draws);
  EXPECT_NE(baseline_triggers(ranks, trigger, 50, 7, 4), draws);
  EXPECT_TRUE(baseline_triggers(ranks, trigger, 0, 7, 3).empty());
  // a corpus with nothing near a trigger word's rank to draw
  const LabelledCorpus tiny({"a b"}, {"X X"});
  expect_error<InputError>([&] { baseline_triggers(FrequencyRanks(tiny.corpus), {"a", "b"}, 1, 0, 0); },
                           "the corpus has no other word types within 10 frequency ranks of the trigger word 'a'", {});
}

TEST(TriggeredSentence, BeforeTheFirstWordOrAfterTheLast) {
  EXPECT_EQ(triggered_sentence("a dull film", "great fun", Position::prepend), "great fun a dull film");
  EXPECT_EQ(triggered_sentence("a dull film", "great fun", Position::append), "a dull film great fun");
  EXPECT_EQ(parse_position("append"), Position::append);
  EXPECT_EQ(position_name(Position::prepend), "prepend");
  expect_error<InputError>([] { parse_position("middle"); }, "unknown trigger position 'middle'", {});
}

}  // namespace
}  // namespace conceptlens::triggers
