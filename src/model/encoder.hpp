#pragma once
// A Hugging Face transformer in LibTorch, built from a checkpoint folder: the hidden states of
// every layer for a batch of token id sequences, computed as transformers 4.31 computes them,
// in inference mode — the encoders BERT, RoBERTa/XLM-R, ALBERT, DistilBERT and the decoders
// GPT-2 and Llama (network.hpp has the families). "Encoder" as in "encodes the sentences": a
// decoder's hidden states are read the same way. LibTorch stays inside the model's .cpp files:
// this header is plain C++.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>

#include "model/model_config.hpp"
#include "model/tensor_specs.hpp"

namespace conceptlens::model {

/// A batch of sentences padded to one length: ids row-major [batch, length]; row b holds
/// lengths[b] real ids and padding (ModelConfig::padding_id) after them.
struct PaddedBatch {
  std::span<const std::int64_t> ids;
  std::span<const std::int64_t> lengths;
  std::int64_t batch = 0;
  std::int64_t length = 0;
};

/// Receives one hidden state: `layer` (0 = embedding output) and its values, row-major
/// [batch, length, hidden] float32 (rows past a sentence's length are padding, unspecified).
using HiddenStateSink = std::function<void(std::int64_t layer, std::span<const float> values)>;

class Encoder {
 public:
  /// Reads config.json and the weights of `model_dir` (see load_weights); with `with_head`
  /// also the sequence-classification head, which the logits need. Computes in `dtype` (the
  /// hidden states are handed over in float32 either way). InputError naming the file.
  Encoder(const std::filesystem::path& model_dir, bool with_head, ComputeDtype dtype = ComputeDtype::float32);
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
  /// only with a head) also stores the head's logits per sentence: of the first token for the
  /// encoders, of the last real token for the decoders. std::invalid_argument for ids outside
  /// the vocabulary or more tokens than ModelConfig::max_tokens.
  void forward(const PaddedBatch& batch, std::span<const std::int64_t> layers, const HiddenStateSink& sink,
               std::span<float> logits = {}) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// LibTorch's intra-op threads for this process (at::set_num_threads).
void set_torch_threads(int threads);

}  // namespace conceptlens::model
