#pragma once
// What goes into the model for a batch of sentences, and the class that comes out of its head:
// shared by extraction (every word's vectors, --predictions) and the adversarial triggers (the
// predicted class of every triggered sentence), so that both run the classifier the same way.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "extract/batch_plan.hpp"
#include "model/encoder.hpp"
#include "model/model_config.hpp"
#include "tokenize/tokenizer.hpp"

namespace conceptlens::extract {

/// The ids of a batch's sentences, each padded to the batch's length, and their
/// token types (padding: 0) when a sentence of the batch has any (a sentence pair).
struct PaddedInput {
  std::vector<std::int64_t> ids;          ///< [batch, length] row-major
  std::vector<std::int64_t> token_types;  ///< [batch, length] or empty: all 0
  std::vector<std::int64_t> lengths;      ///< [batch]: real ids of each row
  std::int64_t batch = 0;
  std::int64_t length = 0;

  /// The encoder's view of it (valid while this object lives).
  model::PaddedBatch view() const { return {ids, lengths, batch, length, token_types}; }
};

/// Checks that a sentence's ids fit the model's position table. InputError starting with
/// `where` otherwise, naming max_position_embeddings and the tokenizer's `model_max_length`
/// (0: none) that should have cut them.
void check_fits_model(const tokenize::SentenceEncoding& encoding, const model::ModelConfig& config,
                      std::int64_t model_max_length, const std::string& where);

/// The input of `batch`, whose sentences index `encodings`, padded with `padding_id`
/// (ModelConfig::padding_id).
PaddedInput pad_batch(const std::vector<tokenize::SentenceEncoding>& encodings, const Batch& batch,
                      std::int64_t padding_id);

/// The class of every row of `logits` ([rows, classes] row-major): the argmax, the first of equal
/// maxima (as torch.argmax).
std::vector<std::int32_t> predicted_classes(std::span<const float> logits, std::int64_t classes);

}  // namespace conceptlens::extract
