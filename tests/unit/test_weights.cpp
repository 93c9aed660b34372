// Loading checkpoint weights: every bundled fixture (values bitwise equal to an independent
// decode of its model.safetensors, and pytorch_model.bin equal to model.safetensors), the name
// mapping of transformers 4.31 (base prefix, gamma/beta, ignored tensors, the head), F16/BF16/F64
// conversion with known values, and the errors for bad files (file and tensor named).
#include <ATen/core/Tensor.h>
#include <ATen/ops/cat.h>
#include <ATen/ops/empty.h>
#include <ATen/ops/zeros.h>
#include <gtest/gtest.h>
#include <torch/csrc/jit/serialization/pickle.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "model/model_config.hpp"
#include "model/weights.hpp"
#include "safetensors_test_files.hpp"
#include "test_support.hpp"
#include "util/error.hpp"

namespace conceptlens::model {
namespace {

using conceptlens::testing::expect_error;
using conceptlens::testing::raw_bytes;
using conceptlens::testing::RawTensor;
using conceptlens::testing::read_file;
using conceptlens::testing::safetensors_bytes;
using conceptlens::testing::safetensors_from_header;
using conceptlens::testing::ScratchDir;
using conceptlens::testing::test_data_dir;
using conceptlens::testing::write_file;
using Json = nlohmann::json;
using Shape = std::vector<std::int64_t>;

/// A model of tests/data/hf, or of tests/data/hf_families (the families added later).
std::filesystem::path fixture_set(const std::string& model) {
  for (const char* family : {"roberta", "distilbert", "gpt2", "llama"}) {
    if (model == family) return test_data_dir() / "hf_families";
  }
  return test_data_dir() / "hf";
}
std::filesystem::path fixture_dir(const std::string& model) { return fixture_set(model) / "models" / model; }

const std::vector<std::string> kFixtureModels = {"bert_cased", "albert", "xlm_roberta", "bert_seqcls",
                                                 "roberta",    "distilbert", "gpt2",   "llama"};

bool starts_with(const std::string& text, const std::string& prefix) { return text.rfind(prefix, 0) == 0; }

/// Same shape, float32, contiguous and the same bytes.
::testing::AssertionResult bitwise_equal(const at::Tensor& got, const at::Tensor& expected) {
  if (got.scalar_type() != at::kFloat) return ::testing::AssertionFailure() << "dtype " << got.scalar_type();
  if (!got.is_contiguous()) return ::testing::AssertionFailure() << "not contiguous";
  if (got.sizes() != expected.sizes()) {
    return ::testing::AssertionFailure() << "shape " << got.sizes() << " vs " << expected.sizes();
  }
  const at::Tensor e = expected.contiguous();
  if (std::memcmp(got.data_ptr(), e.data_ptr(), got.nbytes()) != 0) return ::testing::AssertionFailure() << "values differ";
  return ::testing::AssertionSuccess();
}

/// The reference: the F32 tensors of a .safetensors file decoded here with nlohmann-json and
/// memcpy, independently of the reader under test.
std::map<std::string, at::Tensor> decode_safetensors(const std::filesystem::path& path) {
  const std::string bytes = read_file(path);
  std::uint64_t length = 0;
  std::memcpy(&length, bytes.data(), 8);
  const Json header = Json::parse(bytes.substr(8, length));
  std::map<std::string, at::Tensor> out;
  for (const auto& [name, entry] : header.items()) {
    if (name == "__metadata__") continue;
    EXPECT_EQ(entry.at("dtype"), "F32") << name;
    at::Tensor tensor = at::empty(entry.at("shape").get<Shape>(), at::kFloat);
    const auto begin = entry.at("data_offsets")[0].get<std::size_t>();
    const auto end = entry.at("data_offsets")[1].get<std::size_t>();
    EXPECT_EQ(end - begin, tensor.nbytes()) << name;
    std::memcpy(tensor.data_ptr(), bytes.data() + 8 + length + begin, tensor.nbytes());
    out.emplace(name, tensor);
  }
  return out;
}

std::map<std::string, Shape> spec_shapes(const ModelConfig& config, bool with_head) {
  std::map<std::string, Shape> shapes;
  for (const TensorSpec& spec : encoder_tensor_specs(config)) shapes[spec.name] = spec.shape;
  if (with_head) {
    for (const TensorSpec& spec : head_tensor_specs(config)) shapes[spec.name] = spec.shape;
  }
  return shapes;
}

// ---- the bundled fixtures -----------------------------------------------------------------------

TEST(Weights, FixturesMatchTheirSafetensors) {
  for (const std::string& model : kFixtureModels) {
    SCOPED_TRACE(model);
    const std::filesystem::path dir = fixture_dir(model);
    const ModelConfig config = read_model_config(dir / "config.json");
    for (const bool with_head : {false, true}) {
      if (with_head && !config.has_sequence_classification_head()) continue;
      SCOPED_TRACE(with_head ? "with head" : "encoder only");
      const Weights weights = load_weights(dir, config, with_head);
      EXPECT_EQ(weights.source, dir / "model.safetensors");

      // the checkpoint's names, as transformers maps them for the model that is loaded
      const std::string prefix = config.base_prefix();
      std::map<std::string, at::Tensor> expected;
      for (const auto& [name, tensor] : decode_safetensors(weights.source)) {
        // Llama's persistent inv_freq buffer is not a weight: transformers 4.31 builds its
        // cos/sin cache before loading, from inv_freq as computed
        if (name.find("rotary_emb.inv_freq") != std::string::npos) continue;
        if (starts_with(name, prefix)) {
          expected.emplace(name.substr(prefix.size()), tensor);
        } else if (!starts_with(name, "classifier.") || with_head) {  // no prefix in a base model's file
          expected.emplace(name, tensor);
        }
      }
      const std::map<std::string, Shape> shapes = spec_shapes(config, with_head);
      std::set<std::string> got_names, expected_names;
      for (const auto& [name, tensor] : weights.tensors) got_names.insert(name);
      for (const auto& [name, tensor] : expected) expected_names.insert(name);
      EXPECT_EQ(got_names, expected_names);
      for (const auto& [name, tensor] : weights.tensors) {
        SCOPED_TRACE(name);
        ASSERT_EQ(shapes.count(name), 1u);
        EXPECT_EQ(tensor.sizes().vec(), shapes.at(name));
        ASSERT_EQ(expected.count(name), 1u);
        EXPECT_TRUE(bitwise_equal(tensor, expected.at(name)));
        EXPECT_TRUE(weights.contains(name));
        EXPECT_TRUE(weights.at(name).is_same(tensor));
      }
      // every required tensor is there (and the pooler of these checkpoints too)
      for (const TensorSpec& spec : encoder_tensor_specs(config)) EXPECT_TRUE(weights.contains(spec.name)) << spec.name;
    }
  }
}

TEST(Weights, FixtureSpecsAreTheSidecarStateDict) {
  // The names and shapes transformers itself saved (sidecar "state_dict") are the specs: nothing
  // the encoder reads is missing and no shape differs.
  for (const std::string& model : kFixtureModels) {
    SCOPED_TRACE(model);
    const ModelConfig config = read_model_config(fixture_dir(model) / "config.json");
    const bool with_head = config.has_sequence_classification_head();
    const Json sidecar = Json::parse(read_file(fixture_set(model) / (model + ".json")));
    std::map<std::string, Shape> saved;
    for (const auto& [name, shape] : sidecar.at("state_dict").items()) {
      if (name.find("rotary_emb.inv_freq") != std::string::npos) continue;  // a buffer, see above
      saved[starts_with(name, config.base_prefix()) ? name.substr(config.base_prefix().size()) : name] =
          shape.get<Shape>();
    }
    EXPECT_EQ(spec_shapes(config, with_head), saved);
  }
}

TEST(Weights, PytorchBinEqualsSafetensors) {
  for (const std::string model : {"albert", "xlm_roberta", "roberta", "gpt2", "llama"}) {
    SCOPED_TRACE(model);
    ScratchDir dir;
    std::filesystem::copy_file(fixture_dir(model) / "config.json", dir / "config.json");
    std::filesystem::create_symlink(fixture_dir(model) / "pytorch_model.bin", dir / "pytorch_model.bin");
    const ModelConfig config = read_model_config(dir / "config.json");
    const Weights from_bin = load_weights(dir.path(), config, false);
    const Weights from_safetensors = load_weights(fixture_dir(model), config, false);
    EXPECT_EQ(from_bin.source, dir / "pytorch_model.bin");
    ASSERT_EQ(from_bin.tensors.size(), from_safetensors.tensors.size());
    for (const auto& [name, tensor] : from_safetensors.tensors) {
      SCOPED_TRACE(name);
      ASSERT_TRUE(from_bin.contains(name));
      EXPECT_TRUE(bitwise_equal(from_bin.at(name), tensor));
      EXPECT_EQ(from_bin.at(name).storage().nbytes(), from_bin.at(name).nbytes());
    }
  }
}

TEST(Weights, SeqclsPrefixAndHead) {
  const std::filesystem::path dir = fixture_dir("bert_seqcls");
  const ModelConfig config = read_model_config(dir / "config.json");
  const std::map<std::string, at::Tensor> file = decode_safetensors(dir / "model.safetensors");

  const Weights encoder = load_weights(dir, config, false);
  EXPECT_FALSE(encoder.contains("classifier.weight"));
  EXPECT_TRUE(bitwise_equal(encoder.at("embeddings.word_embeddings.weight"),
                            file.at("bert.embeddings.word_embeddings.weight")));
  EXPECT_TRUE(bitwise_equal(encoder.at("pooler.dense.weight"), file.at("bert.pooler.dense.weight")));
  for (const auto& [name, tensor] : encoder.tensors) EXPECT_FALSE(starts_with(name, "bert.")) << name;

  const Weights head = load_weights(dir, config, true);
  EXPECT_EQ(head.tensors.size(), encoder.tensors.size() + 2);
  EXPECT_EQ(head.at("classifier.weight").sizes().vec(), (Shape{2, 32}));
  EXPECT_TRUE(bitwise_equal(head.at("classifier.weight"), file.at("classifier.weight")));
  EXPECT_TRUE(bitwise_equal(head.at("classifier.bias"), file.at("classifier.bias")));
  EXPECT_THROW(encoder.at("classifier.weight"), std::logic_error);
}

TEST(Weights, BaseModelHasNoHead) {
  for (const auto& [model, tensor] : std::vector<std::pair<std::string, std::string>>{
           {"bert_cased", "classifier.weight"}, {"xlm_roberta", "classifier.dense.weight"},
           {"albert", "classifier.weight"}}) {
    SCOPED_TRACE(model);
    const std::filesystem::path dir = fixture_dir(model);
    const ModelConfig config = read_model_config(dir / "config.json");
    expect_error<InputError>([&] { load_weights(dir, config, true); }, (dir / "model.safetensors").string() + ": ",
                             {"missing tensor '" + tensor + "'", "head"});
  }
}

TEST(Weights, ConfigThatDoesNotFitTheCheckpoint) {
  const std::filesystem::path dir = fixture_dir("bert_cased");
  ModelConfig config = read_model_config(dir / "config.json");
  config.num_hidden_layers = 5;
  expect_error<InputError>([&] { load_weights(dir, config, false); }, (dir / "model.safetensors").string() + ": ",
                           {"missing tensor 'encoder.layer.4.attention.self.query.weight'"});
  config = read_model_config(dir / "config.json");
  config.intermediate_size = 65;
  expect_error<InputError>([&] { load_weights(dir, config, false); }, (dir / "model.safetensors").string() + ": ",
                           {"tensor 'encoder.layer.0.intermediate.dense.weight' has shape [64, 32], expected [65, 32]"});
}

// ---- hand-made checkpoints ----------------------------------------------------------------------

/// A tiny BERT: vocab 3, hidden 2, 1 layer, 1 head, intermediate 4, 2 positions, 1 token type.
Json tiny_bert_json() {
  return Json{{"model_type", "bert"},     {"architectures", {"BertForSequenceClassification"}},
              {"vocab_size", 3},          {"hidden_size", 2},
              {"num_hidden_layers", 1},   {"num_attention_heads", 1},
              {"intermediate_size", 4},   {"max_position_embeddings", 2},
              {"type_vocab_size", 1},     {"id2label", {{"0", "neg"}, {"1", "pos"}, {"2", "neutral"}}}};
}

class HandMade : public ::testing::Test {
 protected:
  void SetUp() override {
    write_file(dir_ / "config.json", tiny_bert_json().dump());
    config_ = read_model_config(dir_ / "config.json");
  }

  std::vector<TensorSpec> all_specs() const {
    std::vector<TensorSpec> specs = encoder_tensor_specs(config_);
    for (TensorSpec& spec : head_tensor_specs(config_)) {
      if (spec.name.rfind("classifier.", 0) == 0) specs.push_back(spec);
    }
    return specs;
  }

  /// F32 tensors for every spec (pooler and head included), under `prefix` except classifier.*;
  /// element j of tensor k holds k + j / 64 (all distinct, exact in float).
  std::vector<RawTensor> f32_tensors(const std::string& prefix = "") const {
    std::vector<RawTensor> tensors;
    int k = 0;
    for (const TensorSpec& spec : all_specs()) {
      std::int64_t numel = 1;
      for (std::int64_t d : spec.shape) numel *= d;
      std::vector<float> values;
      for (std::int64_t j = 0; j < numel; ++j) values.push_back(static_cast<float>(k) + static_cast<float>(j) / 64.0f);
      const std::string name = spec.name.rfind("classifier.", 0) == 0 ? spec.name : prefix + spec.name;
      tensors.push_back({name, "F32", spec.shape, raw_bytes(values)});
      ++k;
    }
    return tensors;
  }

  static float value(int k, std::int64_t j) { return static_cast<float>(k) + static_cast<float>(j) / 64.0f; }

  /// Checks that tensor k of f32_tensors() was loaded under its spec name.
  void expect_f32_values(const Weights& weights, bool with_head) const {
    int k = 0;
    for (const TensorSpec& spec : all_specs()) {
      const bool head = spec.name.rfind("classifier.", 0) == 0;
      if (head && !with_head) {
        EXPECT_FALSE(weights.contains(spec.name));
      } else {
        SCOPED_TRACE(spec.name);
        const at::Tensor& tensor = weights.at(spec.name);
        EXPECT_EQ(tensor.sizes().vec(), spec.shape);
        const float* data = tensor.data_ptr<float>();
        for (std::int64_t j = 0; j < tensor.numel(); ++j) ASSERT_EQ(data[j], value(k, j));
      }
      ++k;
    }
  }

  std::filesystem::path safetensors_path() const { return dir_ / "model.safetensors"; }
  void write_safetensors(const std::vector<RawTensor>& tensors) { write_file(safetensors_path(), safetensors_bytes(tensors)); }

  /// Expects load_weights to throw an InputError that starts with `file` and has every part.
  void expect_load_error(const std::filesystem::path& file, std::initializer_list<std::string> parts,
                         bool with_head = false) {
    expect_error<InputError>([&] { load_weights(dir_.path(), config_, with_head); }, file.string() + ": ", parts);
  }

  ScratchDir dir_;
  ModelConfig config_;
};

TEST_F(HandMade, F32RoundTrip) {
  write_safetensors(f32_tensors());
  expect_f32_values(load_weights(dir_.path(), config_, false), false);
  const Weights with_head = load_weights(dir_.path(), config_, true);
  expect_f32_values(with_head, true);
  EXPECT_EQ(with_head.at("classifier.weight").sizes().vec(), (Shape{3, 2}));  // three labels
}

float half_to_float(std::uint16_t h) {
  const int sign = (h >> 15) != 0 ? -1 : 1;
  const int exponent = (h >> 10) & 0x1f;
  const int mantissa = h & 0x3ff;
  if (exponent == 0) return static_cast<float>(sign) * std::ldexp(static_cast<float>(mantissa), -24);
  if (exponent == 31) return mantissa == 0 ? static_cast<float>(sign) * INFINITY : NAN;
  return static_cast<float>(sign) * std::ldexp(static_cast<float>(1024 + mantissa), exponent - 25);
}

float bf16_to_float(std::uint16_t b) {
  const std::uint32_t bits = static_cast<std::uint32_t>(b) << 16;
  float out = 0;
  std::memcpy(&out, &bits, 4);
  return out;
}

TEST_F(HandMade, HalfPrecisionAndDoubleConvertExactly) {
  // known values: 1, -2, 1/3 rounded, the largest, a subnormal, the largest subnormal, the smallest
  // normal, -0, 0.1 rounded, 1.5
  const std::vector<std::uint16_t> f16_bits = {0x3C00, 0xC000, 0x3555, 0x7BFF, 0x0001,
                                               0x03FF, 0x0400, 0x8000, 0x2E66, 0x3E00};
  EXPECT_EQ(half_to_float(0x3C00), 1.0f);
  EXPECT_EQ(half_to_float(0x7BFF), 65504.0f);
  EXPECT_EQ(half_to_float(0x0001), std::ldexp(1.0f, -24));
  const std::vector<std::uint16_t> bf16_bits = {0x3F80, 0xC000, 0x3EAB, 0x7F7F, 0x0001,
                                                0x007F, 0x0080, 0x8000, 0x3DCD, 0x3FC0};
  EXPECT_EQ(bf16_to_float(0x3FC0), 1.5f);
  const std::vector<double> doubles = {0.1, -2.0, 1.0 / 3.0, 1e30, 1e-40, 3.4028234663852886e38, 0.5, -0.0, 7.25, 1.5};

  for (const std::string dtype : {"F16", "BF16", "F64"}) {
    SCOPED_TRACE(dtype);
    std::vector<RawTensor> tensors;
    std::map<std::string, std::vector<float>> expected;
    int k = 0;
    for (const TensorSpec& spec : all_specs()) {
      std::int64_t numel = 1;
      for (std::int64_t d : spec.shape) numel *= d;
      std::vector<std::uint16_t> bits;
      std::vector<double> values;
      std::vector<float> want;
      for (std::int64_t j = 0; j < numel; ++j) {
        const std::size_t pick = static_cast<std::size_t>(k + j) % 10;
        bits.push_back(dtype == "F16" ? f16_bits[pick] : bf16_bits[pick]);
        values.push_back(doubles[pick]);
        want.push_back(dtype == "F16" ? half_to_float(bits.back())
                                      : dtype == "BF16" ? bf16_to_float(bits.back()) : static_cast<float>(values.back()));
      }
      tensors.push_back({spec.name, dtype, spec.shape, dtype == "F64" ? raw_bytes(values) : raw_bytes(bits)});
      expected[spec.name] = want;
      ++k;
    }
    write_safetensors(tensors);
    const Weights weights = load_weights(dir_.path(), config_, true);
    ASSERT_EQ(weights.tensors.size(), expected.size());
    for (const auto& [name, want] : expected) {
      SCOPED_TRACE(name);
      const at::Tensor& tensor = weights.at(name);
      ASSERT_EQ(tensor.scalar_type(), at::kFloat);
      ASSERT_TRUE(tensor.is_contiguous());
      ASSERT_EQ(tensor.numel(), static_cast<std::int64_t>(want.size()));
      for (std::size_t j = 0; j < want.size(); ++j) {
        std::uint32_t got_bits = 0, want_bits = 0;
        std::memcpy(&got_bits, tensor.data_ptr<float>() + j, 4);
        std::memcpy(&want_bits, &want[j], 4);
        ASSERT_EQ(got_bits, want_bits) << "element " << j << ": " << tensor.data_ptr<float>()[j] << " vs " << want[j];
      }
    }
  }
}

TEST_F(HandMade, NamesMappedAsTransformersDoes) {
  // a TF-converted pre-training checkpoint: "bert." prefix, LayerNorm gamma/beta, position_ids,
  // cls.* and an unprefixed stray tensor that transformers does not load into a BertModel
  std::vector<RawTensor> tensors = f32_tensors("bert.");
  for (RawTensor& tensor : tensors) {
    if (tensor.name.find("LayerNorm.") == std::string::npos) continue;
    if (tensor.name.ends_with(".weight")) tensor.name = tensor.name.substr(0, tensor.name.size() - 6) + "gamma";
    if (tensor.name.ends_with(".bias")) tensor.name = tensor.name.substr(0, tensor.name.size() - 4) + "beta";
  }
  tensors.push_back({"bert.embeddings.position_ids", "I64", {1, 2}, raw_bytes(std::vector<std::int64_t>{0, 1})});
  tensors.push_back({"cls.predictions.bias", "F32", {3}, raw_bytes(std::vector<float>{1, 2, 3})});
  tensors.push_back({"embeddings.word_embeddings.weight", "F32", {1, 1}, raw_bytes(std::vector<float>{9})});
  tensors.push_back({"lm_head.weight", "I32", {1}, raw_bytes(std::vector<std::int32_t>{7})});
  write_safetensors(tensors);
  expect_f32_values(load_weights(dir_.path(), config_, false), false);
  expect_f32_values(load_weights(dir_.path(), config_, true), true);

  // the same names through pytorch_model.bin (written by LibTorch's torch.save-compatible pickler)
  std::filesystem::remove(safetensors_path());
  c10::Dict<std::string, at::Tensor> state_dict;
  for (const RawTensor& raw : tensors) {
    const at::ScalarType type = raw.dtype == "F32" ? at::kFloat : raw.dtype == "I64" ? at::kLong : at::kInt;
    at::Tensor tensor = at::empty(raw.shape, type);
    std::memcpy(tensor.data_ptr(), raw.data.data(), raw.data.size());
    state_dict.insert(raw.name, tensor);
  }
  const std::vector<char> bin = torch::jit::pickle_save(state_dict);
  write_file(dir_ / "pytorch_model.bin", std::string(bin.begin(), bin.end()));
  const Weights weights = load_weights(dir_.path(), config_, true);
  EXPECT_EQ(weights.source, dir_ / "pytorch_model.bin");
  expect_f32_values(weights, true);
}

TEST_F(HandMade, PytorchBinOfHalfAndStridedTensors) {
  // F16 and BF16 tensors (exact for these values), a transposed (non-contiguous) view, and two
  // weights viewing one shared storage: all come back float32, contiguous, owning their elements
  c10::Dict<std::string, at::Tensor> state_dict;
  for (const RawTensor& raw : f32_tensors()) {
    at::Tensor tensor = at::empty(raw.shape, at::kFloat);
    std::memcpy(tensor.data_ptr(), raw.data.data(), raw.data.size());
    if (raw.shape.size() == 2) {
      tensor = tensor.t().contiguous().t();  // same values, column-major strides
    } else {
      // 3 + j/64 fits bfloat16's 8 significant bits; k + j/64 (k < 32) fits half's 11
      tensor = tensor.to(raw.name == "embeddings.LayerNorm.weight" ? at::kBFloat16 : at::kHalf);
    }
    state_dict.insert(raw.name, tensor);
  }
  ASSERT_EQ(state_dict.at("embeddings.LayerNorm.weight").scalar_type(), at::kBFloat16);
  const at::Tensor shared = at::cat({state_dict.at("encoder.layer.0.attention.self.query.bias"),
                                     state_dict.at("encoder.layer.0.attention.self.key.bias")});
  state_dict.insert_or_assign("encoder.layer.0.attention.self.query.bias", shared.narrow(0, 0, 2));
  state_dict.insert_or_assign("encoder.layer.0.attention.self.key.bias", shared.narrow(0, 2, 2));
  ASSERT_FALSE(state_dict.at("embeddings.word_embeddings.weight").is_contiguous());
  const std::vector<char> bin = torch::jit::pickle_save(state_dict);
  write_file(dir_ / "pytorch_model.bin", std::string(bin.begin(), bin.end()));
  const Weights weights = load_weights(dir_.path(), config_, true);
  expect_f32_values(weights, true);
  for (const auto& [name, tensor] : weights.tensors) {
    EXPECT_TRUE(tensor.is_contiguous()) << name;
    EXPECT_EQ(tensor.scalar_type(), at::kFloat) << name;
    EXPECT_EQ(tensor.storage().nbytes(), tensor.nbytes()) << name;
  }
}

TEST_F(HandMade, BothWeightAndGammaIsAnError) {
  std::vector<RawTensor> tensors = f32_tensors();
  tensors.push_back({"embeddings.LayerNorm.gamma", "F32", {2}, raw_bytes(std::vector<float>{1, 1})});
  write_safetensors(tensors);
  expect_load_error(safetensors_path(), {"'embeddings.LayerNorm.gamma'", "'embeddings.LayerNorm.weight'",
                                         "both read as 'embeddings.LayerNorm.weight'"});
}

// ---- errors -------------------------------------------------------------------------------------

TEST_F(HandMade, NoWeightsFile) {
  expect_load_error(dir_.path(), {"no weights file", "model.safetensors", "pytorch_model.bin"});
  write_file(dir_ / "pytorch_model.bin.index.json", "{}");
  expect_load_error(dir_.path(), {"no weights file", "pytorch_model.bin.index.json", "sharded pytorch_model.bin"});
  const std::filesystem::path absent = dir_ / "absent";
  expect_error<InputError>([&] { load_weights(absent, config_, false); }, absent.string() + ": ", {"not found"});
}

TEST_F(HandMade, TruncatedFile) {
  const std::string full = safetensors_bytes(f32_tensors());
  write_file(safetensors_path(), full.substr(0, full.size() - 20));
  expect_load_error(safetensors_path(), {"tensor '", "outside the data buffer"});
  write_file(safetensors_path(), full.substr(0, 5));
  expect_load_error(safetensors_path(), {"file is 5 bytes", "too short"});
}

TEST_F(HandMade, HeaderLengthBiggerThanTheFile) {
  const std::string full = safetensors_bytes(f32_tensors());
  std::string bad = full;
  const std::uint64_t length = full.size();
  std::memcpy(bad.data(), &length, 8);
  write_file(safetensors_path(), bad);
  expect_load_error(safetensors_path(), {"header length " + std::to_string(length), "larger than the file"});
}

TEST_F(HandMade, BrokenJsonHeader) {
  std::string bad = safetensors_bytes(f32_tensors());
  bad[8 + bad.substr(8).find(':')] = ',';  // {"__metadata__", ...
  write_file(safetensors_path(), bad);
  expect_load_error(safetensors_path(), {"not valid JSON"});
}

/// Writes the tiny model with its header changed by `edit`.
std::string edited_file(const std::vector<RawTensor>& tensors, const std::function<void(Json&)>& edit) {
  const std::string full = safetensors_bytes(tensors);
  std::uint64_t length = 0;
  std::memcpy(&length, full.data(), 8);
  Json header = Json::parse(full.substr(8, length));
  edit(header);
  return safetensors_from_header(header.dump(), full.substr(8 + length));
}

TEST_F(HandMade, OffsetsOutOfRange) {
  write_file(safetensors_path(), edited_file(f32_tensors(), [](Json& header) {
               header["encoder.layer.0.output.dense.bias"]["data_offsets"] = {1000000, 1000008};
             }));
  expect_load_error(safetensors_path(), {"tensor 'encoder.layer.0.output.dense.bias'", "[1000000, 1000008]",
                                         "outside the data buffer"});
}

TEST_F(HandMade, OffsetsNotMatchingTheShape) {
  write_file(safetensors_path(), edited_file(f32_tensors(), [](Json& header) {
               header["embeddings.word_embeddings.weight"]["shape"] = {3, 3};
             }));
  expect_load_error(safetensors_path(), {"tensor 'embeddings.word_embeddings.weight'", "hold 24 bytes", "[3, 3]",
                                         "need 36"});
}

TEST_F(HandMade, WrongShape) {
  std::vector<RawTensor> tensors = f32_tensors();
  for (RawTensor& tensor : tensors) {
    if (tensor.name == "encoder.layer.0.attention.self.query.weight") {
      tensor.shape = {2, 1};
      tensor.data.resize(8);
    }
  }
  write_safetensors(tensors);
  expect_load_error(safetensors_path(),
                    {"tensor 'encoder.layer.0.attention.self.query.weight' has shape [2, 1], expected [2, 2]"});
}

TEST_F(HandMade, IntegerWeight) {
  std::vector<RawTensor> tensors = f32_tensors("bert.");
  for (RawTensor& tensor : tensors) {
    if (tensor.name == "bert.embeddings.LayerNorm.weight") {
      tensor.dtype = "I64";
      tensor.data = raw_bytes(std::vector<std::int64_t>{1, 1});
    }
  }
  write_safetensors(tensors);
  expect_load_error(safetensors_path(), {"tensor 'bert.embeddings.LayerNorm.weight' has dtype I64",
                                         "expected a floating-point dtype"});
}

TEST_F(HandMade, MissingTensor) {
  std::vector<RawTensor> tensors = f32_tensors();
  std::erase_if(tensors, [](const RawTensor& t) { return t.name == "encoder.layer.0.output.LayerNorm.bias"; });
  write_safetensors(tensors);
  expect_load_error(safetensors_path(), {"missing tensor 'encoder.layer.0.output.LayerNorm.bias'", "[2]"});

  tensors = f32_tensors("bert.");
  std::erase_if(tensors, [](const RawTensor& t) { return t.name == "bert.encoder.layer.0.intermediate.dense.weight"; });
  write_safetensors(tensors);
  expect_load_error(safetensors_path(), {"missing tensor 'bert.encoder.layer.0.intermediate.dense.weight'", "[4, 2]"});

  // the pooler is optional for the encoder, required by the head
  tensors = f32_tensors();
  std::erase_if(tensors, [](const RawTensor& t) { return t.name.rfind("pooler.", 0) == 0; });
  write_safetensors(tensors);
  EXPECT_FALSE(load_weights(dir_.path(), config_, false).contains("pooler.dense.weight"));
  expect_load_error(safetensors_path(), {"missing tensor 'pooler.dense.weight'"}, true);
}

TEST_F(HandMade, BadPytorchBin) {
  const std::filesystem::path bin = dir_ / "pytorch_model.bin";
  write_file(bin, std::string("\x80\x02\x8a\x0a") + "legacy pickle");
  expect_load_error(bin, {"not a zip archive", "torch.save"});

  c10::Dict<std::string, at::Tensor> state_dict;
  for (const RawTensor& raw : f32_tensors()) {
    at::Tensor tensor = at::empty(raw.shape, at::kFloat);
    std::memcpy(tensor.data_ptr(), raw.data.data(), raw.data.size());
    state_dict.insert(raw.name, raw.name == "encoder.layer.0.output.dense.weight" ? tensor.to(at::kLong) : tensor);
  }
  const std::vector<char> bytes = torch::jit::pickle_save(state_dict);
  write_file(bin, std::string(bytes.begin(), bytes.end()));
  expect_load_error(bin, {"tensor 'encoder.layer.0.output.dense.weight' has dtype I64"});

  write_file(bin, std::string(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(bytes.size() / 2)));
  expect_load_error(bin, {"cannot read the PyTorch checkpoint"});

  const std::vector<char> not_a_dict = torch::jit::pickle_save(at::zeros({2}));
  write_file(bin, std::string(not_a_dict.begin(), not_a_dict.end()));
  expect_load_error(bin, {"expected a state dict"});
}

}  // namespace
}  // namespace conceptlens::model
