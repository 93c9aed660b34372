// Extraction against what transformers 4.31 and NeuroX computed (tests/data/hf and
// tests/data/hf_families, see their FIXTURES.md): token ids exact; every hidden state of every
// sentence, the NeuroX word vectors of every aggregation and the classifier's logits within
// atol 1e-5 — one sentence at a time (NeuroX's way) and all sentences in one padded batch
// (ours) — for BERT, ALBERT, XLM-R, a BERT classifier, RoBERTa, DistilBERT, GPT-2 and Llama.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "extract/word_vectors.hpp"
#include "model/encoder.hpp"
#include "store/hdf5.hpp"
#include "hf_fixtures.hpp"
#include "test_support.hpp"
#include "tokenize/tokenizer.hpp"

namespace fs = std::filesystem;
using conceptlens::testing::hf_sentence_group;
using conceptlens::testing::max_abs_difference;
namespace h5 = conceptlens::store::h5;
using conceptlens::extract::Aggregation;
using conceptlens::model::Encoder;
using conceptlens::model::PaddedBatch;
using conceptlens::testing::test_data_dir;

namespace {

constexpr double kTolerance = 1e-5;

std::vector<std::string> read_lines(const fs::path& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

/// All hidden states of one run, [layers, batch, length, hidden].
std::vector<std::vector<float>> run_all_layers(const Encoder& encoder, const PaddedBatch& batch,
                                               std::vector<float>* logits = nullptr) {
  std::vector<std::int64_t> layers;
  for (std::int64_t l = 0; l < encoder.num_hidden_states(); ++l) layers.push_back(l);
  std::vector<std::vector<float>> states;
  encoder.forward(
      batch, layers, [&](std::int64_t, std::span<const float> values) { states.emplace_back(values.begin(), values.end()); },
      logits != nullptr ? std::span<float>(*logits) : std::span<float>());
  return states;
}

/// "<fixture set>/<model>": the set's folder under tests/data and the model's name.
class Golden : public ::testing::TestWithParam<std::string> {
 protected:
  fs::path hf() const { return test_data_dir() / GetParam().substr(0, GetParam().find('/')); }
  std::string model_name() const { return GetParam().substr(GetParam().find('/') + 1); }
};

TEST_P(Golden, OneSentenceAtATimeMatchesTransformersAndNeurox) {
  const std::string model = model_name();
  const h5::File reference = h5::File::open_read_only(hf() / (model + ".h5"));
  const bool head = model == "bert_seqcls";
  const Encoder encoder(hf() / "models" / model, head);
  const auto tokenizer = conceptlens::tokenize::load_tokenizer(hf() / "models" / model);
  const std::vector<std::string> sentences = read_lines(hf() / "sentences.txt");
  ASSERT_EQ(sentences.size(), 20u);
  const std::int64_t hidden = encoder.hidden_size();
  double worst_state = 0;
  double worst_word = 0;
  for (std::size_t s = 0; s < sentences.size(); ++s) {
    SCOPED_TRACE(model + " sentence " + std::to_string(s));
    const std::string group = hf_sentence_group(s);
    const auto encoding = tokenizer->encode_sentence(sentences[s]);
    const auto ids = reference.read_dataset<std::int64_t>(group + "input_ids");
    ASSERT_EQ(encoding.input_ids, ids.values);

    const auto length = static_cast<std::int64_t>(ids.values.size());
    const std::vector<std::int64_t> lengths = {length};
    std::vector<float> logits(static_cast<std::size_t>(encoder.num_labels()));
    const auto states = run_all_layers(encoder, PaddedBatch{ids.values, lengths, 1, length}, head ? &logits : nullptr);
    const auto expected = reference.read_dataset<float>(group + "hidden_states");
    ASSERT_EQ(static_cast<std::int64_t>(states.size()), static_cast<std::int64_t>(expected.dims[0]));
    std::vector<float> all;
    for (const auto& layer : states) all.insert(all.end(), layer.begin(), layer.end());
    worst_state = std::max(worst_state, max_abs_difference(all, expected.values));
    if (head) {
      EXPECT_LE(max_abs_difference(logits, reference.read_dataset<float>(group + "logits").values), kTolerance);
    }

    for (const Aggregation aggregation : {Aggregation::last, Aggregation::first, Aggregation::average}) {
      const std::string name = conceptlens::extract::aggregation_name(aggregation);
      const auto words = reference.read_dataset<float>(group + "neurox/" + name);  // [L+1, Wout, H]
      ASSERT_EQ(static_cast<std::int64_t>(words.dims[1]), encoding.num_words_out) << name;
      std::vector<float> got;
      for (const auto& layer : states) {
        std::vector<float> rows(static_cast<std::size_t>(encoding.num_words_out * hidden));
        conceptlens::extract::word_vectors(encoding, aggregation, layer, hidden, rows);
        got.insert(got.end(), rows.begin(), rows.end());
      }
      worst_word = std::max(worst_word, max_abs_difference(got, words.values));
      // dropped words are all zeros, exactly
      for (std::size_t i = 0; i < got.size(); ++i) {
        if (words.values[i] == 0.0F) {
          ASSERT_EQ(got[i], 0.0F) << name << " element " << i;
        }
      }
    }
  }
  EXPECT_LE(worst_state, kTolerance);
  EXPECT_LE(worst_word, kTolerance);
  std::printf("%s: max |hidden state - transformers| = %.3g, max |word vector - NeuroX| = %.3g\n", model.c_str(),
              worst_state, worst_word);
}

TEST_P(Golden, OnePaddedBatchMatchesTransformers) {
  const std::string model = model_name();
  const h5::File reference = h5::File::open_read_only(hf() / (model + ".h5"));
  const Encoder encoder(hf() / "models" / model, false);
  std::vector<std::vector<std::int64_t>> sentences;
  std::int64_t length = 0;
  for (std::size_t s = 0; s < 20; ++s) {
    sentences.push_back(reference.read_dataset<std::int64_t>(hf_sentence_group(s) + "input_ids").values);
    length = std::max(length, static_cast<std::int64_t>(sentences.back().size()));
  }
  const auto batch = static_cast<std::int64_t>(sentences.size());
  std::vector<std::int64_t> ids(static_cast<std::size_t>(batch * length), encoder.config().padding_id());
  std::vector<std::int64_t> lengths;
  for (std::int64_t b = 0; b < batch; ++b) {
    const auto& sentence = sentences[static_cast<std::size_t>(b)];
    std::copy(sentence.begin(), sentence.end(), ids.begin() + b * length);
    lengths.push_back(static_cast<std::int64_t>(sentence.size()));
  }
  const auto states = run_all_layers(encoder, PaddedBatch{ids, lengths, batch, length});
  const auto hidden = static_cast<std::size_t>(encoder.hidden_size());
  double worst = 0;
  for (std::size_t s = 0; s < sentences.size(); ++s) {
    const auto expected = reference.read_dataset<float>(hf_sentence_group(s) + "hidden_states");
    const std::size_t tokens = sentences[s].size();
    std::vector<float> got;
    for (const auto& layer : states) {
      const auto first = layer.begin() + static_cast<std::ptrdiff_t>(s * static_cast<std::size_t>(length) * hidden);
      got.insert(got.end(), first, first + static_cast<std::ptrdiff_t>(tokens * hidden));
    }
    worst = std::max(worst, max_abs_difference(got, expected.values));
  }
  EXPECT_LE(worst, kTolerance);
  std::printf("%s: padded batch of 20, max |hidden state - transformers| = %.3g\n", model.c_str(), worst);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, Golden,
                         ::testing::Values("hf/bert_cased", "hf/albert", "hf/xlm_roberta", "hf/bert_seqcls",
                                           "hf_families/roberta", "hf_families/distilbert", "hf_families/gpt2",
                                           "hf_families/llama"),
                         [](const ::testing::TestParamInfo<std::string>& param) {
                           return param.param.substr(param.param.find('/') + 1);
                         });

}  // namespace
