#include "tokenize/tokenizer.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <utility>

#include "tokenize/byte_level_bpe.hpp"
#include "tokenize/hf_config.hpp"
#include "tokenize/sentencepiece.hpp"
#include "tokenize/wordpiece.hpp"
#include "util/error.hpp"

namespace conceptlens::tokenize {
namespace {

enum class Family { wordpiece, albert, xlm_roberta, llama, gpt2, roberta };

/// tokenizer_config.json's tokenizer_class (a *Fast class gets the slow tokenizer's behaviour).
struct KnownClass {
  const char* name;
  Family family;
};
constexpr std::array<KnownClass, 14> kKnownClasses = {{
    {"BertTokenizer", Family::wordpiece},
    {"BertTokenizerFast", Family::wordpiece},
    {"DistilBertTokenizer", Family::wordpiece},
    {"DistilBertTokenizerFast", Family::wordpiece},
    {"AlbertTokenizer", Family::albert},
    {"AlbertTokenizerFast", Family::albert},
    {"XLMRobertaTokenizer", Family::xlm_roberta},
    {"XLMRobertaTokenizerFast", Family::xlm_roberta},
    {"LlamaTokenizer", Family::llama},
    {"LlamaTokenizerFast", Family::llama},
    {"GPT2Tokenizer", Family::gpt2},
    {"GPT2TokenizerFast", Family::gpt2},
    {"RobertaTokenizer", Family::roberta},
    {"RobertaTokenizerFast", Family::roberta},
}};

/// The family of a tokenizer_class name; InputError naming `path` for an unknown one.
Family family_of_class(const hf::Json& name, const std::filesystem::path& path) {
  if (!name.is_string()) hf::file_error(path, "\"tokenizer_class\" must be a string or null, found " + name.dump());
  const auto* known = std::find_if(kKnownClasses.begin(), kKnownClasses.end(),
                                   [&](const KnownClass& k) { return name == k.name; });
  if (known == kKnownClasses.end()) {
    std::string supported;
    for (const KnownClass& k : kKnownClasses) supported += std::string(supported.empty() ? "" : ", ") + k.name;
    hf::file_error(path, "unsupported \"tokenizer_class\" " + name.dump() + "; supported: " + supported);
  }
  return known->family;
}

/// AutoTokenizer's choice when tokenizer_config.json names no class: config.json's
/// tokenizer_class, else the tokenizer of its model_type (when the folder has a config.json
/// and the type is one of ours).
std::optional<Family> family_from_model_config(const std::filesystem::path& model_dir) {
  const std::filesystem::path path = model_dir / "config.json";
  if (!std::filesystem::exists(path)) return std::nullopt;
  const hf::Json config = hf::read_json_object(path);
  if (const auto it = config.find("tokenizer_class"); it != config.end() && !it->is_null()) {
    return family_of_class(*it, path);
  }
  const auto it = config.find("model_type");
  if (it == config.end() || !it->is_string()) return std::nullopt;
  const std::pair<const char*, Family> types[] = {
      {"bert", Family::wordpiece}, {"distilbert", Family::wordpiece}, {"albert", Family::albert},
      {"xlm-roberta", Family::xlm_roberta}, {"llama", Family::llama}, {"gpt2", Family::gpt2},
      {"roberta", Family::roberta}};
  for (const auto& [type, family] : types) {
    if (*it == type) return family;
  }
  return std::nullopt;
}

/// The family from the files of `model_dir` (without a tokenizer_class or a known model_type).
Family family_from_files(const std::filesystem::path& model_dir) {
  const std::pair<const char*, Family> files[] = {
      {"vocab.txt", Family::wordpiece},
      {SentencePieceTokenizer::model_file_name(SentencePieceFamily::albert), Family::albert},
      {SentencePieceTokenizer::model_file_name(SentencePieceFamily::xlm_roberta), Family::xlm_roberta},
      {SentencePieceTokenizer::model_file_name(SentencePieceFamily::llama), Family::llama},
      {"vocab.json", Family::gpt2},
  };
  std::vector<std::pair<const char*, Family>> found;
  for (const auto& file : files) {
    if (std::filesystem::exists(model_dir / file.first)) found.push_back(file);
  }
  if (found.size() == 1 && found.front().second != Family::gpt2) return found.front().second;
  std::string names;
  for (const auto& file : found) names += std::string(names.empty() ? "" : ", ") + file.first;
  throw InputError(model_dir.string() + ": tokenizer_config.json names no tokenizer_class, config.json no model_type "
                   "that decides, and the files do not decide: expected exactly one of vocab.txt (BERT), spiece.model "
                   "(ALBERT), sentencepiece.bpe.model (XLM-R), tokenizer.model (Llama), found " +
                   (found.empty() ? "none" : names) +
                   (found.size() == 1 ? " (GPT-2 or RoBERTa: name the tokenizer_class)" : ""));
}

}  // namespace

std::unique_ptr<Tokenizer> load_tokenizer(const std::filesystem::path& model_dir) {
  const std::filesystem::path config_path = model_dir / "tokenizer_config.json";
  const hf::Json config = hf::read_json_object(config_path);
  Family family = Family::wordpiece;
  if (const auto it = config.find("tokenizer_class"); it != config.end() && !it->is_null()) {
    family = family_of_class(*it, config_path);
  } else if (const std::optional<Family> chosen = family_from_model_config(model_dir)) {
    family = *chosen;
  } else {
    family = family_from_files(model_dir);
  }
  switch (family) {
    case Family::wordpiece:
      return std::make_unique<WordPieceTokenizer>(WordPieceTokenizer::load(model_dir));
    case Family::albert:
      return SentencePieceTokenizer::load(model_dir, SentencePieceFamily::albert);
    case Family::xlm_roberta:
      return SentencePieceTokenizer::load(model_dir, SentencePieceFamily::xlm_roberta);
    case Family::llama:
      return SentencePieceTokenizer::load(model_dir, SentencePieceFamily::llama);
    case Family::gpt2:
      return ByteLevelBpeTokenizer::load(model_dir, ByteLevelFamily::gpt2);
    case Family::roberta:
      return ByteLevelBpeTokenizer::load(model_dir, ByteLevelFamily::roberta);
  }
  CONCEPTLENS_CHECK(false);
  return nullptr;
}

}  // namespace conceptlens::tokenize
