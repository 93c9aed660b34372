#pragma once
// The special tokens of a slow tokenizer as transformers 4.31's PreTrainedTokenizer.tokenize
// treats them, for the tokenizers that take their special tokens from tokenizer_config.json
// (SentencePiece: ALBERT, XLM-R, Llama; byte-level BPE: GPT-2, RoBERTa):
//  * all_special_tokens_extended in transformers' order (bos, eos, unk, sep, pad, cls, mask,
//    then the additional ones); a text is stripped on both sides unless some attribute gives it
//    as an AddedToken, whose lstrip/rstrip flags then count (the last one's);
//  * tokens_trie.split: the special tokens are cut out of the text (leftmost, longest) and kept
//    whole, and the whitespace next to one is stripped from its neighbours as its flags say.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "tokenize/hf_config.hpp"

namespace conceptlens::tokenize {

/// One special token's text and how it strips its neighbours.
struct SpecialText {
  std::u32string text;
  bool lstrip = true;  ///< strip the whitespace on its left (of the piece before it)
  bool rstrip = true;  ///< strip the whitespace on its right (of the piece after it)
};

/// A piece of the text: a special token (`special` set) or the text between two.
struct TextSegment {
  std::u32string_view text;
  const SpecialText* special = nullptr;
};

class SpecialTokens {
 public:
  SpecialTokens() = default;
  /// From the attributes in transformers' order (null ones, i.e. empty contents, are skipped).
  /// InputError if a content is not UTF-8.
  explicit SpecialTokens(const std::vector<const hf::SpecialToken*>& extended);

  /// The distinct contents, in the order of their first attribute (all_special_tokens).
  const std::vector<std::string>& contents() const { return contents_; }

  /// Length (in code points) of the special token at `pos` of `text`, 0 if none: the longest
  /// one (the trie), or with `first_sorted` the first in sorted order (the regex of ALBERT's
  /// lower-casing pass).
  std::size_t match_at(std::u32string_view text, std::size_t pos, bool first_sorted) const;

  /// tokens_trie.split and the stripping of the neighbours; empty pieces are left out. The
  /// segments view `text`.
  std::vector<TextSegment> split(std::u32string_view text) const;

 private:
  std::vector<SpecialText> sorted_;  ///< by text
  std::vector<std::string> contents_;
};

}  // namespace conceptlens::tokenize
