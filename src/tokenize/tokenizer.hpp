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

/// One sentence (or sentence pair) as NeuroX sees it; every array is exact against
/// fixtures/hf/<model>.json (pairs: fixtures/hf/pairs_<model>.h5).
struct SentenceEncoding {
  std::vector<std::int64_t> input_ids;         ///< encode(sentence, truncation=True), specials included
  std::vector<std::int64_t> token_type_ids;    ///< per input_ids position; empty: all 0 (one sentence)
  std::vector<std::int32_t> word_index;        ///< per input_ids position: its word, -1 special
  std::vector<std::int32_t> word_token_counts; ///< per word: NeuroX subword count (0: dropped)
  std::vector<std::int32_t> word_first_token;  ///< per word: input_ids position of its first
                                               ///< subword, -1 if none or truncated away
  std::int64_t num_tokens_untruncated = 0;     ///< input_ids size before truncation
  bool truncated = false;
  /// The words NeuroX emits, ascending: the complete ones, those before the first word that
  /// truncation cut — of the sentence, or of each segment of a pair.
  std::vector<std::int32_t> words_out;

  std::int32_t num_words_out() const { return static_cast<std::int32_t>(words_out.size()); }
};

using corpus::split_words;

class Tokenizer {
 public:
  virtual ~Tokenizer() = default;

  /// NeuroX's view of one corpus line (words = split_words(sentence)). InputError if the
  /// sentence is not UTF-8.
  virtual SentenceEncoding encode_sentence(std::string_view sentence) const = 0;
  /// A premise and a hypothesis (words separated by single spaces) as a model fine-tuned on
  /// pairs gets them, transformers' tokenizer(premise, hypothesis, truncation=True): the
  /// family's pair template (special tokens, token types), each text tokenized on its own, and
  /// longest_first truncation at model_max_length. The words are the premise's then the
  /// hypothesis's, each counted as NeuroX counts it on its own segment. InputError if not UTF-8,
  /// and for a family whose pairs are not supported (GPT-2, Llama: refuse_pairs).
  virtual SentenceEncoding encode_pair(std::string_view premise, std::string_view hypothesis) const = 0;
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

/// Line `s` of `corpus` as the model gets it: encode_pair of its premise and hypothesis in a
/// pair corpus, else encode_sentence.
SentenceEncoding encode_line(const Tokenizer& tokenizer, const corpus::Corpus& corpus, std::int64_t s);

/// The InputError of a tokenizer family that builds no sentence pairs here (`family`: its name):
/// --pairs needs a pair template checked against transformers.
[[noreturn]] void refuse_pairs(std::string_view family);

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
