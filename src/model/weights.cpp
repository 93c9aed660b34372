#include "model/weights.hpp"

#include <ATen/core/Tensor.h>
#include <ATen/ops/empty.h>
#include <c10/util/Exception.h>
#include <caffe2/serialize/inline_container.h>
#include <torch/csrc/jit/serialization/import_read.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <system_error>
#include <utility>

#include "store/safetensors.hpp"
#include "util/error.hpp"

namespace conceptlens::model {
namespace {

using store::dims_text;
using store::SafetensorsDtype;
using store::SafetensorsFile;
using store::SafetensorsTensor;
using Shape = std::vector<std::int64_t>;

// ---- the tensors each architecture reads (transformers 4.31 module names) -----------------------

void add(std::vector<TensorSpec>& specs, const std::string& name, Shape shape, bool required = true) {
  specs.push_back(TensorSpec{name, std::move(shape), required});
}

/// `<prefix>.weight` [out, in] and `<prefix>.bias` [out] of an nn.Linear.
void add_linear(std::vector<TensorSpec>& specs, const std::string& prefix, std::int64_t out, std::int64_t in,
                bool required = true) {
  add(specs, prefix + ".weight", {out, in}, required);
  add(specs, prefix + ".bias", {out}, required);
}

void add_layer_norm(std::vector<TensorSpec>& specs, const std::string& prefix, std::int64_t size) {
  add(specs, prefix + ".weight", {size});
  add(specs, prefix + ".bias", {size});
}

void add_layer(std::vector<TensorSpec>& specs, const std::string& p, const LayerNames& names, std::int64_t h,
               std::int64_t i) {
  add_linear(specs, p + names.query, h, h);
  add_linear(specs, p + names.key, h, h);
  add_linear(specs, p + names.value, h, h);
  add_linear(specs, p + names.attention_output, h, h);
  add_layer_norm(specs, p + names.attention_norm, h);
  add_linear(specs, p + names.intermediate, i, h);
  add_linear(specs, p + names.output, h, i);
  add_layer_norm(specs, p + names.output_norm, h);
}

// ---- the tensors of a checkpoint file, before conversion ---------------------------------------

/// One tensor of the file that a spec asked for.
struct Found {
  std::string file_name;                       ///< its name in the file ("bert.pooler.dense.weight")
  std::string dtype;                           ///< safetensors spelling: "F32", "I64", ...
  Shape shape;
  const SafetensorsTensor* stored = nullptr;   ///< model.safetensors
  at::Tensor tensor;                           ///< pytorch_model.bin
};

/// The safetensors name of a torch dtype, for messages that read the same for both formats.
std::string dtype_text(c10::ScalarType type) {
  switch (type) {
    case c10::ScalarType::Float: return "F32";
    case c10::ScalarType::Half: return "F16";
    case c10::ScalarType::BFloat16: return "BF16";
    case c10::ScalarType::Double: return "F64";
    case c10::ScalarType::Long: return "I64";
    case c10::ScalarType::Int: return "I32";
    case c10::ScalarType::Short: return "I16";
    case c10::ScalarType::Char: return "I8";
    case c10::ScalarType::Byte: return "U8";
    case c10::ScalarType::Bool: return "BOOL";
    default: return c10::toString(type);
  }
}

std::optional<c10::ScalarType> float_type(const std::string& dtype) {
  if (dtype == "F32") return c10::ScalarType::Float;
  if (dtype == "F16") return c10::ScalarType::Half;
  if (dtype == "BF16") return c10::ScalarType::BFloat16;
  if (dtype == "F64") return c10::ScalarType::Double;
  return std::nullopt;
}

/// transformers' _fix_key for TF-converted checkpoints: a LayerNorm's gamma/beta are its
/// weight/bias (applied to the last component only: no name the encoders read has them elsewhere).
std::string fix_key(const std::string& name) {
  const std::size_t dot = name.rfind('.');
  const std::string last = name.substr(dot == std::string::npos ? 0 : dot + 1);
  const std::string stem = name.substr(0, name.size() - last.size());
  if (last == "gamma") return stem + "weight";
  if (last == "beta") return stem + "bias";
  return name;
}

bool starts_with(const std::string& text, const std::string& prefix) { return text.rfind(prefix, 0) == 0; }

/// Maps the file's tensor names to spec names as transformers 4.31 loads a base model: when
/// some name carries the base prefix ("bert."), only those names are the encoder's (prefix
/// stripped) and "classifier.*" is the head; otherwise the names are used as they are.
class NameMapper {
 public:
  NameMapper(const std::vector<std::string>& names, std::string prefix) : prefix_(std::move(prefix)) {
    has_prefix_ = std::any_of(names.begin(), names.end(), [&](const std::string& n) { return starts_with(n, prefix_); });
  }

  /// The spec name of the file's tensor `name` ("" when transformers would not load it).
  std::string spec_name(const std::string& name) const {
    if (!has_prefix_) return fix_key(name);
    if (starts_with(name, prefix_)) return fix_key(name.substr(prefix_.size()));
    if (starts_with(name, "classifier.")) return fix_key(name);
    return {};
  }

  /// The name the file would give the spec's tensor (for "missing tensor" messages).
  std::string file_name(const std::string& spec) const {
    return has_prefix_ && !starts_with(spec, "classifier.") ? prefix_ + spec : spec;
  }

 private:
  std::string prefix_;
  bool has_prefix_ = false;
};

/// The specs of `config` (with the head's when asked), one entry per name: a name in both
/// lists (the pooler) is required when either requires it.
std::vector<TensorSpec> wanted_specs(const ModelConfig& config, bool with_head) {
  std::vector<TensorSpec> specs = encoder_tensor_specs(config);
  if (with_head) {
    for (TensorSpec& head : head_tensor_specs(config)) {
      auto it = std::find_if(specs.begin(), specs.end(), [&](const TensorSpec& s) { return s.name == head.name; });
      if (it == specs.end()) {
        specs.push_back(std::move(head));
      } else {
        it->required = it->required || head.required;
      }
    }
  }
  return specs;
}

[[noreturn]] void file_error(const std::filesystem::path& path, const std::string& what) {
  throw InputError(path.string() + ": " + what);
}

/// The first line of a LibTorch error, without its C++ backtrace.
std::string torch_message(const std::exception& error) {
  std::string text;
  if (const auto* c10_error = dynamic_cast<const c10::Error*>(&error)) {
    text = c10_error->what_without_backtrace();
  } else {
    text = error.what();
  }
  if (const std::size_t end = text.find('\n'); end != std::string::npos) text.resize(end);
  return text;
}

/// pytorch_model.bin: the zip archive torch.save writes (torch >= 1.6), as a name -> tensor map.
std::map<std::string, at::Tensor> read_torch_state_dict(const std::filesystem::path& path) {
  {
    std::ifstream in(path, std::ios::binary);
    if (!in) file_error(path, "cannot open the file");
    char magic[4] = {};
    in.read(magic, 4);
    if (in.gcount() < 4 || std::memcmp(magic, "PK\x03\x04", 4) != 0) {
      file_error(path, "not a zip archive: expected a PyTorch checkpoint written by torch.save (torch >= 1.6); "
                       "the legacy (pre-1.6) format is not supported: convert it to model.safetensors");
    }
  }
  c10::IValue value;
  try {
    caffe2::serialize::PyTorchStreamReader reader(path.string());
    value = torch::jit::readArchiveAndTensors("data", /*pickle_prefix=*/"", /*tensor_prefix=*/"",
                                              /*type_resolver=*/c10::nullopt, /*obj_loader=*/c10::nullopt,
                                              c10::Device(c10::DeviceType::CPU), reader);
  } catch (const std::exception& error) {
    file_error(path, "cannot read the PyTorch checkpoint: " + torch_message(error));
  }
  if (!value.isGenericDict()) {
    file_error(path, std::string("expected a state dict (a dict of tensors), found a ") + value.tagKind());
  }
  std::map<std::string, at::Tensor> tensors;
  for (const auto& entry : value.toGenericDict()) {
    if (!entry.key().isString()) {
      file_error(path, std::string("expected a state dict with string keys, found a key of type ") +
                           entry.key().tagKind());
    }
    if (entry.value().isTensor()) tensors.emplace(entry.key().toStringRef(), entry.value().toTensor());
  }
  return tensors;
}

/// Copies a safetensors tensor of float dtype `type` into a float32 tensor.
at::Tensor convert(const SafetensorsFile& file, const SafetensorsTensor& stored, c10::ScalarType type) {
  const std::span<const std::byte> bytes = file.bytes(stored);
  at::Tensor raw = at::empty(stored.shape, at::TensorOptions().dtype(type));
  CONCEPTLENS_CHECK(raw.nbytes() == bytes.size());
  if (!bytes.empty()) std::memcpy(raw.data_ptr(), bytes.data(), bytes.size());  // data offsets need not be aligned
  return type == c10::ScalarType::Float ? raw : raw.to(c10::ScalarType::Float);
}

/// A float32 contiguous tensor that owns just its own elements.
at::Tensor convert(const at::Tensor& tensor) {
  at::Tensor out = tensor.to(c10::ScalarType::Float).contiguous();
  if (out.storage().nbytes() != out.nbytes() || out.storage_offset() != 0) out = out.clone();
  return out;
}

}  // namespace

// ---- specs --------------------------------------------------------------------------------------

const LayerNames& layer_names(Architecture architecture) {
  static const LayerNames bert{"attention.self.query", "attention.self.key", "attention.self.value",
                               "attention.output.dense", "attention.output.LayerNorm", "intermediate.dense",
                               "output.dense", "output.LayerNorm"};
  static const LayerNames albert{"attention.query", "attention.key", "attention.value", "attention.dense",
                                 "attention.LayerNorm", "ffn", "ffn_output", "full_layer_layer_norm"};
  return architecture == Architecture::albert ? albert : bert;
}

std::int64_t distinct_layers(const ModelConfig& config) {
  return config.architecture == Architecture::albert ? config.num_hidden_groups * config.inner_group_num
                                                     : config.num_hidden_layers;
}

std::string layer_prefix(const ModelConfig& config, std::int64_t index) {
  if (config.architecture != Architecture::albert) return "encoder.layer." + std::to_string(index) + ".";
  return "encoder.albert_layer_groups." + std::to_string(index / config.inner_group_num) + ".albert_layers." +
         std::to_string(index % config.inner_group_num) + ".";
}

std::string pooler_name(const ModelConfig& config) {
  return config.architecture == Architecture::albert ? "pooler" : "pooler.dense";
}

std::vector<TensorSpec> encoder_tensor_specs(const ModelConfig& config) {
  const std::int64_t h = config.hidden_size;
  const std::int64_t e = config.embedding_size;
  const std::int64_t i = config.intermediate_size;
  std::vector<TensorSpec> specs;
  add(specs, "embeddings.word_embeddings.weight", {config.vocab_size, e});
  add(specs, "embeddings.position_embeddings.weight", {config.max_position_embeddings, e});
  add(specs, "embeddings.token_type_embeddings.weight", {config.type_vocab_size, e});
  add_layer_norm(specs, "embeddings.LayerNorm", e);
  if (config.architecture == Architecture::albert) add_linear(specs, "encoder.embedding_hidden_mapping_in", h, e);
  for (std::int64_t layer = 0; layer < distinct_layers(config); ++layer) {
    add_layer(specs, layer_prefix(config, layer), layer_names(config.architecture), h, i);
  }
  add_linear(specs, pooler_name(config), h, h, /*required=*/false);
  return specs;
}

std::vector<TensorSpec> head_tensor_specs(const ModelConfig& config) {
  const std::int64_t h = config.hidden_size;
  const auto c = static_cast<std::int64_t>(config.id2label.size());
  std::vector<TensorSpec> specs;
  if (config.architecture == Architecture::roberta) {
    // RobertaClassificationHead (XLM-R too): dense -> tanh -> out_proj on the <s> state
    add_linear(specs, "classifier.dense", h, h);
    add_linear(specs, "classifier.out_proj", c, h);
  } else {
    // BertForSequenceClassification / AlbertForSequenceClassification: classifier(pooler)
    add_linear(specs, pooler_name(config), h, h);
    add_linear(specs, "classifier", c, h);
  }
  return specs;
}

// ---- loading ------------------------------------------------------------------------------------

const at::Tensor& Weights::at(const std::string& name) const {
  const auto it = tensors.find(name);
  if (it == tensors.end()) {
    throw std::logic_error("Weights::at: tensor '" + name + "' was not loaded from " + source.string());
  }
  return it->second;
}

Weights load_weights(const std::filesystem::path& model_dir, const ModelConfig& config, bool with_head) {
  std::error_code ec;
  if (!std::filesystem::is_directory(model_dir, ec)) {
    file_error(model_dir, std::filesystem::exists(model_dir, ec) ? "is not a directory: expected a checkpoint folder"
                                                                 : "checkpoint folder not found");
  }
  const std::filesystem::path safetensors_path = model_dir / "model.safetensors";
  const std::filesystem::path torch_path = model_dir / "pytorch_model.bin";
  const bool use_safetensors = std::filesystem::exists(safetensors_path, ec);
  if (!use_safetensors && !std::filesystem::exists(torch_path, ec)) {
    std::string what = "no weights file: looked for model.safetensors and pytorch_model.bin";
    for (const char* index : {"model.safetensors.index.json", "pytorch_model.bin.index.json"}) {
      if (std::filesystem::exists(model_dir / index, ec)) {
        what += std::string(" (found ") + index + ": sharded checkpoints are not supported)";
      }
    }
    file_error(model_dir, what);
  }

  Weights weights;
  weights.source = use_safetensors ? safetensors_path : torch_path;
  const std::filesystem::path& path = weights.source;

  // Everything the file holds, under the file's names.
  std::optional<SafetensorsFile> safetensors;
  std::map<std::string, at::Tensor> state_dict;
  std::vector<std::string> names;
  if (use_safetensors) {
    safetensors.emplace(SafetensorsFile::open(path));
    for (const SafetensorsTensor& t : safetensors->tensors()) names.push_back(t.name);
  } else {
    state_dict = read_torch_state_dict(path);
    for (const auto& [name, tensor] : state_dict) names.push_back(name);
  }

  // The ones the specs read, under the specs' names.
  const std::vector<TensorSpec> specs = wanted_specs(config, with_head);
  const NameMapper mapper(names, config.base_prefix());
  std::map<std::string, Found> found;
  for (const std::string& name : names) {
    const std::string spec = mapper.spec_name(name);
    if (spec.empty() ||
        std::none_of(specs.begin(), specs.end(), [&](const TensorSpec& s) { return s.name == spec; })) {
      continue;  // position_ids, cls.*, lm_head.*, predictions.*, ...
    }
    Found entry;
    entry.file_name = name;
    if (safetensors) {
      entry.stored = safetensors->find(name);
      entry.dtype = std::string(store::dtype_name(entry.stored->dtype));
      entry.shape = entry.stored->shape;
    } else {
      entry.tensor = state_dict.at(name);
      entry.dtype = dtype_text(entry.tensor.scalar_type());
      entry.shape = entry.tensor.sizes().vec();
    }
    const auto [it, inserted] = found.emplace(spec, std::move(entry));
    if (!inserted) {
      file_error(path, "tensors '" + it->second.file_name + "' and '" + name + "' are both read as '" + spec + "'");
    }
  }

  for (const TensorSpec& spec : specs) {
    const auto it = found.find(spec.name);
    if (it == found.end()) {
      if (!spec.required) continue;
      std::string what = "missing tensor '" + mapper.file_name(spec.name) + "' (shape " + dims_text(spec.shape) + ")";
      if (starts_with(spec.name, "classifier.")) what += ": the sequence-classification head is not in this checkpoint";
      file_error(path, what);
    }
    Found& entry = it->second;
    const std::optional<c10::ScalarType> type = float_type(entry.dtype);
    if (!type) {
      file_error(path, "tensor '" + entry.file_name + "' has dtype " + entry.dtype +
                           ", expected a floating-point dtype (F32, F16, BF16 or F64)");
    }
    if (entry.shape != spec.shape) {
      file_error(path, "tensor '" + entry.file_name + "' has shape " + dims_text(entry.shape) + ", expected " +
                           dims_text(spec.shape));
    }
    weights.tensors[spec.name] = safetensors ? convert(*safetensors, *entry.stored, *type) : convert(entry.tensor);
    entry.tensor = at::Tensor();  // drop the file's copy as soon as it is converted
    state_dict.erase(entry.file_name);
  }
  return weights;
}

}  // namespace conceptlens::model
