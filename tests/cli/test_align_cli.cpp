// `conceptlens align` and `conceptlens compare` end to end under mpiexec at 1-4 ranks: on real
// data (EWT POS, a committed clustering of the bundled tiny BERT's layer 6) the counts of
// ConceptX's rules as tests/golden/conceptx_align.py computes them (tests/golden/align/README.md),
// byte-identical outputs at every rank count, and bad input failing once with both files named.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "cli_support.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;
using conceptlens::testing::Cli;
using conceptlens::testing::read_file;
using conceptlens::testing::run;
using conceptlens::testing::write_file;
using Json = nlohmann::json;

namespace {

const fs::path kSource = CONCEPTLENS_SOURCE_DIR;
const fs::path kEwt = kSource / "jobs/data/ewt";  // the bundled EWT sample
const fs::path kCorpus = kEwt / "en_ewt-dev-600.in";
const fs::path kClusters = kSource / "tests/data/ewt/tiny-bert-layer6.h5";
const fs::path kConllu = kSource / "tests/data/ewt/en_ewt-ud-dev-600.conllu";
const fs::path kGolden = kSource / "tests/golden/align";

std::string align_args(const fs::path& labels, const fs::path& out, const std::string& more = "") {
  return "align --clusters " + kClusters.string() + " --k 100 --corpus " + kCorpus.string() + " --labels " +
         labels.string() + " --out " + out.string() + " " + more;
}

}  // namespace

TEST_F(Cli, AlignGivesConceptxCountsOnEwtAtEveryRankCount) {
  for (const std::string tag : {"upos", "xpos"}) {
    for (const std::string level : {"token", "type"}) {
      SCOPED_TRACE(tag + ", " + level + " level");
      const Json golden = Json::parse(read_file(kGolden / ("ewt-" + tag + "-" + level + ".json")));
      std::string first_json;
      std::string first_csv;
      for (int ranks = 1; ranks <= 4; ++ranks) {
        const fs::path out = dir_ / (tag + level + std::to_string(ranks) + ".json");
        const auto result = run(ranks, align_args(kEwt / ("en_ewt-dev-600." + tag + ".label"), out,
                                                  "--level " + level + " --name " + tag));
        ASSERT_EQ(result.code, 0) << result.output;
        const std::string json = read_file(out);
        const std::string csv = read_file(fs::path(out).replace_extension(".csv"));
        if (ranks == 1) {
          first_json = json;
          first_csv = csv;
        } else {
          EXPECT_EQ(json, first_json) << ranks << " ranks";
          EXPECT_EQ(csv, first_csv) << ranks << " ranks";
        }
      }
      const Json got = Json::parse(first_json);
      EXPECT_EQ(got.at("aligned"), golden.at("aligned"));
      EXPECT_EQ(got.at("k"), 100);
      EXPECT_EQ(got.at("name"), tag);
      ASSERT_EQ(got.at("per_cluster").size(), golden.at("per_cluster").size());
      for (std::size_t c = 0; c < golden.at("per_cluster").size(); ++c) {
        const Json& expected = golden.at("per_cluster")[c];  // [label, share, aligned]
        const Json& cluster = got.at("per_cluster")[c];
        EXPECT_EQ(cluster.at("label"), expected[0]) << "cluster " << c;
        EXPECT_NEAR(cluster.at("share").get<double>(), expected[1].get<double>(), 1e-12) << "cluster " << c;
        EXPECT_EQ(cluster.at("aligned"), expected[2]) << "cluster " << c;
      }
      for (const auto& [label, clusters] : golden.at("per_label").items()) {
        EXPECT_EQ(got.at("per_label").at(label).size(), clusters.get<std::size_t>()) << label;
      }
    }
  }
}

TEST_F(Cli, AlignReadsConllu) {
  const fs::path from_label = dir_ / "label.json";
  const fs::path from_conllu = dir_ / "conllu.json";
  ASSERT_EQ(run(1, align_args(kEwt / "en_ewt-dev-600.xpos.label", from_label, "--name xpos")).code, 0);
  const auto result = run(2, align_args(kConllu, from_conllu, "--column xpos --name xpos"));
  ASSERT_EQ(result.code, 0) << result.output;
  EXPECT_EQ(read_file(from_conllu), read_file(from_label));
}

TEST_F(Cli, CompareFindsEachConceptInTheOtherClusteringAtEveryRankCount) {
  // two layers of the bundled model over the same points
  const fs::path act = dir_ / "act.h5";
  ASSERT_EQ(run(2, "extract --model " + (kSource / "jobs/models/tiny-bert").string() + " --corpus " +
                       kCorpus.string() + " --layers 5,6 --out " + act.string())
                .code,
            0);
  const auto clustered = run(2, "cluster --activations " + act.string() +
                                    " --layers all --max-per-type 10 --k 20,100 --out " + (dir_ / "clusters").string());
  ASSERT_EQ(clustered.code, 0) << clustered.output;
  const fs::path five = dir_ / "clusters/layer-5.h5";
  const fs::path six = dir_ / "clusters/layer-6.h5";
  std::string first;
  for (int ranks = 1; ranks <= 4; ++ranks) {
    const fs::path out = dir_ / ("compare" + std::to_string(ranks) + ".json");
    const auto result =
        run(ranks, "compare --clusters " + six.string() + " --reference " + five.string() + " --k 100 --out " + out.string());
    ASSERT_EQ(result.code, 0) << result.output;
    if (ranks == 1) first = read_file(out);
    EXPECT_EQ(read_file(out), first) << ranks << " ranks";
  }
  // the counts add up: a concept shares at most its size with its match; both sides hold n points
  const Json got = Json::parse(first);
  std::int64_t n = 0;
  for (const Json& cluster : got.at("per_cluster")) {
    n += cluster.at("size").get<std::int64_t>();
    EXPECT_LE(cluster.at("shared").get<std::int64_t>(), cluster.at("size").get<std::int64_t>());
  }
  std::int64_t reference_n = 0;
  for (const Json& cluster : got.at("per_reference_cluster")) reference_n += cluster.at("size").get<std::int64_t>();
  EXPECT_EQ(n, reference_n);
  // a clustering compared with itself: every concept is its own match, overlap 1
  const fs::path self = dir_ / "self.json";
  ASSERT_EQ(run(3, "compare --clusters " + six.string() + " --reference " + six.string() + " --k 100 --out " +
                       self.string())
                .code,
            0);
  const Json same = Json::parse(read_file(self));
  EXPECT_EQ(same.at("aligned").at("clusters"), 100);
  EXPECT_EQ(same.at("aligned").at("reference_clusters"), 100);
  for (const Json& cluster : same.at("per_cluster")) EXPECT_EQ(cluster.at("reference_cluster"), cluster.at("cluster"));
}

TEST_F(Cli, AlignUsesPredictedClasses) {
  const fs::path hf = kSource / "tests/data/hf";
  const fs::path act = dir_ / "act.h5";
  ASSERT_EQ(run(2, "extract --model " + (hf / "models/bert_seqcls").string() + " --corpus " +
                       (hf / "sentences.txt").string() + " --predictions --layers 2 --out " + act.string())
                .code,
            0);
  const fs::path clusters = dir_ / "clusters.h5";
  ASSERT_EQ(run(1, "cluster --activations " + act.string() + " --layer 2 --k 5 --out " + clusters.string()).code, 0);
  const fs::path out = dir_ / "task.json";
  const auto result = run(2, "align --clusters " + clusters.string() + " --k 5 --corpus " +
                                 (hf / "sentences.txt").string() + " --labels " + act.string() +
                                 " --label-format predictions --name predicted --out " + out.string());
  ASSERT_EQ(result.code, 0) << result.output;
  const Json got = Json::parse(read_file(out));
  std::int64_t points = 0;
  for (const Json& cluster : got.at("per_cluster")) {
    points += cluster.at("size").get<std::int64_t>();
    const std::string label = cluster.at("label");
    EXPECT_TRUE(label == "LABEL_0" || label == "LABEL_1" || label.empty()) << label;
  }
  // the words NeuroX emits for the 20 sentences (FIXTURES.md §4.3), 253, less the 50 of the
  // truncated 84-word sentence, which NeuroX's loader drops as ConceptX loads them
  EXPECT_EQ(points, 203);
}

TEST_F(Cli, AlignRejectsLabelsOfAnotherCorpusAndUnknownK) {
  const fs::path upos = kEwt / "en_ewt-dev-600.upos.label";
  const std::string labels = read_file(upos);
  // one line fewer
  write_file(dir_ / "short.label", labels.substr(0, labels.rfind('\n', labels.size() - 2) + 1));
  // line 3 with one label fewer
  std::string fewer = labels;
  const std::size_t line3 = fewer.find('\n', fewer.find('\n') + 1) + 1;
  fewer.erase(fewer.find(' ', line3), fewer.find(' ', fewer.find(' ', line3) + 1) - fewer.find(' ', line3));
  write_file(dir_ / "fewer.label", fewer);
  const fs::path out = dir_ / "a.json";
  expect_failure(align_args(dir_ / "short.label", out), 2,
                 {"short.label has 599 lines", kCorpus.string() + " has 600", "another corpus"});
  expect_failure(align_args(dir_ / "fewer.label", out), 2,
                 {"fewer.label:3:", "labels, but " + kCorpus.string() + ":3 has", "words"});
  expect_failure("align --clusters " + kClusters.string() + " --k 7 --corpus " + kCorpus.string() + " --labels " +
                     upos.string() + " --out " + out.string(),
                 2, {kClusters.string(), "no clustering at K=7", "100"});
  expect_failure("compare --clusters " + kClusters.string() + " --reference " +
                     (kSource / "tests/data/hf/bert_cased.h5").string() + " --k 100 --out " + out.string(),
                 2, {"bert_cased.h5"});
}
