#include "model/model_config.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

#include "util/error.hpp"
#include "util/read_file.hpp"

namespace conceptlens::model {
namespace {

using Json = nlohmann::json;

constexpr const char* kSupported = "bert, roberta, xlm-roberta, albert";

/// The defaults of transformers 4.31's config classes (BertConfig, RobertaConfig,
/// XLMRobertaConfig, AlbertConfig) for the keys the encoders read.
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

 private:
  const std::filesystem::path& path_;
  const Json& json_;
};

Activation parse_activation(const ConfigReader& reader, const std::string& name) {
  if (name == "gelu") return Activation::gelu;
  if (name == "gelu_new" || name == "gelu_pytorch_tanh") return Activation::gelu_new;
  if (name == "relu") return Activation::relu;
  reader.fail("unsupported hidden_act '" + name + "'; supported: gelu, gelu_new, gelu_pytorch_tanh, relu");
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
  }
  return {};
}

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
  const Defaults* defaults = nullptr;
  if (config.model_type == "bert") {
    config.architecture = Architecture::bert;
    defaults = &kBertDefaults;
  } else if (config.model_type == "roberta") {
    config.architecture = Architecture::roberta;
    defaults = &kRobertaDefaults;
  } else if (config.model_type == "xlm-roberta") {
    config.architecture = Architecture::roberta;
    defaults = &kXlmRobertaDefaults;
  } else if (config.model_type == "albert") {
    config.architecture = Architecture::albert;
    defaults = &kAlbertDefaults;
  } else {
    reader.fail("unknown architecture '" + config.model_type + "' (model_type); supported: " + kSupported);
  }

  if (const Json* architectures = reader.find("architectures"); architectures != nullptr && !architectures->is_null()) {
    if (!architectures->is_array()) reader.wrong_type("architectures", "an array of strings", *architectures);
    for (const Json& name : *architectures) {
      if (!name.is_string()) reader.wrong_type("architectures", "an array of strings", *architectures);
      config.architectures.push_back(name.get<std::string>());
    }
  }

  config.vocab_size = reader.positive("vocab_size", defaults->vocab_size);
  config.hidden_size = reader.positive("hidden_size", defaults->hidden_size);
  config.embedding_size = config.architecture == Architecture::albert
                              ? reader.positive("embedding_size", defaults->embedding_size)
                              : config.hidden_size;
  config.num_hidden_layers = reader.positive("num_hidden_layers", defaults->num_hidden_layers);
  config.num_attention_heads = reader.positive("num_attention_heads", defaults->num_attention_heads);
  config.intermediate_size = reader.positive("intermediate_size", defaults->intermediate_size);
  config.max_position_embeddings = reader.positive("max_position_embeddings", defaults->max_position_embeddings);
  config.type_vocab_size = reader.positive("type_vocab_size", defaults->type_vocab_size);

  if (const Json* pad = reader.find("pad_token_id"); pad != nullptr && pad->is_null()) {
    config.pad_token_id = defaults->pad_token_id;  // None in Python: the class default is what the model uses
  } else {
    config.pad_token_id = reader.integer("pad_token_id", defaults->pad_token_id);
  }
  if (config.pad_token_id < 0 || config.pad_token_id >= config.vocab_size) {
    reader.fail("key 'pad_token_id' is " + std::to_string(config.pad_token_id) + ", outside the vocabulary [0, " +
                std::to_string(config.vocab_size) + ")");
  }

  config.layer_norm_eps = reader.number("layer_norm_eps", defaults->layer_norm_eps);
  if (!(config.layer_norm_eps > 0.0) || !std::isfinite(config.layer_norm_eps)) {
    reader.fail("key 'layer_norm_eps' must be a finite number > 0, found " + json.at("layer_norm_eps").dump());
  }

  const std::string act = reader.optional_string("hidden_act").value_or(defaults->hidden_act);
  config.hidden_act = parse_activation(reader, act);

  if (const auto type = reader.optional_string("position_embedding_type"); type && *type != "absolute") {
    reader.fail("unsupported position_embedding_type '" + *type + "' (key 'position_embedding_type'); supported: absolute");
  }

  if (config.hidden_size % config.num_attention_heads != 0) {
    reader.fail("key 'hidden_size' (" + std::to_string(config.hidden_size) +
                ") is not a multiple of key 'num_attention_heads' (" + std::to_string(config.num_attention_heads) + ")");
  }

  if (config.architecture == Architecture::albert) {
    config.num_hidden_groups = reader.positive("num_hidden_groups", 1);
    config.inner_group_num = reader.positive("inner_group_num", 1);
    if (config.num_hidden_layers % config.num_hidden_groups != 0) {
      reader.fail("key 'num_hidden_layers' (" + std::to_string(config.num_hidden_layers) +
                  ") is not a multiple of key 'num_hidden_groups' (" + std::to_string(config.num_hidden_groups) + ")");
    }
  }

  config.id2label = read_labels(reader);
  return config;
}

}  // namespace conceptlens::model
