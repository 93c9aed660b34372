#pragma once
// A tokenizer against the sidecar JSON of a Hugging Face fixture (tests/data/hf and
// tests/data/hf_families, FIXTURES.md §6): every per-sentence field the tokenizer determines —
// ids, tokens, NeuroX's special mask, word counts and spans, truncation, detokenized words —
// exactly as transformers 4.31's slow tokenizer and NeuroX gave them.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "test_support.hpp"
#include "tokenize/tokenizer.hpp"

namespace conceptlens::testing {

/// The lines of sentences.txt, stripped of the line ending as NeuroX's reader does.
inline std::vector<std::string> read_sentences(const std::filesystem::path& path) {
  const std::string text = read_file(path);
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

/// `tokenizer` on `fixtures`/sentences.txt against `fixtures`/<model>.json. A pad_token_id of
/// null is the tokenizer's -1.
inline void expect_matches_sidecar(const tokenize::Tokenizer& tokenizer, const std::filesystem::path& fixtures,
                                   const std::string& model) {
  using Json = nlohmann::json;
  using Strings = std::vector<std::string>;
  using Ids = std::vector<std::int64_t>;
  using Counts = std::vector<std::int32_t>;
  const Json sidecar = Json::parse(read_file(fixtures / (model + ".json")));
  const Json& facts = sidecar.at("tokenizer");
  const Json& pad = facts.at("pad_token_id");
  EXPECT_EQ(tokenizer.pad_id(), pad.is_null() ? -1 : pad.get<std::int64_t>());
  EXPECT_EQ(tokenizer.model_max_length(), facts.at("model_max_length").get<std::int64_t>());
  EXPECT_EQ(tokenizer.vocab_size(), facts.at("vocab_size_len_tokenizer").get<std::int64_t>());
  const auto unk_id = facts.at("unk_token_id").get<std::int64_t>();
  for (const Json& id : facts.at("all_special_ids")) {
    EXPECT_EQ(tokenizer.is_neurox_special(id.get<std::int64_t>()), id.get<std::int64_t>() != unk_id);
  }
  EXPECT_FALSE(tokenizer.is_neurox_special(unk_id));
  const auto special_tokens = facts.at("all_special_tokens").get<Strings>();
  const auto special_ids = facts.at("all_special_ids").get<Ids>();
  for (std::size_t i = 0; i < special_ids.size(); ++i) {
    EXPECT_EQ(tokenizer.id_to_token(special_ids[i]), special_tokens[i]);
  }

  const Strings lines = read_sentences(fixtures / "sentences.txt");
  const Json& sentences = sidecar.at("sentences");
  ASSERT_EQ(lines.size(), sentences.size());
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const Json& expected = sentences[i];
    const std::string& text = lines[i];
    SCOPED_TRACE(model + " sentence " + std::to_string(i) + ": " + text);
    ASSERT_EQ(text, expected.at("text").get<std::string>());

    const tokenize::SentenceEncoding got = tokenizer.encode_sentence(text);
    EXPECT_EQ(got.input_ids, expected.at("input_ids").get<Ids>());
    EXPECT_EQ(got.word_index, expected.at("word_index").get<Counts>());
    EXPECT_EQ(got.word_token_counts, expected.at("word_token_counts").get<Counts>());
    EXPECT_EQ(got.word_first_token, expected.at("word_first_token").get<Counts>());
    EXPECT_EQ(got.num_tokens_untruncated, expected.at("num_tokens_untruncated").get<std::int64_t>());
    EXPECT_EQ(got.truncated, expected.at("truncated").get<bool>());
    EXPECT_EQ(got.num_words_out, expected.at("num_words_out").get<std::int32_t>());
    ASSERT_EQ(got.word_token_counts.size(), expected.at("words").size());

    Strings tokens;
    std::vector<int> special_mask;
    for (const std::int64_t id : got.input_ids) {
      tokens.push_back(tokenizer.id_to_token(id));
      special_mask.push_back(tokenizer.is_neurox_special(id) ? 1 : 0);
    }
    EXPECT_EQ(tokens, expected.at("tokens").get<Strings>());
    EXPECT_EQ(special_mask, expected.at("special_tokens_mask").get<std::vector<int>>());

    // what NeuroX emits: the words kept with their subwords joined, and the empty words
    Strings detokenized;
    std::vector<int> empty_words;
    for (std::int32_t w = 0; w < got.num_words_out; ++w) {
      std::string joined;
      for (std::size_t p = 0; p < got.input_ids.size(); ++p) {
        if (got.word_index[p] == w) joined += tokens[p];
      }
      detokenized.push_back(joined);
      if (got.word_token_counts[static_cast<std::size_t>(w)] == 0) empty_words.push_back(w);
    }
    EXPECT_EQ(empty_words, expected.at("empty_words(zero vectors)").get<std::vector<int>>());
    EXPECT_EQ(detokenized, expected.at("neurox_detokenized").get<Strings>());
  }
}

}  // namespace conceptlens::testing
