#pragma once
// BERT's WordPiece tokenizer, exactly as transformers 4.31's slow `BertTokenizer` behaves
// (PreTrainedTokenizer.tokenize + BasicTokenizer + WordpieceTokenizer), and NeuroX's word
// alignment on top of it (neurox.data.extraction.transformers_extractor).
//
// tokenize(text), in the order of the Python code:
//  1. text must be strict UTF-8 (InputError otherwise).
//  2. do_lower_case (only with do_basic_tokenize, as in 4.31, where the do_lower_case property
//     needs the basic tokenizer): every code point outside the special tokens ([UNK] [SEP]
//     [PAD] [CLS] [MASK], additional_special_tokens) is lower-cased alone, as str.lower() does
//     it (U+0130 -> "i\u0307"; a per-character pass never meets the final-sigma rule).
//  3. The special tokens are cut out (leftmost, longest) and kept whole; each piece in between
//     goes through BasicTokenizer: drop U+0000, U+FFFD and C* except \t \n \r; Zs and \t \n \r
//     become spaces; spaces around CJK ideographs; NFC; split on Python whitespace; per word
//     not in never_split (tokenizer_config's never_split plus the special tokens): NFD and
//     dropping Mn when strip_accents is true, or unset with do_lower_case; then split off every
//     punctuation character (P* and ASCII 33-47, 58-64, 91-96, 123-126).
//  4. WordPiece per word: a word of more than 100 code points is [UNK]; otherwise greedy
//     longest-match-first with "##" continuations, and [UNK] for the whole word as soon as
//     some rest has no match. Words in the config's never_split are looked up whole.
//  ids: vocab.txt line numbers (a token that occurs twice gets its last line, as in the Python
//  dict); a token missing from the vocab is [UNK].
//
// NeuroX (see fixtures/hf/README.md §4.2): a sentence is split on single spaces; a word's
// subwords are those of the word tokenized alone (its "in context" count is the same for
// WordPiece) minus NeuroX's special ids (all special tokens except [UNK]); the model input is
// [CLS] + every word's ids + [SEP], truncated to model_max_length by dropping subwords at the
// end; NeuroX then keeps the words whose subwords all survived.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tokenize/neurox_alignment.hpp"
#include "tokenize/tokenizer.hpp"

namespace conceptlens::tokenize {

/// What tokenizer_config.json (and special_tokens_map.json, which overrides its special
/// tokens, as from_pretrained does) says; members default to BertTokenizer's defaults.
struct WordPieceOptions {
  bool do_lower_case = true;                ///< lower-case before tokenizing
  bool do_basic_tokenize = true;            ///< BasicTokenizer before WordPiece
  bool tokenize_chinese_chars = true;       ///< spaces around CJK ideographs
  std::optional<bool> strip_accents;        ///< unset: follows do_lower_case
  std::vector<std::string> never_split;     ///< words BasicTokenizer keeps whole
  std::int64_t model_max_length = kNoMaxLength;  ///< truncation length incl. [CLS] and [SEP]
  std::string unk_token = "[UNK]";
  std::string sep_token = "[SEP]";
  std::string pad_token = "[PAD]";
  std::string cls_token = "[CLS]";
  std::string mask_token = "[MASK]";        ///< empty when the config sets it to null
  std::vector<std::string> additional_special_tokens;

  /// model_max_length when the config has none (or transformers' "very large" 1e30).
  static constexpr std::int64_t kNoMaxLength = Tokenizer::kNoMaxLength;
};

class WordPieceTokenizer final : public Tokenizer {
 public:
  /// Reads `model_dir`/vocab.txt, `model_dir`/tokenizer_config.json and, if present,
  /// special_tokens_map.json. Throws InputError naming the file (and line) when one is missing,
  /// unreadable, not UTF-8 or not valid JSON, when a setting has the wrong type, when a special
  /// token is not in the vocabulary, or when added_tokens.json adds tokens (not supported).
  static WordPieceTokenizer load(const std::filesystem::path& model_dir);

  /// The same from a vocabulary (id = index) and options; throws InputError as load() does.
  WordPieceTokenizer(std::vector<std::string> vocab, WordPieceOptions options);

  /// HF `tokenize(text)`: the tokens of `text`, no special tokens added. InputError if `text`
  /// is not UTF-8.
  std::vector<std::string> tokens(std::string_view text) const;
  /// HF `encode(text, add_special_tokens=False)` for one word (any text works): the ids of the
  /// word tokenized alone. InputError if `word` is not UTF-8.
  std::vector<std::int64_t> encode_word(std::string_view word) const;
  /// BasicTokenizer's output alone (the words WordPiece receives), for debugging.
  std::vector<std::string> basic_tokens(std::string_view text) const;

  /// NeuroX's view of one corpus line: words = split_words(sentence).
  SentenceEncoding encode_sentence(std::string_view sentence) const override;
  /// The same for words already split.
  SentenceEncoding encode_words(const std::vector<std::string_view>& words) const;
  /// A pair as BertTokenizer builds it: [CLS] premise [SEP] hypothesis [SEP], token types 0, 1.
  SentenceEncoding encode_pair(std::string_view premise, std::string_view hypothesis) const override;

  std::int64_t cls_id() const { return cls_id_; }
  std::int64_t sep_id() const { return sep_id_; }
  std::int64_t pad_id() const override { return pad_id_; }
  std::int64_t unk_id() const { return unk_id_; }
  /// Truncation length including [CLS] and [SEP]; WordPieceOptions::kNoMaxLength if none.
  std::int64_t model_max_length() const override { return options_.model_max_length; }
  /// Number of vocab.txt lines (the model's vocab_size).
  std::int64_t vocab_size() const override { return static_cast<std::int64_t>(id_to_token_.size()); }
  /// The vocab.txt line of `id`; InputError if out of range.
  std::string id_to_token(std::int64_t id) const override;
  /// The same without a copy.
  const std::string& token(std::int64_t id) const;
  /// NeuroX drops these positions: the ids of every special token except the unknown token.
  bool is_neurox_special(std::int64_t id) const override;
  const WordPieceOptions& options() const { return options_; }

  /// BertTokenizer's max_input_chars_per_word: longer words become the unknown token.
  static constexpr std::size_t kMaxInputCharsPerWord = 100;

 private:
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const noexcept {
      return std::hash<std::string_view>{}(text);
    }
  };
  using TokenMap = std::unordered_map<std::string, std::int64_t, StringHash, std::equal_to<>>;

  /// tokens(), or with `basic_only` the words before WordPiece.
  void tokenize_into(std::string_view text, bool basic_only, std::vector<std::string>& out) const;
  void tokenize_piece(std::u32string piece, bool basic_only, std::vector<std::string>& out) const;
  /// Length of the special token at `pos` of `text`, 0 if none: the longest one (the trie), or
  /// with `first_sorted` the first in sorted order (the regex of the lower-casing pass).
  std::size_t special_at(std::string_view text, std::size_t pos, bool first_sorted) const;
  void basic_tokenize(std::u32string text, std::vector<std::u32string>& out) const;
  void wordpiece(const std::u32string& word, std::vector<std::string>& out) const;
  std::int64_t token_to_id(std::string_view token) const;
  /// The words' ids and NeuroX counts (each word tokenized alone).
  SegmentIds segment(const std::vector<std::string_view>& words) const;

  WordPieceOptions options_;
  std::vector<std::string> id_to_token_;
  TokenMap token_to_id_;
  std::vector<std::string> special_tokens_;    ///< HF all_special_tokens (no-split), in order
  std::vector<std::string> sorted_special_tokens_;
  std::vector<std::u32string> never_split_;   ///< config never_split (WordPiece skipped)
  std::vector<std::u32string> basic_never_split_;  ///< never_split + special tokens
  std::vector<std::int64_t> neurox_special_ids_;   ///< sorted
  std::int64_t cls_id_ = 0;
  std::int64_t sep_id_ = 0;
  std::int64_t pad_id_ = 0;
  std::int64_t unk_id_ = 0;
};

}  // namespace conceptlens::tokenize
