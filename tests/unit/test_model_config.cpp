// config.json of Hugging Face checkpoints: the bundled fixtures (tests/data/hf/models, values of
// FIXTURES.md §3), the demo models of ../shared/models when present, the defaults of transformers
// 4.31's config classes, and the errors for bad files (each names the file and the key).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "model/memory_estimate.hpp"
#include "model/model_config.hpp"
#include "store/safetensors.hpp"
#include "test_support.hpp"
#include "util/error.hpp"

namespace conceptlens::model {
namespace {

using conceptlens::testing::expect_error;
using conceptlens::testing::read_file;
using conceptlens::testing::ScratchDir;
using conceptlens::testing::shared_dir;
using conceptlens::testing::test_data_dir;
using conceptlens::testing::write_file;
using Json = nlohmann::json;
using Strings = std::vector<std::string>;

std::filesystem::path fixture_config(const std::string& model) {
  return test_data_dir() / "hf" / "models" / model / "config.json";
}

/// One row of the table in FIXTURES.md §3 (plus what the config files say besides).
struct Expected {
  std::string model;
  Architecture architecture;
  std::string model_type;
  Strings architectures;
  std::int64_t vocab_size, hidden_size, embedding_size, num_hidden_layers, num_attention_heads, intermediate_size,
      max_position_embeddings, type_vocab_size, pad_token_id;
  double layer_norm_eps;
  Activation hidden_act;
  std::int64_t num_hidden_groups, inner_group_num;
  Strings id2label;
  std::string base_prefix;
  bool has_head;
};

void expect_config(const ModelConfig& got, const Expected& e) {
  EXPECT_EQ(got.architecture, e.architecture);
  EXPECT_EQ(got.model_type, e.model_type);
  EXPECT_EQ(got.architectures, e.architectures);
  EXPECT_EQ(got.vocab_size, e.vocab_size);
  EXPECT_EQ(got.hidden_size, e.hidden_size);
  EXPECT_EQ(got.embedding_size, e.embedding_size);
  EXPECT_EQ(got.num_hidden_layers, e.num_hidden_layers);
  EXPECT_EQ(got.num_attention_heads, e.num_attention_heads);
  EXPECT_EQ(got.intermediate_size, e.intermediate_size);
  EXPECT_EQ(got.max_position_embeddings, e.max_position_embeddings);
  EXPECT_EQ(got.type_vocab_size, e.type_vocab_size);
  EXPECT_EQ(got.pad_token_id, e.pad_token_id);
  EXPECT_EQ(got.layer_norm_eps, e.layer_norm_eps);
  EXPECT_EQ(got.hidden_act, e.hidden_act);
  EXPECT_EQ(got.num_hidden_groups, e.num_hidden_groups);
  EXPECT_EQ(got.inner_group_num, e.inner_group_num);
  EXPECT_EQ(got.id2label, e.id2label);
  EXPECT_EQ(got.base_prefix(), e.base_prefix);
  EXPECT_EQ(got.has_sequence_classification_head(), e.has_head);
}

/// Every integer key the reader reads that the file states must come back unchanged.
void expect_matches_json(const ModelConfig& got, const std::filesystem::path& path) {
  const Json json = Json::parse(read_file(path));
  EXPECT_EQ(got.model_type, json.at("model_type").get<std::string>());
  EXPECT_EQ(got.architectures, json.at("architectures").get<Strings>());
  EXPECT_EQ(got.vocab_size, json.at("vocab_size").get<std::int64_t>());
  EXPECT_EQ(got.hidden_size, json.at("hidden_size").get<std::int64_t>());
  EXPECT_EQ(got.num_hidden_layers, json.at("num_hidden_layers").get<std::int64_t>());
  EXPECT_EQ(got.num_attention_heads, json.at("num_attention_heads").get<std::int64_t>());
  EXPECT_EQ(got.intermediate_size, json.at("intermediate_size").get<std::int64_t>());
  EXPECT_EQ(got.max_position_embeddings, json.at("max_position_embeddings").get<std::int64_t>());
  EXPECT_EQ(got.type_vocab_size, json.at("type_vocab_size").get<std::int64_t>());
  EXPECT_EQ(got.pad_token_id, json.at("pad_token_id").get<std::int64_t>());
  EXPECT_EQ(got.layer_norm_eps, json.at("layer_norm_eps").get<double>());
  if (json.contains("embedding_size")) {
    EXPECT_EQ(got.embedding_size, json.at("embedding_size").get<std::int64_t>());
  }
}

const Strings kDefaultLabels = {"LABEL_0", "LABEL_1"};  // PretrainedConfig: num_labels = 2

TEST(ModelConfig, BundledFixtures) {
  const std::vector<Expected> table = {
      {"bert_cased", Architecture::bert, "bert", {"BertModel"}, 28996, 32, 32, 4, 4, 64, 64, 2, 0, 1e-12,
       Activation::gelu, 1, 1, kDefaultLabels, "bert.", false},
      {"albert", Architecture::albert, "albert", {"AlbertModel"}, 1000, 32, 16, 4, 4, 64, 64, 2, 0, 1e-12,
       Activation::gelu_new, 1, 1, kDefaultLabels, "albert.", false},
      {"xlm_roberta", Architecture::roberta, "xlm-roberta", {"XLMRobertaModel"}, 1002, 32, 32, 4, 4, 64, 66, 1, 1,
       1e-5, Activation::gelu, 1, 1, kDefaultLabels, "roberta.", false},
      {"bert_seqcls", Architecture::bert, "bert", {"BertForSequenceClassification"}, 28996, 32, 32, 2, 2, 48, 64, 2,
       0, 1e-12, Activation::gelu, 1, 1, kDefaultLabels, "bert.", true},
  };
  for (const Expected& expected : table) {
    SCOPED_TRACE(expected.model);
    const std::filesystem::path path = fixture_config(expected.model);
    const ModelConfig config = read_model_config(path);
    expect_config(config, expected);
    expect_matches_json(config, path);
  }
}

TEST(ModelConfig, SharedDemoModels) {
  const std::filesystem::path models = shared_dir() / "models";
  if (!std::filesystem::exists(models / "tiny-bert" / "config.json")) {
    GTEST_SKIP() << "no demo models at " << models << " (set CONCEPTLENS_SHARED to the shared folder)";
  }
  const std::vector<Expected> table = {
      {"tiny-bert", Architecture::bert, "bert", {"BertModel"}, 18247, 128, 128, 6, 4, 512, 128, 2, 0, 1e-12,
       Activation::gelu, 1, 1, kDefaultLabels, "bert.", false},
      {"tiny-bert-sst2", Architecture::bert, "bert", {"BertForSequenceClassification"}, 18247, 128, 128, 6, 4, 512,
       128, 2, 0, 1e-12, Activation::gelu, 1, 1, {"negative", "positive"}, "bert.", true},
  };
  for (const Expected& expected : table) {
    SCOPED_TRACE(expected.model);
    const std::filesystem::path path = models / expected.model / "config.json";
    const ModelConfig config = read_model_config(path);
    expect_config(config, expected);
    expect_matches_json(config, path);
  }
}

// ---- hand-written configs -----------------------------------------------------------------------

class WrittenConfig : public ::testing::Test {
 protected:
  std::filesystem::path write(const std::string& text) {
    const std::filesystem::path path = dir_ / ("config" + std::to_string(count_++) + ".json");
    write_file(path, text);
    return path;
  }
  std::filesystem::path write(const Json& json) { return write(json.dump(2)); }

  /// A valid small BERT config to break one key of.
  static Json small_bert() {
    return Json{{"model_type", "bert"},         {"architectures", {"BertModel"}},
                {"vocab_size", 100},            {"hidden_size", 32},
                {"num_hidden_layers", 2},       {"num_attention_heads", 4},
                {"intermediate_size", 64},      {"max_position_embeddings", 40},
                {"type_vocab_size", 2},         {"pad_token_id", 0},
                {"layer_norm_eps", 1e-12},      {"hidden_act", "gelu"},
                {"position_embedding_type", "absolute"}};
  }

  /// Expects an InputError starting with the file's path and containing every part.
  void expect_input_error(const std::filesystem::path& path, std::initializer_list<std::string> parts) {
    expect_error<InputError>([&] { read_model_config(path); }, path.string() + ": ", parts);
  }

  ScratchDir dir_;
  int count_ = 0;
};

TEST_F(WrittenConfig, SmallBertReadsBack) {
  const ModelConfig config = read_model_config(write(small_bert()));
  EXPECT_EQ(config.architecture, Architecture::bert);
  EXPECT_EQ(config.hidden_size, 32);
  EXPECT_EQ(config.embedding_size, 32);
  EXPECT_EQ(config.max_position_embeddings, 40);
  EXPECT_EQ(config.id2label, kDefaultLabels);
  EXPECT_FALSE(config.has_sequence_classification_head());
}

TEST_F(WrittenConfig, DefaultsOfTheConfigClasses) {
  // BertConfig
  ModelConfig bert = read_model_config(write(Json{{"model_type", "bert"}}));
  EXPECT_EQ(bert.vocab_size, 30522);
  EXPECT_EQ(bert.hidden_size, 768);
  EXPECT_EQ(bert.embedding_size, 768);
  EXPECT_EQ(bert.num_hidden_layers, 12);
  EXPECT_EQ(bert.num_attention_heads, 12);
  EXPECT_EQ(bert.intermediate_size, 3072);
  EXPECT_EQ(bert.max_position_embeddings, 512);
  EXPECT_EQ(bert.type_vocab_size, 2);
  EXPECT_EQ(bert.pad_token_id, 0);
  EXPECT_EQ(bert.layer_norm_eps, 1e-12);
  EXPECT_EQ(bert.hidden_act, Activation::gelu);
  EXPECT_EQ(bert.num_hidden_groups, 1);
  EXPECT_EQ(bert.inner_group_num, 1);
  EXPECT_EQ(bert.id2label, kDefaultLabels);
  EXPECT_TRUE(bert.architectures.empty());
  // RobertaConfig, XLMRobertaConfig
  const ModelConfig roberta = read_model_config(write(Json{{"model_type", "roberta"}}));
  EXPECT_EQ(roberta.architecture, Architecture::roberta);
  EXPECT_EQ(roberta.vocab_size, 50265);
  EXPECT_EQ(roberta.pad_token_id, 1);
  EXPECT_EQ(roberta.type_vocab_size, 2);
  EXPECT_EQ(roberta.layer_norm_eps, 1e-12);
  EXPECT_EQ(roberta.base_prefix(), "roberta.");
  const ModelConfig xlmr = read_model_config(write(Json{{"model_type", "xlm-roberta"}}));
  EXPECT_EQ(xlmr.architecture, Architecture::roberta);
  EXPECT_EQ(xlmr.vocab_size, 30522);
  EXPECT_EQ(xlmr.pad_token_id, 1);
  EXPECT_EQ(xlmr.base_prefix(), "roberta.");
  // AlbertConfig
  const ModelConfig albert = read_model_config(write(Json{{"model_type", "albert"}}));
  EXPECT_EQ(albert.architecture, Architecture::albert);
  EXPECT_EQ(albert.vocab_size, 30000);
  EXPECT_EQ(albert.embedding_size, 128);
  EXPECT_EQ(albert.hidden_size, 4096);
  EXPECT_EQ(albert.num_hidden_layers, 12);
  EXPECT_EQ(albert.num_attention_heads, 64);
  EXPECT_EQ(albert.intermediate_size, 16384);
  EXPECT_EQ(albert.num_hidden_groups, 1);
  EXPECT_EQ(albert.inner_group_num, 1);
  EXPECT_EQ(albert.hidden_act, Activation::gelu_new);
  EXPECT_EQ(albert.pad_token_id, 0);
  EXPECT_EQ(albert.base_prefix(), "albert.");
}

TEST_F(WrittenConfig, ActivationsAndLabels) {
  Json json = small_bert();
  json["hidden_act"] = "gelu_pytorch_tanh";
  EXPECT_EQ(read_model_config(write(json)).hidden_act, Activation::gelu_new);
  json["hidden_act"] = "gelu_new";
  EXPECT_EQ(read_model_config(write(json)).hidden_act, Activation::gelu_new);
  json["hidden_act"] = "relu";
  EXPECT_EQ(read_model_config(write(json)).hidden_act, Activation::relu);

  json["num_labels"] = 3;
  EXPECT_EQ(read_model_config(write(json)).id2label, (Strings{"LABEL_0", "LABEL_1", "LABEL_2"}));
  // ids in numeric order although JSON objects sort "10" before "2"
  Json labels;
  for (int i = 0; i <= 10; ++i) labels[std::to_string(i)] = std::string("c").append(std::to_string(i));
  json.erase("num_labels");
  json["id2label"] = labels;
  json["architectures"] = {"BertForSequenceClassification"};
  const ModelConfig config = read_model_config(write(json));
  EXPECT_EQ(config.id2label, (Strings{"c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9", "c10"}));
  EXPECT_TRUE(config.has_sequence_classification_head());
}

TEST_F(WrittenConfig, AlbertGroups) {
  Json json = {{"model_type", "albert"}, {"hidden_size", 32}, {"num_attention_heads", 4}, {"embedding_size", 16},
               {"num_hidden_layers", 6}, {"num_hidden_groups", 3}, {"inner_group_num", 2}};
  const ModelConfig config = read_model_config(write(json));
  EXPECT_EQ(config.num_hidden_groups, 3);
  EXPECT_EQ(config.inner_group_num, 2);
  EXPECT_EQ(config.embedding_size, 16);
  json["num_hidden_groups"] = 4;
  expect_input_error(write(json), {"'num_hidden_layers' (6)", "'num_hidden_groups' (4)", "not a multiple"});
}

TEST_F(WrittenConfig, MissingFile) {
  const std::filesystem::path path = dir_ / "absent" / "config.json";
  expect_input_error(path, {"not found"});
}

TEST_F(WrittenConfig, InvalidJson) {
  expect_input_error(write(std::string("{\"model_type\": \"bert\", \"hidden_size\": 32,")), {"invalid JSON"});
  expect_input_error(write(std::string("[1, 2]")), {"expected a JSON object", "array"});
  // a number beyond double's range (as tests/fuzz/fuzz_safetensors found in its JSON header)
  expect_input_error(write(std::string("{\"model_type\": \"bert\", \"layer_norm_eps\": 1e999}")),
                     {"invalid JSON", "number overflow", "1e999"});
}

TEST_F(WrittenConfig, MissingKey) {
  Json json = small_bert();
  json.erase("model_type");
  expect_input_error(write(json), {"missing key 'model_type'", "bert, roberta, xlm-roberta, albert"});
}

TEST_F(WrittenConfig, WrongTypes) {
  Json json = small_bert();
  json["hidden_size"] = "32";
  expect_input_error(write(json), {"key 'hidden_size'", "must be an integer", "string \"32\""});
  json = small_bert();
  json["num_hidden_layers"] = 2.5;
  expect_input_error(write(json), {"key 'num_hidden_layers'", "must be an integer", "2.5"});
  json = small_bert();
  json["model_type"] = 7;
  expect_input_error(write(json), {"key 'model_type'", "must be a string", "number 7"});
  json = small_bert();
  json["layer_norm_eps"] = "1e-12";
  expect_input_error(write(json), {"key 'layer_norm_eps'", "must be a number"});
  json = small_bert();
  json["hidden_act"] = Json::array({"gelu"});
  expect_input_error(write(json), {"key 'hidden_act'", "must be a string", "array"});
  json = small_bert();
  json["architectures"] = "BertModel";
  expect_input_error(write(json), {"key 'architectures'", "array of strings"});
  json = small_bert();
  json["id2label"] = Json::array({"a", "b"});
  expect_input_error(write(json), {"key 'id2label'", "must be an object"});
  json = small_bert();
  json["id2label"] = {{"0", "a"}, {"2", "b"}};
  expect_input_error(write(json), {"key 'id2label'", "\"2\"", "0..1"});
}

TEST_F(WrittenConfig, UnknownArchitecture) {
  Json json = small_bert();
  json["model_type"] = "t5";
  const std::filesystem::path path = write(json);
  expect_input_error(path, {"unknown architecture 't5' (model_type); supported: bert, roberta, xlm-roberta, albert, "
                            "distilbert, gpt2, llama"});
}

TEST_F(WrittenConfig, OutOfRange) {
  Json json = small_bert();
  json["hidden_size"] = 30;
  expect_input_error(write(json), {"key 'hidden_size' (30)", "key 'num_attention_heads' (4)", "not a multiple"});
  json = small_bert();
  json["num_attention_heads"] = 0;
  expect_input_error(write(json), {"key 'num_attention_heads'", "must be > 0", "found 0"});
  json = small_bert();
  json["vocab_size"] = -5;
  expect_input_error(write(json), {"key 'vocab_size'", "must be > 0", "-5"});
  json = small_bert();
  json["pad_token_id"] = 100;
  expect_input_error(write(json), {"key 'pad_token_id'", "100", "[0, 100)"});
  json = small_bert();
  json["layer_norm_eps"] = 0;
  expect_input_error(write(json), {"key 'layer_norm_eps'", "> 0"});
}

TEST_F(WrittenConfig, UnsupportedVariants) {
  Json json = small_bert();
  json["hidden_act"] = "gelu_fast";
  expect_input_error(write(json), {"hidden_act 'gelu_fast'", "gelu, gelu_new, gelu_pytorch_tanh, relu, silu, swish"});
  json = small_bert();
  json["position_embedding_type"] = "relative_key";
  expect_input_error(write(json), {"position_embedding_type 'relative_key'", "absolute"});
}

// ---- the families of tests/data/hf_families ------------------------------------------------------

TEST(ModelConfig, FamilyFixtures) {
  const auto config = [](const std::string& model) {
    return read_model_config(test_data_dir() / "hf_families" / "models" / model / "config.json");
  };
  const ModelConfig roberta = config("roberta");
  EXPECT_EQ(roberta.architecture, Architecture::roberta);
  EXPECT_EQ(roberta.family(), "RoBERTa encoder");
  EXPECT_EQ(roberta.position_offset(), 2);
  EXPECT_EQ(roberta.max_position_embeddings, 66);

  const ModelConfig distilbert = config("distilbert");
  EXPECT_EQ(distilbert.architecture, Architecture::distilbert);
  EXPECT_EQ(distilbert.family(), "DistilBERT encoder");
  EXPECT_EQ(distilbert.hidden_size, 32);
  EXPECT_EQ(distilbert.num_hidden_layers, 3);
  EXPECT_EQ(distilbert.num_attention_heads, 4);
  EXPECT_EQ(distilbert.intermediate_size, 64);
  EXPECT_EQ(distilbert.type_vocab_size, 0);
  EXPECT_EQ(distilbert.hidden_act, Activation::gelu);
  EXPECT_EQ(distilbert.layer_norm_eps, 1e-12);
  EXPECT_EQ(distilbert.base_prefix(), "distilbert.");
  EXPECT_FALSE(distilbert.decoder());

  const ModelConfig gpt2 = config("gpt2");
  EXPECT_EQ(gpt2.architecture, Architecture::gpt2);
  EXPECT_EQ(gpt2.family(), "GPT-2 decoder");
  EXPECT_TRUE(gpt2.decoder());
  EXPECT_EQ(gpt2.vocab_size, 1057);
  EXPECT_EQ(gpt2.hidden_size, 32);
  EXPECT_EQ(gpt2.num_hidden_layers, 4);
  EXPECT_EQ(gpt2.num_attention_heads, 4);
  EXPECT_EQ(gpt2.intermediate_size, 128);  // n_inner null: 4 * n_embd
  EXPECT_EQ(gpt2.max_position_embeddings, 64);
  EXPECT_EQ(gpt2.layer_norm_eps, 1e-5);
  EXPECT_EQ(gpt2.hidden_act, Activation::gelu_new);
  EXPECT_EQ(gpt2.pad_token_id, -1);
  EXPECT_EQ(gpt2.padding_id(), 0);
  EXPECT_EQ(gpt2.position_offset(), 0);
  EXPECT_EQ(gpt2.base_prefix(), "transformer.");

  const ModelConfig llama = config("llama");
  EXPECT_EQ(llama.architecture, Architecture::llama);
  EXPECT_EQ(llama.family(), "Llama decoder");
  EXPECT_TRUE(llama.decoder());
  EXPECT_EQ(llama.hidden_size, 32);
  EXPECT_EQ(llama.num_hidden_layers, 3);
  EXPECT_EQ(llama.num_attention_heads, 4);
  EXPECT_EQ(llama.num_key_value_heads, 2);
  EXPECT_EQ(llama.intermediate_size, 80);
  EXPECT_EQ(llama.layer_norm_eps, 1e-6);
  EXPECT_EQ(llama.hidden_act, Activation::silu);
  EXPECT_EQ(llama.rope_theta, 10000);
  EXPECT_EQ(llama.rope_scaling, "");
  EXPECT_EQ(llama.max_tokens(), std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(gpt2.max_tokens(), 64);
  EXPECT_EQ(roberta.max_tokens(), 64);
  EXPECT_EQ(llama.pad_token_id, -1);
  EXPECT_EQ(llama.base_prefix(), "model.");
}

TEST_F(WrittenConfig, DefaultsOfTheNewConfigClasses) {
  const ModelConfig distilbert = read_model_config(write(Json{{"model_type", "distilbert"}}));
  EXPECT_EQ(distilbert.vocab_size, 30522);
  EXPECT_EQ(distilbert.hidden_size, 768);
  EXPECT_EQ(distilbert.num_hidden_layers, 6);
  EXPECT_EQ(distilbert.num_attention_heads, 12);
  EXPECT_EQ(distilbert.intermediate_size, 3072);
  EXPECT_EQ(distilbert.max_position_embeddings, 512);
  EXPECT_EQ(distilbert.pad_token_id, 0);
  const ModelConfig gpt2 = read_model_config(write(Json{{"model_type", "gpt2"}}));
  EXPECT_EQ(gpt2.vocab_size, 50257);
  EXPECT_EQ(gpt2.hidden_size, 768);
  EXPECT_EQ(gpt2.num_hidden_layers, 12);
  EXPECT_EQ(gpt2.intermediate_size, 3072);
  EXPECT_EQ(gpt2.max_position_embeddings, 1024);
  EXPECT_TRUE(gpt2.scale_attn_weights);
  EXPECT_FALSE(gpt2.scale_attn_by_inverse_layer_idx);
  const ModelConfig llama = read_model_config(write(Json{{"model_type", "llama"}}));
  EXPECT_EQ(llama.vocab_size, 32000);
  EXPECT_EQ(llama.hidden_size, 4096);
  EXPECT_EQ(llama.intermediate_size, 11008);
  EXPECT_EQ(llama.num_hidden_layers, 32);
  EXPECT_EQ(llama.num_key_value_heads, 32);
  EXPECT_EQ(llama.max_position_embeddings, 2048);
  EXPECT_FALSE(llama.attention_bias);
}

TEST_F(WrittenConfig, DecoderKeysAndTheirErrors) {
  const Json llama = {{"model_type", "llama"}, {"hidden_size", 64}, {"num_attention_heads", 8},
                      {"num_key_value_heads", 2}, {"intermediate_size", 96}, {"num_hidden_layers", 2}};
  Json json = llama;
  json["rope_scaling"] = {{"type", "linear"}, {"factor", 4.0}};
  json["rope_theta"] = 500000.0;
  json["attention_bias"] = true;
  const ModelConfig scaled = read_model_config(write(json));
  EXPECT_EQ(scaled.rope_scaling, "linear");
  EXPECT_EQ(scaled.rope_scaling_factor, 4.0);
  EXPECT_EQ(scaled.rope_theta, 500000.0);
  EXPECT_TRUE(scaled.attention_bias);
  json["rope_scaling"] = {{"type", "dynamic"}, {"factor", 2.0}};
  EXPECT_EQ(read_model_config(write(json)).rope_scaling, "dynamic");
  json["rope_scaling"] = {{"type", "llama3"}, {"factor", 8.0}};
  expect_input_error(write(json), {"key 'rope_scaling'", "linear", "llama3"});
  json = llama;
  json["num_key_value_heads"] = 3;
  expect_input_error(write(json), {"'num_attention_heads' (8)", "'num_key_value_heads' (3)", "not a multiple"});
  json = llama;
  json["hidden_act"] = "gelu_fast";
  expect_input_error(write(json), {"hidden_act 'gelu_fast'"});
  Json gpt2 = {{"model_type", "gpt2"}, {"n_embd", 30}, {"n_head", 4}};
  expect_input_error(write(gpt2), {"key 'n_embd' (30)", "key 'n_head' (4)", "not a multiple"});
  gpt2 = {{"model_type", "gpt2"}, {"activation_function", "tanh"}};
  expect_input_error(write(gpt2), {"activation_function 'tanh'"});
  gpt2 = {{"model_type", "gpt2"}, {"scale_attn_weights", "yes"}};
  expect_input_error(write(gpt2), {"key 'scale_attn_weights'", "true or false"});
  gpt2 = {{"model_type", "gpt2"}, {"pad_token_id", 50257}};
  expect_input_error(write(gpt2), {"key 'pad_token_id' is 50257", "[0, 50257)"});
  const Json distilbert = {{"model_type", "distilbert"}, {"dim", 30}, {"n_heads", 4}};
  expect_input_error(write(distilbert), {"key 'dim' (30)", "key 'n_heads' (4)"});
}

// ---- the memory estimate's weights are the checkpoints' tensors ----------------------------------

TEST(MemoryEstimate, WeightsAreTheTensorsOfTheCheckpoints) {
  const auto file_bytes = [](const std::filesystem::path& dir) {
    std::int64_t bytes = 0;  // every float32 tensor of the file but Llama's rotary buffers
    const store::SafetensorsFile file = store::SafetensorsFile::open(dir / "model.safetensors");
    for (const auto& tensor : file.tensors()) {
      if (tensor.name.find("rotary_emb.inv_freq") != std::string::npos) continue;
      bytes += static_cast<std::int64_t>(tensor.end - tensor.begin);
    }
    return bytes;
  };
  for (const std::string model : {"gpt2", "llama", "distilbert"}) {
    const std::filesystem::path dir = test_data_dir() / "hf_families" / "models" / model;
    const ModelConfig config = read_model_config(dir / "config.json");
    const std::int64_t stacked = config.decoder() ? 0 : config.num_hidden_layers * 3 * (32 * 32 + 32) * 4;
    EXPECT_EQ(weight_bytes(config, false, ComputeDtype::float32), file_bytes(dir) + stacked) << model;
    EXPECT_EQ(weight_bytes(config, false, ComputeDtype::bfloat16), (file_bytes(dir) + stacked) / 2) << model;
  }
  const std::filesystem::path bert = test_data_dir() / "hf" / "models" / "bert_seqcls";
  const ModelConfig config = read_model_config(bert / "config.json");
  EXPECT_EQ(weight_bytes(config, true, ComputeDtype::float32), file_bytes(bert) + 2 * 3 * (32 * 32 + 32) * 4);
  EXPECT_EQ(weight_bytes(config, false, ComputeDtype::float32),
            file_bytes(bert) + 2 * 3 * (32 * 32 + 32) * 4 - (2 * 32 + 2) * 4);  // without the classifier
}

}  // namespace
}  // namespace conceptlens::model
