// Fuzz target: a checkpoint's config.json (model/model_config.hpp), as `conceptlens extract`
// and the sweep's planning read it. The input is the file; what the reader accepts must be a
// model the encoders can build.
#include <cmath>

#include "fuzz_support.hpp"
#include "model/model_config.hpp"

using namespace conceptlens;

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  const std::filesystem::path path = fuzz::write_file("config.json", fuzz::text_of(data, size));
  fuzz::accepted([&] {
    const model::ModelConfig config = model::read_model_config(path);
    for (const std::int64_t value : {config.vocab_size, config.hidden_size, config.embedding_size,
                                     config.num_hidden_layers, config.num_attention_heads, config.intermediate_size,
                                     config.max_position_embeddings, config.num_hidden_groups,
                                     config.inner_group_num}) {
      if (value <= 0) fuzz::fail("a size that is not positive");
    }
    // token types: none for DistilBERT, GPT-2 and Llama (0), else a positive count
    const bool typed = config.architecture != model::Architecture::distilbert && !config.decoder();
    if (typed ? config.type_vocab_size <= 0 : config.type_vocab_size != 0) fuzz::fail("token types of another family");
    if (config.architecture == model::Architecture::llama &&
        (config.num_key_value_heads <= 0 || config.num_attention_heads % config.num_key_value_heads != 0)) {
      fuzz::fail("heads not a multiple of the key/value heads");
    }
    if (config.hidden_size % config.num_attention_heads != 0) fuzz::fail("hidden_size not a multiple of the heads");
    if (config.num_hidden_layers % config.num_hidden_groups != 0) fuzz::fail("layers not a multiple of the groups");
    // pad_token_id: in the vocabulary, or -1 (none) for the decoders
    if (config.pad_token_id < (config.decoder() ? -1 : 0) || config.pad_token_id >= config.vocab_size) {
      fuzz::fail("pad_token_id outside the vocabulary");
    }
    if (!(config.layer_norm_eps > 0) || !std::isfinite(config.layer_norm_eps)) fuzz::fail("layer_norm_eps not > 0");
    config.base_prefix();
    config.has_sequence_classification_head();
  });
  return 0;
}
