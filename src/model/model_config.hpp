#pragma once
// config.json of a Hugging Face checkpoint, as far as the encoders need it (torch-free).
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace conceptlens::model {

enum class Architecture { bert, roberta, albert };  ///< roberta covers xlm-roberta
enum class Activation { gelu, gelu_new, relu };      ///< gelu = erf form; gelu_new = tanh form

struct ModelConfig {
  Architecture architecture = Architecture::bert;
  std::string model_type;           ///< as written: "bert", "roberta", "xlm-roberta", "albert"
  std::vector<std::string> architectures;  ///< e.g. {"BertForSequenceClassification"}
  std::int64_t vocab_size = 0;
  std::int64_t hidden_size = 0;
  std::int64_t embedding_size = 0;  ///< = hidden_size except ALBERT (factorised embeddings)
  std::int64_t num_hidden_layers = 0;
  std::int64_t num_attention_heads = 0;
  std::int64_t intermediate_size = 0;
  std::int64_t max_position_embeddings = 0;
  std::int64_t type_vocab_size = 0;
  std::int64_t pad_token_id = 0;
  double layer_norm_eps = 1e-12;
  Activation hidden_act = Activation::gelu;
  std::int64_t num_hidden_groups = 1;  ///< ALBERT: layer groups (layer i uses group i*G/L)
  std::int64_t inner_group_num = 1;    ///< ALBERT: layers inside a group
  /// Class names by id; size = num_labels. From "id2label" (ids "0".."n-1"), else "LABEL_<i>"
  /// for "num_labels", else PretrainedConfig's default of 2: {"LABEL_0", "LABEL_1"} (what
  /// save_pretrained leaves out of config.json, e.g. for the bert_seqcls fixture).
  std::vector<std::string> id2label;

  /// "bert." / "roberta." / "albert.": the prefix task models put before the encoder's names.
  std::string base_prefix() const;
  /// True when `architectures` names a *ForSequenceClassification model (a task head).
  bool has_sequence_classification_head() const;
};

/// Reads and checks `path` (a config.json). InputError naming the file and the key for a missing
/// or unreadable file, invalid JSON, a missing required key, a value of the wrong type or out of
/// range (sizes > 0, hidden_size divisible by num_attention_heads, ...), an unknown model_type
/// ("unknown architecture ..." listing the supported ones), an unsupported hidden_act or
/// position_embedding_type other than "absolute".
ModelConfig read_model_config(const std::filesystem::path& path);

}  // namespace conceptlens::model
