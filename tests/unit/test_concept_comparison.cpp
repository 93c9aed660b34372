// Fine-tuned vs base concepts on hand-computed cases: best match and overlap in both directions,
// aligned when overlap >= threshold, ties to the smaller id, additivity, the same-points check
// and the output files.
#include "align/concept_comparison.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "align/result_files.hpp"
#include "alignment_cases.hpp"
#include "util/error.hpp"

namespace conceptlens::align {
namespace {

using conceptlens::testing::expect_error;
using conceptlens::testing::read_file;
using conceptlens::testing::ScratchDir;

/// Points 0..n-1 as words 0..n-1 of sentence 0, in the given clusters.
store::ClusterAssignment clustering(const std::string& path, std::int64_t k, const std::vector<std::int32_t>& clusters) {
  store::ClusterAssignment a;
  a.path = path;
  a.k = k;
  a.cluster = clusters;
  a.sentence.assign(clusters.size(), 0);
  for (std::size_t i = 0; i < clusters.size(); ++i) {
    a.word.push_back(static_cast<std::int32_t>(i));
    a.text.push_back(std::string("w").append(std::to_string(i)));
  }
  return a;
}

Comparison compare_all(const store::ClusterAssignment& ft, const store::ClusterAssignment& base, double threshold) {
  check_same_points(ft, base);
  return compare(count_pairs(ft, base, 0, static_cast<std::int64_t>(ft.cluster.size())), threshold);
}

void expect_match(const ConceptMatch& m, std::int64_t size, std::int32_t match, std::int64_t shared, bool aligned) {
  EXPECT_EQ(m.size, size) << "concept " << m.cluster;
  EXPECT_EQ(m.match, match) << "concept " << m.cluster;
  EXPECT_EQ(m.shared, shared) << "concept " << m.cluster;
  EXPECT_EQ(m.overlap, static_cast<double>(shared) / static_cast<double>(size)) << "concept " << m.cluster;
  EXPECT_EQ(m.aligned, aligned) << "concept " << m.cluster;
}

const store::ClusterAssignment kFineTuned = clustering("FT.h5", 3, {0, 0, 0, 0, 0, 1, 1, 1, 1, 2});
const store::ClusterAssignment kBase = clustering("BASE.h5", 3, {0, 0, 0, 0, 1, 1, 1, 1, 1, 2});

TEST(Compare, BestMatchesInBothDirectionsAlignedAtOrAboveTheThreshold) {
  const Comparison at_80 = compare_all(kFineTuned, kBase, 0.8);
  ASSERT_EQ(at_80.clusters.size(), 3u);
  expect_match(at_80.clusters[0], 5, 0, 4, true);  // 4/5 = 0.8 >= 0.8
  expect_match(at_80.clusters[1], 4, 1, 4, true);
  expect_match(at_80.clusters[2], 1, 2, 1, true);
  ASSERT_EQ(at_80.reference.size(), 3u);
  expect_match(at_80.reference[0], 4, 0, 4, true);
  expect_match(at_80.reference[1], 5, 1, 4, true);
  expect_match(at_80.reference[2], 1, 2, 1, true);
  EXPECT_EQ(at_80.aligned, 3);
  EXPECT_EQ(at_80.reference_aligned, 3);

  const Comparison at_90 = compare_all(kFineTuned, kBase, 0.9);
  EXPECT_FALSE(at_90.clusters[0].aligned);
  EXPECT_FALSE(at_90.reference[1].aligned);
  EXPECT_EQ(at_90.aligned, 2);
  EXPECT_DOUBLE_EQ(at_90.aligned_fraction, 2.0 / 3.0);
  EXPECT_EQ(at_90.reference_aligned, 2);
  EXPECT_DOUBLE_EQ(at_90.reference_aligned_fraction, 2.0 / 3.0);
  EXPECT_EQ(at_90.k, 3);
  EXPECT_EQ(at_90.threshold, 0.9);
}

TEST(Compare, TiesGoToTheSmallerId) {
  // fine-tuned 0 meets base 1 first, then base 0 as often; base 1 shares 2 points with each fine-tuned concept
  const auto ft = clustering("FT.h5", 2, {0, 0, 0, 0, 1, 1});
  const auto base = clustering("BASE.h5", 2, {1, 1, 0, 0, 1, 1});
  const Comparison result = compare_all(ft, base, 0.5);
  expect_match(result.clusters[0], 4, 0, 2, true);
  expect_match(result.clusters[1], 2, 1, 2, true);
  expect_match(result.reference[0], 2, 0, 2, true);
  expect_match(result.reference[1], 4, 0, 2, true);
}

TEST(Compare, CountsOfAnySplitAddUpToTheWhole) {
  const PairCounts whole = count_pairs(kFineTuned, kBase, 0, 10);
  for (std::int64_t split = 0; split <= 10; ++split) {
    PairCounts sum = count_pairs(kFineTuned, kBase, split, 10);  // the later part first
    add(sum, count_pairs(kFineTuned, kBase, 0, split));
    EXPECT_EQ(sum, whole) << "split at " << split;
  }
}

TEST(Compare, BothClusteringsMustCoverTheSamePoints) {
  expect_error<InputError>([] { check_same_points(kFineTuned, clustering("BASE.h5", 3, {0, 1, 2})); },
                           "FT.h5 and BASE.h5 cluster different points: FT.h5 has 10, BASE.h5 has 3",
                           {"same corpus and token selection"});
  store::ClusterAssignment shifted = kBase;
  shifted.word[3] = 7;
  expect_error<InputError>([&] { check_same_points(kFineTuned, shifted); },
                           "FT.h5 and BASE.h5 cluster different points: point 3 is 'w3' (sentence 0, word 3) in "
                           "FT.h5 but 'w3' (sentence 0, word 7) in BASE.h5",
                           {});
  store::ClusterAssignment other_word = kBase;
  other_word.text[2] = "x";
  expect_error<InputError>([&] { check_same_points(kFineTuned, other_word); },
                           "FT.h5 and BASE.h5 cluster different points: point 2 is 'w2' (sentence 0, word 2) in "
                           "FT.h5 but 'x' (sentence 0, word 2) in BASE.h5",
                           {});
  // points without positions (a .npy without --vocab): equal -1s prove nothing
  store::ClusterAssignment unknown = kBase;
  unknown.sentence.assign(unknown.sentence.size(), -1);
  unknown.word.assign(unknown.word.size(), -1);
  unknown.text.clear();
  expect_error<InputError>([&] { check_same_points(unknown, unknown); },
                           "BASE.h5: point 0 has no corpus position or word", {"--vocab", "cannot be checked"});
  store::ClusterAssignment wordless = kBase;
  wordless.text.clear();
  expect_error<InputError>([&] { check_same_points(kFineTuned, wordless); },
                           "BASE.h5: its points have no corpus position or word", {"older conceptlens"});
}

TEST(Compare, JsonAndCsvFiles) {
  ScratchDir dir;
  write_comparison(compare_all(kFineTuned, kBase, 0.8), dir / "C.json");
  const auto json = nlohmann::ordered_json::parse(read_file(dir / "C.json"));
  EXPECT_EQ(json["k"], 3);
  EXPECT_EQ(json["aligned"], nlohmann::ordered_json::parse(
                                 R"({"clusters": 3, "fraction": 1.0, "reference_clusters": 3, "reference_fraction": 1.0})"));
  EXPECT_EQ(json["per_cluster"][0], nlohmann::ordered_json::parse(R"({"cluster": 0, "size": 5,
              "reference_cluster": 0, "shared": 4, "overlap": 0.8, "aligned": true})"));
  EXPECT_EQ(json["per_reference_cluster"][1], nlohmann::ordered_json::parse(R"({"reference_cluster": 1, "size": 5,
              "cluster": 1, "shared": 4, "overlap": 0.8, "aligned": true})"));
  const std::string csv = read_file(dir / "C.csv");
  EXPECT_EQ(csv.substr(0, csv.find('\n', csv.find('\n') + 1) + 1),
            "side,cluster,size,match,shared,overlap,aligned\ncluster,0,5,0,4,0.8,true\n");
}

}  // namespace
}  // namespace conceptlens::align
