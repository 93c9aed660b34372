#pragma once
// Byte-level BPE tokenizers exactly as transformers 4.31's slow `GPT2Tokenizer` and
// `RobertaTokenizer` behave (vocab.json + merges.txt), and NeuroX's word alignment on top of
// them (tests/data/hf_families/FIXTURES.md).
//
// tokens(text) is PreTrainedTokenizer.tokenize:
//  1. text must be strict UTF-8 (InputError otherwise).
//  2. prepare_for_tokenization: with add_prefix_space (tokenizer_config.json, default false) a
//     space goes before the text (RoBERTa: unless it is empty or starts with whitespace).
//  3. The special tokens are cut out and kept whole (special_tokens.hpp); the class's __init__
//     makes AddedTokens of them that strip nothing, except RoBERTa's <mask> (lstrip).
//  4. _tokenize of every other piece: GPT-2's pre-tokenization pattern (regex module)
//       's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
//     cuts the piece (findall: at each position the first alternative that matches), each part
//     is written as its UTF-8 bytes mapped through bytes_to_unicode(), and BPE merges its
//     symbols: repeatedly the adjacent pair with the lowest rank in merges.txt, every
//     occurrence from left to right, until no pair has a rank. \p{L} and \p{N} are Unicode's
//     letter and number categories (Python 3.11's unicodedata, Unicode 14.0: the regex module
//     may know a few code points assigned later), \s Unicode's White_Space.
//  ids: vocab.json; a token it lacks gets the unknown token's id. merges.txt is read as
//  transformers reads it: its first line (#version) and its last line (empty after the final
//  newline; a last merge without a newline after it is dropped, as transformers drops it) are
//  left out; every other line must hold two symbols.
//  encode(text) adds <s> ... </s> (RoBERTa), or <|endoftext|> before the text when GPT-2's
//  add_bos_token is true (default false: GPT-2 adds nothing).
//
// NeuroX: a word's count comes from its context ("{w} a", "a {w} a", "a {w}"; the "a"s are one
// token each, and the word's own tokens carry the "Ġ" of the space before it), cached per
// context; the model input is the whole sentence encoded, truncated to model_max_length.
// GPT-2's only special token is also its unknown token, so NeuroX drops no position.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "tokenize/hf_config.hpp"
#include "tokenize/neurox_alignment.hpp"
#include "tokenize/special_tokens.hpp"
#include "tokenize/tokenizer.hpp"

namespace conceptlens::tokenize {

enum class ByteLevelFamily {
  gpt2,     ///< GPT2Tokenizer: no special tokens added (unless add_bos_token)
  roberta,  ///< RobertaTokenizer: <s> ... </s>
};

/// What tokenizer_config.json and special_tokens_map.json say; defaults are the class's.
struct ByteLevelBpeOptions : hf::SpecialTokenAttributes {
  ByteLevelFamily family = ByteLevelFamily::gpt2;
  bool add_prefix_space = false;  ///< a space before the text
  bool add_bos_token = false;     ///< GPT-2 only: bos_token before the text
  std::int64_t model_max_length = Tokenizer::kNoMaxLength;

  static ByteLevelBpeOptions defaults(ByteLevelFamily family);
};

class ByteLevelBpeTokenizer final : public Tokenizer {
 public:
  using Vocabulary = std::unordered_map<std::string, std::int64_t>;
  using Merges = std::vector<std::pair<std::string, std::string>>;  ///< by rank

  /// Reads `model_dir`/vocab.json, merges.txt, tokenizer_config.json and, if present,
  /// special_tokens_map.json. InputError naming the file (and line) when one is missing or
  /// invalid, when a special token is not in vocab.json, or when added_tokens.json adds tokens
  /// (not supported).
  static std::unique_ptr<ByteLevelBpeTokenizer> load(const std::filesystem::path& model_dir, ByteLevelFamily family);

  /// The same from a vocabulary and merges; InputError as load() does.
  ByteLevelBpeTokenizer(Vocabulary vocab, Merges merges, ByteLevelBpeOptions options);

  /// The code point that byte `b` is written as (transformers' bytes_to_unicode: printable
  /// Latin-1 bytes stand for themselves, the others are U+0100 onwards, space = "Ġ").
  static char32_t byte_symbol(std::uint8_t b);
  /// The parts GPT-2's pre-tokenization pattern cuts `text` into, in order.
  static std::vector<std::u32string_view> pretokenize(std::u32string_view text);

  /// HF tokenize(text): the tokens, no special tokens added. InputError if not UTF-8.
  std::vector<std::string> tokens(std::string_view text) const;
  /// HF encode(text, add_special_tokens=False).
  std::vector<std::int64_t> encode(std::string_view text) const;

  SentenceEncoding encode_sentence(std::string_view sentence) const override;
  std::string id_to_token(std::int64_t id) const override;
  bool is_neurox_special(std::int64_t id) const override;
  /// -1 when the tokenizer has none (GPT-2's default).
  std::int64_t pad_id() const override { return pad_id_; }
  std::int64_t vocab_size() const override { return static_cast<std::int64_t>(id_to_token_.size()); }
  std::int64_t model_max_length() const override { return options_.model_max_length; }

  std::int64_t unk_id() const { return unk_id_; }
  /// The ids encode_sentence puts before and after the text.
  const std::vector<std::int64_t>& prefix_ids() const { return prefix_; }
  const std::vector<std::int64_t>& suffix_ids() const { return suffix_; }
  const ByteLevelBpeOptions& options() const { return options_; }

  /// Pre-tokenized parts whose merges are cached before the cache is emptied.
  static constexpr std::size_t kMaxCachedParts = 1 << 20;

 private:
  /// BPE of one pre-tokenized part (its bytes as symbols), appended to `out`.
  void bpe(std::u32string_view part, std::vector<std::string>& out) const;
  std::int64_t token_to_id(const std::string& token) const;

  Vocabulary vocab_;
  std::vector<std::string> id_to_token_;                 ///< "" for an id vocab.json does not use
  std::unordered_map<std::string, std::int64_t> ranks_;  ///< "first second" -> rank
  ByteLevelBpeOptions options_;
  SpecialTokens specials_;
  std::vector<std::int64_t> neurox_special_ids_;  ///< sorted
  std::vector<std::int64_t> prefix_;
  std::vector<std::int64_t> suffix_;
  std::int64_t unk_id_ = 0;
  std::int64_t pad_id_ = -1;
  mutable std::mutex cache_mutex_;
  mutable std::unordered_map<std::u32string, std::vector<std::string>> cache_;
  std::optional<ContextEncoder> context_encoder_;  ///< NeuroX's counts (refers to this object)
};

}  // namespace conceptlens::tokenize
