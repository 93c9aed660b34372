#include "model/network.hpp"

#include <ATen/ATen.h>

#include <cmath>
#include <limits>

namespace conceptlens::model {

at::Tensor Linear::operator()(const at::Tensor& x) const { return at::linear(x, weight, bias); }

Linear read_linear(const Weights& weights, const std::string& name) {
  const std::string bias = name + ".bias";
  return {weights.at(name + ".weight"), weights.contains(bias) ? weights.at(bias) : at::Tensor()};
}

at::Tensor LayerNorm::operator()(const at::Tensor& x) const {
  return at::layer_norm(x, {weight.size(0)}, weight, bias, eps);
}

LayerNorm read_layer_norm(const Weights& weights, const std::string& name, double eps) {
  return {weights.at(name + ".weight"), weights.at(name + ".bias"), eps};
}

at::Tensor activate(Activation activation, const at::Tensor& x) {
  switch (activation) {
    case Activation::gelu: return at::gelu(x);
    case Activation::gelu_new: return at::gelu(x, "tanh");
    case Activation::relu: return at::relu(x);
    case Activation::silu: return at::silu(x);
  }
  return x;
}

at::Tensor attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const at::Tensor& mask,
                     double divisor) {
  const std::int64_t batch = q.size(0);
  const std::int64_t heads = q.size(1);
  const std::int64_t length = q.size(2);
  const std::int64_t head_size = q.size(3);
  const std::int64_t groups = heads / k.size(1);
  const auto repeat = [&](const at::Tensor& t) {  // repeat_kv: [b, kv, T, d] -> [b, kv * groups, T, d]
    if (groups == 1) return t;
    return t.unsqueeze(2)
        .expand({batch, t.size(1), groups, length, head_size})
        .reshape({batch, heads, length, head_size});
  };
  at::Tensor scores = at::matmul(q, repeat(k).transpose(-1, -2)).to(at::kFloat);
  if (divisor != 1.0) scores.div_(divisor);
  if (mask.defined()) scores.add_(mask);
  const at::Tensor probabilities = at::softmax(scores, -1).to(q.scalar_type());
  return at::matmul(probabilities, repeat(v)).permute({0, 2, 1, 3}).reshape({batch, length, heads * head_size});
}

at::Tensor padding_mask(const NetworkInput& input) {
  if (!input.padded) return {};
  const std::int64_t batch = input.ids.size(0);
  const std::int64_t length = input.ids.size(1);
  const at::Tensor padding = at::arange(length, input.ids.options()).unsqueeze(0) >= input.lengths.unsqueeze(1);
  at::Tensor mask = at::zeros({batch, 1, 1, length}, at::kFloat);
  mask.masked_fill_(padding.view({batch, 1, 1, length}), std::numeric_limits<float>::lowest());
  return mask;
}

at::Tensor causal_mask(std::int64_t length) {
  return at::full({length, length}, std::numeric_limits<float>::lowest(), at::kFloat).triu_(1);
}

at::Tensor last_tokens(const at::Tensor& hidden, const NetworkInput& input) {
  const at::Tensor rows = at::arange(hidden.size(0), input.lengths.options());
  return hidden.index({rows, input.lengths - 1});
}

}  // namespace conceptlens::model
