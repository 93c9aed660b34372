// The sequence-classification heads of RoBERTa, DistilBERT, GPT-2 and Llama. The fixtures are
// base models, so each test writes a task checkpoint of one: the fixture's tensors under the
// base prefix the *ForSequenceClassification class gives them ("roberta.", "distilbert.",
// "transformer.", "model."), a head of known values and three labels in config.json. The
// logits of all 20 fixture sentences in one padded batch must equal the head applied, here,
// to transformers' own last hidden states (tests/data/hf_families): on the first token through
// RobertaClassificationHead (out_proj(tanh(dense))) or DistilBERT's pre_classifier + relu +
// classifier; on each sentence's last token through the bias-free score of GPT-2 and Llama.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "hf_fixtures.hpp"
#include "model/encoder.hpp"
#include "safetensors_test_files.hpp"
#include "store/hdf5.hpp"
#include "test_support.hpp"

namespace conceptlens::model {
namespace {

namespace fs = std::filesystem;
namespace h5 = conceptlens::store::h5;
using conceptlens::testing::hf_sentence_group;
using conceptlens::testing::raw_bytes;
using conceptlens::testing::RawTensor;
using conceptlens::testing::read_file;
using conceptlens::testing::read_raw_tensors;
using conceptlens::testing::safetensors_bytes;
using conceptlens::testing::ScratchDir;
using conceptlens::testing::test_data_dir;
using conceptlens::testing::write_file;
using Json = nlohmann::json;

constexpr std::int64_t kClasses = 3;

/// A row-major [rows, cols] matrix of known, varied values.
std::vector<float> known_values(std::int64_t rows, std::int64_t cols, float seed) {
  std::vector<float> values;
  for (std::int64_t i = 0; i < rows * cols; ++i) values.push_back(0.3F * std::sin(seed + 0.7F * static_cast<float>(i)));
  return values;
}

/// W x + b (b may be empty) for W [rows, x.size()].
std::vector<double> apply(const std::vector<float>& w, const std::vector<float>& b, const std::vector<float>& x) {
  const std::size_t rows = w.size() / x.size();
  std::vector<double> out(rows);
  for (std::size_t r = 0; r < rows; ++r) {
    double sum = b.empty() ? 0.0 : b[r];
    for (std::size_t c = 0; c < x.size(); ++c) sum += static_cast<double>(w[r * x.size() + c]) * x[c];
    out[r] = sum;
  }
  return out;
}

struct Head {
  std::string prefix;      ///< the base model's prefix in the task checkpoint
  std::string class_name;  ///< config.json's architectures
  bool last_token;         ///< pooled at the last token (decoders) or the first
};

Head head_of(const std::string& model) {
  if (model == "roberta") return {"roberta.", "RobertaForSequenceClassification", false};
  if (model == "distilbert") return {"distilbert.", "DistilBertForSequenceClassification", false};
  if (model == "gpt2") return {"transformer.", "GPT2ForSequenceClassification", true};
  return {"model.", "LlamaForSequenceClassification", true};
}

class Heads : public ::testing::TestWithParam<std::string> {};

TEST_P(Heads, LogitsOfAPaddedBatchAreTheHeadOnTransformersHiddenStates) {
  const std::string model = GetParam();
  const fs::path fixtures = test_data_dir() / "hf_families";
  const fs::path fixture = fixtures / "models" / model;
  const Head head = head_of(model);
  ScratchDir dir;
  for (const auto& entry : fs::directory_iterator(fixture)) {
    const std::string name = entry.path().filename().string();
    if (name != "model.safetensors" && name != "pytorch_model.bin" && name != "config.json") {
      fs::copy_file(entry.path(), dir / name);
    }
  }
  Json config = Json::parse(read_file(fixture / "config.json"));
  config["architectures"] = {head.class_name};
  config["id2label"] = {{"0", "a"}, {"1", "b"}, {"2", "c"}};
  write_file(dir / "config.json", config.dump());
  const std::int64_t h = config.contains("dim")      ? config["dim"].get<std::int64_t>()
                         : config.contains("n_embd") ? config["n_embd"].get<std::int64_t>()
                                                     : config["hidden_size"].get<std::int64_t>();

  std::vector<RawTensor> tensors = read_raw_tensors(fixture / "model.safetensors");
  for (RawTensor& tensor : tensors) tensor.name = head.prefix + tensor.name;
  std::vector<float> dense_w, dense_b, out_w, out_b;
  if (head.last_token) {
    out_w = known_values(kClasses, h, 1.0F);
    tensors.push_back({"score.weight", "F32", {kClasses, h}, raw_bytes(out_w)});
  } else {
    dense_w = known_values(h, h, 2.0F);
    dense_b = known_values(1, h, 3.0F);
    out_w = known_values(kClasses, h, 4.0F);
    out_b = known_values(1, kClasses, 5.0F);
    const std::string dense = model == "roberta" ? "classifier.dense" : "pre_classifier";
    const std::string out = model == "roberta" ? "classifier.out_proj" : "classifier";
    tensors.push_back({dense + ".weight", "F32", {h, h}, raw_bytes(dense_w)});
    tensors.push_back({dense + ".bias", "F32", {h}, raw_bytes(dense_b)});
    tensors.push_back({out + ".weight", "F32", {kClasses, h}, raw_bytes(out_w)});
    tensors.push_back({out + ".bias", "F32", {kClasses}, raw_bytes(out_b)});
  }
  write_file(dir / "model.safetensors", safetensors_bytes(tensors));

  // all 20 sentences in one batch, padded after each
  const h5::File reference = h5::File::open_read_only(fixtures / (model + ".h5"));
  const Encoder encoder(dir.path(), true);
  ASSERT_EQ(encoder.num_labels(), kClasses);
  std::vector<std::vector<std::int64_t>> sentences;
  std::int64_t length = 0;
  for (std::size_t s = 0; s < 20; ++s) {
    sentences.push_back(reference.read_dataset<std::int64_t>(hf_sentence_group(s) + "input_ids").values);
    length = std::max(length, static_cast<std::int64_t>(sentences.back().size()));
  }
  std::vector<std::int64_t> ids(static_cast<std::size_t>(20 * length), encoder.config().padding_id());
  std::vector<std::int64_t> lengths;
  for (std::size_t s = 0; s < 20; ++s) {
    std::copy(sentences[s].begin(), sentences[s].end(), ids.begin() + static_cast<std::ptrdiff_t>(s) * length);
    lengths.push_back(static_cast<std::int64_t>(sentences[s].size()));
  }
  std::vector<float> logits(static_cast<std::size_t>(20 * kClasses));
  encoder.forward(
      PaddedBatch{ids, lengths, 20, length}, {}, [](std::int64_t, std::span<const float>) {}, logits);

  double worst = 0;
  for (std::size_t s = 0; s < 20; ++s) {
    const auto states = reference.read_dataset<float>(hf_sentence_group(s) + "hidden_states");  // [L+1, T, H]
    const std::size_t tokens = states.dims[1];
    const std::size_t row = (states.dims[0] - 1) * tokens + (head.last_token ? tokens - 1 : 0);
    const std::vector<float> x(
        states.values.begin() + static_cast<std::ptrdiff_t>(row * static_cast<std::size_t>(h)),
        states.values.begin() + static_cast<std::ptrdiff_t>((row + 1) * static_cast<std::size_t>(h)));
    std::vector<double> expected;
    if (head.last_token) {
      expected = apply(out_w, {}, x);
    } else {
      std::vector<float> pooled;
      for (const double v : apply(dense_w, dense_b, x)) {
        pooled.push_back(static_cast<float>(model == "roberta" ? std::tanh(v) : std::max(v, 0.0)));
      }
      expected = apply(out_w, out_b, pooled);
    }
    for (std::int64_t c = 0; c < kClasses; ++c) {
      worst = std::max(worst, std::abs(expected[static_cast<std::size_t>(c)] -
                                       logits[s * static_cast<std::size_t>(kClasses) + static_cast<std::size_t>(c)]));
    }
  }
  std::printf("%s: %s in a padded batch of 20, max |logit - head on transformers' hidden states| = %.3g\n",
              model.c_str(), head.class_name.c_str(), worst);
  EXPECT_LE(worst, 1e-5);
}

INSTANTIATE_TEST_SUITE_P(Families, Heads, ::testing::Values("roberta", "distilbert", "gpt2", "llama"));

}  // namespace
}  // namespace conceptlens::model
