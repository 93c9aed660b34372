#pragma once
// A Hugging Face encoder (BERT, RoBERTa/XLM-R, ALBERT) in LibTorch, built from a checkpoint
// folder: the hidden states of every layer for a batch of token id sequences, computed as
// transformers 4.31 computes them (post-LN layers, explicit softmax attention, an additive
// attention mask for padding), in inference mode. LibTorch stays inside encoder.cpp: this
// header is plain C++.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>

#include "model/model_config.hpp"

namespace conceptlens::model {

/// A batch of sentences padded to one length: ids row-major [batch, length]; row b holds
/// lengths[b] real ids and pad ids after them. Token types (a sentence pair's second segment),
/// row-major [batch, length], or empty: all 0.
struct PaddedBatch {
  std::span<const std::int64_t> ids;
  std::span<const std::int64_t> lengths;
  std::int64_t batch = 0;
  std::int64_t length = 0;
  std::span<const std::int64_t> token_types = {};
};

/// Receives one hidden state: `layer` (0 = embedding output) and its values, row-major
/// [batch, length, hidden] float32 (rows past a sentence's length are padding, unspecified).
using HiddenStateSink = std::function<void(std::int64_t layer, std::span<const float> values)>;

class Encoder {
 public:
  /// Reads config.json and the weights of `model_dir` (see load_weights); with `with_head`
  /// also the sequence-classification head, which classify() needs. InputError naming the file.
  Encoder(const std::filesystem::path& model_dir, bool with_head);
  ~Encoder();
  Encoder(Encoder&&) noexcept;
  Encoder& operator=(Encoder&&) noexcept;

  const ModelConfig& config() const;
  /// num_hidden_layers + 1: the hidden states a forward pass gives (embedding output first).
  std::int64_t num_hidden_states() const;
  std::int64_t hidden_size() const;
  /// Classes of the head (0 without one).
  std::int64_t num_labels() const;

  /// Runs the batch and hands `sink` the hidden state of every layer in `layers` (ascending,
  /// each in [0, num_hidden_states)), in that order. With `logits` (size batch * num_labels(),
  /// only with a head) also stores the head's logits per sentence. std::invalid_argument for
  /// ids outside the vocabulary, token types outside type_vocab_size or a length beyond the
  /// position table.
  void forward(const PaddedBatch& batch, std::span<const std::int64_t> layers, const HiddenStateSink& sink,
               std::span<float> logits = {}) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// LibTorch's intra-op threads for this process (at::set_num_threads).
void set_torch_threads(int threads);

}  // namespace conceptlens::model
