// `conceptlens triggers` end to end on the bundled tiny BERT fine-tuned on SST-2: the counts
// recounted through the classifier one sentence at a time (extract --predictions --batch-tokens 1
// on the triggered sentences), byte-identical outputs at 1-3 ranks, the class map, and bad input
// failing once with the files named.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "cli_support.hpp"
#include "store/activations_file.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;
using conceptlens::testing::Cli;
using conceptlens::testing::first_lines;
using conceptlens::testing::lines_of;
using conceptlens::testing::read_file;
using conceptlens::testing::run;
using conceptlens::testing::write_file;
using Json = nlohmann::json;

namespace {

const fs::path kSource = CONCEPTLENS_SOURCE_DIR;
const fs::path kModel = kSource / "jobs/models/tiny-bert-sst2";
const fs::path kSst2 = kSource / "jobs/data/sst2";

/// The class `model` gives each line of `lines` (a sentence, or with --pairs a premise TAB
/// hypothesis), one at a time: extract --predictions --batch-tokens 1 on them, written to
/// dir/name.in.
std::vector<std::string> classify_alone(const fs::path& dir, const fs::path& model, const std::vector<std::string>& lines,
                                        const std::string& name, const std::string& more = "") {
  std::string text;
  for (const std::string& line : lines) text += line + "\n";
  write_file(dir / (name + ".in"), text);
  const auto result = run(1, "extract --model " + model.string() + " --corpus " + (dir / (name + ".in")).string() +
                                 " --predictions --batch-tokens 1 --layers 0 --out " + (dir / (name + ".h5")).string() +
                                 " " + more);
  EXPECT_EQ(result.code, 0) << result.output;
  return conceptlens::store::read_predicted_classes(dir / (name + ".h5"));
}

/// The recount of a triggers output `got`: every concept's tried, flipped and baseline_flipped
/// from the classes `model` gives, one at a time, to `lines` and to every line it does not give
/// the concept's class with the concept's trigger and each random trigger (`with_trigger` adds
/// one to a line). `more`: extract's options (--pairs).
void expect_recounted(const fs::path& dir, const fs::path& model, const Json& got, const std::vector<std::string>& lines,
                      const std::function<std::string(const std::string&, const std::string&)>& with_trigger,
                      const std::string& more = "") {
  const std::vector<std::string> base = classify_alone(dir, model, lines, "base", more);
  std::vector<std::string> triggered;
  for (const Json& concept_ : got.at("concepts")) {
    const std::string label = concept_.at("class");
    std::vector<std::string> triggers{concept_.at("trigger")};
    for (const Json& random : concept_.at("baseline_triggers")) triggers.push_back(random);
    EXPECT_EQ(triggers.size(), 1 + got.at("baseline_draws").get<std::size_t>());
    for (const std::string& trigger : triggers) {
      EXPECT_EQ(std::count(trigger.begin(), trigger.end(), ' '), 2) << trigger;  // 3 words
      for (std::size_t s = 0; s < lines.size(); ++s) {
        if (base[s] != label) triggered.push_back(with_trigger(lines[s], trigger));
      }
    }
  }
  const std::vector<std::string> predicted = classify_alone(dir, model, triggered, "triggered", more);
  std::size_t at = 0;
  for (const Json& concept_ : got.at("concepts")) {
    const std::string label = concept_.at("class");
    const auto tried = static_cast<std::int64_t>(std::count_if(base.begin(), base.end(),
                                                               [&](const std::string& c) { return c != label; }));
    std::int64_t flipped = 0;
    std::int64_t baseline_flipped = 0;
    for (std::size_t draw = 0; draw <= got.at("baseline_draws").get<std::size_t>(); ++draw) {
      for (std::int64_t i = 0; i < tried; ++i) (draw == 0 ? flipped : baseline_flipped) += predicted[at++] == label;
    }
    SCOPED_TRACE("concept " + concept_.at("cluster").dump());
    EXPECT_EQ(concept_.at("tried"), tried);
    EXPECT_EQ(concept_.at("flipped"), flipped);
    EXPECT_EQ(concept_.at("baseline_flipped"), baseline_flipped);
    EXPECT_DOUBLE_EQ(concept_.at("flip_rate").get<double>(),
                     tried > 0 ? static_cast<double>(flipped) / static_cast<double>(tried) : 0.0);
  }
  EXPECT_EQ(at, predicted.size());
}

/// What a test changes in the command line.
struct Args {
  fs::path labels{};
  fs::path corpus{};
  int k = 50;
};

/// Fixture: 200 SST-2 dev sentences, their gold classes, and a clustering (K = 50) of the
/// fine-tuned model's top layer, made once for the suite.
class Triggers : public Cli {
 protected:
  static void SetUpTestSuite() {
    fs::create_directories(data_);
    write_file(corpus_, first_lines(kSst2 / "sst2-dev.in", 200));
    write_file(classes_, first_lines(kSst2 / "sst2-dev.classes", 200));
    ASSERT_EQ(run(2, "extract --model " + kModel.string() + " --corpus " + corpus_.string() + " --layers 6 --out " +
                         (data_ / "act.h5").string())
                  .code,
              0);
    ASSERT_EQ(run(2, "cluster --activations " + (data_ / "act.h5").string() +
                         " --layer 6 --max-per-type 10 --k 50 --out " + clusters_.string())
                  .code,
              0);
  }
  static void TearDownTestSuite() { fs::remove_all(data_); }

  /// The command line, with other labels, corpus or K where given.
  std::string args(const fs::path& out, const std::string& more = "", Args with = {}) const {
    return "triggers --model " + kModel.string() + " --corpus " + (with.corpus.empty() ? corpus_ : with.corpus).string() +
           " --labels " + (with.labels.empty() ? classes_ : with.labels).string() + " --clusters " +
           clusters_.string() + " --k " + std::to_string(with.k) + " --baseline-draws 2 --out " + out.string() + " " +
           more;
  }

  static inline const fs::path data_ = fs::temp_directory_path() / ("conceptlens-triggers-" + std::to_string(::getpid()));
  static inline const fs::path corpus_ = data_ / "s200.in";
  static inline const fs::path classes_ = data_ / "s200.classes";
  static inline const fs::path clusters_ = data_ / "layer-6.h5";
};

}  // namespace

TEST_F(Triggers, CountsAreTheClassifiersOneSentenceAtATimeAtEveryRankCount) {
  std::string first;
  for (int ranks = 1; ranks <= 3; ++ranks) {
    fs::path out = dir_ / "t";
    out += std::to_string(ranks) + ".json";
    const auto result = run(ranks, args(out, "--position append"));
    ASSERT_EQ(result.code, 0) << result.output;
    if (ranks == 1) first = read_file(out);
    EXPECT_EQ(read_file(out), first) << ranks << " ranks";
    EXPECT_EQ(read_file(fs::path(out).replace_extension(".csv")), read_file(dir_ / "t1.csv")) << ranks << " ranks";
  }
  const Json got = Json::parse(first);
  EXPECT_EQ(got.at("k"), 50);
  EXPECT_EQ(got.at("position"), "append");
  EXPECT_EQ(got.at("sentences"), 200);
  ASSERT_FALSE(got.at("concepts").empty());

  // the recount: every tried sentence with each trigger after it, through the classifier one at a time
  expect_recounted(dir_, kModel, got, lines_of(read_file(corpus_)),
                   [](const std::string& line, const std::string& trigger) { return line + " " + trigger; });
}

TEST_F(Triggers, ClassNamesAreMatchedOrMapped) {
  // the same classes under other names: an error naming both sets, then mapped
  std::string renamed = read_file(classes_);
  for (std::size_t at = 0; (at = renamed.find("positive", at)) != std::string::npos;) renamed.replace(at, 8, "good");
  for (std::size_t at = 0; (at = renamed.find("negative", at)) != std::string::npos;) renamed.replace(at, 8, "bad");
  const fs::path other = dir_ / "renamed.classes";
  write_file(other, renamed);
  const fs::path out = dir_ / "t.json";
  expect_failure(args(out, "", {.labels = other}), 2,
                 {"class 'bad'", other.string(), "id2label: negative, positive", "bad, good", "--class-map"});
  expect_failure(args(out, "--class-map nice=positive", {.labels = other}), 2,
                 {"--class-map 'nice=positive'", "no class 'nice'"});
  ASSERT_EQ(run(2, args(dir_ / "plain.json")).code, 0);
  const auto mapped = run(2, args(out, "--class-map good=positive,bad=negative", {.labels = other}));
  ASSERT_EQ(mapped.code, 0) << mapped.output;
  std::string expected = read_file(dir_ / "plain.json");
  for (std::size_t at = 0; (at = expected.find("positive", at)) != std::string::npos;) expected.replace(at, 8, "good");
  for (std::size_t at = 0; (at = expected.find("negative", at)) != std::string::npos;) expected.replace(at, 8, "bad");
  Json want = Json::parse(expected);
  Json got = Json::parse(read_file(out));
  want.erase("labels");
  got.erase("labels");
  EXPECT_EQ(got, want);
}

TEST_F(Triggers, BadInputFailsOnceNamingTheFile) {
  const fs::path out = dir_ / "t.json";
  expect_failure("triggers --model " + (kSource / "jobs/models/tiny-bert").string() + " --corpus " + corpus_.string() +
                     " --labels " + classes_.string() + " --clusters " + clusters_.string() + " --k 50 --out " +
                     out.string(),
                 2, {"tiny-bert/config.json", "no sequence-classification model"});
  std::string mixed = first_lines(kSst2 / "sst2-dev.task.label", 200);
  mixed.replace(mixed.find("negative"), 8, "positive");  // line 2 is negative: its first word now says positive
  write_file(dir_ / "mixed.label", mixed);
  expect_failure(args(out, "", {.labels = dir_ / "mixed.label"}), 2,
                 {"mixed.label:2:", "labels 'positive' and 'negative'", "one class per sentence"});
  expect_failure(args(out, "", {.k = 7}), 2, {clusters_.string(), "no clustering at K=7"});
  expect_failure(args(out, "", {.corpus = kSst2 / "sst2-dev.in"}), 2, {"s200.classes has 200 lines", "872"});
  expect_failure(args(dir_ / "missing/t.json"), 3, {"missing/t.json", "does not exist"});
}

// With --pairs (MNLI, from ../shared: skipped without it): the trigger goes into the hypothesis,
// and the counts are again the classifier's one pair at a time. The mechanics only: the bundled
// SST-2 model given pairs (BERT's pair template, token types 0/1) and its own predicted classes.
TEST_F(Cli, TriggersOnSentencePairsGoIntoTheHypothesis) {
  const fs::path mnli = conceptlens::testing::shared_dir() / "data/mnli/mnli-matched.pairs.tsv";
  if (!fs::exists(mnli)) GTEST_SKIP() << "no " << mnli << " (../shared is not beside this clone)";
  const fs::path model = kModel;
  const fs::path pairs = dir_ / "pairs.tsv";
  write_file(pairs, first_lines(mnli, 120));
  const fs::path act = dir_ / "act.h5";
  ASSERT_EQ(run(2, "extract --model " + model.string() + " --corpus " + pairs.string() +
                       " --pairs --predictions --layers 6 --out " + act.string())
                .code,
            0);
  ASSERT_EQ(run(2, "cluster --activations " + act.string() + " --layer 6 --max-per-type 10 --k 30 --out " +
                       (dir_ / "clusters.h5").string())
                .code,
            0);
  const std::string args = "triggers --model " + model.string() + " --corpus " + pairs.string() + " --pairs --labels " +
                           act.string() + " --clusters " + (dir_ / "clusters.h5").string() +
                           " --k 30 --threshold 0.8 --baseline-draws 1 --position prepend --out ";
  for (const int ranks : {1, 2}) {
    const auto result = run(ranks, args + (dir_ / ("t" + std::to_string(ranks) + ".json")).string());
    ASSERT_EQ(result.code, 0) << result.output;
  }
  EXPECT_EQ(read_file(dir_ / "t2.json"), read_file(dir_ / "t1.json"));
  const Json got = Json::parse(read_file(dir_ / "t1.json"));
  ASSERT_FALSE(got.at("concepts").empty());
  std::int64_t tried_in_all = 0;
  for (const Json& concept_ : got.at("concepts")) tried_in_all += concept_.at("tried").get<std::int64_t>();
  EXPECT_GT(tried_in_all, 0);

  // the recount: every tried pair with each trigger before its hypothesis, one pair at a time
  expect_recounted(
      dir_, model, got, lines_of(read_file(pairs)),
      [](const std::string& line, const std::string& trigger) {
        const std::size_t tab = line.find('\t');
        return line.substr(0, tab + 1) + trigger + " " + line.substr(tab + 1);
      },
      "--pairs");
}
