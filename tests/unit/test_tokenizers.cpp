// The tokenizer layer: load_tokenizer for every bundled model, the SentencePiece tokenizers
// (ALBERT, XLM-R) exact against transformers 4.31's slow tokenizers + NeuroX via the fixtures'
// sidecar JSON, ALBERT's preprocessing (Unicode), the shim and the errors that name the file.
// The same binary links LibTorch (test_tokenizers_torch.cpp), as `conceptlens` does.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "test_support.hpp"
#include "tokenizer_sidecar.hpp"
#include "tokenize/neurox_alignment.hpp"
#include "tokenize/sentencepiece.hpp"
#include "tokenize/sentencepiece_library.hpp"
#include "tokenize/tokenizer.hpp"
#include "tokenize/unicode.hpp"
#include "tokenize/wordpiece.hpp"
#include "util/error.hpp"

namespace conceptlens::tokenize {
namespace {

using conceptlens::testing::expect_error;
using conceptlens::testing::expect_matches_sidecar;
using conceptlens::testing::read_file;
using conceptlens::testing::ScratchDir;
using conceptlens::testing::test_data_dir;
using conceptlens::testing::write_file;
using Json = nlohmann::json;
using Strings = std::vector<std::string>;
using Ids = std::vector<std::int64_t>;
using Counts = std::vector<std::int32_t>;

std::filesystem::path hf_dir() { return test_data_dir() / "hf"; }
std::filesystem::path model_dir(const std::string& name) { return hf_dir() / "models" / name; }

// ---- the bundled models -------------------------------------------------------------------------

class BundledModels : public ::testing::TestWithParam<std::string> {};

TEST_P(BundledModels, MatchSidecarThroughLoadTokenizer) {
  const std::unique_ptr<Tokenizer> tokenizer = load_tokenizer(model_dir(GetParam()));
  expect_matches_sidecar(*tokenizer, hf_dir(), GetParam());
}

INSTANTIATE_TEST_SUITE_P(All, BundledModels,
                         ::testing::Values("bert_cased", "bert_seqcls", "albert", "xlm_roberta"));

TEST(LoadTokenizer, PicksTheFamily) {
  EXPECT_NE(dynamic_cast<WordPieceTokenizer*>(load_tokenizer(model_dir("bert_cased")).get()), nullptr);
  EXPECT_NE(dynamic_cast<WordPieceTokenizer*>(load_tokenizer(model_dir("bert_seqcls")).get()), nullptr);
  const auto albert = load_tokenizer(model_dir("albert"));
  const auto* sp_albert = dynamic_cast<SentencePieceTokenizer*>(albert.get());
  ASSERT_NE(sp_albert, nullptr);
  EXPECT_EQ(sp_albert->options().family, SentencePieceFamily::albert);
  const auto xlmr = load_tokenizer(model_dir("xlm_roberta"));
  const auto* sp_xlmr = dynamic_cast<SentencePieceTokenizer*>(xlmr.get());
  ASSERT_NE(sp_xlmr, nullptr);
  EXPECT_EQ(sp_xlmr->options().family, SentencePieceFamily::xlm_roberta);
}

/// A copy of a bundled model's tokenizer files in a scratch folder, to break.
class ModelCopy : public conceptlens::testing::FolderCopy {
 public:
  explicit ModelCopy(const std::string& model)
      : FolderCopy(model_dir(model), [](const std::string& name) {
          return name.find("tokenizer") != std::string::npos || name.find("special_tokens") != std::string::npos ||
                 name.ends_with(".model") || name == "vocab.txt";
        }) {}
};

TEST(LoadTokenizer, WithoutTokenizerClassTheFilesDecide) {
  for (const std::string model : {"bert_cased", "albert", "xlm_roberta"}) {
    ModelCopy copy(model);
    Json config = Json::parse(read_file(copy / "tokenizer_config.json"));
    config.erase("tokenizer_class");
    write_file(copy / "tokenizer_config.json", config.dump());
    const auto tokenizer = load_tokenizer(copy.path());
    EXPECT_EQ(tokenizer->encode_sentence("Hello").input_ids,
              load_tokenizer(model_dir(model))->encode_sentence("Hello").input_ids)
        << model;
  }
  ModelCopy both("albert");
  std::filesystem::copy_file(model_dir("xlm_roberta") / "sentencepiece.bpe.model", both / "sentencepiece.bpe.model");
  write_file(both / "tokenizer_config.json", R"({"model_max_length": 64})");
  expect_error<InputError>([&] { load_tokenizer(both.path()); }, both.path().string(),
                           {"names no tokenizer_class", "spiece.model, sentencepiece.bpe.model"});
  ScratchDir empty;
  write_file(empty / "tokenizer_config.json", "{}");
  expect_error<InputError>([&] { load_tokenizer(empty.path()); }, empty.path().string(), {"found none"});
}

TEST(LoadTokenizer, FastClassNamesGetTheSlowTokenizer) {
  ModelCopy copy("xlm_roberta");
  Json config = Json::parse(read_file(copy / "tokenizer_config.json"));
  config["tokenizer_class"] = "XLMRobertaTokenizerFast";
  write_file(copy / "tokenizer_config.json", config.dump());
  const auto tokenizer = load_tokenizer(copy.path());
  ASSERT_NE(dynamic_cast<SentencePieceTokenizer*>(tokenizer.get()), nullptr);
}

TEST(LoadTokenizer, BadFilesNameTheFile) {
  ScratchDir empty;
  expect_error<InputError>([&] { load_tokenizer(empty.path()); },
                           (empty.path() / "tokenizer_config.json").string(), {"file not found"});

  ModelCopy albert("albert");
  const auto config = albert / "tokenizer_config.json";
  Json json = Json::parse(read_file(config));
  json["tokenizer_class"] = "T5Tokenizer";
  write_file(config, json.dump());
  expect_error<InputError>([&] { load_tokenizer(albert.path()); }, config.string(),
                           {"unsupported \"tokenizer_class\" \"T5Tokenizer\"", "AlbertTokenizer", "GPT2Tokenizer"});
  json["tokenizer_class"] = 7;
  write_file(config, json.dump());
  expect_error<InputError>([&] { load_tokenizer(albert.path()); }, config.string(), {"must be a string"});
  json["tokenizer_class"] = "AlbertTokenizer";
  write_file(config, json.dump());
  EXPECT_NO_THROW(load_tokenizer(albert.path()));

  // the model file: missing, corrupt, a directory
  const auto spiece = albert / "spiece.model";
  std::filesystem::remove(spiece);
  expect_error<InputError>([&] { load_tokenizer(albert.path()); }, spiece.string(), {"file not found"});
  write_file(spiece, "this is not a protobuf");
  expect_error<InputError>([&] { load_tokenizer(albert.path()); }, spiece.string(), {"not a SentencePiece model"});
  std::filesystem::remove(spiece);
  std::filesystem::create_directory(spiece);
  expect_error<InputError>([&] { load_tokenizer(albert.path()); }, spiece.string(), {"is a directory"});
  std::filesystem::remove(spiece);
  std::filesystem::copy_file(model_dir("albert") / "spiece.model", spiece);

  // the settings
  json["model_max_length"] = -1;
  write_file(config, json.dump());
  expect_error<InputError>([&] { load_tokenizer(albert.path()); }, config.string(), {"must be positive"});
  json["model_max_length"] = 64;
  json["keep_accents"] = "no";
  write_file(config, json.dump());
  expect_error<InputError>([&] { load_tokenizer(albert.path()); }, config.string(), {"\"keep_accents\""});
  json["keep_accents"] = false;
  json["sp_model_kwargs"] = {{"enable_sampling", true}};
  write_file(config, json.dump());
  expect_error<InputError>([&] { load_tokenizer(albert.path()); }, config.string(), {"\"sp_model_kwargs\""});
  json["sp_model_kwargs"] = Json::object();
  json["additional_special_tokens"] = {"<new>"};
  write_file(config, json.dump());
  expect_error<InputError>([&] { load_tokenizer(albert.path()); }, albert.path().string(),
                           {"special token \"<new>\" is not in spiece.model"});
  json.erase("additional_special_tokens");
  write_file(config, json.dump());
  write_file(albert / "special_tokens_map.json", R"({"cls_token": null})");
  expect_error<InputError>([&] { load_tokenizer(albert.path()); }, albert.path().string(),
                           {"cls_token is not set"});
  write_file(albert / "special_tokens_map.json", "{");
  expect_error<InputError>([&] { load_tokenizer(albert.path()); }, (albert / "special_tokens_map.json").string(),
                           {"not valid JSON"});
  std::filesystem::remove(albert / "special_tokens_map.json");
  write_file(albert / "added_tokens.json", R"({"<new>": 1000})");
  expect_error<InputError>([&] { load_tokenizer(albert.path()); }, (albert / "added_tokens.json").string(),
                           {"added tokens are not supported"});
  std::filesystem::remove(albert / "added_tokens.json");
  EXPECT_NO_THROW(load_tokenizer(albert.path()));

  ModelCopy xlmr("xlm_roberta");
  std::filesystem::remove(xlmr / "sentencepiece.bpe.model");
  expect_error<InputError>([&] { load_tokenizer(xlmr.path()); }, (xlmr / "sentencepiece.bpe.model").string(),
                           {"file not found"});
}

// ---- SentencePiece behaviour beyond the fixture sentences ----------------------------------------

const SentencePieceTokenizer& albert() {
  static const auto tokenizer = SentencePieceTokenizer::load(model_dir("albert"), SentencePieceFamily::albert);
  return *tokenizer;
}

const SentencePieceTokenizer& xlmr() {
  static const auto tokenizer =
      SentencePieceTokenizer::load(model_dir("xlm_roberta"), SentencePieceFamily::xlm_roberta);
  return *tokenizer;
}

TEST(AlbertTokenizer, Ids) {
  EXPECT_EQ(albert().prefix_ids(), Ids{2});
  EXPECT_EQ(albert().suffix_ids(), Ids{3});
  EXPECT_EQ(albert().unk_id(), 1);
  EXPECT_EQ(albert().pad_id(), 0);
  EXPECT_EQ(albert().token_to_id("[MASK]"), 4);
  EXPECT_EQ(albert().token_to_id("no such piece"), 1);
  EXPECT_TRUE(albert().is_neurox_special(4));
  expect_error<InputError>([] { albert().id_to_token(1000); }, "token id 1000 is outside the vocabulary [0, 1000)",
                           {});
  expect_error<InputError>([] { albert().id_to_token(-1); }, "token id -1", {});
}

TEST(AlbertTokenizer, PreprocessesLikePython) {
  // lower-casing, NFKD without combining marks (compatibility forms too), whitespace, quotes
  EXPECT_EQ(albert().tokens("Ⅻ ﬁne Café\u3000 ÅNGSTRÖM"), albert().tokens("xii fine cafe angstrom"));
  EXPECT_EQ(albert().tokens("\u1d2c\u1d2e"), albert().tokens("ab"));  // modifier capitals: NFKD, then lower
  EXPECT_EQ(albert().tokens("\u0130"), albert().tokens("i"));
  EXPECT_EQ(albert().tokens("``quoted''"), albert().tokens("\"quoted\""));
  EXPECT_EQ(albert().tokens("  hello \t\n world  "), albert().tokens("hello world"));
  EXPECT_TRUE(albert().tokens("").empty());
  EXPECT_TRUE(albert().tokens(" \u00a0 ").empty());
}

TEST(AlbertTokenizer, SpecialTokensAreKeptWhole) {
  const Strings tokens = albert().tokens("Hello [MASK] world[SEP]again");
  ASSERT_GE(tokens.size(), 4u);
  EXPECT_EQ(std::count(tokens.begin(), tokens.end(), "[MASK]"), 1);
  EXPECT_EQ(std::count(tokens.begin(), tokens.end(), "[SEP]"), 1);
  EXPECT_EQ(albert().encode("[MASK]"), (Ids{4}));
  // lower-casing comes first: "<PAD>" becomes the special token "<pad>"; "[mask]" is ordinary text
  EXPECT_EQ(albert().tokens("<PAD>"), (Strings{"<pad>"}));
  EXPECT_NE(albert().tokens("[mask]"), (Strings{"[MASK]"}));
  // a special token as a word: in the input, counted for no word
  const SentenceEncoding encoding = albert().encode_sentence("hello [MASK] world");
  EXPECT_EQ(encoding.word_token_counts[1], 0);
  EXPECT_EQ(encoding.word_first_token[1], -1);
  EXPECT_EQ(std::count(encoding.input_ids.begin(), encoding.input_ids.end(), 4), 1);
}

/// A serialized SentencePiece ModelProto: a unigram model with these pieces (score -1 each, so
/// the fewest pieces win), type NORMAL unless given, and no normalization rules.
std::string unigram_model(const std::vector<std::pair<std::string, int>>& pieces) {
  const auto varint = [](std::string& out, std::uint64_t value) {
    for (; value >= 0x80; value >>= 7) out += static_cast<char>((value & 0x7f) | 0x80);
    out += static_cast<char>(value);
  };
  const auto bytes_field = [&](std::string& out, int field, const std::string& bytes) {
    varint(out, static_cast<std::uint64_t>(field) << 3 | 2);
    varint(out, bytes.size());
    out += bytes;
  };
  std::string model;
  for (const auto& [piece, type] : pieces) {
    std::string message;
    bytes_field(message, 1, piece);
    message += static_cast<char>(2 << 3 | 5);  // score: float -1.0, little-endian
    message += std::string("\x00\x00\x80\xbf", 4);
    varint(message, 3 << 3 | 0);
    varint(message, static_cast<std::uint64_t>(type));
    bytes_field(model, 1, message);
  }
  std::string trainer_spec;
  varint(trainer_spec, 3 << 3 | 0);  // model_type: UNIGRAM
  varint(trainer_spec, 1);
  bytes_field(model, 2, trainer_spec);
  return model;
}

TEST(AlbertTokenizer, DigitCommaRuleOfTheSlowTokenizer) {
  // The bundled model has no piece that ends in a digit and ",": a hand-made one does.
  constexpr int kNormal = 1, kUnknown = 2, kControl = 3;
  ScratchDir dir;
  write_file(dir / "spiece.model", unigram_model({{"<pad>", kControl}, {"<unk>", kUnknown}, {"[CLS]", kControl},
                                                  {"[SEP]", kControl}, {"[MASK]", kControl}, {"\u2581", kNormal},
                                                  {"\u2581a", kNormal}, {"\u258112,", kNormal}, {"\u258112", kNormal},
                                                  {"1", kNormal}, {"2", kNormal}, {"9", kNormal}, {",", kNormal},
                                                  {"a", kNormal}, {"12,", kNormal}, {"9,", kNormal}}));
  write_file(dir / "tokenizer_config.json", R"({"tokenizer_class": "AlbertTokenizer"})");
  const auto tokenizer = SentencePieceTokenizer::load(dir.path(), SentencePieceFamily::albert);
  const SentencePieceModel model(dir / "spiece.model");
  ASSERT_EQ(model.encode("12, a12, a9,"), (Strings{"\u258112,", "\u2581a", "12,", "\u2581a", "9,"}));
  // "▁12," -> encode("12") + ","; "12," -> the same without the "▁" it did not have; "9," ->
  // encode("9") is "▁" "9", whose lone "▁" goes
  EXPECT_EQ(tokenizer->tokens("12, A12, a9,"),
            (Strings{"\u258112", ",", "\u2581a", "12", ",", "\u2581a", "9", ","}));
  EXPECT_EQ(tokenizer->encode("a12,"), (Ids{6, 1, 12}));  // "12" is not a piece: <unk>
}

TEST(XlmRobertaTokenizer, FairseqIds) {
  EXPECT_EQ(xlmr().prefix_ids(), Ids{0});
  EXPECT_EQ(xlmr().pad_id(), 1);
  EXPECT_EQ(xlmr().suffix_ids(), Ids{2});
  EXPECT_EQ(xlmr().unk_id(), 3);
  EXPECT_EQ(xlmr().vocab_size(), 1002);
  EXPECT_EQ(xlmr().token_to_id("<mask>"), 1001);
  EXPECT_EQ(xlmr().id_to_token(1001), "<mask>");
  EXPECT_EQ(xlmr().token_to_id("no such piece"), 3);
  for (std::int64_t id = 4; id < 1001; ++id) EXPECT_EQ(xlmr().token_to_id(xlmr().id_to_token(id)), id);
  expect_error<InputError>([] { xlmr().id_to_token(1002); }, "token id 1002 is outside the vocabulary [0, 1002)",
                           {});
}

TEST(XlmRobertaTokenizer, KeepsCaseAndSpecialTokens) {
  EXPECT_NE(xlmr().tokens("Hello"), xlmr().tokens("hello"));
  const Strings tokens = xlmr().tokens("Hello <mask> world</s>");
  EXPECT_EQ(std::count(tokens.begin(), tokens.end(), "<mask>"), 1);
  EXPECT_EQ(std::count(tokens.begin(), tokens.end(), "</s>"), 1);
  EXPECT_EQ(xlmr().encode("<mask>"), (Ids{1001}));
  EXPECT_EQ(xlmr().tokens("<MASK>"), xlmr().tokens("<MASK>"));
  EXPECT_NE(xlmr().tokens("<MASK>"), (Strings{"<mask>"}));  // no lower-casing
}

TEST(SentencePieceTokenizers, RejectInvalidUtf8) {
  for (const SentencePieceTokenizer* tokenizer : {&albert(), &xlmr()}) {
    expect_error<InputError>([&] { tokenizer->encode_sentence("ab\xff cd"); }, "text is not valid UTF-8", {"byte 2"});
  }
}

TEST(SentencePieceTokenizers, NeuroxCountsComeFromContexts) {
  for (const SentencePieceTokenizer* tokenizer : {&albert(), &xlmr()}) {
    // empty words (str.split(" ") of a double space) have no subwords
    const SentenceEncoding encoding = tokenizer->encode_sentence("hello  world");
    EXPECT_EQ(encoding.word_token_counts.size(), 3u);
    EXPECT_EQ(encoding.word_token_counts[1], 0);
    EXPECT_EQ(encoding.num_words_out, 3);
    // a word's count is the same wherever it is cached from
    const SentenceEncoding again = tokenizer->encode_sentence("hello  world");
    EXPECT_EQ(again.word_token_counts, encoding.word_token_counts);
  }
  EXPECT_EQ(word_context(std::vector<std::string_view>{"x"}, 0).text, "x a");
  const std::vector<std::string_view> words = {"x", "y", "z"};
  EXPECT_EQ(word_context(words, 0).text, "x a");
  EXPECT_EQ(word_context(words, 1).text, "a y a");
  EXPECT_EQ(word_context(words, 2).text, "a z");
  EXPECT_EQ(word_context(words, 1).count(1), 0);  // Python's slicing never goes below 0
  EXPECT_EQ(word_context(words, 1).count(5), 3);
}

TEST(SplitWords, SplitsOnEverySingleSpace) {
  EXPECT_EQ(split_words("a b"), (std::vector<std::string_view>{"a", "b"}));
  EXPECT_EQ(split_words(" a  b "), (std::vector<std::string_view>{"", "a", "", "b", ""}));
  EXPECT_EQ(split_words(""), (std::vector<std::string_view>{""}));
  EXPECT_EQ(split_words("a\tb"), (std::vector<std::string_view>{"a\tb"}));
}

TEST(NeuroxAlignment, TruncatesAndDropsCutWords) {
  const auto special = [](std::int64_t id) { return id >= 100; };
  const Ids prefix = {100};
  const Ids suffix = {101};
  // 7 ids in all, 6 allowed: the last content id goes, and with it the last word
  const SentenceEncoding a = align_words({1, 3, 1}, Ids{1, 2, 3, 4, 5}, prefix, suffix, 6, special);
  EXPECT_EQ(a.input_ids, (Ids{100, 1, 2, 3, 4, 101}));
  EXPECT_TRUE(a.truncated);
  EXPECT_EQ(a.num_tokens_untruncated, 7);
  EXPECT_EQ(a.word_index, (Counts{-1, 0, 1, 1, 1, -1}));
  EXPECT_EQ(a.word_first_token, (Counts{1, 2, -1}));
  EXPECT_EQ(a.num_words_out, 2);
  // transformers cannot remove every content id: it keeps them all
  const SentenceEncoding b = align_words({1, 1}, Ids{1, 2}, prefix, suffix, 2, special);
  EXPECT_FALSE(b.truncated);
  EXPECT_EQ(b.input_ids.size(), 4u);
}

// ---- Unicode (ALBERT's preprocessing), against Python 3.11 ----------------------------------------

std::u32string lower(std::u32string_view text) { return python_lower(text); }

TEST(Unicode, LowerAppliesFinalSigma) {
  EXPECT_EQ(lower(U"ΟΔΟΣ"), std::u32string(U"οδο") + char32_t{0x3C2});
  EXPECT_EQ(lower(U"ΣΑ"), U"σα");
  EXPECT_EQ(lower(U"Σ"), U"σ");
  EXPECT_EQ(lower(U"a.Σ"), U"a.ς");   // "." is case-ignorable
  EXPECT_EQ(lower(U"aΣ.b"), U"aσ.b");  // ... and so is skipped on the right too
  EXPECT_EQ(lower(U"ΑΣ\u0301Α"), U"ασ\u0301α");
  EXPECT_EQ(lower(U"ΑΣ\u0301"), U"ας\u0301");
  EXPECT_EQ(lower(U"\u0130"), U"i\u0307");
  // NFKD can make a capital sigma out of text that lower-casing left alone (ALBERT lowers last)
  EXPECT_EQ(lower(nfkd(U"x\U0001D6BA y")), U"xς y");
}

TEST(Unicode, NfkdAndDigits) {
  EXPECT_EQ(nfkd(U"ﬁ"), U"fi");
  EXPECT_EQ(nfkd(U"Ⅻ"), U"XII");
  EXPECT_EQ(nfkd(U"é"), U"e\u0301");
  EXPECT_EQ(nfkd(U"\u00a0"), U" ");
  EXPECT_EQ(nfkd(U"\u2140"), U"\u2211");
  EXPECT_EQ(nfkd(U"\uAC01"), U"\u1100\u1161\u11A8");  // Hangul, algorithmic
  EXPECT_EQ(nfd(U"ﬁ"), U"ﬁ");
  EXPECT_TRUE(is_python_digit(U'7'));
  EXPECT_TRUE(is_python_digit(U'²'));
  EXPECT_TRUE(is_python_digit(U'٣'));
  EXPECT_FALSE(is_python_digit(U'½'));
  EXPECT_FALSE(is_python_digit(U'a'));
  EXPECT_EQ(python_lstrip(U" \u3000x "), U"x ");
  EXPECT_EQ(python_rstrip(U" x\u2028"), U" x");
}

// ---- the shim ------------------------------------------------------------------------------------

TEST(SentencePieceModel, ReadsTheModel) {
  const SentencePieceModel model(model_dir("albert") / "spiece.model");
  EXPECT_EQ(model.piece_size(), 1000);
  EXPECT_EQ(model.piece_to_id("[CLS]"), 2);
  EXPECT_EQ(model.id_to_piece(2), "[CLS]");
  EXPECT_TRUE(model.is_control(2));
  EXPECT_TRUE(model.is_unknown(1));
  EXPECT_FALSE(model.is_unknown(2));
  EXPECT_EQ(model.encode("hello"), (Strings{"\xe2\x96\x81h", "el", "lo"}));
  expect_error<InputError>([&] { model.id_to_piece(1000); }, "piece id 1000 is outside", {"spiece.model"});
}

TEST(SentencePieceShimDeathTest, MissingShimSaysWhereItLooked) {
  // a fresh process (threadsafe style re-runs this test alone), where the shim is not loaded yet
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  ASSERT_EQ(::setenv("CONCEPTLENS_SPM_SHIM", "/nonexistent/libconceptlens_spm_shim.so", 1), 0);
  EXPECT_EXIT(
      {
        try {
          SentencePieceModel model(model_dir("albert") / "spiece.model");
        } catch (const InputError& error) {
          std::fprintf(stderr, "%s\n", error.what());
          std::exit(3);
        }
        std::exit(0);
      },
      ::testing::ExitedWithCode(3), "/nonexistent/libconceptlens_spm_shim.so \\(\\$CONCEPTLENS_SPM_SHIM\\): not found");
  ::unsetenv("CONCEPTLENS_SPM_SHIM");
}

}  // namespace
}  // namespace conceptlens::tokenize
