#include "tokenize/tokenizer.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "tokenize/hf_config.hpp"
#include "tokenize/sentencepiece.hpp"
#include "tokenize/wordpiece.hpp"
#include "util/error.hpp"

namespace conceptlens::tokenize {
namespace {

enum class Family { wordpiece, albert, xlm_roberta };

/// tokenizer_config.json's tokenizer_class (a *Fast class gets the slow tokenizer's behaviour).
struct KnownClass {
  const char* name;
  Family family;
};
constexpr std::array<KnownClass, 6> kKnownClasses = {{
    {"BertTokenizer", Family::wordpiece},
    {"BertTokenizerFast", Family::wordpiece},
    {"AlbertTokenizer", Family::albert},
    {"AlbertTokenizerFast", Family::albert},
    {"XLMRobertaTokenizer", Family::xlm_roberta},
    {"XLMRobertaTokenizerFast", Family::xlm_roberta},
}};

/// The family from the files of `model_dir` (without a tokenizer_class).
Family family_from_files(const std::filesystem::path& model_dir) {
  const std::pair<const char*, Family> files[] = {
      {"vocab.txt", Family::wordpiece},
      {SentencePieceTokenizer::model_file_name(SentencePieceFamily::albert), Family::albert},
      {SentencePieceTokenizer::model_file_name(SentencePieceFamily::xlm_roberta), Family::xlm_roberta},
  };
  std::vector<std::pair<const char*, Family>> found;
  for (const auto& file : files) {
    if (std::filesystem::exists(model_dir / file.first)) found.push_back(file);
  }
  if (found.size() == 1) return found.front().second;
  std::string names;
  for (const auto& file : found) names += std::string(names.empty() ? "" : ", ") + file.first;
  throw InputError(model_dir.string() + ": tokenizer_config.json names no tokenizer_class, and the files do not "
                   "decide: expected exactly one of vocab.txt (BERT), spiece.model (ALBERT), "
                   "sentencepiece.bpe.model (XLM-R), found " + (found.empty() ? "none" : names));
}

}  // namespace

SentenceEncoding Tokenizer::encode_pair(std::string_view /*premise*/, std::string_view /*hypothesis*/) const {
  throw InputError("this tokenizer builds no sentence pairs (the BERT, ALBERT and XLM-R tokenizers do): --pairs "
                   "needs the pair template transformers gives the model's family");
}

SentenceEncoding encode_line(const Tokenizer& tokenizer, const corpus::Corpus& corpus, std::int64_t s) {
  if (!corpus.pairs()) return tokenizer.encode_sentence(corpus.lines[static_cast<std::size_t>(s)]);
  const auto [premise, hypothesis] = corpus.pair(s);
  return tokenizer.encode_pair(premise, hypothesis);
}

std::unique_ptr<Tokenizer> load_tokenizer(const std::filesystem::path& model_dir) {
  const std::filesystem::path config_path = model_dir / "tokenizer_config.json";
  const hf::Json config = hf::read_json_object(config_path);
  Family family = Family::wordpiece;
  const auto it = config.find("tokenizer_class");
  if (it == config.end() || it->is_null()) {
    family = family_from_files(model_dir);
  } else if (!it->is_string()) {
    hf::file_error(config_path, "\"tokenizer_class\" must be a string or null, found " + it->dump());
  } else {
    const std::string name = it->get<std::string>();
    const auto* known = std::find_if(kKnownClasses.begin(), kKnownClasses.end(),
                                     [&](const KnownClass& k) { return name == k.name; });
    if (known == kKnownClasses.end()) {
      std::string supported;
      for (const KnownClass& k : kKnownClasses) supported += std::string(supported.empty() ? "" : ", ") + k.name;
      hf::file_error(config_path, "unsupported \"tokenizer_class\" " + it->dump() + "; supported: " + supported);
    }
    family = known->family;
  }
  switch (family) {
    case Family::wordpiece:
      return std::make_unique<WordPieceTokenizer>(WordPieceTokenizer::load(model_dir));
    case Family::albert:
      return SentencePieceTokenizer::load(model_dir, SentencePieceFamily::albert);
    case Family::xlm_roberta:
      return SentencePieceTokenizer::load(model_dir, SentencePieceFamily::xlm_roberta);
  }
  CONCEPTLENS_CHECK(false);
  return nullptr;
}

}  // namespace conceptlens::tokenize
