// GPT-2 as transformers 4.31's GPT2Model computes it: embeddings wte(ids) + wpe(0..T-1); per
// block (pre-LN) x += c_proj(attention(ln_1(x))), x += mlp.c_proj(act(mlp.c_fc(ln_2(x)))), with
// causal attention whose scores are divided by sqrt(head size) (scale_attn_weights) and by the
// layer's index + 1 (scale_attn_by_inverse_layer_idx); the model's output is ln_f(x), and so
// is its last hidden state. The Conv1D weights are stored [in, out]: x W + b (addmm), read where
// they lie. GPT2ForSequenceClassification: score(the last token's output).
#include <ATen/ATen.h>

#include <cmath>
#include <vector>

#include "model/network.hpp"

namespace conceptlens::model {
namespace {

/// transformers' Conv1D: x [.., in] W [in, out] + b [out].
struct Conv1D {
  at::Tensor weight;
  at::Tensor bias;
  at::Tensor operator()(const at::Tensor& x) const {
    std::vector<std::int64_t> shape = x.sizes().vec();
    shape.back() = weight.size(1);
    return at::addmm(bias, x.reshape({-1, x.size(-1)}), weight).view(shape);
  }
};

Conv1D read_conv1d(const Weights& w, const std::string& name) { return {w.at(name + ".weight"), w.at(name + ".bias")}; }

struct Block {
  LayerNorm ln_1;
  Conv1D c_attn;  // query, key, value: [hidden, 3 * hidden]
  Conv1D c_proj;
  LayerNorm ln_2;
  Conv1D c_fc;
  Conv1D mlp_proj;
};

class Gpt2 final : public Network {
 public:
  Gpt2(const ModelConfig& config, const Weights& w, bool with_head) : config_(config) {
    const double eps = config.layer_norm_eps;
    wte_ = w.at("wte.weight");
    wpe_ = w.at("wpe.weight");
    for (std::int64_t i = 0; i < config.num_hidden_layers; ++i) {
      const std::string p = layer_prefix(config, i);
      blocks_.push_back({read_layer_norm(w, p + "ln_1", eps), read_conv1d(w, p + "attn.c_attn"),
                         read_conv1d(w, p + "attn.c_proj"), read_layer_norm(w, p + "ln_2", eps),
                         read_conv1d(w, p + "mlp.c_fc"), read_conv1d(w, p + "mlp.c_proj")});
    }
    ln_f_ = read_layer_norm(w, "ln_f", eps);
    if (with_head) score_ = read_linear(w, "score");
  }

  at::Tensor run(const NetworkInput& input, std::int64_t through, const LayerSink& sink) const override {
    const std::int64_t length = input.ids.size(1);
    const at::Tensor mask = causal_mask(length);
    at::Tensor x = at::embedding(wte_, input.ids);
    x.add_(at::embedding(wpe_, at::arange(length, input.ids.options())).unsqueeze(0));
    sink(0, x);
    for (std::int64_t i = 0; i < through; ++i) {
      x = apply(blocks_[static_cast<std::size_t>(i)], i, x, mask);
      if (i + 1 == config_.num_hidden_layers) x = ln_f_(x);
      sink(i + 1, x);
    }
    return x;
  }

  at::Tensor logits(const at::Tensor& output, const NetworkInput& input) const override {
    return score_(last_tokens(output, input));
  }

 private:
  at::Tensor apply(const Block& block, std::int64_t index, const at::Tensor& x, const at::Tensor& mask) const {
    const std::int64_t batch = x.size(0);
    const std::int64_t length = x.size(1);
    const std::int64_t heads = config_.num_attention_heads;
    const std::int64_t head_size = config_.hidden_size / heads;
    double divisor = config_.scale_attn_weights ? std::sqrt(static_cast<double>(head_size)) : 1.0;
    if (config_.scale_attn_by_inverse_layer_idx) divisor *= static_cast<double>(index + 1);
    // [batch, length, 3, heads, head_size] -> three [batch, heads, length, head_size]
    const at::Tensor qkv =
        block.c_attn(block.ln_1(x)).view({batch, length, 3, heads, head_size}).permute({2, 0, 3, 1, 4});
    at::Tensor h = block.c_proj(attention(qkv[0], qkv[1], qkv[2], mask, divisor)).add_(x);
    return block.mlp_proj(activate(config_.hidden_act, block.c_fc(block.ln_2(h)))).add_(h);
  }

  ModelConfig config_;
  at::Tensor wte_;
  at::Tensor wpe_;
  std::vector<Block> blocks_;
  LayerNorm ln_f_;
  Linear score_;
};

}  // namespace

std::unique_ptr<Network> make_gpt2(const ModelConfig& config, const Weights& weights, bool with_head) {
  return std::make_unique<Gpt2>(config, weights, with_head);
}

}  // namespace conceptlens::model
