// Label alignment on hand-computed cases: ConceptX's token-level rules (majority, strictly above
// the threshold, UNK skipping, "|||" labels, ties), the type level of Hawasly et al. 2024, the
// additivity of the counts (any split of the points sums to the same), and the output files.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <random>

#include "align/cluster_counts.hpp"
#include "align/label_alignment.hpp"
#include "align/result_files.hpp"
#include "alignment_cases.hpp"
#include "util/error.hpp"

namespace conceptlens::align {
namespace {

using conceptlens::testing::assignment;
using conceptlens::testing::expect_error;
using conceptlens::testing::LabelledCorpus;
using conceptlens::testing::Point;
using conceptlens::testing::read_file;
using conceptlens::testing::ScratchDir;
using conceptlens::testing::sentence_points;
using Words = std::vector<std::string>;

Alignment align_all(const LabelledCorpus& data, const store::ClusterAssignment& clustering,
                    const AlignOptions& options = {}) {
  const auto n = static_cast<std::int64_t>(clustering.cluster.size());
  return align(count_points(clustering, data.index, 0, n), data.index, options);
}

/// Clusters 0.. = sentences 0.. (each sentence's words, in corpus order).
store::ClusterAssignment one_cluster_per_sentence(const LabelledCorpus& data) {
  std::vector<Point> points;
  for (std::int32_t s = 0; s < data.corpus.sentences(); ++s) {
    const std::vector<Point> more = sentence_points(data.corpus, s, s + 1, s);
    points.insert(points.end(), more.begin(), more.end());
  }
  return assignment(data.corpus, data.corpus.sentences(), points);
}

void expect_cluster(const ClusterAlignment& c, const std::string& label, double share, bool aligned,
                    const std::string& skipped = "") {
  EXPECT_EQ(c.label, label) << "cluster " << c.cluster;
  EXPECT_EQ(c.share, share) << "cluster " << c.cluster;
  EXPECT_EQ(c.aligned, aligned) << "cluster " << c.cluster;
  EXPECT_EQ(c.skipped, skipped) << "cluster " << c.cluster;
}

// ---- token level (ConceptX align_with_auto_tags.py) -------------------------------------------

TEST(TokenLevel, MajorityMustBeStrictlyAboveTheThreshold) {
  const LabelledCorpus data({"a b c d e f g h i j", "k l m n o p q r s t", "u v"},
                            {"NN NN NN NN NN NN NN NN NN VB", "NN NN NN NN NN NN NN NN NN NN", "JJ JJ"});
  const Alignment at_90 = align_all(data, one_cluster_per_sentence(data));
  ASSERT_EQ(at_90.clusters.size(), 3u);
  expect_cluster(at_90.clusters[0], "NN", 0.9, false);  // 9/10 is not > 0.9
  expect_cluster(at_90.clusters[1], "NN", 1.0, true);
  expect_cluster(at_90.clusters[2], "JJ", 1.0, true);
  EXPECT_EQ(at_90.k, 3);
  EXPECT_EQ(at_90.aligned, 2);
  EXPECT_DOUBLE_EQ(at_90.aligned_fraction, 2.0 / 3.0);
  EXPECT_EQ(at_90.labels, 3);  // JJ, NN, VB
  EXPECT_EQ(at_90.covered_labels, 2);
  EXPECT_DOUBLE_EQ(at_90.coverage, 2.0 / 3.0);
  EXPECT_EQ(at_90.per_label, (std::map<std::string, std::vector<std::int32_t>>{{"JJ", {2}}, {"NN", {1}}, {"VB", {}}}));
  EXPECT_EQ(at_90.clusters[0].size, 10);
  EXPECT_EQ(at_90.clusters[0].types, 10);

  AlignOptions lower;
  lower.threshold = 0.85;
  const Alignment at_85 = align_all(data, one_cluster_per_sentence(data), lower);
  EXPECT_TRUE(at_85.clusters[0].aligned);
  EXPECT_EQ(at_85.aligned, 3);
  EXPECT_EQ(at_85.per_label.at("NN"), (std::vector<std::int32_t>{0, 1}));
}

TEST(TokenLevel, ClustersWithTooManyUnkLabelsAreSkipped) {
  const LabelledCorpus data({"a b c d e", "f g h i j", "k l m", "n o"},
                            {"NN NN NN X_UNK X_UNK", "NN NN X_UNK X_UNK O_UNK", "O_UNK O_UNK O_UNK",
                             "Y_UNKNOWN Y_UNKNOWN"});
  const Alignment result = align_all(data, one_cluster_per_sentence(data));
  expect_cluster(result.clusters[0], "NN", 0.6, false);  // UNK 2/5 = 0.4 is not > 0.4
  expect_cluster(result.clusters[1], "", 0.0, false, "unk");  // UNK 3/5
  expect_cluster(result.clusters[2], "", 0.0, false, "unk");
  expect_cluster(result.clusters[3], "Y_UNKNOWN", 1.0, false);  // not an UNK, but "_UNK" never aligns
  EXPECT_EQ(result.labels, 1);  // only NN can align
  EXPECT_EQ(result.per_label, (std::map<std::string, std::vector<std::int32_t>>{{"NN", {}}}));

  AlignOptions keep_unk;
  keep_unk.max_unk = 1.0;
  const Alignment kept = align_all(data, one_cluster_per_sentence(data), keep_unk);
  expect_cluster(kept.clusters[2], "O_UNK", 1.0, false);
  EXPECT_EQ(kept.aligned, 0);
}

TEST(TokenLevel, MultiLabelsCountOncePerLabel) {
  const LabelledCorpus data({"a b c d", "e f g h", "i j"},
                            {"NN|||NNS NN NN NN|||X_UNK", "A|||B A|||B A|||B B", "A|||A A|||A"});
  const Alignment result = align_all(data, one_cluster_per_sentence(data));
  expect_cluster(result.clusters[0], "NN", 1.0, true);  // NN 4, NNS 1, X_UNK 1 (1/4 UNK)
  expect_cluster(result.clusters[1], "B", 1.0, true);   // A 3, B 4
  expect_cluster(result.clusters[2], "A", 2.0, true);   // ConceptX counts (point, label) pairs
  EXPECT_EQ(result.per_label.at("B"), (std::vector<std::int32_t>{1}));
}

TEST(TokenLevel, TiesGoToTheLabelMetFirstInPointOrder) {
  const LabelledCorpus data({"a b c d", "a b c d", "e f", "g h"}, {"B A A B", "A B A B", "C|||D C|||D", "D|||C D|||C"});
  const store::ClusterAssignment clustering = assignment(
      data.corpus, 4, {{0, 0, 0}, {0, 1, 0}, {0, 2, 0}, {0, 3, 0},   // B A A B: B first
          {1, 1, 1}, {1, 0, 1}, {1, 2, 1}, {1, 3, 1},   // points B A A B, though the corpus says A B A B
          {2, 0, 2}, {2, 1, 2}, {3, 0, 3}, {3, 1, 3}});
  const Alignment result = align_all(data, clustering, AlignOptions{.threshold = 0.4});
  expect_cluster(result.clusters[0], "B", 0.5, true);
  expect_cluster(result.clusters[1], "B", 0.5, true);
  expect_cluster(result.clusters[2], "C", 1.0, true);
  expect_cluster(result.clusters[3], "D", 1.0, true);
  // the same from counts of any split of the points
  for (std::int64_t split = 0; split <= 12; ++split) {
    ClusterCounts counts = count_points(clustering, data.index, 0, split);
    add(counts, count_points(clustering, data.index, split, 12));
    const Alignment again = align(counts, data.index, AlignOptions{.threshold = 0.4});
    for (std::size_t c = 0; c < 4; ++c) EXPECT_EQ(again.clusters[c].label, result.clusters[c].label) << split;
  }
}

TEST(TokenLevel, TopWordsAreTheMostFrequentTypesTiesByWord) {
  const LabelledCorpus data({"b a c c d e f g h i j k l m"}, {"X X X X X X X X X X X X X X"});
  const Alignment result = align_all(data, one_cluster_per_sentence(data));
  EXPECT_EQ(result.clusters[0].top_words, (Words{"c", "a", "b", "d", "e", "f", "g", "h", "i", "j"}));
  EXPECT_EQ(result.clusters[0].types, 13);
  EXPECT_EQ(result.clusters[0].size, 14);
}

// ---- type level (Hawasly et al. 2024) ----------------------------------------------------------

/// Sentence 0 only gives types more labels (its words are not clustered); clusters 0-3 are
/// sentences 1-4.
struct TypeCase {
  LabelledCorpus data{{"run book bed a1", "run walk jump swim fly book", "table chair desk lamp sofa bed",
                       "cat cat dog dog fox", "a1 a2 a3 a4 a5 a6"},
                      {"NN NN NN Y", "VB VB VB VB VB VB", "NN NN NN NN NN VB", "NN NN NN NN NN",
                       "X|||Y X|||Y X|||Y X|||Y X|||Y X|||Y"}};
  store::ClusterAssignment clustering;

  TypeCase() {
    std::vector<Point> points;
    for (std::int32_t s = 1; s <= 4; ++s) {
      const std::vector<Point> more = sentence_points(data.corpus, s, s + 1, s - 1);
      points.insert(points.end(), more.begin(), more.end());
    }
    clustering = assignment(data.corpus, 4, points);
  }
};

TEST(TypeLevel, ATokenCountsForEveryTagItsTypeCarries) {
  const TypeCase c;
  const Alignment token = align_all(c.data, c.clustering);
  expect_cluster(token.clusters[0], "VB", 1.0, true);
  expect_cluster(token.clusters[1], "NN", 5.0 / 6.0, false);
  expect_cluster(token.clusters[2], "NN", 1.0, true);
  expect_cluster(token.clusters[3], "X", 1.0, true);  // X|||Y: X written first

  const Alignment type = align_all(c.data, c.clustering, AlignOptions{.level = Level::type});
  expect_cluster(type.clusters[0], "VB", 1.0, true);       // VB 6 (run, book carry NN too)
  expect_cluster(type.clusters[1], "NN", 1.0, true);       // bed carries NN in sentence 0
  expect_cluster(type.clusters[2], "", 0.0, false, "types");  // 3 types: not more than 5
  expect_cluster(type.clusters[3], "Y", 1.0, true);  // a1, the first point, carried Y before X
  EXPECT_EQ(type.aligned, 3);
  EXPECT_EQ(type.per_label.at("Y"), (std::vector<std::int32_t>{3}));
  EXPECT_EQ(type.clusters[2].types, 3);
  EXPECT_EQ(type.clusters[2].top_words, (Words{"cat", "dog", "fox"}));
}

TEST(TypeLevel, MinTypesIsAStrictLowerBound) {
  const TypeCase c;
  const Alignment six = align_all(c.data, c.clustering, AlignOptions{.level = Level::type, .min_types = 6});
  EXPECT_EQ(six.clusters[0].skipped, "types");  // 6 types: not more than 6
  const Alignment two = align_all(c.data, c.clustering, AlignOptions{.level = Level::type, .min_types = 2});
  expect_cluster(two.clusters[2], "NN", 1.0, true);
}

TEST(TypeLevel, UnkTagsOfTypesSkipClusters) {
  const LabelledCorpus data({"a b c d e f", "a b c d e f"}, {"O_UNK O_UNK O_UNK N N N", "N N N N N N"});
  const store::ClusterAssignment clustering = assignment(data.corpus, 1, sentence_points(data.corpus, 1, 2, 0));
  expect_cluster(align_all(data, clustering).clusters[0], "N", 1.0, true);
  // a, b, c carry O_UNK somewhere: 3/6 > 0.4
  expect_cluster(align_all(data, clustering, AlignOptions{.level = Level::type}).clusters[0], "", 0.0, false, "unk");
}

// ---- additivity: what makes MPI results rank-independent ---------------------------------------

TEST(Counts, AnySplitOfThePointsAddsUpToTheWhole) {
  std::mt19937 random(7);
  const Words words = {"the", "a", "cat", "dog", "runs", "ran", "big", "red", ",", ".", "of", "to", "in", "it", "is"};
  const Words tags = {"DT", "NN", "VB", "JJ", "IN", "O_UNK", "NN|||VB", "JJ|||X_UNK"};
  std::vector<std::string> sentences;
  std::vector<std::string> labels;
  for (int s = 0; s < 30; ++s) {
    std::string line;
    std::string label;
    const int length = 1 + static_cast<int>(random() % 9);
    for (int w = 0; w < length; ++w) {
      line += (w ? " " : "") + words[random() % words.size()];
      label += (w ? " " : "") + tags[random() % tags.size()];
    }
    sentences.push_back(line);
    labels.push_back(label);
  }
  const LabelledCorpus data(sentences, labels);
  std::vector<Point> points = sentence_points(data.corpus, 0, 30, 0);
  std::shuffle(points.begin(), points.end(), random);
  for (Point& p : points) p.cluster = static_cast<std::int32_t>(random() % 6);
  const store::ClusterAssignment clustering = assignment(data.corpus, 6, points);
  const auto n = static_cast<std::int64_t>(points.size());

  const ClusterCounts whole = count_points(clustering, data.index, 0, n);
  EXPECT_EQ(whole.clusters, 6);
  std::int64_t total = 0;
  for (const std::int64_t size : whole.sizes) total += size;
  EXPECT_EQ(total, n);
  for (const std::int64_t split : {std::int64_t{0}, std::int64_t{1}, n / 3, n / 2, n - 1, n}) {
    ClusterCounts sum = count_points(clustering, data.index, 0, split);
    add(sum, count_points(clustering, data.index, split, n));
    EXPECT_EQ(sum, whole) << "split at " << split;
  }
  for (std::int64_t ranks = 1; ranks <= 4; ++ranks) {  // contiguous blocks, added in reverse order
    ClusterCounts sum = count_points(clustering, data.index, 0, 0);
    for (std::int64_t r = ranks - 1; r >= 0; --r) add(sum, count_points(clustering, data.index, n * r / ranks, n * (r + 1) / ranks));
    EXPECT_EQ(sum, whole) << ranks << " ranks";
    for (const Level level : {Level::token, Level::type}) {
      const AlignOptions options{.threshold = 0.5, .level = level, .min_types = 1};
      EXPECT_EQ(alignment_json(align(sum, data.index, options)), alignment_json(align(whole, data.index, options)));
    }
  }
}

// ---- inputs: corpus positions of the points, K --------------------------------------------------

TEST(Counts, PointsMustBeWordsOfTheCorpus) {
  const LabelledCorpus data({"a b", "c"}, {"X Y", "Z"});
  const std::string corpus = data.corpus.path.string();
  const auto check = [&](Point point) { check_points(assignment(data.corpus, 1, {{0, 0, 0}, point}), data.index); };
  expect_error<InputError>([&] { check({-1, -1, 0}); }, "C.h5: point 1 has no corpus position (sentence -1, word -1)",
                           {});
  expect_error<InputError>([&] { check({2, 0, 0}); },
                           "C.h5: point 1 is in sentence 3, but " + corpus + " has 2 lines: clustered from another corpus?",
                           {});
  expect_error<InputError>([&] { check({1, 1, 0}); },
                           "C.h5: point 1 is word 2 of sentence 2, but " + corpus + ":2 has 1 words", {});
  const store::ClusterAssignment bad = assignment(data.corpus, 1, {{0, 0, 0}, {1, 1, 0}});
  expect_error<InputError>([&] { count_points(bad, data.index, 0, 2); }, "C.h5: point 1 is word 2", {});
  EXPECT_NO_THROW(count_points(bad, data.index, 0, 1));
  // the position exists, but the file names another word there
  store::ClusterAssignment other = assignment(data.corpus, 1, {{0, 0, 0}, {0, 1, 0}, {1, 0, 0}});
  other.text[1] = "q";
  expect_error<InputError>([&] { check_points(other, data.index); },
                           "C.h5: point 1 is the word 'q', but word 2 of " + corpus + ":1 is 'b'",
                           {"another corpus", "filtered"});
  // a file that names no words cannot be checked
  other.text.clear();
  expect_error<InputError>([&] { check_points(other, data.index); }, "C.h5 does not name the words of its points",
                           {"/points/text", "cluster again"});
}

TEST(Counts, ClusteringsAreReadAtOneK) {
  const LabelledCorpus data({"a b", "c"}, {"X Y", "Z"});
  ScratchDir dir;
  const auto path = dir / "C.h5";
  conceptlens::testing::write_clusters(
      path, {assignment(data.corpus, 2, {{0, 0, 0}, {0, 1, 1}, {1, 0, 1}}), assignment(3, {{0, 0, 2}, {0, 1, 1}, {1, 0, 0}})});
  const store::ClusterAssignment at_3 = store::read_cluster_assignment(path, 3);
  EXPECT_EQ(at_3.path, path);
  EXPECT_EQ(at_3.k, 3);
  EXPECT_EQ(at_3.cluster, (std::vector<std::int32_t>{2, 1, 0}));
  EXPECT_EQ(at_3.sentence, (std::vector<std::int32_t>{0, 0, 1}));
  EXPECT_EQ(at_3.word, (std::vector<std::int32_t>{0, 1, 0}));
  EXPECT_EQ(at_3.text, (std::vector<std::string>{"a", "b", "c"}));
  expect_error<InputError>([&] { store::read_cluster_assignment(path, 7); },
                           path.string() + ": no clustering at K=7, the file has K = 2, 3", {});
}

// ---- output files ------------------------------------------------------------------------------

TEST(AlignmentFiles, JsonAndCsvInTheDesignLayoutByteIdenticalAcrossRuns) {
  const LabelledCorpus data({"x , y", "p q"}, {", , ,", "NN VB"});
  const Alignment result = align_all(data, one_cluster_per_sentence(data), AlignOptions{.name = "POS"});
  ScratchDir dir;
  write_alignment(result, dir / "A.json");
  const std::string json = read_file(dir / "A.json");
  const auto parsed = nlohmann::ordered_json::parse(json);
  Words keys;
  for (const auto& item : parsed.items()) keys.push_back(item.key());
  EXPECT_EQ(keys, (Words{"name", "k", "threshold", "max_unk", "level", "clusters", "aligned", "aligned_fraction",
                         "labels", "covered_labels", "coverage", "per_cluster", "per_label"}));
  EXPECT_EQ(parsed["name"], "POS");
  EXPECT_EQ(parsed["level"], "token");
  EXPECT_EQ(parsed["aligned"], 1);
  EXPECT_EQ(parsed["per_cluster"][0],
            nlohmann::ordered_json::parse(R"({"cluster": 0, "size": 3, "types": 3, "label": ",", "share": 1.0,
              "aligned": true, "skipped": "", "top_words": [",", "x", "y"]})"));
  EXPECT_EQ(parsed["per_label"], nlohmann::ordered_json::parse(R"({",": [0], "NN": [], "VB": []})"));
  EXPECT_EQ(read_file(dir / "A.csv"),
            "cluster,size,types,label,share,aligned,skipped,top_words\n"
            "0,3,3,\",\",1,true,,\", x y\"\n"
            "1,2,2,NN,0.5,false,,p q\n");
  write_alignment(result, dir / "B.json");
  EXPECT_EQ(read_file(dir / "B.json"), json);
  EXPECT_EQ(read_file(dir / "B.csv"), read_file(dir / "A.csv"));
}

TEST(AlignmentFiles, NothingIsLeftWhenTheOutputCannotBeWritten) {
  const LabelledCorpus data({"p q"}, {"NN VB"});
  const Alignment result = align_all(data, one_cluster_per_sentence(data));
  ScratchDir dir;
  expect_error<OutputError>([&] { write_alignment(result, dir / "missing" / "A.json"); }, "cannot write", {});
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
  EXPECT_EQ(csv_path_beside("out/A.json"), std::filesystem::path("out/A.csv"));
  EXPECT_EQ(csv_path_beside("out/A"), std::filesystem::path("out/A.csv"));
  EXPECT_EQ(csv_path_beside("A.csv"), std::filesystem::path("A.csv.csv"));
}

}  // namespace
}  // namespace conceptlens::align
