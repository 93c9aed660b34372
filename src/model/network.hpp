#pragma once
// The part of an Encoder that computes, one class per family of architectures, and the pieces
// they share (LibTorch: included only by the model's .cpp files):
//   post_ln_encoder.cpp  BERT, RoBERTa/XLM-R, ALBERT, DistilBERT (post-LN encoders)
//   gpt2.cpp             GPT-2 (pre-LN decoder, Conv1D products, learned positions)
//   llama.cpp            Llama (pre-RMSNorm decoder, rotary positions, grouped-query
//                        attention, SwiGLU)
// Every network computes in the dtype of its weights (float32 or bfloat16); attention
// probabilities are always computed in float32. A batch is padded after each sentence: the
// encoders mask the padding, and for the decoders causal attention never looks from a
// sentence's tokens to the padding after it, so every sentence's positions and attention are
// those it has alone.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <functional>
#include <memory>

#include "model/model_config.hpp"
#include "model/weights.hpp"

namespace conceptlens::model {

/// A batch as the networks see it.
struct NetworkInput {
  at::Tensor ids;       ///< int64 [batch, length], each row a sentence then padding
  at::Tensor lengths;   ///< int64 [batch]: real tokens per row
  bool padded = false;  ///< some row is shorter than `length`
};

/// Receives hidden state `layer` (0 = embedding output), [batch, length, hidden], compute dtype.
using LayerSink = std::function<void(std::int64_t layer, const at::Tensor& hidden)>;

class Network {
 public:
  virtual ~Network() = default;
  /// Computes hidden states 0..`through` in order, handing each to `sink`; returns the last.
  /// Hidden state num_hidden_layers is the model's output (the decoders' final norm applied).
  virtual at::Tensor run(const NetworkInput& input, std::int64_t through, const LayerSink& sink) const = 0;
  /// The sequence-classification head's logits [batch, classes] from the model's output.
  virtual at::Tensor logits(const at::Tensor& output, const NetworkInput& input) const = 0;
};

std::unique_ptr<Network> make_post_ln_encoder(const ModelConfig& config, const Weights& weights, bool with_head);
std::unique_ptr<Network> make_gpt2(const ModelConfig& config, const Weights& weights, bool with_head);
std::unique_ptr<Network> make_llama(const ModelConfig& config, const Weights& weights, bool with_head);

// ---- shared pieces ----------------------------------------------------------------------------

/// nn.Linear: x W^T + b (`bias` may be undefined).
struct Linear {
  at::Tensor weight;  ///< [out, in]
  at::Tensor bias;    ///< [out]
  at::Tensor operator()(const at::Tensor& x) const;
};
/// `name`.weight and, when the specs have it, `name`.bias.
Linear read_linear(const Weights& weights, const std::string& name);

/// nn.LayerNorm over the last dimension.
struct LayerNorm {
  at::Tensor weight;
  at::Tensor bias;
  double eps = 1e-12;
  at::Tensor operator()(const at::Tensor& x) const;
};
LayerNorm read_layer_norm(const Weights& weights, const std::string& name, double eps);

/// transformers' ACT2FN[name] for the activations of ModelConfig.
at::Tensor activate(Activation activation, const at::Tensor& x);

/// softmax(q k^T / divisor + mask) v for q [batch, heads, T, d] and k, v [batch, kv_heads, T, d]
/// (grouped-query attention: each key/value head serves heads / kv_heads query heads, as
/// transformers' repeat_kv); `mask` is additive float32, broadcast to [batch, heads, T, T], or
/// undefined. Scores and probabilities in float32. Returns [batch, T, heads * d].
at::Tensor attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const at::Tensor& mask,
                     double divisor);

/// transformers' extended attention mask of an encoder: [batch, 1, 1, length], 0 for real
/// tokens and the lowest float for padding; undefined when nothing is padded.
at::Tensor padding_mask(const NetworkInput& input);
/// The causal mask of a decoder: [length, length], 0 on and below the diagonal, the lowest
/// float above it.
at::Tensor causal_mask(std::int64_t length);

/// The rows [batch, hidden] of `hidden` [batch, length, hidden] at each sentence's last token.
at::Tensor last_tokens(const at::Tensor& hidden, const NetworkInput& input);

}  // namespace conceptlens::model
