#include "model/memory_estimate.hpp"

#include "util/memory.hpp"

namespace conceptlens::model {

std::int64_t weight_bytes(const ModelConfig& config, bool with_head, ComputeDtype dtype) {
  std::int64_t values = 0;
  for (const TensorSpec& spec : encoder_tensor_specs(config)) values += spec.numel();
  if (with_head) {
    for (const TensorSpec& spec : head_tensor_specs(config)) values += spec.outside_base ? spec.numel() : 0;
  }
  if (!config.decoder()) {  // the post-LN encoders stack each layer's query, key and value: a copy
    const std::int64_t h = config.hidden_size;
    values += distinct_layers(config) * 3 * (h * h + h);
  }
  return values * compute_dtype_size(dtype);
}

std::int64_t activation_bytes(const ModelConfig& config, ComputeDtype dtype, std::int64_t batch, std::int64_t length,
                              std::int64_t layers) {
  const std::int64_t b = compute_dtype_size(dtype);
  const std::int64_t tokens = batch * length;
  const std::int64_t h = config.hidden_size;
  const std::int64_t head_size = h / config.num_attention_heads;
  const std::int64_t qkv = h + 2 * config.num_key_value_heads * head_size;
  const std::int64_t feed_forward = (config.architecture == Architecture::llama ? 4 : 2) * config.intermediate_size;
  // residual, normed input, attention output and sum (4h), q/k/v and their per-head copies
  // (2 qkv), context and its reshaped copy (2h), feed-forward activations
  const std::int64_t per_token = b * (6 * h + 2 * qkv + feed_forward);
  // scores and probabilities in float32, and the probabilities in the compute dtype
  const std::int64_t attention = batch * config.num_attention_heads * length * length * (8 + b);
  // the float32 hidden state handed over, and the float32 word rows of every kept layer
  const std::int64_t kept = tokens * h * 4 * (1 + layers);
  return tokens * per_token + attention + kept;
}

std::string describe_memory(std::int64_t weights, std::int64_t activations, ComputeDtype dtype) {
  return "weights " + format_bytes(static_cast<std::uint64_t>(weights)) + " (" + compute_dtype_name(dtype) +
         ") + activations " + format_bytes(static_cast<std::uint64_t>(activations)) + " per rank";
}

}  // namespace conceptlens::model
