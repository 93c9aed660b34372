#pragma once
// What extraction needs in memory per rank, before any work (torch-free): the weights in the
// compute dtype, and the peak of one forward pass over a padded batch. Both are estimates from
// the shapes; bench/bench_extract.py compares them with the peak RSS it measures.
#include <cstdint>
#include <string>

#include "model/model_config.hpp"
#include "model/tensor_specs.hpp"

namespace conceptlens::model {

/// The bytes the weights take when computed in `dtype`: every tensor of the specs (the pooler
/// counted when the architecture has one; the head's with `with_head`), and for the post-LN
/// encoders the copy of each layer's query, key and value stacked into one product. Tensors
/// stored in the compute dtype are memory-mapped: the ranks of a node share their pages, and
/// pages never read (embedding rows of tokens the corpus lacks) are not resident.
std::int64_t weight_bytes(const ModelConfig& config, bool with_head, ComputeDtype dtype);

/// The peak bytes one forward pass over `batch` sentences padded to `length` tokens holds
/// besides the weights, keeping `layers` hidden states as float32 word rows: within a layer the
/// residual stream, the q/k/v products, the attention scores and probabilities (float32,
/// batch * heads * length^2 each), the context, the feed-forward activations (Llama's gate, up
/// and product), plus a float32 copy of the hidden state handed over and the rows kept.
std::int64_t activation_bytes(const ModelConfig& config, ComputeDtype dtype, std::int64_t batch, std::int64_t length,
                              std::int64_t layers);

/// "weights 1.23 GiB (bfloat16) + activations 45.6 MiB per rank" for the logs and --dry-run.
std::string describe_memory(std::int64_t weights, std::int64_t activations, ComputeDtype dtype);

}  // namespace conceptlens::model
