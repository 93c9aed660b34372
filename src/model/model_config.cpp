#include "model/model_config.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <iterator>
#include <optional>
#include <string_view>
#include <utility>

#include "util/error.hpp"
#include "util/read_file.hpp"

namespace conceptlens::model {
namespace {

using Json = nlohmann::json;

constexpr const char* kSupported = "bert, roberta, xlm-roberta, albert, distilbert, gpt2, llama";

/// The defaults of transformers 4.31's config classes of the BERT family (BertConfig,
/// RobertaConfig, XLMRobertaConfig, AlbertConfig) for the keys the encoders read.
struct Defaults {
  std::int64_t vocab_size;
  std::int64_t hidden_size;
  std::int64_t embedding_size;  ///< 0: = hidden_size
  std::int64_t num_hidden_layers;
  std::int64_t num_attention_heads;
  std::int64_t intermediate_size;
  std::int64_t max_position_embeddings;
  std::int64_t type_vocab_size;
  std::int64_t pad_token_id;
  double layer_norm_eps;
  const char* hidden_act;
};

constexpr Defaults kBertDefaults{30522, 768, 0, 12, 12, 3072, 512, 2, 0, 1e-12, "gelu"};
constexpr Defaults kRobertaDefaults{50265, 768, 0, 12, 12, 3072, 512, 2, 1, 1e-12, "gelu"};
constexpr Defaults kXlmRobertaDefaults{30522, 768, 0, 12, 12, 3072, 512, 2, 1, 1e-12, "gelu"};
constexpr Defaults kAlbertDefaults{30000, 4096, 128, 12, 64, 16384, 512, 2, 0, 1e-12, "gelu_new"};

/// Reads the keys of one config.json; every error names the file and the key.
class ConfigReader {
 public:
  ConfigReader(const std::filesystem::path& path, const Json& json) : path_(path), json_(json) {}

  [[noreturn]] void fail(const std::string& what) const { throw InputError(path_.string() + ": " + what); }

  [[noreturn]] void wrong_type(const std::string& key, const std::string& expected, const Json& found) const {
    fail("key '" + key + "' must be " + expected + ", found " + describe(found));
  }

  static std::string describe(const Json& value) {
    std::string text = value.dump();
    if (text.size() > 60) text = text.substr(0, 57) + "...";
    return std::string(value.type_name()) + " " + text;
  }

  const Json* find(const std::string& key) const {
    const auto it = json_.find(key);
    return it == json_.end() ? nullptr : &*it;
  }

  std::string required_string(const std::string& key, const std::string& meaning) const {
    const Json* value = find(key);
    if (value == nullptr) fail("missing key '" + key + "' (" + meaning + ")");
    if (!value->is_string()) wrong_type(key, "a string", *value);
    return value->get<std::string>();
  }

  std::optional<std::string> optional_string(const std::string& key) const {
    const Json* value = find(key);
    if (value == nullptr) return std::nullopt;
    if (!value->is_string()) wrong_type(key, "a string", *value);
    return value->get<std::string>();
  }

  /// An integer key (a JSON integer, not 32.0 or "32"); `fallback` when absent.
  std::int64_t integer(const std::string& key, std::int64_t fallback) const {
    const Json* value = find(key);
    if (value == nullptr) return fallback;
    if (!value->is_number_integer()) wrong_type(key, "an integer", *value);
    if (value->is_number_unsigned() &&
        value->get<std::uint64_t>() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      fail("key '" + key + "' is too large: " + value->dump());
    }
    return value->get<std::int64_t>();
  }

  std::int64_t positive(const std::string& key, std::int64_t fallback) const {
    const std::int64_t value = integer(key, fallback);
    if (value <= 0) fail("key '" + key + "' must be > 0, found " + std::to_string(value));
    return value;
  }

  double number(const std::string& key, double fallback) const {
    const Json* value = find(key);
    if (value == nullptr) return fallback;
    if (!value->is_number()) wrong_type(key, "a number", *value);
    return value->get<double>();
  }

  /// A number > 0 and finite.
  double positive_number(const std::string& key, double fallback) const {
    const double value = number(key, fallback);
    if (!(value > 0.0) || !std::isfinite(value)) {
      fail("key '" + key + "' must be a finite number > 0, found " + json_.at(key).dump());
    }
    return value;
  }

  bool boolean(const std::string& key, bool fallback) const {
    const Json* value = find(key);
    if (value == nullptr) return fallback;
    if (!value->is_boolean()) wrong_type(key, "true or false", *value);
    return value->get<bool>();
  }

  /// True when the key is absent or null (Python's None).
  bool absent(const std::string& key) const {
    const Json* value = find(key);
    return value == nullptr || value->is_null();
  }

 private:
  const std::filesystem::path& path_;
  const Json& json_;
};

/// transformers' ACT2FN names of `key` (hidden_act; DistilBERT's activation; GPT-2's
/// activation_function).
Activation read_activation(const ConfigReader& reader, const std::string& key, const char* fallback) {
  const std::string name = reader.optional_string(key).value_or(fallback);
  if (name == "gelu") return Activation::gelu;
  if (name == "gelu_new" || name == "gelu_pytorch_tanh") return Activation::gelu_new;
  if (name == "relu") return Activation::relu;
  if (name == "silu" || name == "swish") return Activation::silu;
  reader.fail("unsupported " + key + " '" + name +
              "'; supported: gelu, gelu_new, gelu_pytorch_tanh, relu, silu, swish");
}

/// pad_token_id: null is the class default (`fallback`, -1 for None); else in [0, vocab_size).
std::int64_t read_pad_token_id(const ConfigReader& reader, std::int64_t fallback, std::int64_t vocab_size) {
  const std::int64_t pad = reader.absent("pad_token_id") ? fallback : reader.integer("pad_token_id", fallback);
  if (pad != -1 && (pad < 0 || pad >= vocab_size)) {
    reader.fail("key 'pad_token_id' is " + std::to_string(pad) + ", outside the vocabulary [0, " +
                std::to_string(vocab_size) + ")");
  }
  return pad;
}

/// BertConfig, RobertaConfig, XLMRobertaConfig, AlbertConfig.
void read_bert_family(const ConfigReader& reader, const Defaults& defaults, ModelConfig& config) {
  config.vocab_size = reader.positive("vocab_size", defaults.vocab_size);
  config.hidden_size = reader.positive("hidden_size", defaults.hidden_size);
  config.embedding_size = config.architecture == Architecture::albert
                              ? reader.positive("embedding_size", defaults.embedding_size)
                              : config.hidden_size;
  config.num_hidden_layers = reader.positive("num_hidden_layers", defaults.num_hidden_layers);
  config.num_attention_heads = reader.positive("num_attention_heads", defaults.num_attention_heads);
  config.intermediate_size = reader.positive("intermediate_size", defaults.intermediate_size);
  config.max_position_embeddings = reader.positive("max_position_embeddings", defaults.max_position_embeddings);
  config.type_vocab_size = reader.positive("type_vocab_size", defaults.type_vocab_size);
  config.pad_token_id = read_pad_token_id(reader, defaults.pad_token_id, config.vocab_size);
  config.layer_norm_eps = reader.positive_number("layer_norm_eps", defaults.layer_norm_eps);
  config.hidden_act = read_activation(reader, "hidden_act", defaults.hidden_act);
  if (const auto type = reader.optional_string("position_embedding_type"); type && *type != "absolute") {
    reader.fail("unsupported position_embedding_type '" + *type +
                "' (key 'position_embedding_type'); supported: absolute");
  }
  if (config.architecture == Architecture::albert) {
    config.num_hidden_groups = reader.positive("num_hidden_groups", 1);
    config.inner_group_num = reader.positive("inner_group_num", 1);
    if (config.num_hidden_layers % config.num_hidden_groups != 0) {
      reader.fail("key 'num_hidden_layers' (" + std::to_string(config.num_hidden_layers) +
                  ") is not a multiple of key 'num_hidden_groups' (" + std::to_string(config.num_hidden_groups) + ")");
    }
  }
}

/// DistilBertConfig: dim, n_layers, n_heads, hidden_dim, activation; LayerNorm eps 1e-12.
void read_distilbert(const ConfigReader& reader, ModelConfig& config) {
  config.vocab_size = reader.positive("vocab_size", 30522);
  config.hidden_size = config.embedding_size = reader.positive("dim", 768);
  config.num_hidden_layers = reader.positive("n_layers", 6);
  config.num_attention_heads = reader.positive("n_heads", 12);
  config.intermediate_size = reader.positive("hidden_dim", 3072);
  config.max_position_embeddings = reader.positive("max_position_embeddings", 512);
  config.pad_token_id = read_pad_token_id(reader, 0, config.vocab_size);
  config.hidden_act = read_activation(reader, "activation", "gelu");
}

/// GPT2Config: n_embd, n_layer, n_head, n_inner (null: 4 * n_embd), n_positions,
/// activation_function, layer_norm_epsilon, the two attention scalings.
void read_gpt2(const ConfigReader& reader, ModelConfig& config) {
  config.vocab_size = reader.positive("vocab_size", 50257);
  config.hidden_size = config.embedding_size = reader.positive("n_embd", 768);
  config.num_hidden_layers = reader.positive("n_layer", 12);
  config.num_attention_heads = reader.positive("n_head", 12);
  config.intermediate_size = reader.absent("n_inner") ? 4 * config.hidden_size : reader.positive("n_inner", 0);
  config.max_position_embeddings = reader.positive("n_positions", 1024);
  config.pad_token_id = read_pad_token_id(reader, -1, config.vocab_size);
  config.layer_norm_eps = reader.positive_number("layer_norm_epsilon", 1e-5);
  config.hidden_act = read_activation(reader, "activation_function", "gelu_new");
  config.scale_attn_weights = reader.boolean("scale_attn_weights", true);
  config.scale_attn_by_inverse_layer_idx = reader.boolean("scale_attn_by_inverse_layer_idx", false);
}

/// LlamaConfig: hidden_size, intermediate_size, num_hidden_layers, num_attention_heads,
/// num_key_value_heads (null: the heads), hidden_act, max_position_embeddings, rms_norm_eps,
/// rope_theta, rope_scaling, attention_bias.
void read_llama(const ConfigReader& reader, ModelConfig& config) {
  config.vocab_size = reader.positive("vocab_size", 32000);
  config.hidden_size = config.embedding_size = reader.positive("hidden_size", 4096);
  config.num_hidden_layers = reader.positive("num_hidden_layers", 32);
  config.num_attention_heads = reader.positive("num_attention_heads", 32);
  config.num_key_value_heads = reader.absent("num_key_value_heads") ? config.num_attention_heads
                                                                     : reader.positive("num_key_value_heads", 0);
  if (config.num_attention_heads % config.num_key_value_heads != 0) {
    reader.fail("key 'num_attention_heads' (" + std::to_string(config.num_attention_heads) +
                ") is not a multiple of key 'num_key_value_heads' (" + std::to_string(config.num_key_value_heads) +
                ")");
  }
  config.intermediate_size = reader.positive("intermediate_size", 11008);
  config.max_position_embeddings = reader.positive("max_position_embeddings", 2048);
  config.pad_token_id = read_pad_token_id(reader, -1, config.vocab_size);
  config.layer_norm_eps = reader.positive_number("rms_norm_eps", 1e-6);
  config.hidden_act = read_activation(reader, "hidden_act", "silu");
  config.rope_theta = reader.positive_number("rope_theta", 10000);
  config.attention_bias = reader.boolean("attention_bias", false);
  if (!reader.absent("rope_scaling")) {
    const Json& scaling = *reader.find("rope_scaling");
    const auto type = scaling.is_object() ? scaling.find("type") : scaling.end();
    const auto factor = scaling.is_object() ? scaling.find("factor") : scaling.end();
    if (!scaling.is_object() || type == scaling.end() || factor == scaling.end() || !factor->is_number() ||
        !(factor->get<double>() > 1.0) || (*type != "linear" && *type != "dynamic")) {
      reader.fail("key 'rope_scaling' must be null or {\"type\": \"linear\" or \"dynamic\", \"factor\": a number > 1}, "
                  "found " + ConfigReader::describe(scaling));
    }
    config.rope_scaling = type->get<std::string>();
    config.rope_scaling_factor = factor->get<double>();
  }
}

/// id2label (keys "0".."n-1") in id order, or LABEL_0.. for num_labels; PretrainedConfig's
/// default when neither is given is num_labels = 2.
std::vector<std::string> read_labels(const ConfigReader& reader) {
  std::vector<std::string> labels;
  if (const Json* id2label = reader.find("id2label"); id2label != nullptr && !id2label->is_null()) {
    if (!id2label->is_object()) reader.wrong_type("id2label", "an object {\"0\": \"label\", ...}", *id2label);
    labels.assign(id2label->size(), std::string());
    std::vector<bool> seen(labels.size(), false);
    for (const auto& [key, value] : id2label->items()) {
      std::size_t id = 0;
      const bool digits = !key.empty() && key.size() < 10 &&
                          std::all_of(key.begin(), key.end(), [](char c) { return c >= '0' && c <= '9'; });
      if (digits) id = static_cast<std::size_t>(std::stoul(key));
      if (!digits || id >= labels.size() || seen[id]) {
        reader.fail("key 'id2label' has the id \"" + key + "\": expected the ids 0.." +
                    std::to_string(labels.size() - 1) + ", each once");
      }
      if (!value.is_string()) reader.wrong_type("id2label." + key, "a string", value);
      labels[id] = value.get<std::string>();
      seen[id] = true;
    }
    if (const Json* num_labels = reader.find("num_labels"); num_labels != nullptr && num_labels->is_number_integer() &&
                                                           num_labels->get<std::int64_t>() !=
                                                               static_cast<std::int64_t>(labels.size())) {
      reader.fail("key 'num_labels' is " + num_labels->dump() + " but 'id2label' has " +
                  std::to_string(labels.size()) + " labels");
    }
    return labels;
  }
  const std::int64_t count = reader.integer("num_labels", 2);
  if (count < 0 || count > 1'000'000) reader.fail("key 'num_labels' is out of range: " + std::to_string(count));
  for (std::int64_t i = 0; i < count; ++i) labels.push_back("LABEL_" + std::to_string(i));
  return labels;
}

}  // namespace

std::string ModelConfig::base_prefix() const {
  switch (architecture) {
    case Architecture::bert: return "bert.";
    case Architecture::roberta: return "roberta.";  // XLMRobertaPreTrainedModel too
    case Architecture::albert: return "albert.";
    case Architecture::distilbert: return "distilbert.";
    case Architecture::gpt2: return "transformer.";
    case Architecture::llama: return "model.";
  }
  return {};
}

bool ModelConfig::decoder() const { return architecture == Architecture::gpt2 || architecture == Architecture::llama; }

std::string ModelConfig::family() const {
  switch (architecture) {
    case Architecture::bert: return "BERT encoder";
    case Architecture::roberta: return model_type == "roberta" ? "RoBERTa encoder" : "XLM-R encoder";
    case Architecture::albert: return "ALBERT encoder";
    case Architecture::distilbert: return "DistilBERT encoder";
    case Architecture::gpt2: return "GPT-2 decoder";
    case Architecture::llama: return "Llama decoder";
  }
  return {};
}

std::int64_t ModelConfig::position_offset() const {
  return architecture == Architecture::roberta ? pad_token_id + 1 : 0;
}

std::int64_t ModelConfig::max_tokens() const {
  // Llama computes its rotary angles for any position; transformers' dynamic scaling would
  // change them beyond max_position_embeddings, and for every later sentence too
  if (architecture == Architecture::llama && rope_scaling != "dynamic") return std::numeric_limits<std::int64_t>::max();
  return max_position_embeddings - position_offset();
}

std::int64_t ModelConfig::padding_id() const { return pad_token_id >= 0 ? pad_token_id : 0; }

bool ModelConfig::has_sequence_classification_head() const {
  constexpr std::string_view suffix = "ForSequenceClassification";
  return std::any_of(architectures.begin(), architectures.end(), [&](const std::string& name) {
    return name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
  });
}

ModelConfig read_model_config(const std::filesystem::path& path) {
  const std::string text = read_whole_file(path);
  Json json;
  try {
    json = Json::parse(text);
  } catch (const Json::exception& error) {  // parse_error, or out_of_range for a number like 1e999
    throw InputError(path.string() + ": invalid JSON: " + error.what());
  }
  if (!json.is_object()) {
    throw InputError(path.string() + ": expected a JSON object, found " + ConfigReader::describe(json));
  }
  const ConfigReader reader(path, json);

  ModelConfig config;
  config.model_type = reader.required_string("model_type", "the architecture; supported: " + std::string(kSupported));
  const std::pair<const char*, Architecture> types[] = {
      {"bert", Architecture::bert},         {"roberta", Architecture::roberta}, {"xlm-roberta", Architecture::roberta},
      {"albert", Architecture::albert},     {"distilbert", Architecture::distilbert},
      {"gpt2", Architecture::gpt2},         {"llama", Architecture::llama}};
  const auto* type = std::find_if(std::begin(types), std::end(types),
                                  [&](const auto& t) { return config.model_type == t.first; });
  if (type == std::end(types)) {
    reader.fail("unknown architecture '" + config.model_type + "' (model_type); supported: " + kSupported);
  }
  config.architecture = type->second;

  if (const Json* architectures = reader.find("architectures"); architectures != nullptr && !architectures->is_null()) {
    if (!architectures->is_array()) reader.wrong_type("architectures", "an array of strings", *architectures);
    for (const Json& name : *architectures) {
      if (!name.is_string()) reader.wrong_type("architectures", "an array of strings", *architectures);
      config.architectures.push_back(name.get<std::string>());
    }
  }

  switch (config.architecture) {
    case Architecture::bert: read_bert_family(reader, kBertDefaults, config); break;
    case Architecture::roberta:
      read_bert_family(reader, config.model_type == "roberta" ? kRobertaDefaults : kXlmRobertaDefaults, config);
      break;
    case Architecture::albert: read_bert_family(reader, kAlbertDefaults, config); break;
    case Architecture::distilbert: read_distilbert(reader, config); break;
    case Architecture::gpt2: read_gpt2(reader, config); break;
    case Architecture::llama: read_llama(reader, config); break;
  }
  if (config.num_key_value_heads == 0) config.num_key_value_heads = config.num_attention_heads;
  const char* heads_key = config.architecture == Architecture::distilbert ? "n_heads"
                          : config.architecture == Architecture::gpt2     ? "n_head"
                                                                          : "num_attention_heads";
  const char* hidden_key = config.architecture == Architecture::distilbert ? "dim"
                           : config.architecture == Architecture::gpt2     ? "n_embd"
                                                                           : "hidden_size";
  if (config.hidden_size % config.num_attention_heads != 0) {
    reader.fail(std::string("key '") + hidden_key + "' (" + std::to_string(config.hidden_size) +
                ") is not a multiple of key '" + heads_key + "' (" + std::to_string(config.num_attention_heads) + ")");
  }

  config.id2label = read_labels(reader);
  return config;
}

}  // namespace conceptlens::model
