#include "model/encoder.hpp"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <c10/core/InferenceMode.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "model/weights.hpp"

namespace conceptlens::model {
namespace {

struct Linear {
  at::Tensor weight;  // [out, in]
  at::Tensor bias;    // [out]
  at::Tensor operator()(const at::Tensor& x) const { return at::linear(x, weight, bias); }
};

struct LayerNorm {
  at::Tensor weight;
  at::Tensor bias;
  double eps = 1e-12;
  at::Tensor operator()(const at::Tensor& x) const {
    return at::layer_norm(x, {weight.size(0)}, weight, bias, eps);
  }
};

/// One post-LN transformer layer (LayerNames says what BERT and ALBERT call its parts).
struct Layer {
  Linear qkv;  // query, key and value stacked: one product instead of three
  Linear attention_output;
  LayerNorm attention_norm;
  Linear intermediate;
  Linear output;
  LayerNorm output_norm;
};

Linear linear(const Weights& w, const std::string& name) {
  return {w.at(name + ".weight"), w.at(name + ".bias")};
}

LayerNorm layer_norm(const Weights& w, const std::string& name, double eps) {
  return {w.at(name + ".weight"), w.at(name + ".bias"), eps};
}

Linear stacked(const Linear& q, const Linear& k, const Linear& v) {
  return {at::cat({q.weight, k.weight, v.weight}, 0).contiguous(), at::cat({q.bias, k.bias, v.bias}, 0).contiguous()};
}

Layer read_layer(const Weights& w, const std::string& p, const LayerNames& names, double eps) {
  return {stacked(linear(w, p + names.query), linear(w, p + names.key), linear(w, p + names.value)),
          linear(w, p + names.attention_output),
          layer_norm(w, p + names.attention_norm, eps),
          linear(w, p + names.intermediate),
          linear(w, p + names.output),
          layer_norm(w, p + names.output_norm, eps)};
}

}  // namespace

struct Encoder::Impl {
  ModelConfig config;
  at::Tensor word_embeddings;
  at::Tensor position_embeddings;
  at::Tensor token_type_row;  // token type 0: NeuroX passes no token_type_ids
  LayerNorm embedding_norm;
  Linear embedding_projection;  // ALBERT: embedding_size -> hidden_size
  std::vector<Layer> layers;    // the distinct layers (ALBERT: per group, its inner layers)
  std::vector<std::size_t> schedule;  // per application (hidden state 1..L): first of its layers
  std::size_t layers_per_step = 1;    // ALBERT: inner_group_num; otherwise 1
  // sequence-classification head
  Linear pooler;       // BERT, ALBERT: tanh(pooler(first token))
  Linear head_dense;   // RoBERTa: tanh(dense(first token)) before out_proj
  Linear classifier;   // -> logits
  std::int64_t num_labels = 0;

  at::Tensor embed(const at::Tensor& ids) const;
  at::Tensor apply(const Layer& layer, const at::Tensor& x, const at::Tensor& mask) const;
  at::Tensor activation(const at::Tensor& x) const;
  at::Tensor logits(const at::Tensor& last) const;
};

Encoder::Encoder(const std::filesystem::path& model_dir, bool with_head) : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  m.config = read_model_config(model_dir / "config.json");
  const ModelConfig& c = m.config;
  const Weights w = load_weights(model_dir, c, with_head);
  const double eps = c.layer_norm_eps;
  m.word_embeddings = w.at("embeddings.word_embeddings.weight");
  m.position_embeddings = w.at("embeddings.position_embeddings.weight");
  m.token_type_row = w.at("embeddings.token_type_embeddings.weight")[0].contiguous();
  m.embedding_norm = layer_norm(w, "embeddings.LayerNorm", eps);
  for (std::int64_t i = 0; i < distinct_layers(c); ++i) {
    m.layers.push_back(read_layer(w, layer_prefix(c, i), layer_names(c.architecture), eps));
  }
  if (c.architecture == Architecture::albert) {
    m.embedding_projection = linear(w, "encoder.embedding_hidden_mapping_in");
    // AlbertTransformer: application i uses group int(i / (L / G)), all of its inner layers
    m.layers_per_step = static_cast<std::size_t>(c.inner_group_num);
    const double per_group = static_cast<double>(c.num_hidden_layers) / static_cast<double>(c.num_hidden_groups);
    for (std::int64_t i = 0; i < c.num_hidden_layers; ++i) {
      const auto group = static_cast<std::size_t>(static_cast<double>(i) / per_group);
      m.schedule.push_back(group * m.layers_per_step);
    }
  } else {
    for (std::int64_t i = 0; i < c.num_hidden_layers; ++i) m.schedule.push_back(static_cast<std::size_t>(i));
  }
  if (with_head) {
    m.num_labels = static_cast<std::int64_t>(c.id2label.size());
    if (c.architecture == Architecture::roberta) {
      m.head_dense = linear(w, "classifier.dense");
      m.classifier = linear(w, "classifier.out_proj");
    } else {
      m.pooler = linear(w, pooler_name(c));
      m.classifier = linear(w, "classifier");
    }
  }
}

Encoder::~Encoder() = default;
Encoder::Encoder(Encoder&&) noexcept = default;
Encoder& Encoder::operator=(Encoder&&) noexcept = default;

const ModelConfig& Encoder::config() const { return impl_->config; }
std::int64_t Encoder::num_hidden_states() const { return impl_->config.num_hidden_layers + 1; }
std::int64_t Encoder::hidden_size() const { return impl_->config.hidden_size; }
std::int64_t Encoder::num_labels() const { return impl_->num_labels; }

namespace {

/// RoBERTa's position ids, transformers' create_position_ids_from_input_ids: a pad id (a batch's
/// padding, or a literal "<pad>" in the text) sits at padding_idx and does not advance the
/// count; the n-th other token sits at padding_idx + n. [batch, length] like `ids`.
at::Tensor roberta_position_ids(const at::Tensor& ids, std::int64_t padding_idx) {
  const at::Tensor not_pad = ids.ne(padding_idx).to(at::kLong);
  return at::cumsum(not_pad, 1).mul_(not_pad).add_(padding_idx);
}

}  // namespace

at::Tensor Encoder::Impl::embed(const at::Tensor& ids) const {
  at::Tensor x = at::embedding(word_embeddings, ids);
  if (config.architecture == Architecture::roberta) {
    x.add_(at::embedding(position_embeddings, roberta_position_ids(ids, config.pad_token_id)));
  } else {
    x.add_(at::embedding(position_embeddings, at::arange(ids.size(1), ids.options())).unsqueeze(0));
  }
  x.add_(token_type_row);
  x = embedding_norm(x);
  if (config.architecture == Architecture::albert) x = embedding_projection(x);
  return x;
}

at::Tensor Encoder::Impl::activation(const at::Tensor& x) const {
  switch (config.hidden_act) {
    case Activation::gelu: return at::gelu(x);
    case Activation::gelu_new: return at::gelu(x, "tanh");
    case Activation::relu: return at::relu(x);
  }
  return x;
}

at::Tensor Encoder::Impl::apply(const Layer& layer, const at::Tensor& x, const at::Tensor& mask) const {
  const std::int64_t batch = x.size(0);
  const std::int64_t length = x.size(1);
  const std::int64_t heads = config.num_attention_heads;
  const std::int64_t head_size = config.hidden_size / heads;
  // [batch, length, 3, heads, head_size] -> three [batch, heads, length, head_size]
  const at::Tensor qkv = layer.qkv(x).view({batch, length, 3, heads, head_size}).permute({2, 0, 3, 1, 4});
  at::Tensor scores = at::matmul(qkv[0], qkv[1].transpose(-1, -2));
  scores.div_(std::sqrt(static_cast<double>(head_size)));
  if (mask.defined()) scores.add_(mask);
  const at::Tensor probabilities = at::softmax(scores, -1);
  const at::Tensor context =
      at::matmul(probabilities, qkv[2]).permute({0, 2, 1, 3}).reshape({batch, length, config.hidden_size});
  const at::Tensor attended = layer.attention_norm(layer.attention_output(context).add_(x));
  return layer.output_norm(layer.output(activation(layer.intermediate(attended))).add_(attended));
}

at::Tensor Encoder::Impl::logits(const at::Tensor& last) const {
  const at::Tensor first = last.select(1, 0);
  if (config.architecture == Architecture::roberta) return classifier(at::tanh(head_dense(first)));
  return classifier(at::tanh(pooler(first)));
}

void Encoder::forward(const PaddedBatch& batch, std::span<const std::int64_t> layers, const HiddenStateSink& sink,
                      std::span<float> logits) const {
  const Impl& m = *impl_;
  const ModelConfig& c = m.config;
  if (batch.batch <= 0 || batch.length <= 0) return;
  if (static_cast<std::int64_t>(batch.ids.size()) != batch.batch * batch.length ||
      static_cast<std::int64_t>(batch.lengths.size()) != batch.batch) {
    throw std::invalid_argument("Encoder::forward: ids and lengths do not match the batch shape");
  }
  const std::int64_t position_offset = c.architecture == Architecture::roberta ? c.pad_token_id + 1 : 0;
  if (batch.length + position_offset > c.max_position_embeddings) {
    throw std::invalid_argument("Encoder::forward: " + std::to_string(batch.length) +
                                " tokens do not fit max_position_embeddings = " +
                                std::to_string(c.max_position_embeddings));
  }
  for (const std::int64_t id : batch.ids) {
    if (id < 0 || id >= c.vocab_size) {
      throw std::invalid_argument("Encoder::forward: token id " + std::to_string(id) + " outside the vocabulary of " +
                                  std::to_string(c.vocab_size));
    }
  }
  if (!logits.empty() && static_cast<std::int64_t>(logits.size()) != batch.batch * m.num_labels) {
    throw std::invalid_argument("Encoder::forward: logits need batch * num_labels values");
  }

  c10::InferenceMode inference;
  const auto long_options = at::TensorOptions().dtype(at::kLong);
  const at::Tensor ids =
      at::from_blob(const_cast<std::int64_t*>(batch.ids.data()), {batch.batch, batch.length}, long_options);
  const at::Tensor lengths =
      at::from_blob(const_cast<std::int64_t*>(batch.lengths.data()), {batch.batch}, long_options);

  // transformers' extended attention mask: 0 for real tokens, the lowest float for padding,
  // added to the scores of every head and query; none when no row is padded
  at::Tensor mask;
  if (lengths.min().item<std::int64_t>() < batch.length) {
    const at::Tensor padding = at::arange(batch.length, long_options).unsqueeze(0) >= lengths.unsqueeze(1);
    mask = at::zeros({batch.batch, 1, 1, batch.length}, at::kFloat);
    mask.masked_fill_(padding.view({batch.batch, 1, 1, batch.length}), std::numeric_limits<float>::lowest());
  }

  std::size_t next = 0;  // index into `layers`
  auto hand_over = [&](std::int64_t layer, const at::Tensor& hidden) {
    if (next < layers.size() && layers[next] == layer) {
      const at::Tensor values = hidden.contiguous();
      sink(layer, std::span<const float>(values.data_ptr<float>(), static_cast<std::size_t>(values.numel())));
      ++next;
    }
  };
  const std::int64_t last_needed = layers.empty() ? -1 : layers.back();
  const std::int64_t through = logits.empty() ? last_needed : c.num_hidden_layers;

  at::Tensor x = m.embed(ids);
  hand_over(0, x);
  for (std::int64_t i = 0; i < through; ++i) {
    const std::size_t first = m.schedule[static_cast<std::size_t>(i)];
    for (std::size_t j = 0; j < m.layers_per_step; ++j) x = m.apply(m.layers[first + j], x, mask);
    hand_over(i + 1, x);
  }
  if (!logits.empty()) {
    const at::Tensor values = m.logits(x).contiguous();
    std::copy_n(values.data_ptr<float>(), logits.size(), logits.begin());
  }
}

void set_torch_threads(int threads) { at::set_num_threads(threads); }

}  // namespace conceptlens::model
