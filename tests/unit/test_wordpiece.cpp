// BERT WordPiece tokenizer: hand-made cases for what the fixture sentences do not reach
// (lower-casing, accents, punctuation, CJK, long words, files); the fixtures' sidecars (ids,
// tokens, word alignment, truncation) are checked for every model in test_tokenizers.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "test_support.hpp"
#include "tokenize/wordpiece.hpp"
#include "util/error.hpp"

namespace conceptlens::tokenize {
namespace {

using conceptlens::testing::expect_error;
using conceptlens::testing::read_file;
using conceptlens::testing::ScratchDir;
using conceptlens::testing::test_data_dir;
using conceptlens::testing::write_file;
using Strings = std::vector<std::string>;
using Ids = std::vector<std::int64_t>;

/// The fixture sentences, tokenized as a whole and word by word (NeuroX counts each word's
/// subwords alone): for WordPiece both give the same subwords, which test_tokenizers relies on
/// when it checks every model's sidecar through load_tokenizer.
TEST(WordPieceFixtures, WholeSentenceGivesItsWordsSubwords) {
  const std::filesystem::path hf = test_data_dir() / "hf";
  const WordPieceTokenizer tokenizer = WordPieceTokenizer::load(hf / "models" / "bert_cased");
  const std::string text = read_file(hf / "sentences.txt");
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = text.find('\n', start);
    const std::string line = text.substr(start, end - start);
    start = end + 1;
    SCOPED_TRACE(line);
    const SentenceEncoding got = tokenizer.encode_sentence(line);
    const Strings whole = tokenizer.tokens(line);
    EXPECT_EQ(static_cast<std::int64_t>(whole.size()) + 2, got.num_tokens_untruncated);
    Ids words;
    for (const std::string_view word : split_words(line)) {
      const Ids ids = tokenizer.encode_word(word);
      words.insert(words.end(), ids.begin(), ids.end());
    }
    ASSERT_EQ(words.size(), whole.size());
    for (std::size_t k = 0; k < whole.size(); ++k) EXPECT_EQ(tokenizer.id_to_token(words[k]), whole[k]);
    const Ids kept(got.input_ids.begin() + 1, got.input_ids.end() - 1);
    EXPECT_EQ(Ids(words.begin(), words.begin() + static_cast<std::ptrdiff_t>(kept.size())), kept);
  }
  // the fixtures' README sanity check
  EXPECT_EQ(tokenizer.encode_sentence("Hello, my dog is cute").input_ids,
            (Ids{101, 8667, 117, 1139, 3676, 1110, 10509, 102}));
}

// ---- hand-made models ---------------------------------------------------------------------------

const Strings kMiniVocab = {
    "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hello", "world", ",",  "!",   "cafe",
    "café",  "un",    "##aff", "##able", "東",    "京",    "a",     "##a", "i",   "the",
    "##s",   "$",     "¿",     "€",     "—",     "^",     "[",     "]",   "cls", "naive",
    "東京",  "hello.world", ".", "Cafe", "ß", "ss", "ä", "##ä",
};

std::string vocab_text(const Strings& vocab) {
  std::string text;
  for (const std::string& token : vocab) text += token + "\n";
  return text;
}

/// A model folder with kMiniVocab and the given tokenizer_config.json.
class MiniModel {
 public:
  explicit MiniModel(const std::string& config, const Strings& vocab = kMiniVocab) {
    write_file(dir_ / "vocab.txt", vocab_text(vocab));
    write_file(dir_ / "tokenizer_config.json", config);
  }
  const std::filesystem::path& path() const { return dir_.path(); }
  WordPieceTokenizer load() const { return WordPieceTokenizer::load(dir_.path()); }

 private:
  ScratchDir dir_;
};

const char* const kUncased = R"({"do_lower_case": true, "model_max_length": 512})";
const char* const kCased = R"({"do_lower_case": false, "strip_accents": null})";

TEST(WordPieceUncased, LowerCasesAndStripsAccents) {
  const WordPieceTokenizer tokenizer = MiniModel(kUncased).load();
  EXPECT_EQ(tokenizer.tokens("HeLLo WORLD!"), (Strings{"hello", "world", "!"}));
  EXPECT_EQ(tokenizer.tokens("Café CAFÉ Cafe\u0301 café"), (Strings{"cafe", "cafe", "cafe", "cafe"}));
  EXPECT_EQ(tokenizer.tokens("NAÏVE naïve"), (Strings{"naive", "naive"}));
  EXPECT_EQ(tokenizer.tokens("UNAFFABLE"), (Strings{"un", "##aff", "##able"}));
  // U+0130 lower-cases to "i" + U+0307, whose combining dot is then stripped
  EXPECT_EQ(tokenizer.tokens("\u0130"), (Strings{"i"}));
  // full case mapping of one code point only: ß stays ß (lower(), not casefold())
  EXPECT_EQ(tokenizer.tokens("ß"), (Strings{"ß"}));
  EXPECT_EQ(tokenizer.encode_word("Hello"), (Ids{5}));
  EXPECT_EQ(tokenizer.basic_tokens("Héllo,  WORLD"), (Strings{"hello", ",", "world"}));
}

TEST(WordPieceUncased, StripAccentsFalseKeepsThem) {
  const WordPieceTokenizer tokenizer =
      MiniModel(R"({"do_lower_case": true, "strip_accents": false})").load();
  EXPECT_EQ(tokenizer.tokens("CAFÉ Cafe\u0301"), (Strings{"café", "café"}));  // NFC composes é
  EXPECT_EQ(tokenizer.encode_word("Café"), (Ids{10}));
}

TEST(WordPieceCased, KeepsCaseAndComposesToNfc) {
  const WordPieceTokenizer tokenizer = MiniModel(kCased).load();
  EXPECT_EQ(tokenizer.tokens("Cafe hello Hello"), (Strings{"Cafe", "hello", "[UNK]"}));
  EXPECT_EQ(tokenizer.tokens("cafe\u0301"), (Strings{"café"}));
  const WordPieceTokenizer stripping = MiniModel(R"({"do_lower_case": false, "strip_accents": true})").load();
  EXPECT_EQ(stripping.tokens("café Café"), (Strings{"cafe", "Cafe"}));
}

TEST(WordPieceBasic, SplitsPunctuation) {
  const WordPieceTokenizer tokenizer = MiniModel(kUncased).load();
  EXPECT_EQ(tokenizer.tokens("hello,world!"), (Strings{"hello", ",", "world", "!"}));
  EXPECT_EQ(tokenizer.tokens("¿hello"), (Strings{"¿", "hello"}));              // Po
  EXPECT_EQ(tokenizer.tokens("a—a"), (Strings{"a", "—", "a"}));                 // Pd
  EXPECT_EQ(tokenizer.tokens("$a^a"), (Strings{"$", "a", "^", "a"}));          // ASCII Sc, Sk
  EXPECT_EQ(tokenizer.tokens("a€a"), (Strings{"[UNK]"}));                       // Sc outside ASCII
  EXPECT_EQ(tokenizer.tokens("hello?"), (Strings{"hello", "[UNK]"}));
}

TEST(WordPieceBasic, SplitsCjkCharacters) {
  const WordPieceTokenizer tokenizer = MiniModel(kUncased).load();
  EXPECT_EQ(tokenizer.tokens("東京hello"), (Strings{"東", "京", "hello"}));
  const WordPieceTokenizer whole =
      MiniModel(R"({"do_lower_case": true, "tokenize_chinese_chars": false})").load();
  EXPECT_EQ(whole.tokens("東京"), (Strings{"東京"}));
  EXPECT_EQ(whole.tokens("東京hello"), (Strings{"[UNK]"}));
}

TEST(WordPieceBasic, CleansControlCharactersAndWhitespace) {
  const WordPieceTokenizer tokenizer = MiniModel(kUncased).load();
  EXPECT_EQ(tokenizer.tokens("hel\u00adlo"), (Strings{"hello"}));                 // Cf: soft hyphen
  EXPECT_EQ(tokenizer.tokens(std::string("hel\0lo", 6)), (Strings{"hello"}));     // NUL
  EXPECT_EQ(tokenizer.tokens("hel\ufffdlo hel\u200blo"), (Strings{"hello", "hello"}));
  EXPECT_EQ(tokenizer.tokens("hello\tworld\u00a0hello\u2028world\r\nhello"),
            (Strings{"hello", "world", "hello", "world", "hello"}));
  EXPECT_TRUE(tokenizer.tokens("\u00ad").empty());
  EXPECT_TRUE(tokenizer.encode_word("").empty());
}

TEST(WordPieceBasic, KeepsSpecialTokens) {
  const WordPieceTokenizer tokenizer = MiniModel(kUncased).load();
  EXPECT_EQ(tokenizer.tokens("[CLS] Hello [SEP]"), (Strings{"[CLS]", "hello", "[SEP]"}));
  EXPECT_EQ(tokenizer.tokens("hello[SEP]world"), (Strings{"hello", "[SEP]", "world"}));
  EXPECT_EQ(tokenizer.tokens("[Cls]"), (Strings{"[", "cls", "]"}));  // lower-cased: not special
  EXPECT_EQ(tokenizer.encode_word("[MASK]"), (Ids{4}));
}

TEST(WordPieceBasic, NeverSplitWordsStayWhole) {
  const WordPieceTokenizer plain = MiniModel(kCased).load();
  EXPECT_EQ(plain.tokens("hello.world"), (Strings{"hello", ".", "world"}));
  const WordPieceTokenizer never =
      MiniModel(R"({"do_lower_case": false, "never_split": ["hello.world", "a.b"]})").load();
  EXPECT_EQ(never.tokens("hello.world a.b"), (Strings{"hello.world", "a.b"}));
  EXPECT_EQ(never.encode_word("a.b"), (Ids{1}));  // looked up whole: not in the vocab
}

TEST(WordPieceBasic, WithoutBasicTokenizer) {
  // no cleaning, no punctuation split and (as in transformers 4.31) no lower-casing either
  const WordPieceTokenizer tokenizer =
      MiniModel(R"({"do_lower_case": true, "do_basic_tokenize": false})").load();
  EXPECT_EQ(tokenizer.tokens("hello  helloa HELLO hello,"), (Strings{"hello", "hello", "##a", "[UNK]", "[UNK]"}));
}

TEST(WordPieceGreedy, LongestMatchFirstAndUnknownWords) {
  const WordPieceTokenizer tokenizer = MiniModel(kUncased).load();
  EXPECT_EQ(tokenizer.tokens("unaffable"), (Strings{"un", "##aff", "##able"}));
  EXPECT_EQ(tokenizer.tokens("helloa"), (Strings{"hello", "##a"}));
  EXPECT_EQ(tokenizer.tokens("hellox"), (Strings{"[UNK]"}));  // the whole word, not hello + [UNK]
  EXPECT_EQ(tokenizer.encode_word("hellox world"), (Ids{1, 6}));
}

TEST(WordPieceGreedy, WordsLongerThan100CharactersAreUnknown) {
  const WordPieceTokenizer tokenizer = MiniModel(kUncased).load();
  EXPECT_EQ(tokenizer.tokens(std::string(150, 'a')), (Strings{"[UNK]"}));
  EXPECT_EQ(tokenizer.tokens(std::string(101, 'a')), (Strings{"[UNK]"}));
  const Strings hundred = tokenizer.tokens(std::string(100, 'a'));
  ASSERT_EQ(hundred.size(), 100u);
  EXPECT_EQ(hundred.front(), "a");
  EXPECT_EQ(hundred.back(), "##a");
  // the limit counts code points, not bytes: 60 two-byte letters fit
  std::string accented;
  for (int i = 0; i < 60; ++i) accented += "ä";
  const Strings pieces = MiniModel(kCased).load().tokens(accented);
  ASSERT_EQ(pieces.size(), 60u);
  EXPECT_EQ(pieces[0], "ä");
  EXPECT_EQ(pieces[1], "##ä");
}

TEST(WordPieceBasic, RejectsInvalidUtf8) {
  const WordPieceTokenizer tokenizer = MiniModel(kUncased).load();
  for (const std::string& bad : {std::string("hel\xfflo"), std::string("\xc0\xaf"), std::string("\xed\xa0\x80"),
                                 std::string("ab\xe4\xb8")}) {
    expect_error<InputError>([&] { tokenizer.encode_word(bad); }, "text is not valid UTF-8", {"byte"});
  }
}

// ---- NeuroX sentences -----------------------------------------------------------------------------

TEST(WordPieceSentence, TruncatesAtModelMaxLengthLikeNeuroX) {
  const WordPieceTokenizer tokenizer = MiniModel(R"({"do_lower_case": true, "model_max_length": 6})").load();
  ASSERT_EQ(tokenizer.model_max_length(), 6);

  // 7 tokens: the last subword goes; "world" loses its only one
  SentenceEncoding a = tokenizer.encode_sentence("hello unaffable world");
  EXPECT_EQ(a.input_ids, (Ids{2, 5, 11, 12, 13, 3}));
  EXPECT_TRUE(a.truncated);
  EXPECT_EQ(a.num_tokens_untruncated, 7);
  EXPECT_EQ(a.word_token_counts, (std::vector<std::int32_t>{1, 3, 1}));
  EXPECT_EQ(a.word_index, (std::vector<std::int32_t>{-1, 0, 1, 1, 1, -1}));
  EXPECT_EQ(a.word_first_token, (std::vector<std::int32_t>{1, 2, -1}));
  EXPECT_EQ(a.num_words_out, 2);

  // a word cut in the middle is dropped, though its surviving subwords keep its index
  SentenceEncoding b = tokenizer.encode_sentence("hello world unaffable");
  EXPECT_EQ(b.input_ids, (Ids{2, 5, 6, 11, 12, 3}));
  EXPECT_EQ(b.word_index, (std::vector<std::int32_t>{-1, 0, 1, 2, 2, -1}));
  EXPECT_EQ(b.word_first_token, (std::vector<std::int32_t>{1, 2, 3}));
  EXPECT_EQ(b.num_words_out, 2);

  // short enough: nothing changes
  SentenceEncoding c = tokenizer.encode_sentence("hello world");
  EXPECT_FALSE(c.truncated);
  EXPECT_EQ(c.input_ids, (Ids{2, 5, 6, 3}));
  EXPECT_EQ(c.num_words_out, 2);
}

TEST(WordPieceSentence, EmptyAndSpecialWordsHaveNoSubwords) {
  const WordPieceTokenizer tokenizer = MiniModel(kUncased).load();
  // str.split(" "): a double space makes an empty word, a soft hyphen alone a word with none
  SentenceEncoding a = tokenizer.encode_sentence("hello  \u00ad world");
  EXPECT_EQ(a.word_token_counts, (std::vector<std::int32_t>{1, 0, 0, 1}));
  EXPECT_EQ(a.word_first_token, (std::vector<std::int32_t>{1, -1, -1, 2}));
  EXPECT_EQ(a.num_words_out, 4);
  // a special token as a word: in the model input, but NeuroX counts it for no word
  SentenceEncoding b = tokenizer.encode_sentence("hello [SEP] world");
  EXPECT_EQ(b.input_ids, (Ids{2, 5, 3, 6, 3}));
  EXPECT_EQ(b.word_index, (std::vector<std::int32_t>{-1, 0, -1, 2, -1}));
  EXPECT_EQ(b.word_first_token, (std::vector<std::int32_t>{1, -1, 3}));
  EXPECT_EQ(b.num_words_out, 3);
  // [UNK] is an ordinary subword for NeuroX
  EXPECT_FALSE(tokenizer.is_neurox_special(tokenizer.unk_id()));
  EXPECT_TRUE(tokenizer.is_neurox_special(tokenizer.pad_id()));
  EXPECT_TRUE(tokenizer.is_neurox_special(4));  // [MASK]
}

TEST(WordPieceSentence, TinyModelMaxLengthTruncatesNothing) {
  // transformers cannot remove every id: it logs an error and keeps the sequence whole
  const WordPieceTokenizer tokenizer = MiniModel(R"({"do_lower_case": true, "model_max_length": 2})").load();
  SentenceEncoding a = tokenizer.encode_sentence("hello world");
  EXPECT_FALSE(a.truncated);
  EXPECT_EQ(a.input_ids.size(), 4u);
  EXPECT_EQ(a.num_words_out, 2);
}

// ---- configuration files --------------------------------------------------------------------------

TEST(WordPieceConfig, DefaultsAndLimits) {
  const WordPieceTokenizer defaults = MiniModel("{}").load();
  EXPECT_TRUE(defaults.options().do_lower_case);  // BertTokenizer's default
  EXPECT_EQ(defaults.model_max_length(), WordPieceOptions::kNoMaxLength);
  EXPECT_EQ(defaults.tokens("HELLO"), (Strings{"hello"}));
  const WordPieceTokenizer huge = MiniModel(R"({"model_max_length": 1000000000000000019884624838656})").load();
  EXPECT_EQ(huge.model_max_length(), WordPieceOptions::kNoMaxLength);
  EXPECT_EQ(huge.cls_id(), 2);
  EXPECT_EQ(huge.sep_id(), 3);
  EXPECT_EQ(huge.pad_id(), 0);
  EXPECT_EQ(huge.unk_id(), 1);
}

TEST(WordPieceConfig, SpecialTokensMapOverridesAndAddedTokenObjects) {
  Strings vocab = kMiniVocab;
  vocab.push_back("<unk>");
  MiniModel model(R"({"do_lower_case": true, "cls_token": {"__type": "AddedToken", "content": "[CLS]"}})", vocab);
  write_file(model.path() / "special_tokens_map.json", R"({"unk_token": "<unk>"})");
  const WordPieceTokenizer tokenizer = model.load();
  EXPECT_EQ(tokenizer.unk_id(), static_cast<std::int64_t>(vocab.size()) - 1);
  EXPECT_EQ(tokenizer.cls_id(), 2);
  EXPECT_EQ(tokenizer.tokens("hellox"), (Strings{"<unk>"}));
  EXPECT_FALSE(tokenizer.is_neurox_special(tokenizer.unk_id()));
  EXPECT_FALSE(tokenizer.is_neurox_special(1));  // "[UNK]" is an ordinary token now
}

TEST(WordPieceConfig, VocabLinesAsPythonReadsThem) {
  // universal newlines; a repeated token takes its last line's id
  MiniModel model(R"({"mask_token": null})");
  write_file(model.path() / "vocab.txt", "[PAD]\r\n[UNK]\r[CLS]\n[SEP]\nhello\nworld\nhello");
  const WordPieceTokenizer tokenizer = model.load();
  EXPECT_EQ(tokenizer.vocab_size(), 7);
  EXPECT_EQ(tokenizer.unk_id(), 1);
  EXPECT_EQ(tokenizer.cls_id(), 2);
  EXPECT_EQ(tokenizer.encode_word("hello world"), (Ids{6, 5}));
  EXPECT_EQ(tokenizer.id_to_token(4), "hello");
  expect_error<InputError>([&] { tokenizer.id_to_token(7); }, "token id 7 is outside the vocabulary", {});
}

TEST(WordPieceConfig, BadFilesNameTheFile) {
  ScratchDir empty;
  expect_error<InputError>([&] { WordPieceTokenizer::load(empty.path()); },
                           (empty.path() / "vocab.txt").string(), {"file not found"});

  MiniModel model(kUncased);
  const auto vocab = model.path() / "vocab.txt";
  const auto config = model.path() / "tokenizer_config.json";
  const auto load = [&] { WordPieceTokenizer::load(model.path()); };

  std::filesystem::remove(config);
  expect_error<InputError>(load, config.string(), {"file not found"});
  write_file(config, R"({"do_lower_case": tru)");
  expect_error<InputError>(load, config.string(), {"not valid JSON", "line 1"});
  write_file(config, "[1, 2]");
  expect_error<InputError>(load, config.string(), {"expected a JSON object", "array"});
  write_file(config, R"({"model_max_length": 1e999})");  // nlohmann's out_of_range (tests/fuzz found it)
  expect_error<InputError>(load, config.string(), {"not valid JSON", "number overflow"});
  write_file(config, R"({"do_lower_case": "yes"})");
  expect_error<InputError>(load, config.string(), {"\"do_lower_case\" must be true, false or null", "\"yes\""});
  write_file(config, R"({"model_max_length": "long"})");
  expect_error<InputError>(load, config.string(), {"\"model_max_length\" must be an integer"});
  write_file(config, R"({"model_max_length": -5})");
  expect_error<InputError>(load, config.string(), {"\"model_max_length\" must be positive"});
  write_file(config, R"({"never_split": [1]})");
  expect_error<InputError>(load, config.string(), {"\"never_split\" must list strings"});
  write_file(config, R"({"unk_token": null})");
  expect_error<InputError>(load, model.path().string(), {"unk_token is not set"});
  write_file(config, R"({"sep_token": "</s>"})");
  expect_error<InputError>(load, model.path().string(), {"sep_token \"</s>\" is not in vocab.txt"});
  write_file(config, R"({"additional_special_tokens": ["<x>"]})");
  expect_error<InputError>(load, model.path().string(), {"special token \"<x>\" is not in vocab.txt"});
  write_file(config, kUncased);

  write_file(vocab, "[PAD]\n[UNK]\nab\xff\n[CLS]\n[SEP]\n");
  expect_error<InputError>(load, vocab.string(), {"line 3 is not valid UTF-8"});
  write_file(vocab, "");
  expect_error<InputError>(load, vocab.string(), {"the vocabulary is empty"});
  write_file(vocab, "[PAD]\n[CLS]\n[SEP]\nhello\n");
  expect_error<InputError>(load, model.path().string(), {"unk_token \"[UNK]\" is not in vocab.txt"});
  write_file(vocab, vocab_text(kMiniVocab));

  write_file(model.path() / "special_tokens_map.json", "{");
  expect_error<InputError>(load, (model.path() / "special_tokens_map.json").string(), {"not valid JSON"});
  std::filesystem::remove(model.path() / "special_tokens_map.json");
  write_file(model.path() / "added_tokens.json", R"({"<new>": 36})");
  expect_error<InputError>(load, (model.path() / "added_tokens.json").string(), {"added tokens are not supported"});
  write_file(model.path() / "added_tokens.json", "{}");
  EXPECT_NO_THROW(load());
}

}  // namespace
}  // namespace conceptlens::tokenize
