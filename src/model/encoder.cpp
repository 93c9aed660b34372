#include "model/encoder.hpp"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <c10/core/InferenceMode.h>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <utility>

#include "model/network.hpp"
#include "model/weights.hpp"

namespace conceptlens::model {

struct Encoder::Impl {
  ModelConfig config;
  std::unique_ptr<Network> network;
  std::int64_t num_labels = 0;
};

Encoder::Encoder(const std::filesystem::path& model_dir, bool with_head, ComputeDtype dtype)
    : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  m.config = read_model_config(model_dir / "config.json");
  const Weights weights = load_weights(model_dir, m.config, with_head, dtype);
  switch (m.config.architecture) {
    case Architecture::gpt2: m.network = make_gpt2(m.config, weights, with_head); break;
    case Architecture::llama: m.network = make_llama(m.config, weights, with_head); break;
    default: m.network = make_post_ln_encoder(m.config, weights, with_head); break;
  }
  if (with_head) m.num_labels = static_cast<std::int64_t>(m.config.id2label.size());
}

Encoder::~Encoder() = default;
Encoder::Encoder(Encoder&&) noexcept = default;
Encoder& Encoder::operator=(Encoder&&) noexcept = default;

const ModelConfig& Encoder::config() const { return impl_->config; }
std::int64_t Encoder::num_hidden_states() const { return impl_->config.num_hidden_layers + 1; }
std::int64_t Encoder::hidden_size() const { return impl_->config.hidden_size; }
std::int64_t Encoder::num_labels() const { return impl_->num_labels; }

void Encoder::forward(const PaddedBatch& batch, std::span<const std::int64_t> layers, const HiddenStateSink& sink,
                      std::span<float> logits) const {
  const Impl& m = *impl_;
  const ModelConfig& c = m.config;
  if (batch.batch <= 0 || batch.length <= 0) return;
  if (static_cast<std::int64_t>(batch.ids.size()) != batch.batch * batch.length ||
      static_cast<std::int64_t>(batch.lengths.size()) != batch.batch) {
    throw std::invalid_argument("Encoder::forward: ids and lengths do not match the batch shape");
  }
  if (batch.length > c.max_tokens()) {
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
  NetworkInput input;
  input.ids = at::from_blob(const_cast<std::int64_t*>(batch.ids.data()), {batch.batch, batch.length}, long_options);
  input.lengths = at::from_blob(const_cast<std::int64_t*>(batch.lengths.data()), {batch.batch}, long_options);
  input.padded = *std::min_element(batch.lengths.begin(), batch.lengths.end()) < batch.length;

  std::size_t next = 0;  // index into `layers`
  const LayerSink hand_over = [&](std::int64_t layer, const at::Tensor& hidden) {
    if (next < layers.size() && layers[next] == layer) {
      const at::Tensor values = hidden.to(at::kFloat).contiguous();
      sink(layer, std::span<const float>(values.data_ptr<float>(), static_cast<std::size_t>(values.numel())));
      ++next;
    }
  };
  const std::int64_t last_needed = layers.empty() ? 0 : layers.back();
  const std::int64_t through = logits.empty() ? last_needed : c.num_hidden_layers;
  const at::Tensor output = m.network->run(input, through, hand_over);
  if (!logits.empty()) {
    const at::Tensor values = m.network->logits(output, input).to(at::kFloat).contiguous();
    std::copy_n(values.data_ptr<float>(), logits.size(), logits.begin());
  }
}

void set_torch_threads(int threads) { at::set_num_threads(threads); }

}  // namespace conceptlens::model
