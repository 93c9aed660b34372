#pragma once
// What extraction needs from a tokenizer: NeuroX's view of one corpus line
// (neurox.data.extraction.transformers_extractor; fixtures/hf/README.md §4.2), whatever the
// tokenizer family. WordPiece (BERT, DistilBERT), SentencePiece (ALBERT, XLM-R, Llama) and
// byte-level BPE (GPT-2, RoBERTa) implement it.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "corpus/corpus_file.hpp"

namespace conceptlens::tokenize {

/// One sentence as NeuroX sees it; every array is exact against fixtures/hf/<model>.json.
struct SentenceEncoding {
  std::vector<std::int64_t> input_ids;         ///< encode(sentence, truncation=True), specials included
  std::vector<std::int32_t> word_index;        ///< per input_ids position: its word, -1 special
  std::vector<std::int32_t> word_token_counts; ///< per word: NeuroX subword count (0: dropped)
  std::vector<std::int32_t> word_first_token;  ///< per word: input_ids position of its first
                                               ///< subword, -1 if none or truncated away
  std::int64_t num_tokens_untruncated = 0;     ///< input_ids size before truncation
  bool truncated = false;
  std::int32_t num_words_out = 0;  ///< NeuroX emits words [0, num_words_out): complete ones
};

using corpus::split_words;

class Tokenizer {
 public:
  virtual ~Tokenizer() = default;

  /// NeuroX's view of one corpus line (words = split_words(sentence)). InputError if the
  /// sentence is not UTF-8.
  virtual SentenceEncoding encode_sentence(std::string_view sentence) const = 0;
  /// convert_ids_to_tokens for one id; InputError if out of range.
  virtual std::string id_to_token(std::int64_t id) const = 0;
  /// NeuroX drops these positions: every special token's id except the unknown token's.
  virtual bool is_neurox_special(std::int64_t id) const = 0;
  /// The pad token's id; -1 when the tokenizer has none (GPT-2, Llama).
  virtual std::int64_t pad_id() const = 0;
  /// Largest id + 1 (checked against the model's vocab_size).
  virtual std::int64_t vocab_size() const = 0;
  /// Truncation length including the special tokens; kNoMaxLength if the config has none.
  virtual std::int64_t model_max_length() const = 0;

  static constexpr std::int64_t kNoMaxLength = INT64_MAX;
};

/// The tokenizer of a Hugging Face checkpoint folder, chosen as AutoTokenizer chooses it:
/// tokenizer_config.json's `tokenizer_class` (BertTokenizer, DistilBertTokenizer,
/// AlbertTokenizer, XLMRobertaTokenizer, LlamaTokenizer, GPT2Tokenizer, RobertaTokenizer and
/// their *Fast names, which get the slow tokenizer's behaviour); without it config.json's
/// tokenizer_class or model_type; without those the files (vocab.txt: WordPiece, spiece.model:
/// ALBERT, sentencepiece.bpe.model: XLM-R, tokenizer.model: Llama). InputError naming the
/// folder and what was found otherwise; InputError naming the file when tokenizer_config.json
/// (required) or the family's files are missing or invalid. ALBERT, XLM-R and Llama need the
/// SentencePiece shim library (see sentencepiece_library.hpp).
std::unique_ptr<Tokenizer> load_tokenizer(const std::filesystem::path& model_dir);

}  // namespace conceptlens::tokenize
