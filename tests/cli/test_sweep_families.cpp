// `conceptlens sweep` over the model families beyond BERT: the decoder and RoBERTa fixtures
// (tests/data/hf_families) and a GPT-2 classifier made from one, planned, run, summarised and
// reported like the bundled BERT models.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "cli_support.hpp"
#include "safetensors_test_files.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;
using conceptlens::testing::Cli;
using conceptlens::testing::read_file;
using conceptlens::testing::run;
using conceptlens::testing::write_file;
using Json = nlohmann::json;

namespace {

const fs::path kJobs = fs::path(CONCEPTLENS_SOURCE_DIR) / "jobs";

}  // namespace

// GPT-2, a GPT-2 classifier fine-tuned from it (the fixture with a score head of known values),
// Llama and RoBERTa over 300 SST-2 sentences, layers as each model has them: planned with their
// families and memory, run on 2 ranks, summarised and reported like the others.
TEST_F(Cli, SweepTakesDecodersAndRoberta) {
  namespace testing = conceptlens::testing;
  const fs::path families = fs::path(CONCEPTLENS_SOURCE_DIR) / "tests/data/hf_families/models";
  const fs::path classifier = dir_ / "gpt2-sst2";
  fs::create_directories(classifier);
  for (const auto& entry : fs::directory_iterator(families / "gpt2")) {
    if (entry.path().filename() == "pytorch_model.bin") continue;
    fs::copy_file(entry.path(), classifier / entry.path().filename());
  }
  Json config = Json::parse(read_file(classifier / "config.json"));
  config["architectures"] = {"GPT2ForSequenceClassification"};
  config["id2label"] = {{"0", "negative"}, {"1", "positive"}};
  write_file(classifier / "config.json", config.dump());
  std::vector<testing::RawTensor> tensors = testing::read_raw_tensors(classifier / "model.safetensors");
  std::vector<float> score(64);
  for (std::size_t i = 0; i < score.size(); ++i) score[i] = 0.2F * std::sin(static_cast<float>(i));
  tensors.push_back({"score.weight", "F32", {2, 32}, testing::raw_bytes(score)});
  write_file(classifier / "model.safetensors", testing::safetensors_bytes(tensors));

  std::string corpus;
  std::string classes;
  const std::string all_corpus = read_file(kJobs / "data/sst2/sst2-dev.in");
  const std::string all_classes = read_file(kJobs / "data/sst2/sst2-dev.classes");
  for (std::size_t line = 0, a = 0, b = 0; line < 300; ++line) {
    const std::size_t a_end = all_corpus.find('\n', a) + 1;
    const std::size_t b_end = all_classes.find('\n', b) + 1;
    corpus += all_corpus.substr(a, a_end - a);
    classes += all_classes.substr(b, b_end - b);
    a = a_end;
    b = b_end;
  }
  write_file(dir_ / "sst2.in", corpus);
  write_file(dir_ / "sst2.classes", classes);
  const auto model = [&](const std::string& name, const fs::path& path, const std::string& base = "") {
    return "[[model]]\nname = \"" + name + "\"\npath = \"" + path.string() + "\"\n" +
           (base.empty() ? "" : "base = \"" + base + "\"\n");
  };
  write_file(dir_ / "families.toml",
             "study = \"families\"\nlayers = \"all\"\nk = [20]\n[cluster]\nmax_per_type = 10\n" +
                 model("gpt2", families / "gpt2") + model("gpt2-sst2", classifier, "gpt2") +
                 model("llama", families / "llama") + model("roberta", families / "roberta") +
                 "[[corpus]]\nname = \"sst2\"\npath = \"" + (dir_ / "sst2.in").string() +
                 "\"\n  [[corpus.labels]]\n  name = \"sentiment\"\n  path = \"" + (dir_ / "sst2.classes").string() +
                 "\"\n  kind = \"task\"\n");
  const std::string command = "sweep " + (dir_ / "families.toml").string() + " --out " + (dir_ / "out").string();

  const auto plan = run(2, command + " --dry-run");
  ASSERT_EQ(plan.code, 0) << plan.output;
  for (const char* part : {"model gpt2: ", "GPT-2 decoder (gpt2), layers 0 1 2 3 4, hidden 32",
                           "model llama: ", "Llama decoder (llama), layers 0 1 2 3, hidden 32",
                           "RoBERTa encoder (roberta)", "fine-tuned from gpt2, predicts classes",
                           "extract/llama/sst2: all 2 ranks split the corpus; weights 251.88 KiB (float32) + "
                           "activations"}) {
    EXPECT_NE(plan.output.find(part), std::string::npos) << part << "\n" << plan.output;
  }

  const auto result = run(2, command);
  ASSERT_EQ(result.code, 0) << result.output;
  const Json summary = Json::parse(read_file(dir_ / "out/summary.json"));
  std::map<std::string, std::string> family;
  for (const Json& m : summary.at("models")) family[m.at("name")] = m.at("family");
  EXPECT_EQ(family.at("gpt2-sst2"), "GPT-2 decoder (gpt2)");
  EXPECT_EQ(family.at("llama"), "Llama decoder (llama)");
  std::set<std::string> seen;
  for (const Json& r : summary.at("results")) {
    seen.insert(r.at("model").get<std::string>() + "/" + std::to_string(r.at("layer").get<int>()));
    if (r.at("model") == "gpt2-sst2") {
      EXPECT_TRUE(r.at("alignment").contains("predicted")) << r.dump();
      EXPECT_TRUE(r.contains("base")) << r.dump();
    }
  }
  for (const char* expected : {"gpt2/4", "gpt2-sst2/4", "llama/3", "roberta/4", "llama/0"}) {
    EXPECT_EQ(seen.count(expected), 1u) << expected;
  }
  EXPECT_EQ(seen.count("llama/4"), 0u);
  EXPECT_NE(read_file(dir_ / "out/report.html").find("Llama decoder (llama)"), std::string::npos);
}

// A pair corpus (pairs = true) beside a model whose family has no checked pair template (GPT-2,
// Llama): refused when the job is planned, naming the job file, the corpus and the model.
TEST_F(Cli, SweepRefusesSentencePairsForDecoders) {
  const fs::path families = fs::path(CONCEPTLENS_SOURCE_DIR) / "tests/data/hf_families/models";
  write_file(dir_ / "pairs.tsv", "A man sleeps .\tA person rests .\nIt rains .\tThe sun shines .\n");
  for (const auto& [model, family] : {std::pair<std::string, std::string>{"gpt2", "GPT-2 decoder"},
                                      {"llama", "Llama decoder"}}) {
    write_file(dir_ / "pairs.toml", "study = \"pairs\"\nk = [2]\n[[model]]\nname = \"" + model + "\"\npath = \"" +
                                        (families / model).string() + "\"\n[[corpus]]\nname = \"mnli\"\npath = \"" +
                                        (dir_ / "pairs.tsv").string() + "\"\npairs = true\n");
    const auto plan = run(1, "sweep " + (dir_ / "pairs.toml").string() + " --dry-run");
    EXPECT_EQ(plan.code, 2) << plan.output;
    for (const std::string& part : {"pairs.toml: corpus 'mnli' has pairs = true, and model '" + model + "' is a " + family,
                                   std::string("BERT, DistilBERT, ALBERT, XLM-R and RoBERTa models only")}) {
      EXPECT_NE(plan.output.find(part), std::string::npos) << part << "\n" << plan.output;
    }
  }
}
