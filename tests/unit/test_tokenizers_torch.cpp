// LibTorch and the SentencePiece tokenizers in one executable, as in `conceptlens`: linking
// libsentencepiece there directly crashes at start-up (clashing protobuf symbols); the shim,
// loaded with dlopen(RTLD_LOCAL | RTLD_DEEPBIND), must not.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "test_support.hpp"
#include "tokenize/tokenizer.hpp"

namespace conceptlens::tokenize {
namespace {

using conceptlens::testing::read_file;
using conceptlens::testing::test_data_dir;

TEST(SentencePieceWithTorch, BothWorkInOneExecutable) {
  const at::Tensor ones = at::ones({2, 3});
  EXPECT_EQ(ones.sum().item<float>(), 6.0F);
  for (const std::string model : {"albert", "xlm_roberta"}) {
    const auto sidecar = nlohmann::json::parse(read_file(test_data_dir() / "hf" / (model + ".json")));
    const auto& expected = sidecar.at("sentences").at(1);  // "Hello"
    const auto tokenizer = load_tokenizer(test_data_dir() / "hf" / "models" / model);
    const SentenceEncoding encoding = tokenizer->encode_sentence(expected.at("text").get<std::string>());
    EXPECT_EQ(encoding.input_ids, expected.at("input_ids").get<std::vector<std::int64_t>>()) << model;
    // the ids make a tensor as extraction feeds the model
    const at::Tensor ids = at::tensor(encoding.input_ids, at::kLong);
    EXPECT_EQ(ids.size(0), static_cast<std::int64_t>(encoding.input_ids.size()));
  }
}

}  // namespace
}  // namespace conceptlens::tokenize
