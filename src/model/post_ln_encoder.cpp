// BERT, RoBERTa/XLM-R, ALBERT and DistilBERT: post-LN encoders, as transformers 4.31 computes
// them. Embeddings: LayerNorm(word + position + token type 0) (DistilBERT: no token types;
// RoBERTa: positions from the ids, counted from pad_token_id + 1; ALBERT: then the projection
// to hidden_size); each
// layer: a = LN(x + attention(x)), then LN(a + W2 act(W1 a)); explicit softmax attention.
#include <ATen/ATen.h>

#include <cmath>
#include <vector>

#include "model/network.hpp"

namespace conceptlens::model {
namespace {

/// One post-LN transformer layer (LayerNames says what each family calls its parts).
struct Layer {
  Linear qkv;  // query, key and value stacked: one product instead of three
  Linear attention_output;
  LayerNorm attention_norm;
  Linear intermediate;
  Linear output;
  LayerNorm output_norm;
};

/// RoBERTa's position ids, transformers' create_position_ids_from_input_ids: a pad id (a batch's
/// padding, or a literal "<pad>" in the text) sits at padding_idx and does not advance the
/// count; the n-th other token sits at padding_idx + n. [batch, length] like `ids`.
at::Tensor roberta_position_ids(const at::Tensor& ids, std::int64_t padding_idx) {
  const at::Tensor not_pad = ids.ne(padding_idx).to(at::kLong);
  return at::cumsum(not_pad, 1).mul_(not_pad).add_(padding_idx);
}

Linear stacked(const Linear& q, const Linear& k, const Linear& v) {
  return {at::cat({q.weight, k.weight, v.weight}, 0).contiguous(), at::cat({q.bias, k.bias, v.bias}, 0).contiguous()};
}

Layer read_layer(const Weights& w, const std::string& p, const LayerNames& names, double eps) {
  return {stacked(read_linear(w, p + names.query), read_linear(w, p + names.key), read_linear(w, p + names.value)),
          read_linear(w, p + names.attention_output),
          read_layer_norm(w, p + names.attention_norm, eps),
          read_linear(w, p + names.intermediate),
          read_linear(w, p + names.output),
          read_layer_norm(w, p + names.output_norm, eps)};
}

class PostLnEncoder final : public Network {
 public:
  PostLnEncoder(const ModelConfig& config, const Weights& w, bool with_head) : config_(config) {
    const double eps = config.layer_norm_eps;
    word_embeddings_ = w.at("embeddings.word_embeddings.weight");
    position_embeddings_ = w.at("embeddings.position_embeddings.weight");
    // token type 0: NeuroX passes no token_type_ids
    if (config.type_vocab_size > 0) token_type_row_ = w.at("embeddings.token_type_embeddings.weight")[0];
    embedding_norm_ = read_layer_norm(w, "embeddings.LayerNorm", eps);
    for (std::int64_t i = 0; i < distinct_layers(config); ++i) {
      layers_.push_back(read_layer(w, layer_prefix(config, i), layer_names(config.architecture), eps));
    }
    if (config.architecture == Architecture::albert) {
      embedding_projection_ = read_linear(w, "encoder.embedding_hidden_mapping_in");
      // AlbertTransformer: application i uses group int(i / (L / G)), all of its inner layers
      layers_per_step_ = static_cast<std::size_t>(config.inner_group_num);
      const double per_group =
          static_cast<double>(config.num_hidden_layers) / static_cast<double>(config.num_hidden_groups);
      for (std::int64_t i = 0; i < config.num_hidden_layers; ++i) {
        const auto group = static_cast<std::size_t>(static_cast<double>(i) / per_group);
        schedule_.push_back(group * layers_per_step_);
      }
    } else {
      for (std::int64_t i = 0; i < config.num_hidden_layers; ++i) schedule_.push_back(static_cast<std::size_t>(i));
    }
    if (!with_head) return;
    switch (config.architecture) {
      case Architecture::roberta:  // RobertaClassificationHead: out_proj(tanh(dense(<s>)))
        head_dense_ = read_linear(w, "classifier.dense");
        classifier_ = read_linear(w, "classifier.out_proj");
        break;
      case Architecture::distilbert:  // classifier(relu(pre_classifier([CLS])))
        head_dense_ = read_linear(w, "pre_classifier");
        classifier_ = read_linear(w, "classifier");
        break;
      default:  // BERT, ALBERT: classifier(tanh(pooler([CLS])))
        head_dense_ = read_linear(w, pooler_name(config));
        classifier_ = read_linear(w, "classifier");
        break;
    }
  }

  at::Tensor run(const NetworkInput& input, std::int64_t through, const LayerSink& sink) const override {
    const at::Tensor mask = padding_mask(input);
    at::Tensor x = embed(input.ids);
    sink(0, x);
    for (std::int64_t i = 0; i < through; ++i) {
      const std::size_t first = schedule_[static_cast<std::size_t>(i)];
      for (std::size_t j = 0; j < layers_per_step_; ++j) x = apply(layers_[first + j], x, mask);
      sink(i + 1, x);
    }
    return x;
  }

  at::Tensor logits(const at::Tensor& output, const NetworkInput& /*input*/) const override {
    const at::Tensor first = output.select(1, 0);
    const at::Tensor dense = head_dense_(first);
    return classifier_(config_.architecture == Architecture::distilbert ? at::relu(dense) : at::tanh(dense));
  }

 private:
  at::Tensor embed(const at::Tensor& ids) const {
    at::Tensor x = at::embedding(word_embeddings_, ids);
    if (config_.architecture == Architecture::roberta) {
      x.add_(at::embedding(position_embeddings_, roberta_position_ids(ids, config_.pad_token_id)));
    } else {
      x.add_(at::embedding(position_embeddings_, at::arange(ids.size(1), ids.options())).unsqueeze(0));
    }
    if (token_type_row_.defined()) x.add_(token_type_row_);
    x = embedding_norm_(x);
    if (config_.architecture == Architecture::albert) x = embedding_projection_(x);
    return x;
  }

  at::Tensor apply(const Layer& layer, const at::Tensor& x, const at::Tensor& mask) const {
    const std::int64_t batch = x.size(0);
    const std::int64_t length = x.size(1);
    const std::int64_t heads = config_.num_attention_heads;
    const std::int64_t head_size = config_.hidden_size / heads;
    // [batch, length, 3, heads, head_size] -> three [batch, heads, length, head_size]
    const at::Tensor qkv = layer.qkv(x).view({batch, length, 3, heads, head_size}).permute({2, 0, 3, 1, 4});
    const at::Tensor context = attention(qkv[0], qkv[1], qkv[2], mask, std::sqrt(static_cast<double>(head_size)));
    const at::Tensor attended = layer.attention_norm(layer.attention_output(context).add_(x));
    return layer.output_norm(layer.output(activate(config_.hidden_act, layer.intermediate(attended))).add_(attended));
  }

  ModelConfig config_;
  at::Tensor word_embeddings_;
  at::Tensor position_embeddings_;
  at::Tensor token_type_row_;
  LayerNorm embedding_norm_;
  Linear embedding_projection_;        // ALBERT: embedding_size -> hidden_size
  std::vector<Layer> layers_;          // the distinct layers (ALBERT: per group, its inner layers)
  std::vector<std::size_t> schedule_;  // per application (hidden state 1..L): first of its layers
  std::size_t layers_per_step_ = 1;    // ALBERT: inner_group_num; otherwise 1
  Linear head_dense_;                  // pooler, RoBERTa's dense or DistilBERT's pre_classifier
  Linear classifier_;                  // -> logits
};

}  // namespace

std::unique_ptr<Network> make_post_ln_encoder(const ModelConfig& config, const Weights& weights, bool with_head) {
  return std::make_unique<PostLnEncoder>(config, weights, with_head);
}

}  // namespace conceptlens::model
