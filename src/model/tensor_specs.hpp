#pragma once
// The tensors each architecture reads, with their shapes and transformers 4.31's module names
// (without the base prefix, "bert." ...), torch-free: the weight loader checks a checkpoint
// against them, the networks read them by these names, and --dry-run sums their sizes.
#include <cstdint>
#include <string>
#include <vector>

#include "model/model_config.hpp"

namespace conceptlens::model {

/// How a model computes: in float32 (transformers' from_pretrained default, whatever dtype the
/// checkpoint stores) or in bfloat16 (half the memory for weights and activations).
enum class ComputeDtype { float32, bfloat16 };
/// "float32" | "bfloat16" -> the dtype; InputError otherwise.
ComputeDtype parse_compute_dtype(const std::string& name);
const char* compute_dtype_name(ComputeDtype dtype);
/// Bytes per value: 4 or 2.
std::int64_t compute_dtype_size(ComputeDtype dtype);

struct TensorSpec {
  std::string name;  ///< HF name without the base prefix ("bert." ...)
  std::vector<std::int64_t> shape;
  bool required = true;       ///< false: used when present (the pooler of a base model)
  bool outside_base = false;  ///< a head tensor beside the base model ("classifier.weight",
                              ///< "score.weight"), never under its prefix
  std::int64_t numel() const;
};

/// The names of one post-LN encoder layer's parts, after the layer's prefix: BERT, RoBERTa and
/// XLM-R share BertLayer's; ALBERT and DistilBERT have their own. The tensor specs and the
/// encoder both use them.
struct LayerNames {
  const char* query;
  const char* key;
  const char* value;
  const char* attention_output;
  const char* attention_norm;
  const char* intermediate;
  const char* output;
  const char* output_norm;
};
/// The names of a post-LN encoder (BERT, RoBERTa/XLM-R, ALBERT, DistilBERT).
const LayerNames& layer_names(Architecture architecture);

/// Layers with weights of their own: num_hidden_layers, or ALBERT's groups x inner layers.
std::int64_t distinct_layers(const ModelConfig& config);
/// The prefix of distinct layer `index`: "encoder.layer.<i>." (BERT, RoBERTa),
/// "encoder.albert_layer_groups.<g>.albert_layers.<j>." (ALBERT, index = g * inner_group_num
/// + j), "transformer.layer.<i>." (DistilBERT), "h.<i>." (GPT-2), "layers.<i>." (Llama).
std::string layer_prefix(const ModelConfig& config, std::int64_t index);
/// "pooler.dense" (BERT, RoBERTa) or "pooler" (ALBERT); "" for the families without a pooler.
std::string pooler_name(const ModelConfig& config);

/// Every tensor the network of `config` reads, with its shape (the pooler not required). GPT-2's
/// Conv1D weights are stored [in, out], and specified so.
std::vector<TensorSpec> encoder_tensor_specs(const ModelConfig& config);
/// The sequence-classification head (as transformers' *ForSequenceClassification of the
/// family): its own tensors and the pooler where the head uses it (BERT, ALBERT), all required.
std::vector<TensorSpec> head_tensor_specs(const ModelConfig& config);

}  // namespace conceptlens::model
