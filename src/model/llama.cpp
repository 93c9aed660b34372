// Llama as transformers 4.31's LlamaModel computes it: embeddings embed_tokens(ids) (no
// positions); per layer (pre-norm) x += o_proj(attention(input_layernorm(x))),
// x += down_proj(silu(gate_proj(h)) * up_proj(h)) with h = post_attention_layernorm(x); the
// model's output is norm(x), and so is its last hidden state.
//  * RMSNorm: w * (x / sqrt(mean(x^2) + eps)), the statistics in float32.
//  * Rotary positions (LlamaRotaryEmbedding): inv_freq = 1 / theta^(2i/d), angles t * inv_freq
//    for t = 0..T-1 (rope_scaling linear: t / factor; dynamic scaling changes nothing within
//    max_position_embeddings, and ModelConfig::max_tokens keeps sentences within it), q and k
//    become q cos + rotate_half(q) sin.
//  * Grouped-query attention: num_key_value_heads key/value heads, each serving
//    heads / num_key_value_heads query heads; causal; softmax in float32.
// LlamaForSequenceClassification: score(the last token's output).
#include <ATen/ATen.h>

#include <cmath>
#include <vector>

#include "model/network.hpp"

namespace conceptlens::model {
namespace {

struct RmsNorm {
  at::Tensor weight;
  double eps = 1e-6;
  at::Tensor operator()(const at::Tensor& x) const {
    const at::Tensor x32 = x.to(at::kFloat);
    const at::Tensor normed = x32 * at::rsqrt(x32.pow(2).mean(-1, /*keepdim=*/true) + eps);
    return weight * normed.to(x.scalar_type());
  }
};

struct Layer {
  RmsNorm input_norm;
  Linear q_proj;
  Linear k_proj;
  Linear v_proj;
  Linear o_proj;
  RmsNorm post_attention_norm;
  Linear gate_proj;
  Linear up_proj;
  Linear down_proj;
};

/// rotate_half: the halves of the last dimension as (-x2, x1).
at::Tensor rotate_half(const at::Tensor& x) {
  const std::int64_t half = x.size(-1) / 2;
  return at::cat({-x.narrow(-1, half, half), x.narrow(-1, 0, half)}, -1);
}

class Llama final : public Network {
 public:
  Llama(const ModelConfig& config, const Weights& w, bool with_head) : config_(config) {
    const double eps = config.layer_norm_eps;
    embed_tokens_ = w.at("embed_tokens.weight");
    for (std::int64_t i = 0; i < config.num_hidden_layers; ++i) {
      const std::string p = layer_prefix(config, i);
      layers_.push_back({RmsNorm{w.at(p + "input_layernorm.weight"), eps}, read_linear(w, p + "self_attn.q_proj"),
                         read_linear(w, p + "self_attn.k_proj"), read_linear(w, p + "self_attn.v_proj"),
                         read_linear(w, p + "self_attn.o_proj"),
                         RmsNorm{w.at(p + "post_attention_layernorm.weight"), eps}, read_linear(w, p + "mlp.gate_proj"),
                         read_linear(w, p + "mlp.up_proj"), read_linear(w, p + "mlp.down_proj")});
    }
    norm_ = RmsNorm{w.at("norm.weight"), eps};
    if (with_head) score_ = read_linear(w, "score");
  }

  at::Tensor run(const NetworkInput& input, std::int64_t through, const LayerSink& sink) const override {
    const std::int64_t length = input.ids.size(1);
    const at::Tensor mask = causal_mask(length);
    at::Tensor cos;
    at::Tensor sin;
    rotary_tables(length, embed_tokens_.scalar_type(), cos, sin);
    at::Tensor x = at::embedding(embed_tokens_, input.ids);
    sink(0, x);
    for (std::int64_t i = 0; i < through; ++i) {
      x = apply(layers_[static_cast<std::size_t>(i)], x, mask, cos, sin);
      if (i + 1 == config_.num_hidden_layers) x = norm_(x);
      sink(i + 1, x);
    }
    return x;
  }

  at::Tensor logits(const at::Tensor& output, const NetworkInput& input) const override {
    return score_(last_tokens(output, input));
  }

 private:
  /// cos and sin of the rotary angles of positions 0..length-1, [length, head_size] in `dtype`
  /// (computed in float32, as the cache of LlamaRotaryEmbedding).
  void rotary_tables(std::int64_t length, at::ScalarType dtype, at::Tensor& cos, at::Tensor& sin) const {
    const std::int64_t dim = config_.hidden_size / config_.num_attention_heads;
    const at::Tensor exponents = at::arange(0, dim, 2, at::kFloat) / static_cast<double>(dim);
    const at::Tensor inv_freq = at::reciprocal(at::pow(config_.rope_theta, exponents));
    at::Tensor t = at::arange(length, at::kFloat);
    if (config_.rope_scaling == "linear") t = t / config_.rope_scaling_factor;
    const at::Tensor freqs = at::outer(t, inv_freq);
    const at::Tensor angles = at::cat({freqs, freqs}, -1);
    cos = angles.cos().to(dtype);
    sin = angles.sin().to(dtype);
  }

  at::Tensor apply(const Layer& layer, const at::Tensor& x, const at::Tensor& mask, const at::Tensor& cos,
                   const at::Tensor& sin) const {
    const std::int64_t batch = x.size(0);
    const std::int64_t length = x.size(1);
    const std::int64_t heads = config_.num_attention_heads;
    const std::int64_t kv_heads = config_.num_key_value_heads;
    const std::int64_t head_size = config_.hidden_size / heads;
    const at::Tensor h = layer.input_norm(x);
    const auto split = [&](const at::Tensor& t, std::int64_t n) {  // [b, T, n * d] -> [b, n, T, d]
      return t.view({batch, length, n, head_size}).transpose(1, 2);
    };
    const auto rotate = [&](const at::Tensor& t) { return t * cos + rotate_half(t) * sin; };
    const at::Tensor q = rotate(split(layer.q_proj(h), heads));
    const at::Tensor k = rotate(split(layer.k_proj(h), kv_heads));
    const at::Tensor v = split(layer.v_proj(h), kv_heads);
    const at::Tensor attended =
        layer.o_proj(attention(q, k, v, mask, std::sqrt(static_cast<double>(head_size)))).add_(x);
    const at::Tensor g = layer.post_attention_norm(attended);
    return layer.down_proj(activate(config_.hidden_act, layer.gate_proj(g)) * layer.up_proj(g)).add_(attended);
  }

  ModelConfig config_;
  at::Tensor embed_tokens_;
  std::vector<Layer> layers_;
  RmsNorm norm_;
  Linear score_;
};

}  // namespace

std::unique_ptr<Network> make_llama(const ModelConfig& config, const Weights& weights, bool with_head) {
  return std::make_unique<Llama>(config, weights, with_head);
}

}  // namespace conceptlens::model
