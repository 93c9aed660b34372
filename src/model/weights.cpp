#include "model/weights.hpp"

#include <ATen/core/Tensor.h>
#include <ATen/ops/empty.h>
#include <ATen/ops/from_blob.h>
#include <c10/util/Exception.h>
#include <caffe2/serialize/inline_container.h>
#include <torch/csrc/jit/serialization/import_read.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <system_error>
#include <utility>

#include "store/safetensors.hpp"
#include "util/error.hpp"
#include "util/read_file.hpp"

namespace conceptlens::model {
namespace {

using store::dims_text;
using store::SafetensorsDtype;
using store::SafetensorsFile;
using store::SafetensorsTensor;
using Shape = std::vector<std::int64_t>;

// ---- the tensors of a checkpoint file, before conversion ---------------------------------------

/// A tensor of a safetensors file (one shard of a sharded checkpoint).
struct Stored {
  std::shared_ptr<const SafetensorsFile> file;
  const SafetensorsTensor* tensor = nullptr;
};

/// One tensor of the checkpoint that a spec asked for.
struct Found {
  std::string file_name;                       ///< its name in the file ("bert.pooler.dense.weight")
  std::string dtype;                           ///< safetensors spelling: "F32", "I64", ...
  Shape shape;
  Stored stored;                               ///< model.safetensors (or a shard)
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
/// some name carries the base prefix ("bert."), only those names are the base model's (prefix
/// stripped) and the head's own tensors ("classifier.*", "score.*", ...) stand beside them;
/// otherwise the names are used as they are.
class NameMapper {
 public:
  NameMapper(const std::vector<std::string>& names, std::string prefix, const std::vector<TensorSpec>& specs)
      : prefix_(std::move(prefix)) {
    has_prefix_ = std::any_of(names.begin(), names.end(), [&](const std::string& n) { return starts_with(n, prefix_); });
    for (const TensorSpec& spec : specs) {
      if (spec.outside_base) outside_.push_back(spec.name);
    }
  }

  /// The spec name of the file's tensor `name` ("" when transformers would not load it).
  std::string spec_name(const std::string& name) const {
    if (!has_prefix_) return fix_key(name);
    if (starts_with(name, prefix_)) return fix_key(name.substr(prefix_.size()));
    if (outside(fix_key(name))) return fix_key(name);
    return {};
  }

  /// The name the file would give the spec's tensor (for "missing tensor" messages).
  std::string file_name(const std::string& spec) const {
    return has_prefix_ && !outside(spec) ? prefix_ + spec : spec;
  }

 private:
  bool outside(const std::string& spec) const {
    return std::find(outside_.begin(), outside_.end(), spec) != outside_.end();
  }

  std::string prefix_;
  bool has_prefix_ = false;
  std::vector<std::string> outside_;  ///< the head's own tensors
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

c10::ScalarType scalar_type(ComputeDtype dtype) {
  return dtype == ComputeDtype::float32 ? c10::ScalarType::Float : c10::ScalarType::BFloat16;
}

/// A safetensors tensor of float dtype `type` in `compute`: where it lies in the mapping when
/// it is stored so and aligned (the tensor keeps the file mapped), else copied and converted.
at::Tensor convert(const Stored& stored, c10::ScalarType type, c10::ScalarType compute) {
  const std::span<const std::byte> bytes = stored.file->bytes(*stored.tensor);
  const auto options = at::TensorOptions().dtype(type);
  const auto address = reinterpret_cast<std::uintptr_t>(bytes.data());
  if (type == compute && !bytes.empty() && address % c10::elementSize(type) == 0) {
    // read-only pages: the networks never write their weights
    return at::from_blob(const_cast<std::byte*>(bytes.data()), stored.tensor->shape,
                         [file = stored.file](void*) {}, options);
  }
  at::Tensor raw = at::empty(stored.tensor->shape, options);
  CONCEPTLENS_CHECK(raw.nbytes() == bytes.size());
  if (!bytes.empty()) std::memcpy(raw.data_ptr(), bytes.data(), bytes.size());  // data offsets need not be aligned
  stored.file->release(*stored.tensor);  // copied: its pages need not stay resident
  return type == compute ? raw : raw.to(compute);
}

/// A contiguous tensor in `compute` that owns just its own elements.
at::Tensor convert(const at::Tensor& tensor, c10::ScalarType compute) {
  at::Tensor out = tensor.to(compute).contiguous();
  if (out.storage().nbytes() != out.nbytes() || out.storage_offset() != 0) out = out.clone();
  return out;
}

/// model.safetensors.index.json: the shard files (plain names in the folder) and the tensors the
/// index gives each.
std::map<std::string, std::vector<std::string>> read_index(const std::filesystem::path& path) {
  nlohmann::json index;
  try {
    index = nlohmann::json::parse(read_whole_file(path));
  } catch (const nlohmann::json::parse_error& error) {
    file_error(path, std::string("invalid JSON: ") + error.what());
  }
  const auto map = index.is_object() ? index.find("weight_map") : index.end();
  if (map == index.end() || !map->is_object() || map->empty()) {
    file_error(path, "expected an object with a \"weight_map\" {tensor name: shard file}");
  }
  std::map<std::string, std::vector<std::string>> shards;
  for (const auto& [name, file] : map->items()) {
    const bool plain_name = file.is_string() && !file.get<std::string>().empty() &&
                            file.get<std::string>().find('/') == std::string::npos;
    if (!plain_name) {
      file_error(path, "\"weight_map\" gives tensor '" + name + "' the shard " + file.dump() +
                           ": expected the name of a file in the folder");
    }
    shards[file.get<std::string>()].push_back(name);
  }
  return shards;
}

}  // namespace

// ---- loading ------------------------------------------------------------------------------------

const at::Tensor& Weights::at(const std::string& name) const {
  const auto it = tensors.find(name);
  if (it == tensors.end()) {
    throw std::logic_error("Weights::at: tensor '" + name + "' was not loaded from " + source.string());
  }
  return it->second;
}

Weights load_weights(const std::filesystem::path& model_dir, const ModelConfig& config, bool with_head,
                     ComputeDtype compute) {
  std::error_code ec;
  if (!std::filesystem::is_directory(model_dir, ec)) {
    file_error(model_dir, std::filesystem::exists(model_dir, ec) ? "is not a directory: expected a checkpoint folder"
                                                                 : "checkpoint folder not found");
  }
  const std::filesystem::path safetensors_path = model_dir / "model.safetensors";
  const std::filesystem::path index_path = model_dir / "model.safetensors.index.json";
  const std::filesystem::path torch_path = model_dir / "pytorch_model.bin";
  Weights weights;
  if (std::filesystem::exists(safetensors_path, ec)) {
    weights.source = safetensors_path;
  } else if (std::filesystem::exists(index_path, ec)) {
    weights.source = index_path;
  } else if (std::filesystem::exists(torch_path, ec)) {
    weights.source = torch_path;
  } else {
    std::string what = "no weights file: looked for model.safetensors, model.safetensors.index.json and "
                       "pytorch_model.bin";
    if (std::filesystem::exists(model_dir / "pytorch_model.bin.index.json", ec)) {
      what += " (found pytorch_model.bin.index.json: sharded pytorch_model.bin checkpoints are not supported, "
              "convert them to safetensors)";
    }
    file_error(model_dir, what);
  }
  const std::filesystem::path& path = weights.source;

  // Everything the files hold, under the files' names.
  std::map<std::string, Stored> stored;
  std::map<std::string, at::Tensor> state_dict;
  std::vector<std::string> names;
  if (path == torch_path) {
    state_dict = read_torch_state_dict(path);
    for (const auto& [name, tensor] : state_dict) names.push_back(name);
  } else {
    std::map<std::string, std::vector<std::string>> shards;
    if (path == index_path) {
      shards = read_index(path);
    } else {
      shards[safetensors_path.filename().string()] = {};
    }
    for (const auto& [shard, indexed] : shards) {
      const auto file = std::make_shared<const SafetensorsFile>(SafetensorsFile::open(model_dir / shard));
      for (const std::string& name : indexed) {
        if (file->find(name) == nullptr) {
          file_error(path, "\"weight_map\" gives tensor '" + name + "' to " + shard + ", which does not hold it");
        }
      }
      for (const SafetensorsTensor& tensor : file->tensors()) {
        const auto [it, inserted] = stored.emplace(tensor.name, Stored{file, &tensor});
        if (!inserted) {
          file_error(path, "tensor '" + tensor.name + "' is in two shards: " +
                               it->second.file->path().filename().string() + " and " + shard);
        }
        names.push_back(tensor.name);
      }
    }
  }

  // The ones the specs read, under the specs' names.
  const std::vector<TensorSpec> specs = wanted_specs(config, with_head);
  const NameMapper mapper(names, config.base_prefix(), specs);
  std::map<std::string, Found> found;
  for (const std::string& name : names) {
    const std::string spec = mapper.spec_name(name);
    if (spec.empty() ||
        std::none_of(specs.begin(), specs.end(), [&](const TensorSpec& s) { return s.name == spec; })) {
      continue;  // position_ids, cls.*, lm_head.*, predictions.*, ...
    }
    Found entry;
    entry.file_name = name;
    if (state_dict.empty()) {
      entry.stored = stored.at(name);
      entry.dtype = std::string(store::dtype_name(entry.stored.tensor->dtype));
      entry.shape = entry.stored.tensor->shape;
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

  const c10::ScalarType target = scalar_type(compute);
  for (const TensorSpec& spec : specs) {
    const auto it = found.find(spec.name);
    if (it == found.end()) {
      if (!spec.required) continue;
      std::string what = "missing tensor '" + mapper.file_name(spec.name) + "' (shape " + dims_text(spec.shape) + ")";
      if (spec.outside_base) what += ": the sequence-classification head is not in this checkpoint";
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
    weights.tensors[spec.name] =
        state_dict.empty() ? convert(entry.stored, *type, target) : convert(entry.tensor, target);
    entry.tensor = at::Tensor();  // drop the file's copy as soon as it is converted
    state_dict.erase(entry.file_name);
  }
  return weights;
}

}  // namespace conceptlens::model
