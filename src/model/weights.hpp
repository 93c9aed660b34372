#pragma once
// The weights of a Hugging Face checkpoint folder as LibTorch tensors in the compute dtype,
// checked against what the network of its config reads (tensor_specs.hpp). Included only by the
// model's .cpp files (LibTorch).
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "model/model_config.hpp"
#include "model/tensor_specs.hpp"

namespace conceptlens::model {

struct Weights {
  std::filesystem::path source;            ///< the file they were read from (the index when sharded)
  std::map<std::string, at::Tensor> tensors;  ///< in the compute dtype, contiguous, by TensorSpec name

  /// The tensor `name`; std::logic_error if it was not loaded (specs are checked at load).
  const at::Tensor& at(const std::string& name) const;
  bool contains(const std::string& name) const { return tensors.count(name) != 0; }
};

/// Loads the weights of `model_dir`, as transformers 4.31's from_pretrained finds them:
/// model.safetensors, else the shards that model.safetensors.index.json lists (its
/// "weight_map": tensor name -> shard file in the folder), else pytorch_model.bin; keeps the
/// tensors of encoder_tensor_specs (and head_tensor_specs with `with_head`) in `compute` dtype.
/// Safetensors files are memory-mapped: a tensor stored in the compute dtype (and aligned) is
/// used where it lies in the mapping, without a copy — the ranks of a node share those pages;
/// another dtype is converted (F32, F16, BF16, F64 to float32 or bfloat16).
/// Names are mapped as transformers 4.31 does for a base model: the base prefix is stripped
/// when the checkpoint has it, LayerNorm.gamma/beta become weight/bias, everything else
/// (embeddings.position_ids, cls.*, lm_head.*, predictions.*, attn.bias buffers) is ignored.
/// InputError naming the file (and tensor) for: no weights file, a truncated file, a bad
/// safetensors header (length, JSON, dtype, shape, offsets outside the data or not matching
/// the shape), a bad index (not JSON, no weight_map, a shard that is missing or does not hold
/// the tensors the index gives it, a tensor in two shards), a tensor of the wrong shape or of a
/// non-float dtype, a missing required tensor; a sharded pytorch_model.bin is not supported.
Weights load_weights(const std::filesystem::path& model_dir, const ModelConfig& config, bool with_head,
                     ComputeDtype compute = ComputeDtype::float32);

}  // namespace conceptlens::model
