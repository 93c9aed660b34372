#pragma once
// The weights of a Hugging Face checkpoint folder as float32 LibTorch tensors, checked against
// what the encoder of its config reads. Included only by the model's .cpp files (LibTorch).
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "model/model_config.hpp"

namespace conceptlens::model {

struct TensorSpec {
  std::string name;                 ///< HF name without the base prefix ("bert." ...)
  std::vector<std::int64_t> shape;
  bool required = true;             ///< false: used when present (the pooler of a base model)
};

/// The names of one transformer layer's parts, after the layer's prefix: BERT, RoBERTa and
/// XLM-R share BertLayer's, ALBERT has its own. The tensor specs and the encoder both use them.
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
const LayerNames& layer_names(Architecture architecture);

/// Layers with weights of their own: num_hidden_layers, or ALBERT's groups x inner layers.
std::int64_t distinct_layers(const ModelConfig& config);
/// The prefix of distinct layer `index`: "encoder.layer.<i>.", or for ALBERT
/// "encoder.albert_layer_groups.<g>.albert_layers.<j>." with index = g * inner_group_num + j.
std::string layer_prefix(const ModelConfig& config, std::int64_t index);
/// "pooler.dense" (BERT, RoBERTa) or "pooler" (ALBERT).
std::string pooler_name(const ModelConfig& config);

/// Every tensor the encoder of `config` reads, with its shape (the pooler not required).
std::vector<TensorSpec> encoder_tensor_specs(const ModelConfig& config);
/// The sequence-classification head: its own tensors ("classifier.*") and the pooler where
/// the architecture's head uses it (BERT, ALBERT), all required.
std::vector<TensorSpec> head_tensor_specs(const ModelConfig& config);

struct Weights {
  std::filesystem::path source;            ///< the file they were read from
  std::map<std::string, at::Tensor> tensors;  ///< float32, contiguous, by TensorSpec name

  /// The tensor `name`; std::logic_error if it was not loaded (specs are checked at load).
  const at::Tensor& at(const std::string& name) const;
  bool contains(const std::string& name) const { return tensors.count(name) != 0; }
};

/// Loads `model_dir`/model.safetensors, or else `model_dir`/pytorch_model.bin, keeping the
/// tensors of encoder_tensor_specs (and head_tensor_specs with `with_head`), as float32.
/// Names are mapped as transformers 4.31 does for a base model: the base prefix is stripped
/// when the checkpoint has it, LayerNorm.gamma/beta become weight/bias, everything else
/// (embeddings.position_ids, cls.*, lm_head.*, predictions.*) is ignored.
/// InputError naming the file (and tensor) for: no weights file, a truncated file, a bad
/// safetensors header (length, JSON, dtype, shape, offsets outside the data or not matching
/// the shape), a tensor of the wrong shape or of a non-float dtype, a missing required tensor.
/// Float dtypes F32, F16, BF16 (and F64) are converted to float32.
Weights load_weights(const std::filesystem::path& model_dir, const ModelConfig& config,
                     bool with_head);

}  // namespace conceptlens::model
