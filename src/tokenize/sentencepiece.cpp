#include "tokenize/sentencepiece.hpp"

#include <algorithm>
#include <utility>

#include "tokenize/neurox_alignment.hpp"
#include "tokenize/unicode.hpp"
#include "util/error.hpp"
#include "util/utf8.hpp"

namespace conceptlens::tokenize {
namespace {

constexpr char32_t kSpieceUnderline = 0x2581;  // "▁"
constexpr std::string_view kSpieceUnderlineUtf8 = "\xe2\x96\x81";

/// XLM-R's fairseq ids: the first four are fixed, the others are SentencePiece's + 1.
constexpr std::int64_t kFairseqBos = 0, kFairseqPad = 1, kFairseqEos = 2, kFairseqUnk = 3;
constexpr std::int64_t kFairseqOffset = 1;

const char* family_name(SentencePieceFamily family) {
  switch (family) {
    case SentencePieceFamily::albert: return "ALBERT";
    case SentencePieceFamily::xlm_roberta: return "XLM-R";
    case SentencePieceFamily::llama: return "Llama";
  }
  return "?";
}

hf::SpecialToken plain(std::string content) {
  hf::SpecialToken token;
  token.content = std::move(content);
  return token;
}

/// AddedToken(content, lstrip, rstrip=False): what ALBERT and XLM-R make of a mask string
/// (lstrip) and Llama of its bos, eos, unk and pad strings (neither).
hf::SpecialToken added_token(std::string content, bool lstrip) {
  hf::SpecialToken token = plain(std::move(content));
  token.added_token = true;
  token.lstrip = lstrip;
  return token;
}

/// The __init__ of the class wraps these strings into AddedTokens.
void wrap_strings(SentencePieceOptions& options) {
  const auto wrap = [](hf::SpecialToken& token, bool lstrip) {
    if (!token.added_token && !token.content.empty()) token = added_token(token.content, lstrip);
  };
  if (options.family == SentencePieceFamily::llama) {
    for (hf::SpecialToken* token : {&options.bos_token, &options.eos_token, &options.unk_token, &options.pad_token}) {
      wrap(*token, false);
    }
  } else {
    wrap(options.mask_token, true);
  }
}

/// tokenizer_config.json: the __init__ arguments of the tokenizer class.
SentencePieceOptions read_options(const std::filesystem::path& path, SentencePieceFamily family) {
  const hf::Json json = hf::read_json_object(path);
  SentencePieceOptions options = SentencePieceOptions::defaults(family);
  if (family == SentencePieceFamily::albert) {
    hf::read_bool(json, "do_lower_case", path, options.do_lower_case);
    hf::read_bool(json, "remove_space", path, options.remove_space);
    hf::read_bool(json, "keep_accents", path, options.keep_accents);
  }
  if (family == SentencePieceFamily::llama) {
    hf::read_bool(json, "add_bos_token", path, options.add_bos_token);
    hf::read_bool(json, "add_eos_token", path, options.add_eos_token);
    // absent or null: transformers warns and takes the legacy behaviour
    if (const auto it = json.find("legacy"); it != json.end() && !it->is_null()) {
      bool legacy = true;
      hf::read_bool(json, "legacy", path, legacy);
      if (!legacy) {
        hf::file_error(path, "\"legacy\": false is not supported: this tool tokenizes as transformers 4.31's "
                             "LlamaTokenizer with legacy=True; set \"legacy\": true to tokenize that way");
      }
    }
  }
  hf::read_max_length(json, path, Tokenizer::kNoMaxLength, options.model_max_length);
  options.read(json, path);
  wrap_strings(options);
  if (const auto it = json.find("sp_model_kwargs");
      it != json.end() && !it->is_null() && !(it->is_object() && it->empty())) {
    hf::file_error(path, "\"sp_model_kwargs\" is not supported (sampling or other SentencePiece options), found " +
                             it->dump());
  }
  return options;
}

bool starts_with_underline(std::string_view piece) { return piece.substr(0, 3) == kSpieceUnderlineUtf8; }

}  // namespace

// ---- construction -------------------------------------------------------------------------------

SentencePieceOptions SentencePieceOptions::defaults(SentencePieceFamily family) {
  SentencePieceOptions options;
  options.family = family;
  switch (family) {
    case SentencePieceFamily::albert:
      options.bos_token = plain("[CLS]");
      options.eos_token = plain("[SEP]");
      options.unk_token = plain("<unk>");
      options.sep_token = plain("[SEP]");
      options.pad_token = plain("<pad>");
      options.cls_token = plain("[CLS]");
      options.mask_token = plain("[MASK]");
      break;
    case SentencePieceFamily::xlm_roberta:
      options.bos_token = plain("<s>");
      options.eos_token = plain("</s>");
      options.unk_token = plain("<unk>");
      options.sep_token = plain("</s>");
      options.pad_token = plain("<pad>");
      options.cls_token = plain("<s>");
      options.mask_token = plain("<mask>");
      break;
    case SentencePieceFamily::llama:  // no pad, sep, cls or mask token
      options.bos_token = plain("<s>");
      options.eos_token = plain("</s>");
      options.unk_token = plain("<unk>");
      break;
  }
  if (family != SentencePieceFamily::albert) {
    options.do_lower_case = false;
    options.remove_space = false;
    options.keep_accents = true;
  }
  wrap_strings(options);
  return options;
}

const char* SentencePieceTokenizer::model_file_name(SentencePieceFamily family) {
  switch (family) {
    case SentencePieceFamily::albert: return "spiece.model";
    case SentencePieceFamily::xlm_roberta: return "sentencepiece.bpe.model";
    case SentencePieceFamily::llama: return "tokenizer.model";
  }
  return "";
}

std::unique_ptr<SentencePieceTokenizer> SentencePieceTokenizer::load(const std::filesystem::path& model_dir,
                                                                     SentencePieceFamily family) {
  SentencePieceModel model(model_dir / model_file_name(family));
  const std::filesystem::path config_path = model_dir / "tokenizer_config.json";
  SentencePieceOptions options = read_options(config_path, family);
  // from_pretrained sets the special tokens of special_tokens_map.json after __init__
  if (const auto map_path = model_dir / "special_tokens_map.json"; std::filesystem::exists(map_path)) {
    options.read(hf::read_json_object(map_path), map_path);
  }
  if (const auto added_path = model_dir / "added_tokens.json"; std::filesystem::exists(added_path)) {
    if (!hf::read_json_object(added_path).empty()) {
      hf::file_error(added_path, "added tokens are not supported");
    }
  }
  try {
    return std::make_unique<SentencePieceTokenizer>(std::move(model), std::move(options));
  } catch (const InputError& error) {
    throw InputError(model_dir.string() + ": " + error.what());
  }
}

SentencePieceTokenizer::SentencePieceTokenizer(SentencePieceModel model, SentencePieceOptions options)
    : model_(std::move(model)), options_(std::move(options)) {
  const std::string model_name = model_.path().filename().string();
  const char* family = family_name(options_.family);
  fairseq_mask_id_ = model_.piece_size() + kFairseqOffset;
  // XLM-R's token_to_id gives unk_id_ for SentencePiece's unknown piece: <unk> until known
  unk_id_ = options_.family == SentencePieceFamily::xlm_roberta ? kFairseqUnk : 0;
  if (options_.unk_token.content.empty()) {
    throw InputError(std::string("unk_token is not set (null), but ") + family + " needs it");
  }
  unk_id_ = token_to_id(options_.unk_token.content);

  specials_ = SpecialTokens(options_.extended());
  for (const std::string& content : specials_.contents()) {
    const std::int64_t id = token_to_id(content);
    if (id == unk_id_ && content != options_.unk_token.content) {
      throw InputError("special token " + printable(content) + " is not in " + model_name +
                       " (added tokens are not supported)");
    }
    if (content != options_.unk_token.content) neurox_special_ids_.push_back(id);
  }
  std::sort(neurox_special_ids_.begin(), neurox_special_ids_.end());

  const auto require = [&](const char* name, const hf::SpecialToken& token) {
    if (token.content.empty()) throw InputError(std::string(name) + " is not set (null), but " + family + " needs it");
    return token_to_id(token.content);
  };
  if (options_.family == SentencePieceFamily::llama) {
    if (options_.add_bos_token) prefix_.push_back(require("bos_token", options_.bos_token));
    if (options_.add_eos_token) suffix_.push_back(require("eos_token", options_.eos_token));
    if (!options_.pad_token.content.empty()) pad_id_ = token_to_id(options_.pad_token.content);
  } else {
    prefix_.push_back(require("cls_token", options_.cls_token));
    suffix_.push_back(require("sep_token", options_.sep_token));
    pad_id_ = require("pad_token", options_.pad_token);
  }
  context_encoder_.emplace([this](std::string_view text) { return encode(text); }, prefix_, suffix_,
                           options_.model_max_length, [this](std::int64_t id) { return is_neurox_special(id); });
}

// ---- vocabulary ---------------------------------------------------------------------------------

std::int64_t SentencePieceTokenizer::token_to_id(std::string_view token) const {
  if (options_.family != SentencePieceFamily::xlm_roberta) return model_.piece_to_id(token);
  if (token == "<s>") return kFairseqBos;
  if (token == "<pad>") return kFairseqPad;
  if (token == "</s>") return kFairseqEos;
  if (token == "<unk>") return kFairseqUnk;
  if (token == "<mask>") return fairseq_mask_id_;
  const int spm_id = model_.piece_to_id(token);
  return spm_id != 0 ? spm_id + kFairseqOffset : unk_id_;
}

std::string SentencePieceTokenizer::id_to_token(std::int64_t id) const {
  if (id < 0 || id >= vocab_size()) {
    throw InputError("token id " + std::to_string(id) + " is outside the vocabulary [0, " +
                     std::to_string(vocab_size()) + ")");
  }
  if (options_.family != SentencePieceFamily::xlm_roberta) return model_.id_to_piece(static_cast<int>(id));
  switch (id) {
    case kFairseqBos: return "<s>";
    case kFairseqPad: return "<pad>";
    case kFairseqEos: return "</s>";
    case kFairseqUnk: return "<unk>";
    default: break;
  }
  if (id == fairseq_mask_id_) return "<mask>";
  return model_.id_to_piece(static_cast<int>(id - kFairseqOffset));
}

std::int64_t SentencePieceTokenizer::vocab_size() const {
  // XLM-R: len(sp_model) + fairseq_offset + 1 (<mask>)
  const std::int64_t pieces = model_.piece_size();
  return options_.family == SentencePieceFamily::xlm_roberta ? pieces + kFairseqOffset + 1 : pieces;
}

bool SentencePieceTokenizer::is_neurox_special(std::int64_t id) const {
  return std::binary_search(neurox_special_ids_.begin(), neurox_special_ids_.end(), id);
}

// ---- tokenization -------------------------------------------------------------------------------

std::u32string SentencePieceTokenizer::preprocess(std::u32string_view text) const {
  std::u32string out;
  if (options_.remove_space) {  // " ".join(text.strip().split())
    std::vector<std::u32string> words;
    python_split(text, words);
    for (std::size_t i = 0; i < words.size(); ++i) {
      if (i > 0) out += U' ';
      out += words[i];
    }
  } else {
    out = text;
  }
  // .replace("``", '"').replace("''", '"')
  for (const std::u32string_view pair : {std::u32string_view(U"``"), std::u32string_view(U"''")}) {
    std::u32string replaced;
    replaced.reserve(out.size());
    for (std::size_t i = 0; i < out.size(); ++i) {
      if (out.compare(i, 2, pair) == 0) {
        replaced += U'"';
        ++i;
      } else {
        replaced += out[i];
      }
    }
    out = std::move(replaced);
  }
  if (!options_.keep_accents) {  // NFKD, then drop what has a combining class
    std::u32string decomposed = nfkd(out);
    std::erase_if(decomposed, [](char32_t cp) { return combining_class(cp) != 0; });
    out = std::move(decomposed);
  }
  if (options_.do_lower_case) out = python_lower(out);
  return out;
}

void SentencePieceTokenizer::tokenize_piece(std::u32string_view piece, std::vector<std::string>& out) const {
  if (options_.family != SentencePieceFamily::albert) {
    for (std::string& token : model_.encode(encode_utf8(piece))) out.push_back(std::move(token));
    return;
  }
  // AlbertTokenizer._tokenize
  for (std::string& token : model_.encode(encode_utf8(preprocess(piece)))) {
    const std::u32string text = decode_text(token);
    if (text.size() > 1 && text.back() == U',' && is_python_digit(text[text.size() - 2])) {
      std::u32string digits = text.substr(0, text.size() - 1);
      std::erase(digits, kSpieceUnderline);
      std::vector<std::string> again = model_.encode(encode_utf8(digits));
      if (text.front() != kSpieceUnderline && !again.empty() && starts_with_underline(again.front())) {
        if (again.front().size() == kSpieceUnderlineUtf8.size()) {
          again.erase(again.begin());
        } else {
          again.front().erase(0, kSpieceUnderlineUtf8.size());
        }
      }
      for (std::string& split : again) out.push_back(std::move(split));
      out.emplace_back(",");
    } else {
      out.push_back(std::move(token));
    }
  }
}

std::vector<std::string> SentencePieceTokenizer::tokens(std::string_view text) const {
  std::u32string decoded = decode_text(text);
  if (options_.family == SentencePieceFamily::albert && options_.do_lower_case) {
    // re.sub(r"(special|...)|(.+?)", ...): the special tokens (first in sorted order) stay,
    // every other code point is lower-cased alone
    std::u32string lowered;
    lowered.reserve(decoded.size());
    std::size_t pos = 0;
    while (pos < decoded.size()) {
      if (const std::size_t length = specials_.match_at(decoded, pos, true); length > 0) {
        lowered.append(decoded, pos, length);
        pos += length;
      } else {
        append_lower(decoded[pos++], lowered);
      }
    }
    decoded = std::move(lowered);
  }
  std::vector<std::string> out;
  for (const TextSegment& segment : specials_.split(decoded)) {
    if (segment.special != nullptr) {
      out.push_back(encode_utf8(segment.text));
    } else {
      tokenize_piece(segment.text, out);
    }
  }
  return out;
}

std::vector<std::int64_t> SentencePieceTokenizer::encode(std::string_view text) const {
  std::vector<std::int64_t> ids;
  for (const std::string& token : tokens(text)) ids.push_back(token_to_id(token));
  return ids;
}

// ---- NeuroX ---------------------------------------------------------------------------------

SentenceEncoding SentencePieceTokenizer::encode_sentence(std::string_view sentence) const {
  return context_encoder_->encode_sentence(sentence);
}

}  // namespace conceptlens::tokenize
