#pragma once
// SentencePiece tokenizers exactly as transformers 4.31's slow `AlbertTokenizer`,
// `XLMRobertaTokenizer` and `LlamaTokenizer` (legacy=True) behave, and NeuroX's word alignment
// on top of them (tests/data/hf/FIXTURES.md §4.1-4.2).
//
// tokens(text) is PreTrainedTokenizer.tokenize:
//  1. text must be strict UTF-8 (InputError otherwise).
//  2. ALBERT with do_lower_case: every code point outside the special tokens is lower-cased
//     alone (the regex pass; a special token there is matched first in sorted order).
//  3. The special tokens are cut out (leftmost, longest) and kept whole, with the whitespace
//     next to them stripped as special_tokens.hpp says (the mask token of ALBERT and XLM-R is
//     AddedToken(lstrip=True) by default; Llama's bos, eos and unk are AddedTokens that strip
//     nothing).
//  4. Each other non-empty piece goes through _tokenize:
//     ALBERT: preprocess_text (remove_space: " ".join(text.strip().split()); `` and '' become
//     "; unless keep_accents: NFKD and drop the code points with a combining class; with
//     do_lower_case: str.lower()), then sp.encode(out_type=str), then a piece longer than one
//     code point that ends in "," after a digit is encoded again without its "▁"s and the ","
//     (and without a leading "▁" the original piece did not have), followed by ",".
//     XLM-R and Llama (legacy): sp.encode(out_type=str).
//  ids: ALBERT and Llama: PieceToId. XLM-R (fairseq): <s> 0, <pad> 1, </s> 2, <unk> 3, other
//  pieces PieceToId + 1, except SentencePiece's unknown (0) -> 3; <mask> = piece count + 1.
//  encode(text) adds [CLS] ... [SEP] (ALBERT), <s> ... </s> (XLM-R), or for Llama <s> before
//  (add_bos_token, default true) and </s> after (add_eos_token, default false).
//  Llama's legacy=False (the later "prefix space" behaviour) is refused: tokenizer_config.json
//  must leave "legacy" out or set it true.
//
// NeuroX: a word's count comes from its context ("{w} a", "a {w} a", "a {w}"; see
// neurox_alignment.hpp), cached per context; the model input is the whole sentence encoded,
// truncated to model_max_length.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tokenize/hf_config.hpp"
#include "tokenize/neurox_alignment.hpp"
#include "tokenize/sentencepiece_library.hpp"
#include "tokenize/special_tokens.hpp"
#include "tokenize/tokenizer.hpp"

namespace conceptlens::tokenize {

enum class SentencePieceFamily {
  albert,       ///< AlbertTokenizer: spiece.model
  xlm_roberta,  ///< XLMRobertaTokenizer: sentencepiece.bpe.model
  llama,        ///< LlamaTokenizer (legacy): tokenizer.model
};

/// What tokenizer_config.json and special_tokens_map.json say; defaults are the tokenizer
/// class's (see SentencePieceOptions::defaults).
struct SentencePieceOptions : hf::SpecialTokenAttributes {
  SentencePieceFamily family = SentencePieceFamily::albert;
  bool do_lower_case = true;   ///< ALBERT only (XLM-R never lower-cases)
  bool remove_space = true;    ///< ALBERT only
  bool keep_accents = false;   ///< ALBERT only
  bool add_bos_token = true;   ///< Llama only: <s> before the text
  bool add_eos_token = false;  ///< Llama only: </s> after it
  std::int64_t model_max_length = Tokenizer::kNoMaxLength;

  static SentencePieceOptions defaults(SentencePieceFamily family);
};

class SentencePieceTokenizer final : public Tokenizer {
 public:
  /// The model file's name in a checkpoint folder: spiece.model, sentencepiece.bpe.model or
  /// tokenizer.model.
  static const char* model_file_name(SentencePieceFamily family);

  /// Reads `model_dir`/<model_file_name>, tokenizer_config.json and, if present,
  /// special_tokens_map.json. InputError naming the file when one is missing or invalid, when
  /// a special token is not in the model, when sp_model_kwargs is not empty, when
  /// added_tokens.json adds tokens (not supported), or for Llama when legacy is false.
  static std::unique_ptr<SentencePieceTokenizer> load(const std::filesystem::path& model_dir,
                                                      SentencePieceFamily family);

  /// The same from a loaded model and options; InputError as load() does.
  SentencePieceTokenizer(SentencePieceModel model, SentencePieceOptions options);

  /// HF tokenize(text): the tokens, no special tokens added. InputError if not UTF-8.
  std::vector<std::string> tokens(std::string_view text) const;
  /// HF encode(text, add_special_tokens=False).
  std::vector<std::int64_t> encode(std::string_view text) const;

  SentenceEncoding encode_sentence(std::string_view sentence) const override;
  /// convert_ids_to_tokens; InputError if out of range.
  std::string id_to_token(std::int64_t id) const override;
  bool is_neurox_special(std::int64_t id) const override;
  /// -1 when the tokenizer has none (Llama's default).
  std::int64_t pad_id() const override { return pad_id_; }
  std::int64_t vocab_size() const override;
  std::int64_t model_max_length() const override { return options_.model_max_length; }

  std::int64_t unk_id() const { return unk_id_; }
  /// _convert_token_to_id: the id of one token (the unknown id if it has none).
  std::int64_t token_to_id(std::string_view token) const;
  const SentencePieceOptions& options() const { return options_; }

  /// The ids encode_sentence puts before and after the text: [CLS]/<s>, and [SEP]/</s>.
  const std::vector<std::int64_t>& prefix_ids() const { return prefix_; }
  const std::vector<std::int64_t>& suffix_ids() const { return suffix_; }

 private:
  void tokenize_piece(std::u32string_view piece, std::vector<std::string>& out) const;
  std::u32string preprocess(std::u32string_view text) const;

  SentencePieceModel model_;
  SentencePieceOptions options_;
  SpecialTokens specials_;
  std::vector<std::int64_t> neurox_special_ids_;  ///< sorted
  std::vector<std::int64_t> prefix_;
  std::vector<std::int64_t> suffix_;
  std::int64_t pad_id_ = -1;
  std::int64_t unk_id_ = 0;
  std::int64_t fairseq_mask_id_ = 0;  ///< XLM-R's <mask>
  std::optional<ContextEncoder> context_encoder_;  ///< NeuroX's counts (refers to this object)
};

}  // namespace conceptlens::tokenize
