// Weights beyond one float32 file, on the GPT-2 and Llama fixtures (tests/data/hf_families):
//  * a sharded bfloat16 checkpoint written here from a fixture, as save_pretrained writes one
//    (model-0000k-of-0000n.safetensors + model.safetensors.index.json): its weights load as the
//    fixture's rounded to bfloat16, exactly; its hidden states equal those of the same bfloat16
//    weights in one file, bit for bit, and differ from transformers' float32 ones only by the
//    rounding of the weights (measured, printed);
//  * --compute-dtype bfloat16: weights and activations in bfloat16 (deviation measured, printed);
//  * memory mapping: a tensor stored in the compute dtype is used where it lies in the file's
//    mapping (checked in /proc/self/maps), any other is a copy;
//  * the index's errors, each naming the file.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "hf_fixtures.hpp"
#include "model/encoder.hpp"
#include "model/weights.hpp"
#include "safetensors_test_files.hpp"
#include "store/hdf5.hpp"
#include "test_support.hpp"
#include "util/error.hpp"

namespace conceptlens::model {
namespace {

namespace fs = std::filesystem;
namespace h5 = conceptlens::store::h5;
using conceptlens::testing::expect_error;
using conceptlens::testing::hf_sentence_group;
using conceptlens::testing::raw_bytes;
using conceptlens::testing::RawTensor;
using conceptlens::testing::read_file;
using conceptlens::testing::read_raw_tensors;
using conceptlens::testing::safetensors_bytes;
using conceptlens::testing::ScratchDir;
using conceptlens::testing::test_data_dir;
using conceptlens::testing::write_file;
using Json = nlohmann::json;

fs::path fixtures() { return test_data_dir() / "hf_families"; }
fs::path fixture_dir(const std::string& model) { return fixtures() / "models" / model; }

/// float32 -> bfloat16 bits, rounding to nearest even (finite values).
std::uint16_t to_bf16(float value) {
  std::uint32_t bits = 0;
  std::memcpy(&bits, &value, 4);
  bits += 0x7fff + ((bits >> 16) & 1);
  return static_cast<std::uint16_t>(bits >> 16);
}

float from_bf16(std::uint16_t bits) {
  const std::uint32_t wide = static_cast<std::uint32_t>(bits) << 16;
  float out = 0;
  std::memcpy(&out, &wide, 4);
  return out;
}

/// The fixture's F32 tensors as BF16 (file order).
std::vector<RawTensor> bf16_tensors(const std::string& model) {
  std::vector<RawTensor> out = read_raw_tensors(fixture_dir(model) / "model.safetensors");
  for (RawTensor& tensor : out) {
    EXPECT_EQ(tensor.dtype, "F32") << tensor.name;
    std::vector<float> values(tensor.data.size() / 4);
    std::memcpy(values.data(), tensor.data.data(), tensor.data.size());
    std::vector<std::uint16_t> bits;
    for (const float v : values) bits.push_back(to_bf16(v));
    tensor.dtype = "BF16";
    tensor.data = raw_bytes(bits);
  }
  return out;
}

/// A copy of the fixture's folder without its weights.
void copy_without_weights(const std::string& model, const fs::path& to) {
  fs::create_directories(to);
  for (const auto& entry : fs::directory_iterator(fixture_dir(model))) {
    const std::string name = entry.path().filename().string();
    if (name != "model.safetensors" && name != "pytorch_model.bin") fs::copy_file(entry.path(), to / name);
  }
}

/// `tensors` dealt to `shards` files as save_pretrained names them, with the index.
void write_shards(const std::vector<RawTensor>& tensors, int shards, const fs::path& dir) {
  Json map = Json::object();
  std::int64_t total = 0;
  for (int k = 0; k < shards; ++k) {
    char name[64];
    std::snprintf(name, sizeof name, "model-%05d-of-%05d.safetensors", k + 1, shards);
    std::vector<RawTensor> part;
    for (std::size_t i = static_cast<std::size_t>(k); i < tensors.size(); i += static_cast<std::size_t>(shards)) {
      part.push_back(tensors[i]);
      map[tensors[i].name] = name;
      total += static_cast<std::int64_t>(tensors[i].data.size());
    }
    write_file(dir / name, safetensors_bytes(part));
  }
  write_file(dir / "model.safetensors.index.json",
             Json{{"metadata", {{"total_size", total}}}, {"weight_map", map}}.dump(2));
}

/// Every hidden state of the 20 fixture sentences, one at a time: [sentence][layers * T * H].
std::vector<std::vector<float>> hidden_states(const Encoder& encoder, const std::string& model) {
  const h5::File reference = h5::File::open_read_only(fixtures() / (model + ".h5"));
  std::vector<std::int64_t> layers;
  for (std::int64_t l = 0; l < encoder.num_hidden_states(); ++l) layers.push_back(l);
  std::vector<std::vector<float>> out;
  for (std::size_t s = 0; s < 20; ++s) {
    const auto ids = reference.read_dataset<std::int64_t>(hf_sentence_group(s) + "input_ids").values;
    const std::vector<std::int64_t> lengths = {static_cast<std::int64_t>(ids.size())};
    std::vector<float>& all = out.emplace_back();
    encoder.forward(PaddedBatch{ids, lengths, 1, lengths[0]}, layers, [&](std::int64_t, std::span<const float> values) {
      all.insert(all.end(), values.begin(), values.end());
    });
  }
  return out;
}

/// transformers' float32 hidden states of the fixture.
std::vector<std::vector<float>> reference_states(const std::string& model) {
  const h5::File reference = h5::File::open_read_only(fixtures() / (model + ".h5"));
  std::vector<std::vector<float>> out;
  for (std::size_t s = 0; s < 20; ++s)
    out.push_back(reference.read_dataset<float>(hf_sentence_group(s) + "hidden_states").values);
  return out;
}

/// Largest |a - b| and largest |b| over all sentences.
std::pair<double, double> deviation(const std::vector<std::vector<float>>& a,
                                    const std::vector<std::vector<float>>& b) {
  double worst = 0;
  double scale = 0;
  for (std::size_t s = 0; s < b.size(); ++s) {
    worst = std::max(worst, conceptlens::testing::max_abs_difference(a[s], b[s]));
    for (const float v : b[s]) scale = std::max(scale, static_cast<double>(std::abs(v)));
  }
  return {worst, scale};
}

/// What /proc/self/maps says `address` lies in: a file's path, "[heap]", or "" (anonymous).
std::string mapped_file(const void* address) {
  const auto at = reinterpret_cast<std::uintptr_t>(address);
  std::ifstream maps("/proc/self/maps");
  for (std::string line; std::getline(maps, line);) {
    std::istringstream fields(line);
    std::string range, perms, offset, device, inode, path;
    fields >> range >> perms >> offset >> device >> inode >> path;
    const std::size_t dash = range.find('-');
    const std::uintptr_t begin = std::stoull(range.substr(0, dash), nullptr, 16);
    const std::uintptr_t end = std::stoull(range.substr(dash + 1), nullptr, 16);
    if (at >= begin && at < end) return path;
  }
  return "";
}

class WeightFormats : public ::testing::TestWithParam<std::string> {};

TEST_P(WeightFormats, ShardedBfloat16CheckpointLoadsToTheRoundedWeights) {
  const std::string model = GetParam();
  ScratchDir dir;
  const std::vector<RawTensor> bf16 = bf16_tensors(model);
  copy_without_weights(model, dir / "sharded");
  write_shards(bf16, 3, dir / "sharded");
  copy_without_weights(model, dir / "single");
  write_file(dir / "single" / "model.safetensors", safetensors_bytes(bf16));

  const ModelConfig config = read_model_config(fixture_dir(model) / "config.json");
  const Weights sharded = load_weights(dir / "sharded", config, false);
  EXPECT_EQ(sharded.source, dir / "sharded" / "model.safetensors.index.json");
  const Weights original = load_weights(fixture_dir(model), config, false);
  ASSERT_EQ(sharded.tensors.size(), original.tensors.size());
  for (const auto& [name, tensor] : original.tensors) {
    SCOPED_TRACE(name);
    const at::Tensor& got = sharded.at(name);
    ASSERT_EQ(got.scalar_type(), at::kFloat);  // computed in float32 by default, as from_pretrained
    ASSERT_EQ(got.sizes(), tensor.sizes());
    const float* a = got.data_ptr<float>();
    const float* b = tensor.data_ptr<float>();
    for (std::int64_t i = 0; i < tensor.numel(); ++i) ASSERT_EQ(a[i], from_bf16(to_bf16(b[i]))) << i;
  }

  // sharding changes nothing; bfloat16 weights change the activations by their rounding only
  const auto from_shards = hidden_states(Encoder(dir / "sharded", false), model);
  const auto from_one_file = hidden_states(Encoder(dir / "single", false), model);
  EXPECT_EQ(from_shards, from_one_file);
  const auto [worst, scale] = deviation(from_shards, reference_states(model));
  std::printf(
      "%s: bfloat16 weights, float32 compute: max |hidden state - transformers float32| = %.3g "
      "(largest |value| %.3g, relative %.2g)\n",
      model.c_str(), worst, scale, worst / scale);
  EXPECT_GT(worst, 1e-5);          // the weights did change...
  EXPECT_LT(worst, 0.02 * scale);  // ... by bfloat16's rounding (2^-9 relative per weight), not more
}

TEST_P(WeightFormats, ComputeInBfloat16) {
  const std::string model = GetParam();
  const ModelConfig config = read_model_config(fixture_dir(model) / "config.json");
  const Weights weights = load_weights(fixture_dir(model), config, false, ComputeDtype::bfloat16);
  const Weights original = load_weights(fixture_dir(model), config, false);
  for (const auto& [name, tensor] : original.tensors) {
    SCOPED_TRACE(name);
    const at::Tensor& got = weights.at(name);
    ASSERT_EQ(got.scalar_type(), at::kBFloat16);
    EXPECT_TRUE(at::equal(got, tensor.to(at::kBFloat16)));
  }
  const auto states = hidden_states(Encoder(fixture_dir(model), false, ComputeDtype::bfloat16), model);
  const auto [worst, scale] = deviation(states, reference_states(model));
  std::printf(
      "%s: --compute-dtype bfloat16: max |hidden state - transformers float32| = %.3g (largest |value| "
      "%.3g, relative %.2g)\n",
      model.c_str(), worst, scale, worst / scale);
  EXPECT_GT(worst, 1e-5);
  EXPECT_LT(worst, 0.05 * scale);
}

TEST_P(WeightFormats, TensorsStoredAsComputedStayInTheMapping) {
  const std::string model = GetParam();
  const ModelConfig config = read_model_config(fixture_dir(model) / "config.json");
  const fs::path file = fs::canonical(fixture_dir(model) / "model.safetensors");
  {
    const Weights mapped = load_weights(fixture_dir(model), config, false);
    for (const auto& [name, tensor] : mapped.tensors) EXPECT_EQ(mapped_file(tensor.data_ptr()), file.string()) << name;
  }
  const Weights converted = load_weights(fixture_dir(model), config, false, ComputeDtype::bfloat16);
  for (const auto& [name, tensor] : converted.tensors) {
    EXPECT_EQ(mapped_file(tensor.data_ptr()).find(".safetensors"), std::string::npos) << name;  // heap or anonymous
  }

  ScratchDir dir;
  copy_without_weights(model, dir.path());
  write_shards(bf16_tensors(model), 2, dir.path());
  const Weights bf16 = load_weights(dir.path(), config, false, ComputeDtype::bfloat16);
  for (const auto& [name, tensor] : bf16.tensors) {
    EXPECT_NE(mapped_file(tensor.data_ptr()).find("-of-00002.safetensors"), std::string::npos) << name;
  }
}

INSTANTIATE_TEST_SUITE_P(Decoders, WeightFormats, ::testing::Values("gpt2", "llama"));

TEST(WeightFormats, BadIndexNamesTheFile) {
  ScratchDir dir;
  const std::string model = "gpt2";
  copy_without_weights(model, dir.path());
  const ModelConfig config = read_model_config(fixture_dir(model) / "config.json");
  std::vector<RawTensor> tensors = read_raw_tensors(fixture_dir(model) / "model.safetensors");
  write_shards(tensors, 2, dir.path());
  EXPECT_NO_THROW(load_weights(dir.path(), config, false));
  const fs::path index = dir / "model.safetensors.index.json";
  const Json good = Json::parse(read_file(index));
  const auto load = [&] { load_weights(dir.path(), config, false); };

  write_file(index, "{\"weight_map\": ");
  expect_error<InputError>(load, index.string() + ": ", {"invalid JSON"});
  write_file(index, R"({"metadata": {}})");
  expect_error<InputError>(load, index.string() + ": ", {"\"weight_map\""});
  Json bad = good;
  bad["weight_map"]["wte.weight"] = "../elsewhere.safetensors";
  write_file(index, bad.dump());
  expect_error<InputError>(load, index.string() + ": ",
                           {"'wte.weight'", "\"../elsewhere.safetensors\"", "in the folder"});
  bad = good;
  bad["weight_map"]["wte.weight"] = "model-00003-of-00002.safetensors";
  write_file(index, bad.dump());
  expect_error<InputError>(load, (dir / "model-00003-of-00002.safetensors").string() + ": ", {"file not found"});
  bad = good;
  const std::string other = good["weight_map"]["wte.weight"] == "model-00001-of-00002.safetensors"
                                ? "model-00002-of-00002.safetensors"
                                : "model-00001-of-00002.safetensors";
  bad["weight_map"]["wte.weight"] = other;
  write_file(index, bad.dump());
  expect_error<InputError>(load, index.string() + ": ", {"gives tensor 'wte.weight' to " + other, "does not hold it"});
  // one tensor in both shards
  const auto shard = [](int k) { return "model-0000" + std::to_string(k) + "-of-00002.safetensors"; };
  write_file(index, Json{{"weight_map",
                          {{tensors[0].name, shard(1)}, {tensors[1].name, shard(2)}, {tensors[2].name, shard(2)}}}}
                        .dump());
  write_file(dir / shard(1), safetensors_bytes({tensors[0]}));
  write_file(dir / shard(2), safetensors_bytes({tensors[0], tensors[1], tensors[2]}));
  expect_error<InputError>(load, index.string() + ": ", {"tensor '" + tensors[0].name + "' is in two shards"});
}

}  // namespace
}  // namespace conceptlens::model
