#pragma once
// config.json of a Hugging Face checkpoint, as far as the encoders need it (torch-free).
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace conceptlens::model {

/// roberta covers xlm-roberta; gpt2 and llama are decoders (causal attention)
enum class Architecture { bert, roberta, albert, distilbert, gpt2, llama };
/// gelu = erf form; gelu_new = tanh form; silu = x * sigmoid(x) (Llama's SwiGLU)
enum class Activation { gelu, gelu_new, relu, silu };

/// The hyperparameters of every family under one set of names (GPT-2's n_embd is hidden_size,
/// DistilBERT's dim is hidden_size, ...); keys a family does not have keep the defaults here.
struct ModelConfig {
  Architecture architecture = Architecture::bert;
  std::string model_type;           ///< as written: "bert", "roberta", "xlm-roberta", "albert",
                                    ///< "distilbert", "gpt2", "llama"
  std::vector<std::string> architectures;  ///< e.g. {"BertForSequenceClassification"}
  std::int64_t vocab_size = 0;
  std::int64_t hidden_size = 0;
  std::int64_t embedding_size = 0;  ///< = hidden_size except ALBERT (factorised embeddings)
  std::int64_t num_hidden_layers = 0;
  std::int64_t num_attention_heads = 0;
  std::int64_t intermediate_size = 0;
  std::int64_t max_position_embeddings = 0;
  std::int64_t type_vocab_size = 0;  ///< 0: no token types (DistilBERT, GPT-2, Llama)
  std::int64_t pad_token_id = 0;     ///< -1: none (GPT-2's and Llama's default)
  double layer_norm_eps = 1e-12;     ///< GPT-2: layer_norm_epsilon; Llama: rms_norm_eps
  Activation hidden_act = Activation::gelu;
  std::int64_t num_hidden_groups = 1;  ///< ALBERT: layer groups (layer i uses group i*G/L)
  std::int64_t inner_group_num = 1;    ///< ALBERT: layers inside a group
  std::int64_t num_key_value_heads = 0;  ///< Llama's grouped-query attention; = heads otherwise
  double rope_theta = 10000;           ///< Llama: base of the rotary frequencies
  std::string rope_scaling;            ///< Llama: "" (none), "linear" or "dynamic" (rope_scaling.type)
  double rope_scaling_factor = 1;      ///< Llama: rope_scaling.factor
  bool attention_bias = false;         ///< Llama: biases on the q/k/v/o projections
  bool scale_attn_weights = true;      ///< GPT-2: scores / sqrt(head size)
  bool scale_attn_by_inverse_layer_idx = false;  ///< GPT-2: and / (layer index + 1)
  /// Class names by id; size = num_labels. From "id2label" (ids "0".."n-1"), else "LABEL_<i>"
  /// for "num_labels", else PretrainedConfig's default of 2: {"LABEL_0", "LABEL_1"} (what
  /// save_pretrained leaves out of config.json, e.g. for the bert_seqcls fixture).
  std::vector<std::string> id2label;

  /// "bert." / "roberta." / "albert." / "distilbert." / "transformer." (GPT-2) / "model."
  /// (Llama): the prefix task models put before the base model's names.
  std::string base_prefix() const;
  /// GPT-2 and Llama: causal attention (a token sees itself and the tokens before it).
  bool decoder() const;
  /// For messages and --dry-run: "BERT encoder", "GPT-2 decoder", ...
  std::string family() const;
  /// The first position id of a sentence: RoBERTa/XLM-R count from pad_token_id + 1, the others
  /// from 0. A sentence fits when offset + tokens <= max_position_embeddings.
  std::int64_t position_offset() const;
  /// The most tokens a sentence may have: max_position_embeddings - position_offset(); Llama's
  /// rotary positions have no table, so no limit (INT64_MAX) there, unless its rope_scaling is
  /// dynamic (which transformers applies beyond max_position_embeddings, statefully).
  std::int64_t max_tokens() const;
  /// The id batches are padded with: pad_token_id, or 0 for a decoder without one (padding
  /// goes after a sentence, where causal attention never looks from its tokens).
  std::int64_t padding_id() const;
  /// True when `architectures` names a *ForSequenceClassification model (a task head).
  bool has_sequence_classification_head() const;
};

/// Reads and checks `path` (a config.json) with the keys and defaults of transformers 4.31's
/// config class of its model_type (BertConfig, RobertaConfig, XLMRobertaConfig, AlbertConfig,
/// DistilBertConfig, GPT2Config, LlamaConfig). InputError naming the file and the key for a
/// missing or unreadable file, invalid JSON, a missing required key, a value of the wrong type
/// or out of range (sizes > 0, hidden_size divisible by num_attention_heads, heads divisible by
/// num_key_value_heads, ...), an unknown model_type ("unknown architecture ..." listing the
/// supported ones), an unsupported activation, position_embedding_type other than "absolute",
/// or rope_scaling other than linear or dynamic.
ModelConfig read_model_config(const std::filesystem::path& path);

}  // namespace conceptlens::model
