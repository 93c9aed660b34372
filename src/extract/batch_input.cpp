#include "extract/batch_input.hpp"

#include <algorithm>

#include "util/error.hpp"

namespace conceptlens::extract {

void check_fits_model(const tokenize::SentenceEncoding& encoding, const model::ModelConfig& config,
                      std::int64_t model_max_length, const std::string& where) {
  const auto tokens = static_cast<std::int64_t>(encoding.input_ids.size());
  if (tokens > config.max_tokens()) {
    throw InputError(where + std::to_string(tokens) + " tokens do not fit the " + std::to_string(config.max_tokens()) +
                     " positions of the model (max_position_embeddings in config.json), and the tokenizer has " +
                     (model_max_length == 0 ? std::string("no model_max_length")
                                            : "model_max_length " + std::to_string(model_max_length)) +
                     " to truncate at (tokenizer_config.json)");
  }
}

PaddedInput pad_batch(const std::vector<tokenize::SentenceEncoding>& encodings, const Batch& batch,
                      std::int64_t padding_id) {
  PaddedInput input;
  input.batch = static_cast<std::int64_t>(batch.sentences.size());
  input.length = batch.length;
  input.ids.assign(static_cast<std::size_t>(input.batch * input.length), padding_id);
  for (std::int64_t b = 0; b < input.batch; ++b) {
    const auto& sentence = encodings[static_cast<std::size_t>(batch.sentences[static_cast<std::size_t>(b)])];
    const auto& ids = sentence.input_ids;
    CONCEPTLENS_CHECK(static_cast<std::int64_t>(ids.size()) <= input.length);
    std::copy(ids.begin(), ids.end(), input.ids.begin() + b * input.length);
    input.lengths.push_back(static_cast<std::int64_t>(ids.size()));
    if (sentence.token_type_ids.empty()) continue;
    CONCEPTLENS_CHECK(sentence.token_type_ids.size() == ids.size());
    if (input.token_types.empty()) input.token_types.assign(input.ids.size(), 0);
    std::copy(sentence.token_type_ids.begin(), sentence.token_type_ids.end(),
              input.token_types.begin() + b * input.length);
  }
  return input;
}

std::vector<std::int32_t> predicted_classes(std::span<const float> logits, std::int64_t classes) {
  CONCEPTLENS_CHECK(classes > 0 && logits.size() % static_cast<std::size_t>(classes) == 0);
  std::vector<std::int32_t> predicted;
  for (std::size_t row = 0; row < logits.size(); row += static_cast<std::size_t>(classes)) {
    const auto first = logits.begin() + static_cast<std::ptrdiff_t>(row);
    predicted.push_back(static_cast<std::int32_t>(std::max_element(first, first + classes) - first));
  }
  return predicted;
}

}  // namespace conceptlens::extract
