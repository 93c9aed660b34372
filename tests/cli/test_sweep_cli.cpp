// `conceptlens sweep` end to end: the bundled demo at 1 and 2 ranks (byte-identical summaries,
// the paper's effect), a run killed during extraction and during clustering whose rerun ends
// with the uninterrupted run's summary, a changed input redoing only the stages it affects, and
// bad job files failing before any work with the key and the reason.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <string>

#include "cli_support.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;
using conceptlens::testing::Cli;
using conceptlens::testing::read_file;
using conceptlens::testing::run;
using conceptlens::testing::start_group;
using conceptlens::testing::write_file;
using Json = nlohmann::json;

namespace {

const fs::path kJobs = fs::path(CONCEPTLENS_SOURCE_DIR) / "jobs";

/// A small study over the bundled models and data: layers 0 and 6, K = 50.
std::string small_job(const fs::path& pos_labels, const std::string& extra = "") {
  return "study = \"small\"\nlayers = \"0,6\"\nk = [50]\n" + extra +
         "[cluster]\nmax_per_type = 10\ncheckpoint_every = 0.2\n"
         "[[model]]\nname = \"base\"\npath = \"" + (kJobs / "models/tiny-bert").string() + "\"\n"
         "[[model]]\nname = \"ft\"\npath = \"" + (kJobs / "models/tiny-bert-sst2").string() + "\"\nbase = \"base\"\n"
         "[[corpus]]\nname = \"sst2\"\npath = \"" + (kJobs / "data/sst2/sst2-dev.in").string() + "\"\n"
         "  [[corpus.labels]]\n  name = \"sentiment\"\n  path = \"" + (kJobs / "data/sst2/sst2-dev.classes").string() +
         "\"\n  kind = \"task\"\n"
         "[[corpus]]\nname = \"ewt\"\npath = \"" + (kJobs / "data/ewt/en_ewt-dev-600.in").string() + "\"\n"
         "  [[corpus.labels]]\n  name = \"POS\"\n  path = \"" + pos_labels.string() + "\"\n";
}

/// The statuses run-log.json gives the stages whose id starts with `prefix`.
std::vector<std::string> statuses(const fs::path& results, const std::string& prefix) {
  std::vector<std::string> out;
  for (const Json& stage : Json::parse(read_file(results / "run-log.json")).at("stages")) {
    if (stage.at("id").get<std::string>().rfind(prefix, 0) == 0) out.push_back(stage.at("status"));
  }
  return out;
}

}  // namespace

TEST_F(Cli, SweepRunsTheDemoWithTheSameSummaryAtOneAndTwoRanks) {
  std::string first;
  for (const int ranks : {1, 2}) {
    const fs::path out = dir_ / ("demo" + std::to_string(ranks));
    const auto result = run(ranks, "sweep " + (kJobs / "demo.toml").string() + " --out " + out.string());
    ASSERT_EQ(result.code, 0) << result.output;
    for (const char* file : {"summary.json", "summary.csv", "report.html", "run-log.json"}) {
      EXPECT_TRUE(fs::exists(out / file)) << file;
    }
    if (ranks == 1) first = read_file(out / "summary.json");
    EXPECT_EQ(read_file(out / "summary.json"), first) << "summary at " << ranks << " ranks";
    // run-log.json: every stage's estimate beside its time, the study's too
    const Json log = Json::parse(read_file(out / "run-log.json"));
    const double estimate = log.at("estimate").at("wall_seconds");
    EXPECT_GT(estimate, 0);
    EXPECT_DOUBLE_EQ(log.at("estimate").at("rank_hours").get<double>(), estimate * ranks / 3600);
    EXPECT_GT(log.at("wall_seconds").get<double>(), 0);
    EXPECT_GT(log.at("estimate").at("rates").at("gemm64_gflops").get<double>(), 0);
    for (const Json& stage : log.at("stages")) {
      EXPECT_GT(stage.at("estimate_seconds").get<double>(), 0) << stage.at("id");
      EXPECT_EQ(stage.at("estimate_seconds"), stage.at("model_seconds")) << "no earlier run-log.json to calibrate by";
    }
  }
  // the paper's finding, on the bundled models: sentiment concepts only in the fine-tuned
  // model, growing towards its top layer; none in the pre-trained one
  const Json summary = Json::parse(first);
  // each corpus's "selected" is the number of points clustered (every result's)
  for (const Json& corpus : summary.at("corpora")) {
    for (const Json& result : summary.at("results")) {
      if (result.at("corpus") == corpus.at("name")) {
        EXPECT_EQ(result.at("points"), corpus.at("selected"));
      }
    }
  }
  std::map<std::string, std::map<std::int64_t, Json>> by_model;
  for (const Json& result : summary.at("results")) {
    if (result.at("corpus") == "sst2") by_model[result.at("model")][result.at("layer")] = result.at("alignment");
  }
  for (const auto& [layer, alignment] : by_model.at("tiny-bert")) {
    EXPECT_EQ(alignment.at("sentiment").at("aligned"), 0) << "base model, layer " << layer;
  }
  const auto& ft = by_model.at("tiny-bert-sst2");
  EXPECT_EQ(ft.at(0).at("sentiment").at("aligned"), 0);
  EXPECT_GT(ft.at(6).at("sentiment").at("aligned").get<int>(), 0);
  EXPECT_GT(ft.at(6).at("predicted").at("aligned").get<int>(), ft.at(6).at("sentiment").at("aligned").get<int>());
  // RQ4: the top layer's sentiment concepts tried as triggers on SST-2, and shown in the report
  std::size_t with_triggers = 0;
  for (const Json& result : summary.at("results")) {
    if (!result.contains("triggers")) continue;
    ++with_triggers;
    EXPECT_EQ(result.at("model"), "tiny-bert-sst2");
    EXPECT_EQ(result.at("layer"), 6);
    const Json& concepts = result.at("triggers").at("sentiment").at("concepts");
    EXPECT_EQ(concepts.size(), ft.at(6).at("sentiment").at("aligned").get<std::size_t>());
  }
  EXPECT_EQ(with_triggers, 1u);
  EXPECT_NE(read_file(dir_ / "demo1/report.html").find("Polarity concepts as adversarial triggers"), std::string::npos);
}

TEST_F(Cli, SweepKilledDuringExtractionOrClusteringEndsWithTheSameSummary) {
  const fs::path pos = kJobs / "data/ewt/en_ewt-dev-600.xpos.label";
  write_file(dir_ / "small.toml", small_job(pos));
  const fs::path job = dir_ / "small.toml";
  const auto reference = run(2, "sweep " + job.string() + " --out " + (dir_ / "reference").string());
  ASSERT_EQ(reference.code, 0) << reference.output;
  const std::string expected = read_file(dir_ / "reference/summary.json");

  for (const std::string stage : {"extract/ft/sst2", "cluster/base/sst2"}) {
    SCOPED_TRACE("killed during " + stage);
    const fs::path out = dir_ / (stage.substr(0, stage.find('/')) + "-killed");
    const fs::path log = dir_ / "killed.log";
    const pid_t group = start_group(2, "sweep " + job.string() + " --out " + out.string(), log);
    bool started = false;
    for (int waited = 0; waited < 12000 && !started; ++waited) {
      started = fs::exists(log) && read_file(log).find(stage + ": running") != std::string::npos;
      if (!started) usleep(5000);
    }
    usleep(200000);
    kill(-group, SIGKILL);
    int status = 0;
    waitpid(group, &status, 0);
    ASSERT_TRUE(started) << read_file(log);
    ASSERT_FALSE(fs::exists(out / ".stamps" / (stage + ".key"))) << "the stage finished before the kill";
    ASSERT_FALSE(fs::exists(out / "summary.json"));

    const auto rerun = run(1, "sweep " + job.string() + " --out " + out.string());
    ASSERT_EQ(rerun.code, 0) << rerun.output;
    EXPECT_NE(rerun.output.find("complete, kept"), std::string::npos) << rerun.output;
    EXPECT_EQ(read_file(out / "summary.json"), expected);
    for (const auto& entry : fs::recursive_directory_iterator(out)) {
      EXPECT_EQ(entry.path().filename().string().find(".tmp-"), std::string::npos) << entry.path();
    }
  }
}

TEST_F(Cli, SweepRedoesOnlyWhatAChangedInputAffects) {
  const fs::path pos = dir_ / "pos.label";
  fs::copy_file(kJobs / "data/ewt/en_ewt-dev-600.xpos.label", pos);
  write_file(dir_ / "small.toml", small_job(pos));
  const std::string command = "sweep " + (dir_ / "small.toml").string() + " --out " + (dir_ / "results").string();
  ASSERT_EQ(run(2, command).code, 0);
  const std::string before = read_file(dir_ / "results/summary.json");

  // unchanged: everything kept, the same summary
  ASSERT_EQ(run(2, command).code, 0);
  for (const auto& status : statuses(dir_ / "results", "")) EXPECT_EQ(status, "kept");
  EXPECT_EQ(read_file(dir_ / "results/summary.json"), before);

  // every label NN -> NOUN: only the EWT alignments are redone
  std::string labels = read_file(pos);
  for (std::size_t at = labels.find("NN "); at != std::string::npos; at = labels.find("NN ", at + 5)) {
    labels.replace(at, 3, "NOUN ");
  }
  write_file(pos, labels);
  ASSERT_EQ(run(2, command).code, 0);
  for (const auto& status : statuses(dir_ / "results", "extract/")) EXPECT_EQ(status, "kept");
  for (const auto& status : statuses(dir_ / "results", "cluster/")) EXPECT_EQ(status, "kept");
  for (const auto& status : statuses(dir_ / "results", "align/base/sst2/")) EXPECT_EQ(status, "kept");
  for (const auto& status : statuses(dir_ / "results", "align/base/ewt/")) EXPECT_EQ(status, "ran");
  for (const auto& status : statuses(dir_ / "results", "align/ft/ewt/")) EXPECT_EQ(status, "ran");
  EXPECT_NE(read_file(dir_ / "results/summary.json").find("\"POS\""), std::string::npos);
}

TEST_F(Cli, SweepRejectsBadJobFilesBeforeAnyWork) {
  const fs::path pos = kJobs / "data/ewt/en_ewt-dev-600.xpos.label";
  const fs::path out = dir_ / "results";
  const auto check = [&](const std::string& name, const std::string& job, std::initializer_list<std::string> parts) {
    write_file(dir_ / (name + ".toml"), job);
    const std::vector<std::string> expected(parts);
    expect_failure("sweep " + (dir_ / (name + ".toml")).string() + " --out " + out.string(), 2, expected);
    EXPECT_FALSE(fs::exists(out)) << name;
  };
  check("unknown", small_job(pos, "colour = \"blue\"\n"), {"unknown.toml", "colour", "unknown key"});
  std::string missing = small_job(pos);
  missing.replace(missing.find("sst2-dev.classes"), 16, "sst2-dev.nothing");
  check("missing", missing, {"corpus.0.labels.0.path", "sst2-dev.nothing does not exist"});
  std::string orphan = small_job(pos);
  orphan.replace(orphan.find("base = \"base\""), 13, "base = \"bert\"");
  check("orphan", orphan, {"model.1.base", "fine-tuned model 'ft'", "'bert'"});
  std::string large = small_job(pos);
  large.replace(large.find("k = [50]"), 8, "k = [50000]");
  check("large", large, {"large.toml", "K = 50000", "tokens", "'sst2'"});
  check("broken", "study = \"x\"\nk = [\n", {"broken.toml:", "not valid TOML"});
  check("preprocess", small_job(pos) + "  preprocess = \"lower\"\n",
        {"corpus.1.labels.0.preprocess", "'lower' is not one of none, other_unk, casing"});
  check("ignore_unks", small_job(pos) + "  ignore_unks = \"yes\"\n",
        {"corpus.1.labels.0.ignore_unks", "expected true or false, found string"});
  const auto with_task = [&](const std::string& model, const std::string& lines) {
    std::string job = small_job(pos);
    const std::string named = "name = \"" + model + "\"\n";
    job.insert(job.find(named) + named.size(), lines);
    return job;
  };
  check("task_unknown", with_task("ft", "task = \"nope\"\n"), {"model.1.task", "'nope' is not a [[corpus]]"});
  check("task_no_classes", with_task("ft", "task = \"ewt\"\n"),
        {"model.1.task", "corpus 'ewt' has no label set of kind \"task\""});
  check("task_no_head", with_task("base", "task = \"sst2\"\n"),
        {"model 'base' names the task corpus 'sst2'", "tiny-bert/config.json", "no sequence-classification model"});
  check("class_map", with_task("ft", "class_map = { positive = \"LABEL_1\" }\n"),
        {"model.1.class_map", "names no task corpus"});
  check("trigger_layers", with_task("ft", "task = \"sst2\"\n") + "[triggers]\nlayers = \"3\"\n",
        {"triggers.layers", "layer 3 of model 'ft' is not one of the study's layers (0,6)"});
  // found by tests/fuzz/fuzz_job_file (regressions/fuzz_job_file): TOML's nan passed the range check
  check("nan", small_job(pos, "[align]\nthreshold = nan\n"), {"nan.toml", "align.threshold", "[0, 1], found nan"});

  // --dry-run prints the plan and writes nothing
  write_file(dir_ / "small.toml", small_job(pos));
  const auto plan = run(2, "sweep " + (dir_ / "small.toml").string() + " --out " + out.string() + " --dry-run");
  ASSERT_EQ(plan.code, 0) << plan.output;
  for (const char* part : {"[to run]   extract/base/sst2", "cluster/ft/ewt", "group(s)", "MiB per rank",
                           "compare/ft/sst2/layer-6-k50", "to run", "time estimate on 2 rank(s)", "float64 GEMM",
                           "2 layer(s) of", "vector mode; 1 on the slowest group of 1 rank(s)", "vector mode about", "align: ",
                           "rank-hours", "--time="}) {
    EXPECT_NE(plan.output.find(part), std::string::npos) << part << "\n" << plan.output;
  }
  EXPECT_FALSE(fs::exists(out));
}

// jobs/nightly.toml is a valid study: planned (--dry-run) against the shared corpora, with
// stand-ins for its 12 checkpoints (the plan reads config.json only). Skipped without ../shared.
TEST_F(Cli, NightlyJobPlansAgainstTheSharedData) {
  const fs::path data = conceptlens::testing::shared_dir() / "data";
  if (!fs::exists(data / "ud_ewt")) GTEST_SKIP() << "no shared data at " << data << " (set CONCEPTLENS_SHARED)";
  const std::string job = read_file(kJobs / "nightly.toml");
  std::size_t models = 0;
  const std::string key = "path = \"${models}/";
  for (std::size_t at = job.find(key); at != std::string::npos; at = job.find(key, at + 1)) {
    const std::size_t start = at + key.size();
    const std::string name = job.substr(start, job.find('"', start) - start);
    const fs::path folder = dir_ / "models" / name;
    fs::create_directories(folder);
    const bool fine_tuned = name.ends_with("-sst2") || name.ends_with("-mnli") || name.ends_with("-hatexplain");
    fs::copy_file(kJobs / (fine_tuned ? "models/tiny-bert-sst2/config.json" : "models/tiny-bert/config.json"),
                  folder / "config.json");
    ++models;
  }
  EXPECT_EQ(models, 12u);
  setenv("models", (dir_ / "models").c_str(), 1);
  setenv("data", data.c_str(), 1);
  const auto plan = run(2, "sweep " + (kJobs / "nightly.toml").string() + " --out " + (dir_ / "out").string() +
                               " --dry-run");
  unsetenv("models");
  unsetenv("data");
  ASSERT_EQ(plan.code, 0) << plan.output;
  for (const char* part : {"model bert-base-cased-sst2", "fine-tuned from xlm-roberta-base", "corpus hatexplain",
                           "corpus ccg", "align/albert-base-v2-mnli/mnli/layer-6-k600/predicted",
                           "compare/bert-base-cased-hatexplain/sem/layer-0-k600",
                           "corpus mnli: 1000 sentence pairs (premise TAB hypothesis)",
                           "triggers/xlm-roberta-base-mnli/mnli/layer-6-k600/entailment",
                           "triggers/albert-base-v2-sst2/sst2/layer-6-k600/sentiment", "time estimate on 2 rank(s)",
                           "extract/albert-base-v2-sst2/mnli", "align: ", "rank-hours"}) {
    EXPECT_NE(plan.output.find(part), std::string::npos) << part << "\n" << plan.output.substr(0, 3000);
  }
  // a model's own classes and its triggers only on its task corpus
  EXPECT_EQ(plan.output.find("align/albert-base-v2-mnli/sst2/layer-6-k600/predicted"), std::string::npos);
  EXPECT_EQ(plan.output.find("triggers/albert-base-v2-mnli/sst2"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir_ / "out"));
}
