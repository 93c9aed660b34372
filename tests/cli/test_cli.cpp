// The `conceptlens` executable end to end, launched with mpiexec at 1-4 ranks: results that do
// not depend on the rank count, ConceptX outputs, and bad input failing once, with the file
// named, a non-zero exit code and no output left behind.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "select/token_selection.hpp"
#include "store/activations_file.hpp"
#include "store/clusters_file.hpp"
#include "store/npy.hpp"
#include "cli_support.hpp"
#include "linkage_checks.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;
namespace store = conceptlens::store;
using conceptlens::testing::expect_bitwise_equal;
using conceptlens::testing::npy_bytes;
using conceptlens::testing::read_file;
using conceptlens::testing::write_file;
using conceptlens::testing::Cli;
using conceptlens::testing::count;
using conceptlens::testing::run;
using conceptlens::testing::start_group;

namespace {

const fs::path kSource = CONCEPTLENS_SOURCE_DIR;
const fs::path kDemoPoints = kSource / "jobs/data/demo/processed-point.npy";
const fs::path kDemoVocab = kSource / "jobs/data/demo/processed-vocab.npy";

}  // namespace

TEST_F(Cli, HelpListsTheOptions) {
  const auto top = run(1, "--help");
  EXPECT_EQ(top.code, 0);
  EXPECT_NE(top.output.find("cluster"), std::string::npos) << top.output;
  const auto result = run(1, "cluster --help");
  EXPECT_EQ(result.code, 0);
  for (const char* option : {"--points", "--vocab", "--k", "--out", "--mode", "--memory-per-rank", "--dry-run",
                             "--conceptx-dir"}) {
    EXPECT_NE(result.output.find(option), std::string::npos) << option << "\n" << result.output;
  }
}

TEST_F(Cli, SameResultsAtEveryRankCountAndMode) {
  const auto n = store::read_npy_matrix(kDemoPoints).rows;
  std::vector<store::ClustersFile> results;
  for (int ranks = 1; ranks <= 4; ++ranks) {
    for (const std::string mode : {"matrix", "vector"}) {
      SCOPED_TRACE(std::to_string(ranks) + " rank(s), " + mode);
      const auto out = dir_ / (mode + std::to_string(ranks) + ".h5");
      const auto conceptx = dir_ / ("conceptx-" + mode + std::to_string(ranks));
      fs::create_directories(conceptx);
      const auto result = run(ranks, "cluster --points " + kDemoPoints.string() + " --vocab " +
                                         kDemoVocab.string() + " --k 20,5 --mode " + mode +
                                         " --out " + out.string() + " --conceptx-dir " + conceptx.string());
      ASSERT_EQ(result.code, 0) << result.output;
      results.push_back(store::read_clusters_file(out));
      const auto& first = results.front();
      const auto& now = results.back();
      EXPECT_EQ(now.linkage.n, n);
      ASSERT_EQ(now.linkage.merges.size(), first.linkage.merges.size());
      for (std::size_t q = 0; q < first.linkage.merges.size(); ++q) {
        EXPECT_EQ(now.linkage.merges[q].a, first.linkage.merges[q].a);
        EXPECT_EQ(now.linkage.merges[q].b, first.linkage.merges[q].b);
        EXPECT_NEAR(now.linkage.merges[q].height, first.linkage.merges[q].height,
                    1e-9 * first.linkage.merges[q].height);
      }
      EXPECT_EQ(now.labels, first.labels);
      EXPECT_EQ(now.sentence, first.sentence);
      EXPECT_EQ(now.word, first.word);
      EXPECT_EQ(now.mode, mode);
      ASSERT_EQ(now.labels.size(), 2u);
      for (const int k : {5, 20}) {
        const auto text = read_file(conceptx / ("clusters-" + std::to_string(k) + ".txt"));
        EXPECT_EQ(static_cast<std::int64_t>(count(text, "\n")), n);
        EXPECT_EQ(text, read_file(dir_ / "conceptx-matrix1" / ("clusters-" + std::to_string(k) + ".txt")));
      }
    }
  }
  // Points know their corpus position from the vocab keys.
  const auto& first = results.front();
  EXPECT_EQ(first.sentence.front(), 0);
  EXPECT_EQ(first.word.front(), 0);
  EXPECT_GE(*std::max_element(first.sentence.begin(), first.sentence.end()), 1);
}

TEST_F(Cli, BrokenHeaderIsRejected) {
  const auto bad = dir_ / "broken.npy";
  std::ofstream(bad) << "this is not numpy";
  expect_failure("cluster --points " + bad.string() + " --k 2 --out " + (dir_ / "out.h5").string(), 2,
                 {bad.string()});
}

TEST_F(Cli, UnsupportedDtypeAndFortranOrderAreRejected) {
  const auto ints = dir_ / "ints.npy";
  write_file(ints, npy_bytes("{'descr': '<i8', 'fortran_order': False, 'shape': (3, 2), }", std::string(48, '\0')));
  expect_failure("cluster --points " + ints.string() + " --k 2 --out " + (dir_ / "out.h5").string(), 2,
                 {ints.string(), "<i8"});
  const auto fortran = dir_ / "fortran.npy";
  write_file(fortran, npy_bytes("{'descr': '<f8', 'fortran_order': True, 'shape': (3, 2), }", std::string(48, '\0')));
  expect_failure("cluster --points " + fortran.string() + " --k 2 --out " + (dir_ / "out.h5").string(), 2,
                 {fortran.string(), "Fortran"});
}

TEST_F(Cli, NonFiniteValuesAreRejected) {
  const auto nan = dir_ / "nan.npy";
  const std::vector<double> values{0, 1, 2, std::nan(""), 4, 5};
  store::write_npy_matrix(nan, values.data(), 3, 2);
  expect_failure("cluster --points " + nan.string() + " --k 2 --out " + (dir_ / "out.h5").string(), 2,
                 {nan.string(), "NaN"});
}

TEST_F(Cli, MoreClustersThanPointsIsRejected) {
  const auto n = store::read_npy_matrix(kDemoPoints).rows;
  expect_failure("cluster --points " + kDemoPoints.string() + " --k 5," + std::to_string(n + 1) +
                     " --out " + (dir_ / "out.h5").string(),
                 2, {kDemoPoints.string(), "n = " + std::to_string(n)});
}

TEST_F(Cli, VocabOfAnotherLengthIsRejected) {
  const auto vocab = dir_ / "vocab.npy";
  store::write_npy_strings(vocab, {"a|||0|||0|||0", "b|||0|||0|||1"});
  expect_failure("cluster --points " + kDemoPoints.string() + " --vocab " + vocab.string() +
                     " --k 2 --out " + (dir_ / "out.h5").string(),
                 2, {vocab.string(), kDemoPoints.string(), "2 vocab keys"});
}

TEST_F(Cli, UnwritableOutputIsRejectedBeforeClustering) {
  expect_failure("cluster --points " + kDemoPoints.string() + " --k 2 --out " +
                     (dir_ / "missing" / "out.h5").string(),
                 3, {(dir_ / "missing").string()});
}

TEST_F(Cli, DryRunPrintsThePlanAndWritesNothing) {
  for (int ranks : {1, 3}) {
    const auto result = run(ranks, "cluster --points " + kDemoPoints.string() + " --k 5 --dry-run --out " +
                                       (dir_ / "out.h5").string());
    EXPECT_EQ(result.code, 0) << result.output;
    EXPECT_EQ(count(result.output, "plan: n = 203 points of d = 32, vector mode on " + std::to_string(ranks) +
                                       " rank(s)"), 1u) << result.output;
    EXPECT_TRUE(files().empty());
  }
}

TEST_F(Cli, PlansThatCannotFitAreRefused) {
  expect_failure("cluster --points " + kDemoPoints.string() + " --k 5 --mode matrix --memory-per-rank 1KiB --out " +
                     (dir_ / "out.h5").string(),
                 2, {"does not fit the memory per rank", "matrix mode", "budget 1.00 KiB"});
  // auto takes the vector mode (faster), and falls back to the matrix mode where only it fits:
  // at 203 points the lean mode's buffers (1.7 MiB) outweigh the matrix (236 KiB)
  const auto result = run(2, "cluster --points " + kDemoPoints.string() +
                                 " --k 5 --memory-per-rank 1MiB --dry-run --out " + (dir_ / "out.h5").string());
  EXPECT_EQ(result.code, 0) << result.output;
  EXPECT_NE(result.output.find("matrix mode on 2 rank(s)"), std::string::npos) << result.output;
  expect_failure("cluster --points " + kDemoPoints.string() + " --k 5 --memory-per-rank 100KiB --out " +
                     (dir_ / "out.h5").string(),
                 2, {"does not fit the memory per rank", "vector mode", "The matrix mode needs"});
}

TEST_F(Cli, UsageErrorsExitWithOne) {
  for (int ranks : {1, 3}) {
    const auto result = run(ranks, "cluster --points " + kDemoPoints.string() + " --out x.h5");
    EXPECT_EQ(result.code, 1) << result.output;
    EXPECT_NE(result.output.find("--k"), std::string::npos) << result.output;
  }
}


TEST_F(Cli, KilledRunResumesFromItsCheckpointWithTheSameLinkage) {
  // Random points that take a few seconds in the vector mode.
  constexpr std::int64_t kPoints = 12000;
  std::vector<float> values(kPoints * 96);
  std::uint64_t state = 12345;
  for (auto& v : values) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    v = static_cast<float>(state >> 40U) / static_cast<float>(1U << 24U);
  }
  const auto points = dir_ / "points.npy";
  store::write_npy_matrix(points, values.data(), kPoints, 96);
  const std::string common = "cluster --points " + points.string() + " --k 10,100 --mode vector ";

  const auto reference = run(2, common + "--out " + (dir_ / "reference.h5").string());
  ASSERT_EQ(reference.code, 0) << reference.output;

  // Killed (SIGKILL, every process of the run) once it has saved a checkpoint.
  const auto out = dir_ / "killed.h5";
  const auto checkpoint = dir_ / "killed.h5.checkpoint";
  const std::string args = common + "--checkpoint-every 0.2 --out " + out.string();
  const pid_t group = start_group(2, args, dir_ / "killed.log");
  bool saved = false;
  for (int waited = 0; waited < 6000 && !saved; ++waited) {
    saved = fs::exists(checkpoint);
    if (!saved) usleep(10000);
  }
  usleep(50000);  // let it go on (and perhaps save again) before the kill
  kill(-group, SIGKILL);
  int status = 0;
  waitpid(group, &status, 0);
  ASSERT_TRUE(saved) << read_file(dir_ / "killed.log");
  ASSERT_FALSE(fs::exists(out)) << "the run finished before it could be killed: use more points";
  ASSERT_TRUE(fs::exists(checkpoint));

  // The same command, here on another number of ranks, resumes and gives the same linkage.
  const auto resumed = run(1, args);
  ASSERT_EQ(resumed.code, 0) << resumed.output;
  EXPECT_NE(resumed.output.find("resuming from checkpoint"), std::string::npos) << resumed.output;
  const auto expected = store::read_clusters_file(dir_ / "reference.h5");
  const auto actual = store::read_clusters_file(out);
  expect_bitwise_equal(actual.linkage, expected.linkage);
  EXPECT_EQ(actual.labels, expected.labels);
  EXPECT_FALSE(fs::exists(checkpoint)) << "the checkpoint of a finished clustering is removed";

  // A completed output is never rewritten: the rerun keeps it.
  const auto written = fs::last_write_time(out);
  const auto again = run(2, args);
  ASSERT_EQ(again.code, 0) << again.output;
  EXPECT_NE(again.output.find("is complete (same points and K): kept"), std::string::npos) << again.output;
  EXPECT_EQ(fs::last_write_time(out), written);
  for (const auto& name : files()) EXPECT_EQ(name.find(".tmp-"), std::string::npos) << name;
}

TEST_F(Cli, CheckpointOfOtherInputsIsNotResumed) {
  const auto out = dir_ / "out.h5";
  write_file(dir_ / "out.h5.checkpoint", "not a checkpoint");
  const auto result = run(2, "cluster --points " + kDemoPoints.string() + " --k 5 --checkpoint-every 10 --out " +
                                 out.string());
  ASSERT_EQ(result.code, 0) << result.output;
  EXPECT_NE(result.output.find("not a conceptlens checkpoint"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("starting afresh"), std::string::npos) << result.output;
  EXPECT_TRUE(fs::exists(out));
}

namespace {

/// An activation file: 60 sentences over a small vocabulary (so that the token selection
/// matters), layers 0-2 of hidden size 6, with random values.
store::ActivationsContent small_activations() {
  store::ActivationsContent content;
  content.hidden = 6;
  content.num_layers = 2;
  content.model = "test";
  content.architecture = "bert";
  const std::vector<std::string> vocabulary{"the", "cat", "sat", "on", "a", "mat", "dog", "ran", "far", "."};
  std::uint64_t state = 7;
  auto next = [&state] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return state >> 33U;
  };
  std::int64_t words = 0;
  for (int s = 0; s < 60; ++s) {
    std::vector<std::string> sentence;
    const auto length = 2 + next() % 9;
    for (std::uint64_t w = 0; w < length; ++w) {
      sentence.push_back(vocabulary[next() % (1 + next() % vocabulary.size())]);
    }
    words += static_cast<std::int64_t>(sentence.size());
    content.sentences.push_back(sentence);
  }
  for (std::int64_t layer = 0; layer <= 2; ++layer) {
    auto& values = content.layers[layer];
    for (std::int64_t q = 0; q < words * content.hidden; ++q) {
      values.push_back(static_cast<float>(next() % 10007) / 1000.0F);
    }
  }
  return content;
}

}  // namespace

TEST_F(Cli, LayersClusterInGroupsWithTheSameResultsAtEveryRankCount) {
  const auto content = small_activations();
  const auto act = dir_ / "act.h5";
  store::write_activations_file(act, content);
  const std::string selection = " --min-freq 3 --max-per-type 12 --drop-freq 150 --max-words 10";
  // The points each layer's clustering must see: the selected rows, written as a ConceptX file
  // and clustered with --points (the path the other tests check against fastcluster).
  const auto info = store::read_activations_info(act);
  const auto selected = conceptlens::select::select_tokens(info.lines, info.sentence_offsets, {3, 12, 150, 10});
  ASSERT_GT(selected.rows.size(), 30U);
  ASSERT_LT(selected.rows.size(), static_cast<std::size_t>(info.words));
  for (std::int64_t layer = 0; layer <= 2; ++layer) {
    std::vector<float> rows;
    for (const auto r : selected.rows) {
      const auto& values = content.layers.at(layer);
      rows.insert(rows.end(), values.begin() + r * 6, values.begin() + (r + 1) * 6);
    }
    store::write_npy_matrix(dir_ / ("layer" + std::to_string(layer) + ".npy"), rows.data(),
                            static_cast<std::int64_t>(selected.rows.size()), 6);
    const auto result = run(1, "cluster --points " + (dir_ / ("layer" + std::to_string(layer) + ".npy")).string() +
                                   " --k 4,9 --out " + (dir_ / ("expected" + std::to_string(layer) + ".h5")).string());
    ASSERT_EQ(result.code, 0) << result.output;
  }
  for (int ranks = 1; ranks <= 4; ++ranks) {  // 4 ranks, 3 layers: groups of 2, 1 and 1 rank
    for (const std::string mode : {"matrix", "vector"}) {
      SCOPED_TRACE(std::to_string(ranks) + " rank(s), " + mode);
      const auto out = dir_ / ("layers-" + mode + std::to_string(ranks));
      const auto result = run(ranks, "cluster --activations " + act.string() + " --layers all --k 9,4 --mode " + mode +
                                         selection + " --out " + out.string() + " --conceptx-dir " +
                                         (out / "conceptx").string());
      ASSERT_EQ(result.code, 0) << result.output;
      for (const char* layer : {"layer-0", "layer-1", "layer-2"}) {
        EXPECT_TRUE(fs::exists(out / "conceptx" / layer / "clusters-9.txt")) << layer;
      }
      for (std::int64_t layer = 0; layer <= 2; ++layer) {
        const auto got = store::read_clusters_file(out / ("layer-" + std::to_string(layer) + ".h5"));
        const auto expected = store::read_clusters_file(dir_ / ("expected" + std::to_string(layer) + ".h5"));
        EXPECT_EQ(got.layer, layer);
        EXPECT_EQ(got.labels, expected.labels);
        ASSERT_EQ(got.linkage.merges.size(), expected.linkage.merges.size());
        for (std::size_t q = 0; q < got.linkage.merges.size(); ++q) {
          EXPECT_EQ(got.linkage.merges[q].a, expected.linkage.merges[q].a);
          EXPECT_NEAR(got.linkage.merges[q].height, expected.linkage.merges[q].height,
                      1e-9 * expected.linkage.merges[q].height);
        }
        for (std::size_t p = 0; p < selected.rows.size(); ++p) {
          const auto r = static_cast<std::size_t>(selected.rows[p]);
          EXPECT_EQ(got.sentence[p], info.sentence[r]);
          EXPECT_EQ(got.word[p], info.position[r]);
        }
      }
    }
  }
}

TEST_F(Cli, OneLayerWritesTheGivenFileWithConceptxKeys) {
  const auto act = dir_ / "act.h5";
  store::write_activations_file(act, small_activations());
  fs::create_directories(dir_ / "conceptx");
  const auto result = run(2, "cluster --activations " + act.string() + " --layer 1 --k 3 --out " +
                                 (dir_ / "one.h5").string() + " --conceptx-dir " + (dir_ / "conceptx").string());
  ASSERT_EQ(result.code, 0) << result.output;
  EXPECT_EQ(store::read_clusters_file(dir_ / "one.h5").layer, 1);
  const auto text = read_file(dir_ / "conceptx" / "clusters-3.txt");
  const auto info = store::read_activations_info(act);
  // First line: the first word, its first occurrence, sentence 0, position 0.
  EXPECT_EQ(text.substr(0, text.find('\n')).rfind(info.word_text[0] + "|||1|||0|||0|||", 0), 0U) << text.substr(0, 80);
  EXPECT_EQ(static_cast<std::int64_t>(count(text, "\n")), info.words);
}

TEST_F(Cli, MissingLayerAndBadActivationFilesAreRejected) {
  const auto act = dir_ / "act.h5";
  store::write_activations_file(act, small_activations());
  expect_failure("cluster --activations " + act.string() + " --layers 0,7 --k 3 --out " + (dir_ / "out").string(), 2,
                 {act.string(), "missing layer 7", "0, 1, 2"});
  expect_failure("cluster --activations " + act.string() + " --layers all --k 100000 --out " + (dir_ / "out").string(),
                 2, {act.string(), "--k 100000", "selected"});
  // A layer of another shape than the others (written dataset by dataset, as a broken writer would).
  const auto info = store::read_activations_info(act);
  const auto odd = dir_ / "odd.h5";
  {
    auto file = store::h5::File::create(odd);
    const auto words = static_cast<std::uint64_t>(info.words);
    file.write_dataset("/layers/0", std::vector<float>(words * 6, 1.0F), {words, 6});
    file.write_dataset("/layers/1", std::vector<float>(words * 5, 1.0F), {words, 5});
    file.write_dataset("/words/sentence", info.sentence, {words});
    file.write_dataset("/words/position", info.position, {words});
    file.write_dataset("/sentences/offset", info.sentence_offsets, {info.sentence_offsets.size()});
    std::string corpus;
    for (std::int64_t s = 0; s < info.sentences(); ++s) {
      for (auto r = info.sentence_offsets[s]; r < info.sentence_offsets[s + 1]; ++r) {
        corpus += info.word_text[r] + (r + 1 < info.sentence_offsets[s + 1] ? " " : "\n");
      }
    }
    file.write_dataset("/corpus/text", std::vector<std::uint8_t>(corpus.begin(), corpus.end()), {corpus.size()});
    for (const char* name : {"model", "architecture", "aggregation", "corpus_checksum", "tool_version"}) {
      file.write_string_attribute("/", name, name == std::string("aggregation") ? "last" : "x");
    }
    file.write_int_attribute("/", "hidden_size", 6);
    file.write_int_attribute("/", "num_layers", 1);
    file.close();
  }
  expect_failure("cluster --activations " + odd.string() + " --layers all --k 3 --out " + (dir_ / "out").string(), 2,
                 {odd.string(), "/layers/1"});
}
