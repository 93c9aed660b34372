// Fuzz target: the tokenizer files of a Hugging Face checkpoint folder (tokenize/tokenizer.hpp:
// tokenizer_config.json, special_tokens_map.json, vocab.txt, vocab.json and merges.txt) and the
// corpus lines they encode, as `conceptlens extract` loads and uses them. The input is six parts
// separated by lines "%%":
//   1. the family: "wordpiece" (the folder has vocab.txt from part 4), "bpe" (byte-level BPE,
//      GPT-2 or RoBERTa as tokenizer_config.json's class says: vocab.json from part 4 and
//      merges.txt from part 5), or "albert", "xlm-roberta", "llama" (the folder has the
//      SentencePiece model of the fixture: the model file itself is parsed by libsentencepiece,
//      not fuzzed here)
//   2. tokenizer_config.json   3. special_tokens_map.json (absent when empty)
//   4. vocab.txt or vocab.json   5. merges.txt
//   6. a corpus: its lines are encoded when the corpus reader accepts it.
#include <map>

#include "corpus/corpus_file.hpp"
#include "corpus/lines.hpp"
#include "fuzz_support.hpp"
#include "tokenize/tokenizer.hpp"

using namespace conceptlens;

namespace {

/// The folder of a family, with the SentencePiece models copied in once ("bpe" for "bpe",
/// "wordpiece" for any other name).
std::filesystem::path model_folder(std::string_view family) {
  static const std::map<std::string, std::string, std::less<>> kModels = {
      {"albert", "hf/models/albert/spiece.model"},
      {"xlm-roberta", "hf/models/xlm_roberta/sentencepiece.bpe.model"},
      {"llama", "hf_families/models/llama/tokenizer.model"}};
  const auto model = kModels.find(family);
  const std::filesystem::path folder =
      fuzz::scratch() / (model != kModels.end() ? model->first : family == "bpe" ? "bpe" : "wordpiece");
  if (model != kModels.end() && !std::filesystem::exists(folder)) {
    const std::filesystem::path source = std::filesystem::path(CONCEPTLENS_TEST_DATA) / model->second;
    std::filesystem::create_directories(folder);
    std::filesystem::copy_file(source, folder / source.filename());
  }
  return folder;
}

void check(const tokenize::Tokenizer& tokenizer, const tokenize::SentenceEncoding& encoding, std::size_t words) {
  const std::size_t tokens = encoding.input_ids.size();
  if (encoding.word_index.size() != tokens) fuzz::fail("word_index and input_ids differ in length");
  if (encoding.word_token_counts.size() != words || encoding.word_first_token.size() != words) {
    fuzz::fail("per-word arrays that do not have one entry per word");
  }
  for (std::size_t i = 0; i < encoding.words_out.size(); ++i) {
    const std::int32_t w = encoding.words_out[i];
    if (w < 0 || static_cast<std::size_t>(w) >= words || (i > 0 && w <= encoding.words_out[i - 1])) {
      fuzz::fail("words_out not ascending words of the sentence");
    }
  }
  if (static_cast<std::int64_t>(tokens) > tokenizer.model_max_length()) fuzz::fail("more tokens than model_max_length");
  for (std::size_t t = 0; t < tokens; ++t) {
    if (encoding.input_ids[t] < 0 || encoding.input_ids[t] >= tokenizer.vocab_size()) fuzz::fail("an id outside the vocabulary");
    if (encoding.word_index[t] < -1 || encoding.word_index[t] >= static_cast<std::int32_t>(words)) {
      fuzz::fail("a word_index outside the words");
    }
    tokenizer.id_to_token(encoding.input_ids[t]);
  }
  for (std::size_t w = 0; w < words; ++w) {
    const std::int32_t first = encoding.word_first_token[w];
    if (first < -1 || first >= static_cast<std::int32_t>(tokens)) fuzz::fail("a word_first_token outside the tokens");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  const std::vector<std::string_view> parts = fuzz::split_parts(fuzz::text_of(data, size), 6);
  const std::filesystem::path folder = model_folder(corpus::python_strip(parts[0]));
  const std::filesystem::path relative = folder.filename();
  fuzz::write_file(relative / "tokenizer_config.json", parts[1]);
  if (parts[2].empty()) {
    std::filesystem::remove(folder / "special_tokens_map.json");
  } else {
    fuzz::write_file(relative / "special_tokens_map.json", parts[2]);
  }
  if (relative == "wordpiece") fuzz::write_file(relative / "vocab.txt", parts[3]);
  if (relative == "bpe") {
    fuzz::write_file(relative / "vocab.json", parts[3]);
    fuzz::write_file(relative / "merges.txt", parts[4]);
  }
  const std::filesystem::path corpus_path = fuzz::write_file("corpus.in", parts[5]);

  std::unique_ptr<tokenize::Tokenizer> tokenizer;
  if (!fuzz::accepted([&] { tokenizer = tokenize::load_tokenizer(folder); })) return 0;
  corpus::Corpus corpus;
  if (!fuzz::accepted([&] { corpus = corpus::read_corpus(corpus_path); })) return 0;
  constexpr std::size_t kMaxLines = 16;
  for (std::size_t s = 0; s < corpus.lines.size() && s < kMaxLines; ++s) {
    const std::string& line = corpus.lines[s];
    check(*tokenizer, tokenizer->encode_sentence(line), tokenize::split_words(line).size());
  }
  return 0;
}
