// The tokenizers of RoBERTa and GPT-2 (byte-level BPE), Llama (SentencePiece, legacy) and
// DistilBERT (WordPiece): exact against transformers 4.31's slow tokenizers + NeuroX through the
// sidecars of tests/data/hf_families; the byte-level BPE's parts (bytes_to_unicode, GPT-2's
// pre-tokenization pattern, merges in rank order, merges.txt as transformers reads it), the
// special tokens of each class, how the family is chosen, and the errors that name the file.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "test_support.hpp"
#include "tokenize/byte_level_bpe.hpp"
#include "tokenize/sentencepiece.hpp"
#include "tokenize/tokenizer.hpp"
#include "tokenize/wordpiece.hpp"
#include "tokenizer_sidecar.hpp"
#include "util/error.hpp"

namespace conceptlens::tokenize {
namespace {

using conceptlens::testing::expect_error;
using conceptlens::testing::expect_matches_sidecar;
using conceptlens::testing::read_file;
using conceptlens::testing::test_data_dir;
using conceptlens::testing::write_file;
using Json = nlohmann::json;
using Strings = std::vector<std::string>;
using Ids = std::vector<std::int64_t>;

std::filesystem::path fixtures() { return test_data_dir() / "hf_families"; }
std::filesystem::path model_dir(const std::string& name) { return fixtures() / "models" / name; }

/// A copy of a fixture's tokenizer files and config.json in a scratch folder, to change.
class ModelCopy : public conceptlens::testing::FolderCopy {
 public:
  explicit ModelCopy(const std::string& model)
      : FolderCopy(model_dir(model),
                   [](const std::string& name) { return name != "model.safetensors" && name != "pytorch_model.bin"; }) {}
  void edit_json(const std::string& name, const std::function<void(Json&)>& change) const {
    Json json = Json::parse(read_file(*this / name));
    change(json);
    write_file(*this / name, json.dump());
  }
};

// ---- the fixtures, through load_tokenizer ---------------------------------------------------------

class FamilyFixtures : public ::testing::TestWithParam<std::string> {};

TEST_P(FamilyFixtures, MatchSidecarThroughLoadTokenizer) {
  const std::unique_ptr<Tokenizer> tokenizer = load_tokenizer(model_dir(GetParam()));
  expect_matches_sidecar(*tokenizer, fixtures(), GetParam());
}

INSTANTIATE_TEST_SUITE_P(All, FamilyFixtures, ::testing::Values("roberta", "distilbert", "gpt2", "llama"));

TEST(LoadTokenizer, PicksTheNewFamilies) {
  const auto roberta = load_tokenizer(model_dir("roberta"));
  ASSERT_NE(dynamic_cast<ByteLevelBpeTokenizer*>(roberta.get()), nullptr);
  EXPECT_EQ(dynamic_cast<ByteLevelBpeTokenizer&>(*roberta).options().family, ByteLevelFamily::roberta);
  const auto gpt2 = load_tokenizer(model_dir("gpt2"));
  ASSERT_NE(dynamic_cast<ByteLevelBpeTokenizer*>(gpt2.get()), nullptr);
  EXPECT_EQ(dynamic_cast<ByteLevelBpeTokenizer&>(*gpt2).options().family, ByteLevelFamily::gpt2);
  const auto llama = load_tokenizer(model_dir("llama"));
  ASSERT_NE(dynamic_cast<SentencePieceTokenizer*>(llama.get()), nullptr);
  EXPECT_EQ(dynamic_cast<SentencePieceTokenizer&>(*llama).options().family, SentencePieceFamily::llama);
  EXPECT_NE(dynamic_cast<WordPieceTokenizer*>(load_tokenizer(model_dir("distilbert")).get()), nullptr);
}

TEST(LoadTokenizer, WithoutTokenizerClassConfigJsonDecides) {
  // vocab.json + merges.txt are GPT-2's or RoBERTa's: config.json's model_type tells them apart,
  // as AutoTokenizer does; its tokenizer_class comes first
  for (const std::string model : {"gpt2", "roberta", "llama", "distilbert"}) {
    ModelCopy copy(model);
    copy.edit_json("tokenizer_config.json", [](Json& json) { json.erase("tokenizer_class"); });
    EXPECT_EQ(load_tokenizer(copy.path())->encode_sentence("Hello there").input_ids,
              load_tokenizer(model_dir(model))->encode_sentence("Hello there").input_ids)
        << model;
  }
  ModelCopy gpt2("gpt2");
  gpt2.edit_json("tokenizer_config.json", [](Json& json) { json.erase("tokenizer_class"); });
  gpt2.edit_json("config.json", [](Json& json) { json["tokenizer_class"] = "RobertaTokenizer"; });
  expect_error<InputError>([&] { load_tokenizer(gpt2.path()); }, gpt2.path().string(),
                           {"special token", "is not in vocab.json"});
  gpt2.edit_json("config.json", [](Json& json) {
    json.erase("tokenizer_class");
    json["model_type"] = "something-else";
  });
  expect_error<InputError>([&] { load_tokenizer(gpt2.path()); }, gpt2.path().string(),
                           {"the files do not decide", "vocab.json", "GPT-2 or RoBERTa: name the tokenizer_class"});
}

// ---- byte-level BPE: the parts ---------------------------------------------------------------------

std::u32string symbols(const std::string& bytes) {
  std::u32string out;
  for (const char b : bytes) out += ByteLevelBpeTokenizer::byte_symbol(static_cast<std::uint8_t>(b));
  return out;
}

TEST(ByteLevelBpe, BytesToUnicode) {
  EXPECT_EQ(ByteLevelBpeTokenizer::byte_symbol(' '), U'\u0120');   // "Ġ"
  EXPECT_EQ(ByteLevelBpeTokenizer::byte_symbol('\n'), U'\u010A');  // "Ċ"
  EXPECT_EQ(ByteLevelBpeTokenizer::byte_symbol('!'), U'!');
  EXPECT_EQ(ByteLevelBpeTokenizer::byte_symbol('~'), U'~');
  EXPECT_EQ(ByteLevelBpeTokenizer::byte_symbol(0x00), U'\u0100');
  EXPECT_EQ(ByteLevelBpeTokenizer::byte_symbol(0xA1), U'\u00A1');
  EXPECT_EQ(ByteLevelBpeTokenizer::byte_symbol(0xAD), U'\u0143');  // the soft hyphen byte is not printable
  EXPECT_EQ(ByteLevelBpeTokenizer::byte_symbol(0xFF), U'\u00FF');
  std::set<char32_t> all;
  for (int b = 0; b < 256; ++b) all.insert(ByteLevelBpeTokenizer::byte_symbol(static_cast<std::uint8_t>(b)));
  EXPECT_EQ(all.size(), 256u);
  EXPECT_EQ(symbols("caf\xc3\xa9"), U"caf\u00C3\u00A9");
}

std::vector<std::u32string> parts(std::u32string_view text) {
  std::vector<std::u32string> out;
  for (const std::u32string_view part : ByteLevelBpeTokenizer::pretokenize(text)) out.emplace_back(part);
  return out;
}

TEST(ByteLevelBpe, PretokenizesAsGpt2sPattern) {
  using Parts = std::vector<std::u32string>;
  EXPECT_EQ(parts(U"Hello world"), (Parts{U"Hello", U" world"}));
  EXPECT_EQ(parts(U"I'm fine, don't"), (Parts{U"I", U"'m", U" fine", U",", U" don", U"'t"}));
  EXPECT_EQ(parts(U"they'll 'S"), (Parts{U"they", U"'ll", U" '", U"S"}));  // contractions are lower case only
  EXPECT_EQ(parts(U"a   b"), (Parts{U"a", U"  ", U" b"}));                 // \s+(?!\S) leaves the last space to " b"
  EXPECT_EQ(parts(U"a b  "), (Parts{U"a", U" b", U"  "}));
  EXPECT_EQ(parts(U"$5.99 in 1990s"), (Parts{U"$", U"5", U".", U"99", U" in", U" 1990", U"s"}));
  EXPECT_EQ(parts(U"Zürich 東京 naïve"), (Parts{U"Zürich", U" 東京", U" naïve"}));
  EXPECT_EQ(parts(U"e\u0301 x"), (Parts{U"e", U"\u0301", U" x"}));  // a combining mark is neither L nor N
  EXPECT_EQ(parts(U"hi!! 🙂 ©"), (Parts{U"hi", U"!!", U" 🙂", U" ©"}));
  EXPECT_EQ(parts(U"\u00a0x \u00bd\u2167"), (Parts{U"\u00a0", U"x", U" \u00bd\u2167"}));  // NBSP is \s; ½ Ⅷ are N
  EXPECT_TRUE(parts(U"").empty());
}

/// A byte-level tokenizer from a vocabulary of these tokens (ids in order) and merges.
ByteLevelBpeTokenizer tiny_bpe(const Strings& tokens, const ByteLevelBpeTokenizer::Merges& merges,
                               ByteLevelBpeOptions options = ByteLevelBpeOptions::defaults(ByteLevelFamily::gpt2)) {
  ByteLevelBpeTokenizer::Vocabulary vocab;
  for (std::size_t i = 0; i < tokens.size(); ++i) vocab.emplace(tokens[i], static_cast<std::int64_t>(i));
  return ByteLevelBpeTokenizer(std::move(vocab), merges, std::move(options));
}

TEST(ByteLevelBpe, MergesTheLowestRankFirstAndEveryOccurrence) {
  const Strings vocab = {"<|endoftext|>", "l", "o", "w", "e", "r", "lo", "low", "er", "a", "aa", "Ġ", "Ġlow"};
  const ByteLevelBpeTokenizer ranked = tiny_bpe(vocab, {{"e", "r"}, {"l", "o"}, {"lo", "w"}, {"Ġ", "low"}});
  EXPECT_EQ(ranked.tokens("lower"), (Strings{"low", "er"}));
  EXPECT_EQ(ranked.tokens("lower lower"), (Strings{"low", "er", "Ġlow", "er"}));
  // without "lo w" ranked, "low" never forms; with "a a": left to right, no overlap
  const ByteLevelBpeTokenizer other = tiny_bpe(vocab, {{"l", "o"}, {"a", "a"}});
  EXPECT_EQ(other.tokens("lower"), (Strings{"lo", "w", "e", "r"}));
  EXPECT_EQ(other.tokens("aaa"), (Strings{"aa", "a"}));
  EXPECT_EQ(other.encode("aaa"), (Ids{10, 9}));
  EXPECT_EQ(other.encode("x"), (Ids{0}));  // not in the vocabulary: the unknown token
  EXPECT_EQ(other.prefix_ids(), Ids{});
  EXPECT_EQ(other.suffix_ids(), Ids{});
  EXPECT_EQ(other.pad_id(), -1);
}

TEST(ByteLevelBpe, SpecialTokensAndPrefixSpace) {
  const auto roberta = ByteLevelBpeTokenizer::load(model_dir("roberta"), ByteLevelFamily::roberta);
  EXPECT_EQ(roberta->prefix_ids(), Ids{0});
  EXPECT_EQ(roberta->suffix_ids(), Ids{2});
  EXPECT_EQ(roberta->pad_id(), 1);
  // specials are kept whole; <mask> strips the space on its left (lstrip), <s> strips nothing
  const Strings tokens = roberta->tokens("Hello <mask> world<s> again");
  EXPECT_EQ(std::count(tokens.begin(), tokens.end(), "<mask>"), 1);
  EXPECT_EQ(std::count(tokens.begin(), tokens.end(), "<s>"), 1);
  EXPECT_EQ(roberta->tokens("a <mask>"), (Strings{"a", "<mask>"}));
  EXPECT_EQ(roberta->tokens("a <s>").size(), 3u);  // "a", "Ġ", "<s>"
  EXPECT_EQ(roberta->tokens("a <s>")[1], "Ġ");
  // add_prefix_space: the first word is tokenized as any other
  ModelCopy copy("roberta");
  copy.edit_json("tokenizer_config.json", [](Json& json) { json["add_prefix_space"] = true; });
  const auto spaced = ByteLevelBpeTokenizer::load(copy.path(), ByteLevelFamily::roberta);
  EXPECT_EQ(spaced->tokens("the"), roberta->tokens(" the"));
  EXPECT_EQ(spaced->tokens(" the"), roberta->tokens(" the"));  // RoBERTa: not before whitespace
  const auto gpt2 = ByteLevelBpeTokenizer::load(model_dir("gpt2"), ByteLevelFamily::gpt2);
  EXPECT_EQ(gpt2->tokens("<|endoftext|>"), (Strings{"<|endoftext|>"}));
  EXPECT_FALSE(gpt2->is_neurox_special(gpt2->unk_id()));  // its only special token is the unknown one
  expect_error<InputError>([&] { gpt2->encode_sentence("ab\xff cd"); }, "text is not valid UTF-8", {"byte 2"});
}

TEST(ByteLevelBpe, Gpt2AddBosToken) {
  ModelCopy copy("gpt2");
  copy.edit_json("tokenizer_config.json", [](Json& json) { json["add_bos_token"] = true; });
  const auto tokenizer = ByteLevelBpeTokenizer::load(copy.path(), ByteLevelFamily::gpt2);
  const auto plain = ByteLevelBpeTokenizer::load(model_dir("gpt2"), ByteLevelFamily::gpt2);
  EXPECT_EQ(tokenizer->prefix_ids(), Ids{1056});
  const SentenceEncoding with = tokenizer->encode_sentence("Hello there");
  const SentenceEncoding without = plain->encode_sentence("Hello there");
  ASSERT_EQ(with.input_ids.size(), without.input_ids.size() + 1);
  EXPECT_EQ(with.input_ids.front(), 1056);
  // <|endoftext|> is also the unknown token: NeuroX keeps it and counts it to the first word
  EXPECT_EQ(with.word_token_counts[0], without.word_token_counts[0] + 1);
}

TEST(ByteLevelBpe, ReadsMergesAsTransformersDoes) {
  ModelCopy copy("gpt2");
  const auto base = ByteLevelBpeTokenizer::load(model_dir("gpt2"), ByteLevelFamily::gpt2);
  const std::string merges = read_file(copy / "merges.txt");
  ASSERT_EQ(merges.back(), '\n');
  // Windows line ends read the same (universal newlines)
  std::string crlf;
  for (const char c : merges) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  write_file(copy / "merges.txt", crlf);
  const std::string text = "The quick brown fox jumps over the lazy dog .";
  EXPECT_EQ(ByteLevelBpeTokenizer::load(copy.path(), ByteLevelFamily::gpt2)->tokens(text), base->tokens(text));
  // without the final newline the last merge is dropped, as transformers drops it
  write_file(copy / "vocab.json", R"({"<|endoftext|>": 0, "l": 1, "o": 2, "w": 3, "lo": 4, "low": 5})");
  write_file(copy / "merges.txt", "#version: 0.2\nl o\nlo w\n");
  EXPECT_EQ(ByteLevelBpeTokenizer::load(copy.path(), ByteLevelFamily::gpt2)->tokens("low"), Strings{"low"});
  write_file(copy / "merges.txt", "#version: 0.2\nl o\nlo w");
  EXPECT_EQ(ByteLevelBpeTokenizer::load(copy.path(), ByteLevelFamily::gpt2)->tokens("low"), (Strings{"lo", "w"}));
  // a line without two symbols is an error naming the file and the line
  write_file(copy / "merges.txt", "#version: 0.2\nĠ t\nbroken\n");
  expect_error<InputError>([&] { ByteLevelBpeTokenizer::load(copy.path(), ByteLevelFamily::gpt2); },
                           (copy / "merges.txt").string(), {"line 3", "two symbols", "broken"});
  write_file(copy / "merges.txt", "#version: 0.2\n\xff\xfe\n");
  expect_error<InputError>([&] { ByteLevelBpeTokenizer::load(copy.path(), ByteLevelFamily::gpt2); },
                           (copy / "merges.txt").string(), {"not valid UTF-8"});
  std::filesystem::remove(copy / "merges.txt");
  expect_error<InputError>([&] { ByteLevelBpeTokenizer::load(copy.path(), ByteLevelFamily::gpt2); },
                           (copy / "merges.txt").string(), {"file not found"});
}

TEST(ByteLevelBpe, BadVocabularyAndSpecialTokensNameTheFile) {
  ModelCopy copy("roberta");
  const auto load = [&] { return ByteLevelBpeTokenizer::load(copy.path(), ByteLevelFamily::roberta); };
  const std::string vocab = read_file(copy / "vocab.json");
  write_file(copy / "vocab.json", R"({"a": 0, "b": -1})");
  expect_error<InputError>(load, (copy / "vocab.json").string(), {"token \"b\" has the id -1"});
  write_file(copy / "vocab.json", R"({"a": 0, "b": 0})");
  expect_error<InputError>(load, copy.path().string(), {"gives the id 0 to both"});
  write_file(copy / "vocab.json", "[1, 2]");
  expect_error<InputError>(load, (copy / "vocab.json").string(), {"expected a JSON object"});
  write_file(copy / "vocab.json", vocab);
  copy.edit_json("tokenizer_config.json", [](Json& json) { json["additional_special_tokens"] = {"<new>"}; });
  expect_error<InputError>(load, copy.path().string(), {"special token \"<new>\" is not in vocab.json"});
  copy.edit_json("tokenizer_config.json", [](Json& json) {
    json.erase("additional_special_tokens");
    json["add_prefix_space"] = "yes";
  });
  expect_error<InputError>(load, (copy / "tokenizer_config.json").string(), {"\"add_prefix_space\""});
  copy.edit_json("tokenizer_config.json", [](Json& json) { json["add_prefix_space"] = false; });
  write_file(copy / "special_tokens_map.json", R"({"cls_token": null})");
  expect_error<InputError>(load, copy.path().string(), {"cls_token is not set", "RoBERTa"});
  std::filesystem::remove(copy / "special_tokens_map.json");
  write_file(copy / "added_tokens.json", R"({"<new>": 1061})");
  expect_error<InputError>(load, (copy / "added_tokens.json").string(), {"added tokens are not supported"});
  std::filesystem::remove(copy / "added_tokens.json");
  EXPECT_NO_THROW(load());
  expect_error<InputError>([&] { load()->id_to_token(1061); }, "token id 1061 is not in the vocabulary", {});
}

// ---- Llama (SentencePiece, legacy) ---------------------------------------------------------------

TEST(LlamaTokenizer, BosFirstAndNoPad) {
  const auto llama = SentencePieceTokenizer::load(model_dir("llama"), SentencePieceFamily::llama);
  EXPECT_EQ(llama->prefix_ids(), Ids{1});
  EXPECT_EQ(llama->suffix_ids(), Ids{});
  EXPECT_EQ(llama->pad_id(), -1);
  EXPECT_EQ(llama->unk_id(), 0);
  EXPECT_EQ(llama->vocab_size(), 1000);
  EXPECT_TRUE(llama->is_neurox_special(1));
  EXPECT_TRUE(llama->is_neurox_special(2));
  EXPECT_FALSE(llama->is_neurox_special(0));
  // "</s>" in the text is kept whole
  const Strings tokens = llama->tokens("hi </s> there");
  EXPECT_EQ(std::count(tokens.begin(), tokens.end(), "</s>"), 1);

  ModelCopy copy("llama");
  copy.edit_json("tokenizer_config.json", [](Json& json) {
    json["add_eos_token"] = true;
    json["add_bos_token"] = false;
  });
  const auto eos = SentencePieceTokenizer::load(copy.path(), SentencePieceFamily::llama);
  EXPECT_EQ(eos->prefix_ids(), Ids{});
  EXPECT_EQ(eos->suffix_ids(), Ids{2});
  const SentenceEncoding encoding = eos->encode_sentence("Hello there");
  EXPECT_EQ(encoding.input_ids.back(), 2);
  EXPECT_EQ(encoding.input_ids, [&] {
    Ids ids = llama->encode("Hello there");
    ids.push_back(2);
    return ids;
  }());

  copy.edit_json("tokenizer_config.json", [](Json& json) { json["legacy"] = false; });
  expect_error<InputError>([&] { SentencePieceTokenizer::load(copy.path(), SentencePieceFamily::llama); },
                           (copy / "tokenizer_config.json").string(), {"\"legacy\": false is not supported"});
  copy.edit_json("tokenizer_config.json", [](Json& json) { json["legacy"] = nullptr; });
  EXPECT_NO_THROW(SentencePieceTokenizer::load(copy.path(), SentencePieceFamily::llama));
  std::filesystem::remove(copy / "tokenizer.model");
  expect_error<InputError>([&] { load_tokenizer(copy.path()); }, (copy / "tokenizer.model").string(),
                           {"file not found"});
}

}  // namespace
}  // namespace conceptlens::tokenize
