#include "model/tensor_specs.hpp"

#include <utility>

#include "util/error.hpp"

namespace conceptlens::model {
namespace {

using Shape = std::vector<std::int64_t>;

void add(std::vector<TensorSpec>& specs, const std::string& name, Shape shape, bool required = true) {
  specs.push_back(TensorSpec{name, std::move(shape), required});
}

/// `<prefix>.weight` [out, in] and, with `bias`, `<prefix>.bias` [out] of an nn.Linear.
void add_linear(std::vector<TensorSpec>& specs, const std::string& prefix, std::int64_t out, std::int64_t in,
                bool required = true, bool bias = true) {
  add(specs, prefix + ".weight", {out, in}, required);
  if (bias) add(specs, prefix + ".bias", {out}, required);
}

/// `<prefix>.weight` [in, out] and `<prefix>.bias` [out] of GPT-2's Conv1D.
void add_conv1d(std::vector<TensorSpec>& specs, const std::string& prefix, std::int64_t in, std::int64_t out) {
  add(specs, prefix + ".weight", {in, out});
  add(specs, prefix + ".bias", {out});
}

void add_layer_norm(std::vector<TensorSpec>& specs, const std::string& prefix, std::int64_t size) {
  add(specs, prefix + ".weight", {size});
  add(specs, prefix + ".bias", {size});
}

void add_post_ln_layer(std::vector<TensorSpec>& specs, const std::string& p, const LayerNames& names, std::int64_t h,
                       std::int64_t i) {
  add_linear(specs, p + names.query, h, h);
  add_linear(specs, p + names.key, h, h);
  add_linear(specs, p + names.value, h, h);
  add_linear(specs, p + names.attention_output, h, h);
  add_layer_norm(specs, p + names.attention_norm, h);
  add_linear(specs, p + names.intermediate, i, h);
  add_linear(specs, p + names.output, h, i);
  add_layer_norm(specs, p + names.output_norm, h);
}

/// BertModel, RobertaModel, XLMRobertaModel, AlbertModel, DistilBertModel.
std::vector<TensorSpec> post_ln_encoder_specs(const ModelConfig& config) {
  const std::int64_t h = config.hidden_size;
  const std::int64_t e = config.embedding_size;
  std::vector<TensorSpec> specs;
  add(specs, "embeddings.word_embeddings.weight", {config.vocab_size, e});
  add(specs, "embeddings.position_embeddings.weight", {config.max_position_embeddings, e});
  if (config.type_vocab_size > 0) add(specs, "embeddings.token_type_embeddings.weight", {config.type_vocab_size, e});
  add_layer_norm(specs, "embeddings.LayerNorm", e);
  if (config.architecture == Architecture::albert) add_linear(specs, "encoder.embedding_hidden_mapping_in", h, e);
  for (std::int64_t layer = 0; layer < distinct_layers(config); ++layer) {
    add_post_ln_layer(specs, layer_prefix(config, layer), layer_names(config.architecture), h,
                      config.intermediate_size);
  }
  if (const std::string pooler = pooler_name(config); !pooler.empty()) add_linear(specs, pooler, h, h, false);
  return specs;
}

/// GPT2Model: token and position embeddings, pre-LN blocks of Conv1D products, ln_f.
std::vector<TensorSpec> gpt2_specs(const ModelConfig& config) {
  const std::int64_t h = config.hidden_size;
  std::vector<TensorSpec> specs;
  add(specs, "wte.weight", {config.vocab_size, h});
  add(specs, "wpe.weight", {config.max_position_embeddings, h});
  for (std::int64_t layer = 0; layer < config.num_hidden_layers; ++layer) {
    const std::string p = layer_prefix(config, layer);
    add_layer_norm(specs, p + "ln_1", h);
    add_conv1d(specs, p + "attn.c_attn", h, 3 * h);
    add_conv1d(specs, p + "attn.c_proj", h, h);
    add_layer_norm(specs, p + "ln_2", h);
    add_conv1d(specs, p + "mlp.c_fc", h, config.intermediate_size);
    add_conv1d(specs, p + "mlp.c_proj", config.intermediate_size, h);
  }
  add_layer_norm(specs, "ln_f", h);
  return specs;
}

/// LlamaModel: token embeddings, pre-RMSNorm blocks (grouped-query attention, SwiGLU), norm.
std::vector<TensorSpec> llama_specs(const ModelConfig& config) {
  const std::int64_t h = config.hidden_size;
  const std::int64_t head_size = h / config.num_attention_heads;
  const std::int64_t kv = config.num_key_value_heads * head_size;
  const bool bias = config.attention_bias;
  std::vector<TensorSpec> specs;
  add(specs, "embed_tokens.weight", {config.vocab_size, h});
  for (std::int64_t layer = 0; layer < config.num_hidden_layers; ++layer) {
    const std::string p = layer_prefix(config, layer);
    add(specs, p + "input_layernorm.weight", {h});
    add_linear(specs, p + "self_attn.q_proj", h, h, true, bias);
    add_linear(specs, p + "self_attn.k_proj", kv, h, true, bias);
    add_linear(specs, p + "self_attn.v_proj", kv, h, true, bias);
    add_linear(specs, p + "self_attn.o_proj", h, h, true, bias);
    add(specs, p + "post_attention_layernorm.weight", {h});
    add_linear(specs, p + "mlp.gate_proj", config.intermediate_size, h, true, false);
    add_linear(specs, p + "mlp.up_proj", config.intermediate_size, h, true, false);
    add_linear(specs, p + "mlp.down_proj", h, config.intermediate_size, true, false);
  }
  add(specs, "norm.weight", {h});
  return specs;
}

}  // namespace

ComputeDtype parse_compute_dtype(const std::string& name) {
  if (name == "float32") return ComputeDtype::float32;
  if (name == "bfloat16") return ComputeDtype::bfloat16;
  throw InputError("unknown compute dtype '" + name + "'; expected float32 or bfloat16");
}

const char* compute_dtype_name(ComputeDtype dtype) { return dtype == ComputeDtype::float32 ? "float32" : "bfloat16"; }

std::int64_t compute_dtype_size(ComputeDtype dtype) { return dtype == ComputeDtype::float32 ? 4 : 2; }

std::int64_t TensorSpec::numel() const {
  std::int64_t n = 1;
  for (const std::int64_t d : shape) n *= d;
  return n;
}

const LayerNames& layer_names(Architecture architecture) {
  static const LayerNames bert{
      "attention.self.query",       "attention.self.key", "attention.self.value", "attention.output.dense",
      "attention.output.LayerNorm", "intermediate.dense", "output.dense",         "output.LayerNorm"};
  static const LayerNames albert{"attention.query",     "attention.key", "attention.value", "attention.dense",
                                 "attention.LayerNorm", "ffn",           "ffn_output",      "full_layer_layer_norm"};
  static const LayerNames distilbert{"attention.q_lin", "attention.k_lin", "attention.v_lin", "attention.out_lin",
                                     "sa_layer_norm",   "ffn.lin1",        "ffn.lin2",        "output_layer_norm"};
  switch (architecture) {
    case Architecture::albert: return albert;
    case Architecture::distilbert: return distilbert;
    case Architecture::bert:
    case Architecture::roberta: return bert;
    case Architecture::gpt2:
    case Architecture::llama: break;
  }
  CONCEPTLENS_CHECK(false && "layer_names: not a post-LN encoder");
  return bert;
}

std::int64_t distinct_layers(const ModelConfig& config) {
  return config.architecture == Architecture::albert ? config.num_hidden_groups * config.inner_group_num
                                                     : config.num_hidden_layers;
}

std::string layer_prefix(const ModelConfig& config, std::int64_t index) {
  const std::string i = std::to_string(index);
  switch (config.architecture) {
    case Architecture::bert:
    case Architecture::roberta: return "encoder.layer." + i + ".";
    case Architecture::albert:
      return "encoder.albert_layer_groups." + std::to_string(index / config.inner_group_num) + ".albert_layers." +
             std::to_string(index % config.inner_group_num) + ".";
    case Architecture::distilbert: return "transformer.layer." + i + ".";
    case Architecture::gpt2: return "h." + i + ".";
    case Architecture::llama: return "layers." + i + ".";
  }
  return {};
}

std::string pooler_name(const ModelConfig& config) {
  switch (config.architecture) {
    case Architecture::bert:
    case Architecture::roberta: return "pooler.dense";
    case Architecture::albert: return "pooler";
    default: return {};
  }
}

std::vector<TensorSpec> encoder_tensor_specs(const ModelConfig& config) {
  switch (config.architecture) {
    case Architecture::gpt2: return gpt2_specs(config);
    case Architecture::llama: return llama_specs(config);
    default: return post_ln_encoder_specs(config);
  }
}

std::vector<TensorSpec> head_tensor_specs(const ModelConfig& config) {
  const std::int64_t h = config.hidden_size;
  const auto c = static_cast<std::int64_t>(config.id2label.size());
  std::vector<TensorSpec> specs;
  switch (config.architecture) {
    case Architecture::roberta:
      // RobertaClassificationHead (XLM-R too): dense -> tanh -> out_proj on the <s> state
      add_linear(specs, "classifier.dense", h, h);
      add_linear(specs, "classifier.out_proj", c, h);
      break;
    case Architecture::distilbert:
      // DistilBertForSequenceClassification: classifier(relu(pre_classifier(first token)))
      add_linear(specs, "pre_classifier", h, h);
      add_linear(specs, "classifier", c, h);
      break;
    case Architecture::gpt2:
    case Architecture::llama:
      // GPT2/LlamaForSequenceClassification: score (no bias) on the last token's state
      add_linear(specs, "score", c, h, true, false);
      break;
    case Architecture::bert:
    case Architecture::albert:
      // BertForSequenceClassification / AlbertForSequenceClassification: classifier(pooler)
      add_linear(specs, pooler_name(config), h, h);
      add_linear(specs, "classifier", c, h);
      break;
  }
  for (TensorSpec& spec : specs) spec.outside_base = spec.name.rfind("pooler", 0) != 0;
  return specs;
}

}  // namespace conceptlens::model
