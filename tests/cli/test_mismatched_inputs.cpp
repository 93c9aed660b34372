// Inputs that do not belong together, and inputs read otherwise than the reference tools read
// them, under mpiexec: each case gave plausible numbers with exit 0 before (issue 12) and now
// either gives the reference tools' numbers or fails once, with the exit code and a message
// naming the files. The cases: align with another numbering of the corpus, compare without
// corpus positions, --max-words and truncated sentences as ConceptX's pipeline treats them,
// ConceptX files of another clustering, job-file names that collide with the sweep's files,
// results of another version, Unicode whitespace at a line's ends, and a literal <pad> in an
// XLM-R sentence.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "cli_support.hpp"
#include "store/activations_file.hpp"
#include "store/clusters_file.hpp"
#include "store/hdf5.hpp"
#include "store/npy.hpp"
#include "store/safetensors.hpp"
#include "sweep/job_file.hpp"
#include "sweep/sweep_plan.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;
namespace store = conceptlens::store;
namespace sweep = conceptlens::sweep;
using conceptlens::testing::Cli;
using conceptlens::testing::count;
using conceptlens::testing::read_file;
using conceptlens::testing::run;
using conceptlens::testing::write_file;

namespace {

const fs::path kSource = CONCEPTLENS_SOURCE_DIR;
const fs::path kHf = kSource / "tests/data/hf";

/// n points of dimension 2, well apart (no ties), as processed-point.npy.
void write_points(const fs::path& path, std::int64_t n, std::uint32_t seed) {
  std::vector<double> values;
  std::uint32_t state = seed;
  for (std::int64_t i = 0; i < 2 * n; ++i) {
    state = state * 1664525U + 1013904223U;
    values.push_back(static_cast<double>(state >> 8) / 65536.0);
  }
  store::write_npy_matrix(path, values.data(), n, 2);
}

}  // namespace

// 1. ConceptX points whose keys number the sentences of a length-filtered corpus, aligned with
//    the unfiltered corpus: every point after the long line named another word.
TEST_F(Cli, AlignRefusesACorpusWhoseWordsAreNotThePoints) {
  write_file(dir_ / "full.in", "the cat sat\none two three four five six\na dog ran\nthe dog sat\n");
  write_file(dir_ / "full.label", "D N V\nX X X X X X\nD N V\nD N V\n");
  write_file(dir_ / "filtered.in", "the cat sat\na dog ran\nthe dog sat\n");  // sentence_length.py --length 5
  write_file(dir_ / "filtered.label", "D N V\nD N V\nD N V\n");
  const std::vector<std::string> keys = {"the|||1|||0|||0", "cat|||1|||0|||1", "sat|||1|||0|||2",
                                         "a|||1|||1|||0",   "dog|||1|||1|||1", "ran|||1|||1|||2",
                                         "the|||2|||2|||0", "dog|||2|||2|||1", "sat|||2|||2|||2"};
  store::write_npy_strings(dir_ / "vocab.npy", keys);
  write_points(dir_ / "points.npy", 9, 1);
  const fs::path clusters = dir_ / "c.h5";
  ASSERT_EQ(run(1, "cluster --points " + (dir_ / "points.npy").string() + " --vocab " + (dir_ / "vocab.npy").string() +
                       " --k 2 --out " + clusters.string())
                .code,
            0);
  const std::string align = "align --clusters " + clusters.string() + " --k 2 --out " + (dir_ / "a.json").string();
  expect_failure(align + " --corpus " + (dir_ / "full.in").string() + " --labels " + (dir_ / "full.label").string(), 2,
                 {clusters.string() + ": point 3 is the word 'a', but word 1 of " + (dir_ / "full.in").string() +
                      ":2 is 'one'",
                  "another corpus"});
  const auto result =
      run(2, align + " --corpus " + (dir_ / "filtered.in").string() + " --labels " + (dir_ / "filtered.label").string());
  EXPECT_EQ(result.code, 0) << result.output;
}

// Beyond the cases: a fine-tuned model's predicted classes (ACT.h5) name the sentences of
// the corpus they were extracted from; another corpus with as many lines got them silently.
TEST_F(Cli, AlignRefusesPredictionsOfAnotherCorpus) {
  const fs::path model = kHf / "models/bert_seqcls";
  write_file(dir_ / "a.in", "the film was good\nit was bad\n");
  write_file(dir_ / "b.in", "a dull play\nwe left early\n");
  const std::string extract = "extract --model " + model.string() + " --predictions --layers 2 --corpus ";
  ASSERT_EQ(run(1, extract + (dir_ / "a.in").string() + " --out " + (dir_ / "a.h5").string()).code, 0);
  ASSERT_EQ(run(1, extract + (dir_ / "b.in").string() + " --out " + (dir_ / "b.h5").string()).code, 0);
  ASSERT_EQ(run(1, "cluster --activations " + (dir_ / "b.h5").string() + " --layer 2 --k 2 --out " +
                       (dir_ / "c.h5").string())
                .code,
            0);
  const std::string align = "align --clusters " + (dir_ / "c.h5").string() + " --k 2 --corpus " +
                            (dir_ / "b.in").string() + " --label-format predictions --out " +
                            (dir_ / "p.json").string() + " --labels ";
  expect_failure(align + (dir_ / "a.h5").string(), 2,
                 {(dir_ / "a.h5").string() + " was extracted from another corpus than " + (dir_ / "b.in").string(),
                  "other sentences"});
  const auto result = run(1, align + (dir_ / "b.h5").string());
  EXPECT_EQ(result.code, 0) << result.output;
}

// 2. Two clusterings of --points without --vocab: every position -1, so "the same points" held
//    for any two files; the same points in another row order gave "0 of 20 aligned".
TEST_F(Cli, CompareRefusesPointsWithoutPositions) {
  write_points(dir_ / "p.npy", 40, 2);
  ASSERT_EQ(run(1, "cluster --points " + (dir_ / "p.npy").string() + " --k 20 --out " + (dir_ / "a.h5").string()).code, 0);
  const store::NpyMatrix points = store::read_npy_matrix(dir_ / "p.npy");
  const auto& values = std::get<std::vector<double>>(points.values);
  std::vector<double> reversed;
  for (std::int64_t r = points.rows - 1; r >= 0; --r) {
    reversed.insert(reversed.end(), values.begin() + 2 * r, values.begin() + 2 * r + 2);
  }
  store::write_npy_matrix(dir_ / "r.npy", reversed.data(), points.rows, 2);
  ASSERT_EQ(run(1, "cluster --points " + (dir_ / "r.npy").string() + " --k 20 --out " + (dir_ / "b.h5").string()).code, 0);
  expect_failure("compare --clusters " + (dir_ / "a.h5").string() + " --reference " + (dir_ / "b.h5").string() +
                     " --k 20 --out " + (dir_ / "c.json").string(),
                 2, {(dir_ / "a.h5").string() + ": point 0 has no corpus position or word", "--vocab"});
}

// 3. --max-words on the corpus words, and a truncated sentence dropped as NeuroX's loader drops
//    it: the fixture corpus's 84-word line 20 keeps 50 rows under model_max_length 64.
TEST_F(Cli, SelectionJudgesSentencesByTheirWordsAndDropsTruncatedOnes) {
  const fs::path act = dir_ / "act.h5";
  ASSERT_EQ(run(2, "extract --model " + (kHf / "models/bert_cased").string() + " --corpus " +
                       (kHf / "sentences.txt").string() + " --layers 4 --out " + act.string())
                .code,
            0);
  ASSERT_EQ(store::read_activations_info(act).words, 253);  // 287 words, line 20 truncated to 50
  for (const std::string max_words : {"60", "0"}) {
    SCOPED_TRACE("--max-words " + max_words);
    const fs::path out = dir_ / ("c" + max_words + ".h5");
    const fs::path conceptx = dir_ / ("x" + max_words);
    fs::create_directories(conceptx);
    const auto result = run(2, "cluster --activations " + act.string() + " --layer 4 --k 3 --max-words " + max_words +
                                   " --out " + out.string() + " --conceptx-dir " + conceptx.string());
    ASSERT_EQ(result.code, 0) << result.output;
    // ConceptX: sentence_length.py drops the 84-word line at 60 (it has 50 rows, < 60); without a
    // length limit NeuroX's loader drops it (50 rows, 84 words). The other 19 lines: 203 words.
    const store::ClustersFile clusters = store::read_clusters_file(out);
    EXPECT_EQ(clusters.linkage.n, 203);
    EXPECT_EQ(std::count(clusters.sentence.begin(), clusters.sentence.end(), 19), 0);
    const std::string text = read_file(conceptx / "clusters-3.txt");
    EXPECT_EQ(count(text, "\n"), 203u);
    EXPECT_NE(result.output.find("50 in 1 sentences"), std::string::npos) << result.output;
  }
}

// 4. A --conceptx-dir holding another clustering's clusters-K.txt (layer 6's, clustering layer 0)
//    was kept as complete because the file existed.
TEST_F(Cli, ConceptxFilesOfAnotherClusteringAreRewritten) {
  const fs::path act = dir_ / "act.h5";
  ASSERT_EQ(run(1, "extract --model " + (kHf / "models/bert_cased").string() + " --corpus " +
                       (kHf / "sentences.txt").string() + " --layers 0,4 --out " + act.string())
                .code,
            0);
  const std::string cluster = "cluster --activations " + act.string() + " --k 5 ";
  const fs::path shared = dir_ / "conceptx";
  fs::create_directories(shared);
  fs::create_directories(dir_ / "fresh");
  ASSERT_EQ(run(1, cluster + "--layer 4 --out " + (dir_ / "l4.h5").string() + " --conceptx-dir " + shared.string()).code, 0);
  const std::string layer4 = read_file(shared / "clusters-5.txt");
  ASSERT_EQ(run(1, cluster + "--layer 0 --out " + (dir_ / "l0.h5").string()).code, 0);
  const auto result = run(2, cluster + "--layer 0 --out " + (dir_ / "l0.h5").string() + " --conceptx-dir " + shared.string());
  ASSERT_EQ(result.code, 0) << result.output;
  EXPECT_EQ(result.output.find("complete (same points and K): kept"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("is not this clustering's partition at K = 5"), std::string::npos) << result.output;
  // what a fresh run writes for layer 0
  ASSERT_EQ(run(1, cluster + "--layer 0 --out " + (dir_ / "fresh.h5").string() + " --conceptx-dir " +
                       (dir_ / "fresh").string())
                .code,
            0);
  EXPECT_EQ(read_file(shared / "clusters-5.txt"), read_file(dir_ / "fresh/clusters-5.txt"));
  EXPECT_NE(read_file(shared / "clusters-5.txt"), layer4);
  // and the same command again keeps it
  const auto again = run(1, cluster + "--layer 0 --out " + (dir_ / "l0.h5").string() + " --conceptx-dir " + shared.string());
  EXPECT_NE(again.output.find("complete (same points and K): kept"), std::string::npos) << again.output;
}

namespace {

/// One model (the bundled tiny BERT), the bundled EWT sample with its UPOS labels, layer 6, K 5.
std::string one_model_job(const std::string& model_name) {
  const fs::path jobs = kSource / "jobs";
  return "study = \"mismatch\"\nlayers = \"6\"\nk = [5]\n"
         "[[model]]\nname = \"" + model_name + "\"\npath = \"" + (jobs / "models/tiny-bert").string() + "\"\n"
         "[[corpus]]\nname = \"ewt\"\npath = \"" + (jobs / "data/ewt/en_ewt-dev-600.in").string() + "\"\n"
         "  [[corpus.labels]]\n  name = \"upos\"\n  path = \"" + (jobs / "data/ewt/en_ewt-dev-600.upos.label").string() +
         "\"\n";
}

}  // namespace

// 5. A model named like a file the sweep writes in the results folder failed after every stage.
TEST_F(Cli, SweepRefusesNamesOfItsOwnFilesUpFront) {
  for (const std::string name : {"summary.json", "report.html", "summary.csv", "run-log.json", ".stamps"}) {
    SCOPED_TRACE(name);
    write_file(dir_ / "job.toml", one_model_job(name));
    const fs::path out = dir_ / "results";
    const auto result = run(1, "sweep " + (dir_ / "job.toml").string() + " --out " + out.string());
    EXPECT_EQ(result.code, 2) << result.output;
    EXPECT_EQ(count(result.output, "conceptlens: error:"), 1u) << result.output;
    EXPECT_NE(result.output.find((dir_ / "job.toml").string() + ": model.0.name: '" + name + "'"), std::string::npos)
        << result.output;
    EXPECT_FALSE(fs::exists(out));
  }
}

// 6. Results of another version of the code: the stages stamped by a build whose results
//    versions differ are redone, those of the same versions kept, and --dry-run says which.
TEST_F(Cli, SweepRedoesWhatAnUpgradeComputesOtherwise) {
  write_file(dir_ / "job.toml", one_model_job("base"));
  const fs::path out = dir_ / "results";
  /// Stamps every stage as an older build with `versions` would have, outputs in place.
  const auto stamp_as = [&](const sweep::ResultsVersions& versions) {
    sweep::SweepPlan older = sweep::plan_sweep(sweep::read_job_file(dir_ / "job.toml"), out);
    older.versions = versions;
    sweep::compute_keys(older);
    for (const sweep::Stage& stage : older.stages) {
      for (const fs::path& output : stage.outputs) {
        fs::create_directories(output.parent_path());
        write_file(output, "");
      }
      sweep::stamp_stage(older, stage);
    }
  };
  const std::string dry_run = "sweep " + (dir_ / "job.toml").string() + " --out " + out.string() + " --dry-run";
  sweep::ResultsVersions current;
  stamp_as(current);
  auto result = run(1, dry_run);
  ASSERT_EQ(result.code, 0) << result.output;
  EXPECT_NE(result.output.find("3 stages, 3 complete, 0 to run\n"), std::string::npos) << result.output;
  // an older extraction: every stage is made from it
  sweep::ResultsVersions older = current;
  older.extract -= 1;
  stamp_as(older);
  result = run(2, dry_run);
  EXPECT_NE(result.output.find("[upgrade]  extract/base/ewt"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("[upgrade]  cluster/base/ewt"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("[upgrade]  align/base/ewt/layer-6-k5/upos"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("3 to run, of which 3 [upgrade]"), std::string::npos) << result.output;
  // an older alignment only: extraction and clustering are kept
  older = current;
  older.align -= 1;
  stamp_as(older);
  result = run(1, dry_run);
  EXPECT_NE(result.output.find("[complete] extract/base/ewt"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("[complete] cluster/base/ewt"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("[upgrade]  align/base/ewt/layer-6-k5/upos"), std::string::npos) << result.output;
  // stamps of the versions before results versions were recorded: the key alone
  for (const auto& entry : fs::recursive_directory_iterator(out / ".stamps")) {
    if (entry.is_regular_file()) write_file(entry.path(), "0123456789abcdef\n");
  }
  result = run(1, dry_run);
  EXPECT_NE(result.output.find("3 to run, of which 3 [upgrade]"), std::string::npos) << result.output;
}

// 7. NeuroX strips a line with Python's str.strip(): U+00A0, space, "a" is the one word "a".
TEST_F(Cli, UnicodeWhitespaceAtALinesEndsIsStrippedAsNeuroxStripsIt) {
  write_file(dir_ / "c.in", "\u00a0 a\nb c\u3000\n");
  const fs::path act = dir_ / "act.h5";
  const auto result = run(2, "extract --model " + (kHf / "models/bert_cased").string() + " --corpus " +
                                 (dir_ / "c.in").string() + " --layers 0 --out " + act.string());
  ASSERT_EQ(result.code, 0) << result.output;
  const store::ActivationsInfo info = store::read_activations_info(act);
  EXPECT_EQ(info.lines, (std::vector<std::string>{"a", "b c"}));
  EXPECT_EQ(info.word_text, (std::vector<std::string>{"a", "b", "c"}));
}

// 8. XLM-R positions from the input ids, as transformers' create_position_ids_from_input_ids:
//    "<pad> a" is ids [0, 1, 6, 2]; the literal <pad> keeps position padding_idx = 1 and does not
//    advance the count, so "a" (id 6) sits at position 3, not 4. Layer 0 of the word "a" is then
//    LayerNorm(word[6] + position[3] + token_type[0]) (eps 1e-5), from the checkpoint's weights.
TEST_F(Cli, XlmrPositionsComeFromTheInputIds) {
  write_file(dir_ / "c.in", "<pad> a\n");
  const fs::path model = kHf / "models/xlm_roberta";
  const fs::path act = dir_ / "act.h5";
  const auto result = run(1, "extract --model " + model.string() + " --corpus " + (dir_ / "c.in").string() +
                                 " --layers 0 --out " + act.string());
  ASSERT_EQ(result.code, 0) << result.output;
  const store::ActivationsFile file = store::ActivationsFile::open(act);
  ASSERT_EQ(file.info().word_text, (std::vector<std::string>{"<pad>", "a"}));
  const std::vector<float> layer0 = file.read_layer(0);
  const std::int64_t hidden = file.info().hidden;

  const store::SafetensorsFile weights = store::SafetensorsFile::open(model / "model.safetensors");
  const auto row = [&](const std::string& name, std::int64_t r) {
    const store::SafetensorsTensor* tensor = weights.find(name);
    EXPECT_NE(tensor, nullptr) << name;
    std::vector<float> values(static_cast<std::size_t>(hidden));
    std::memcpy(values.data(), weights.bytes(*tensor).data() + r * hidden * 4, values.size() * 4);
    return values;
  };
  const std::vector<float> word = row("embeddings.word_embeddings.weight", 6);
  const std::vector<float> position = row("embeddings.position_embeddings.weight", 3);
  const std::vector<float> type = row("embeddings.token_type_embeddings.weight", 0);
  const std::vector<float> gamma = row("embeddings.LayerNorm.weight", 0);
  const std::vector<float> beta = row("embeddings.LayerNorm.bias", 0);
  std::vector<double> x(static_cast<std::size_t>(hidden));
  double mean = 0;
  for (std::size_t i = 0; i < x.size(); ++i) mean += x[i] = double{word[i]} + position[i] + type[i];
  mean /= static_cast<double>(hidden);
  double variance = 0;
  for (const double v : x) variance += (v - mean) * (v - mean);
  variance /= static_cast<double>(hidden);
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double expected = (x[i] - mean) / std::sqrt(variance + 1e-5) * gamma[i] + beta[i];
    EXPECT_NEAR(layer0[static_cast<std::size_t>(hidden) + i], expected, 1e-5) << "component " << i;
  }
}
