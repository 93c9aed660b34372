#pragma once
// NeuroX's word alignment (neurox.data.extraction.transformers_extractor;
// tests/data/hf/FIXTURES.md §4.2), independent of the tokenizer family: how a word's subwords
// are counted in context, and how the counts map the words onto a (truncated) model input.
#include <cstdint>
#include <functional>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tokenize/tokenizer.hpp"

namespace conceptlens::tokenize {

/// How NeuroX re-tokenizes word `index` of a sentence to count its subwords: the first word as
/// "{w} a", a middle word as "a {w} a", the last as "a {w}", the only word as "{w} a". The
/// context is encoded with the special tokens, NeuroX's special ids are removed, and then the
/// tokens of the added "a"s are dropped.
struct WordContext {
  std::string text;
  std::int32_t drop_front = 0;  ///< tokens dropped at the front (the leading "a")
  std::int32_t drop_back = 0;   ///< tokens dropped at the back (the trailing "a")

  /// The word's count from the number of non-special ids of the encoded context (as Python's
  /// slicing does it: never below 0).
  std::int32_t count(std::size_t non_special_ids) const;
};

WordContext word_context(std::span<const std::string_view> words, std::size_t index);

/// The model input and NeuroX's alignment of one sentence: input_ids = prefix + content_ids +
/// suffix, with content ids removed from the end until it fits `model_max_length` (as
/// encode(sentence, truncation=True) does; nothing is removed when all of them would have to
/// go); then the words' spans are walked over the positions that are not `is_special`, and
/// NeuroX keeps the words whose subwords all survived. `content_ids` are the sentence's ids
/// without special tokens added (the untruncated ones).
SentenceEncoding align_words(std::vector<std::int32_t> word_token_counts, std::span<const std::int64_t> content_ids,
                             std::span<const std::int64_t> prefix, std::span<const std::int64_t> suffix,
                             std::int64_t model_max_length, const std::function<bool(std::int64_t)>& is_special);

/// NeuroX's view of one sentence for a tokenizer whose subwords depend on their context
/// (SentencePiece, byte-level BPE): every word's count from its WordContext, encoded as NeuroX
/// does it (prefix + encode(context) + suffix, NeuroX's special ids removed, the "a"s dropped),
/// cached per context text as NeuroX caches the counts over a corpus; then align_words with
/// content = encode(sentence). `encode` gives the ids of a text without special tokens.
class ContextEncoder {
 public:
  using Encode = std::function<std::vector<std::int64_t>(std::string_view)>;
  using IsSpecial = std::function<bool(std::int64_t)>;

  ContextEncoder(Encode encode, std::vector<std::int64_t> prefix, std::vector<std::int64_t> suffix,
                 std::int64_t model_max_length, IsSpecial is_special);

  SentenceEncoding encode_sentence(std::string_view sentence) const;
  /// NeuroX's count of the word of `context`.
  std::int32_t count(const WordContext& context) const;

  /// Counts cached before the cache is emptied.
  static constexpr std::size_t kMaxCachedCounts = 1 << 20;

 private:
  Encode encode_;
  std::vector<std::int64_t> prefix_;
  std::vector<std::int64_t> suffix_;
  std::int64_t model_max_length_;
  IsSpecial is_special_;
  mutable std::mutex mutex_;
  mutable std::unordered_map<std::string, std::int32_t> cache_;
};

}  // namespace conceptlens::tokenize
