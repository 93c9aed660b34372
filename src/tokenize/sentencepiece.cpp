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
  return family == SentencePieceFamily::albert ? "ALBERT" : "XLM-R";
}

hf::SpecialToken plain(std::string content) {
  hf::SpecialToken token;
  token.content = std::move(content);
  return token;
}

/// AddedToken(content, lstrip=True, rstrip=False): what both classes make of a mask string.
hf::SpecialToken mask_added_token(std::string content) {
  hf::SpecialToken token = plain(std::move(content));
  token.added_token = true;
  token.lstrip = true;
  return token;
}

void read_special_tokens(const hf::Json& json, const std::filesystem::path& path, SentencePieceOptions& options) {
  hf::read_token(json, "bos_token", path, options.bos_token);
  hf::read_token(json, "eos_token", path, options.eos_token);
  hf::read_token(json, "unk_token", path, options.unk_token);
  hf::read_token(json, "sep_token", path, options.sep_token);
  hf::read_token(json, "pad_token", path, options.pad_token);
  hf::read_token(json, "cls_token", path, options.cls_token);
  hf::read_token(json, "mask_token", path, options.mask_token);
  hf::read_token_list(json, "additional_special_tokens", path, options.additional_special_tokens);
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
  hf::read_max_length(json, path, Tokenizer::kNoMaxLength, options.model_max_length);
  read_special_tokens(json, path, options);
  // __init__: mask_token = AddedToken(mask_token, lstrip=True, rstrip=False) if it is a str
  if (!options.mask_token.added_token && !options.mask_token.content.empty()) {
    options.mask_token = mask_added_token(options.mask_token.content);
  }
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
  if (family == SentencePieceFamily::albert) {
    options.bos_token = plain("[CLS]");
    options.eos_token = plain("[SEP]");
    options.unk_token = plain("<unk>");
    options.sep_token = plain("[SEP]");
    options.pad_token = plain("<pad>");
    options.cls_token = plain("[CLS]");
    options.mask_token = mask_added_token("[MASK]");
  } else {
    options.do_lower_case = false;
    options.remove_space = false;
    options.keep_accents = true;
    options.bos_token = plain("<s>");
    options.eos_token = plain("</s>");
    options.unk_token = plain("<unk>");
    options.sep_token = plain("</s>");
    options.pad_token = plain("<pad>");
    options.cls_token = plain("<s>");
    options.mask_token = mask_added_token("<mask>");
  }
  return options;
}

const char* SentencePieceTokenizer::model_file_name(SentencePieceFamily family) {
  return family == SentencePieceFamily::albert ? "spiece.model" : "sentencepiece.bpe.model";
}

std::unique_ptr<SentencePieceTokenizer> SentencePieceTokenizer::load(const std::filesystem::path& model_dir,
                                                                     SentencePieceFamily family) {
  SentencePieceModel model(model_dir / model_file_name(family));
  const std::filesystem::path config_path = model_dir / "tokenizer_config.json";
  SentencePieceOptions options = read_options(config_path, family);
  // from_pretrained sets the special tokens of special_tokens_map.json after __init__
  if (const auto map_path = model_dir / "special_tokens_map.json"; std::filesystem::exists(map_path)) {
    read_special_tokens(hf::read_json_object(map_path), map_path, options);
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
  fairseq_mask_id_ = model_.piece_size() + kFairseqOffset;
  // XLM-R's token_to_id gives unk_id_ for SentencePiece's unknown piece: <unk> until known
  unk_id_ = options_.family == SentencePieceFamily::xlm_roberta ? kFairseqUnk : 0;
  if (options_.unk_token.content.empty()) {
    throw InputError(std::string("unk_token is not set (null), but ") + family_name(options_.family) + " needs it");
  }
  unk_id_ = token_to_id(options_.unk_token.content);

  // all_special_tokens_extended in transformers' order (SPECIAL_TOKENS_ATTRIBUTES); a text is
  // stripped on both sides unless some attribute gives it as an AddedToken, whose flags then
  // count (the last one's)
  std::vector<const hf::SpecialToken*> extended = {&options_.bos_token, &options_.eos_token, &options_.unk_token,
                                                   &options_.sep_token, &options_.pad_token, &options_.cls_token,
                                                   &options_.mask_token};
  for (const hf::SpecialToken& token : options_.additional_special_tokens) extended.push_back(&token);
  for (const hf::SpecialToken* token : extended) {
    if (token->content.empty()) continue;
    const std::int64_t id = token_to_id(token->content);
    if (id == unk_id_ && token->content != options_.unk_token.content) {
      throw InputError("special token " + printable(token->content) + " is not in " + model_name +
                       " (added tokens are not supported)");
    }
    std::u32string text;
    if (decode_utf8(token->content, text) != std::string_view::npos) {
      throw InputError("special token " + printable(token->content) + " is not valid UTF-8");
    }
    auto it = std::find_if(specials_.begin(), specials_.end(), [&](const SpecialText& s) { return s.text == text; });
    if (it == specials_.end()) {
      specials_.push_back({std::move(text), true, true});
      it = specials_.end() - 1;
      if (token->content != options_.unk_token.content) neurox_special_ids_.push_back(id);
    }
    if (token->added_token) {
      it->lstrip = token->lstrip;
      it->rstrip = token->rstrip;
    }
  }
  std::sort(specials_.begin(), specials_.end(), [](const SpecialText& a, const SpecialText& b) { return a.text < b.text; });
  std::sort(neurox_special_ids_.begin(), neurox_special_ids_.end());

  const auto require = [&](const char* name, const hf::SpecialToken& token) {
    if (token.content.empty()) {
      throw InputError(std::string(name) + " is not set (null), but " + family_name(options_.family) + " needs it");
    }
    return token_to_id(token.content);
  };
  cls_id_ = require("cls_token", options_.cls_token);
  sep_id_ = require("sep_token", options_.sep_token);
  pad_id_ = require("pad_token", options_.pad_token);
}

// ---- vocabulary ---------------------------------------------------------------------------------

std::int64_t SentencePieceTokenizer::token_to_id(std::string_view token) const {
  if (options_.family == SentencePieceFamily::albert) return model_.piece_to_id(token);
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
  if (options_.family == SentencePieceFamily::albert) return model_.id_to_piece(static_cast<int>(id));
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
  return options_.family == SentencePieceFamily::albert ? pieces : pieces + kFairseqOffset + 1;
}

bool SentencePieceTokenizer::is_neurox_special(std::int64_t id) const {
  return std::binary_search(neurox_special_ids_.begin(), neurox_special_ids_.end(), id);
}

// ---- tokenization -------------------------------------------------------------------------------

std::size_t SentencePieceTokenizer::special_at(std::u32string_view text, std::size_t pos, bool first_sorted) const {
  std::size_t best = 0;
  for (const SpecialText& special : specials_) {
    if (text.compare(pos, special.text.size(), special.text) != 0) continue;
    if (first_sorted) return special.text.size();
    best = std::max(best, special.text.size());
  }
  return best;
}

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
  if (options_.family == SentencePieceFamily::xlm_roberta) {
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
      if (const std::size_t length = special_at(decoded, pos, true); length > 0) {
        lowered.append(decoded, pos, length);
        pos += length;
      } else {
        append_lower(decoded[pos++], lowered);
      }
    }
    decoded = std::move(lowered);
  }
  // tokens_trie.split: the special tokens are cut out (leftmost, longest)
  struct Segment {
    std::u32string_view text;
    const SpecialText* special = nullptr;
  };
  std::vector<Segment> segments;
  const std::u32string_view view(decoded);
  std::size_t start = 0;
  std::size_t pos = 0;
  while (pos < view.size()) {
    const std::size_t length = special_at(view, pos, false);
    if (length == 0) {
      ++pos;
      continue;
    }
    if (pos > start) segments.push_back({view.substr(start, pos - start)});
    const auto* special = &*std::find_if(specials_.begin(), specials_.end(), [&](const SpecialText& s) {
      return s.text == view.substr(pos, length);
    });
    segments.push_back({view.substr(pos, length), special});
    pos += length;
    start = pos;
  }
  if (start < view.size()) segments.push_back({view.substr(start)});
  // the whitespace around a special token goes, as its flags say
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const SpecialText* special = segments[i].special;
    if (special == nullptr) continue;
    if (special->rstrip && i + 1 < segments.size()) segments[i + 1].text = python_lstrip(segments[i + 1].text);
    if (special->lstrip && i > 0) segments[i - 1].text = python_rstrip(segments[i - 1].text);
  }
  std::vector<std::string> out;
  for (const Segment& segment : segments) {
    if (segment.text.empty()) continue;
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

std::int32_t SentencePieceTokenizer::context_count(const WordContext& context) const {
  {
    const std::lock_guard lock(cache_mutex_);
    if (const auto it = count_cache_.find(context.text); it != count_cache_.end()) return it->second;
  }
  // encode(context) with [CLS]/<s> and [SEP]/</s>, which NeuroX removes with the other specials
  std::size_t non_special = 0;
  for (const std::int64_t id : encode(context.text)) non_special += is_neurox_special(id) ? 0 : 1;
  const std::int32_t count = context.count(non_special);
  const std::lock_guard lock(cache_mutex_);
  if (count_cache_.size() >= kMaxCachedCounts) count_cache_.clear();
  count_cache_.emplace(context.text, count);
  return count;
}

SegmentIds SentencePieceTokenizer::segment(std::string_view text) const {
  SegmentIds segment;
  segment.content_ids = encode(text);
  const std::vector<std::string_view> words = split_words(text);
  segment.word_token_counts.reserve(words.size());
  for (std::size_t w = 0; w < words.size(); ++w) segment.word_token_counts.push_back(context_count(word_context(words, w)));
  return segment;
}

SentenceEncoding SentencePieceTokenizer::encode_sentence(std::string_view sentence) const {
  SegmentIds whole = segment(sentence);
  const std::int64_t prefix[] = {cls_id_};
  const std::int64_t suffix[] = {sep_id_};
  return align_words(std::move(whole.word_token_counts), whole.content_ids, prefix, suffix, options_.model_max_length,
                     [this](std::int64_t id) { return is_neurox_special(id); });
}

SentenceEncoding SentencePieceTokenizer::encode_pair(std::string_view premise, std::string_view hypothesis) const {
  // build_inputs_with_special_tokens and create_token_type_ids_from_sequences: ALBERT
  // [CLS] A [SEP] B [SEP] with token types 0, 1; XLM-R <s> A </s></s> B </s>, all 0
  const std::int64_t cls[] = {cls_id_};
  const std::int64_t sep[] = {sep_id_};
  const std::int64_t double_sep[] = {sep_id_, sep_id_};
  const bool albert = options_.family == SentencePieceFamily::albert;
  const PairTemplate pair{cls, albert ? std::span<const std::int64_t>(sep) : std::span<const std::int64_t>(double_sep),
                          sep, albert ? 1 : 0};
  return align_pair_words(segment(premise), segment(hypothesis), pair, options_.model_max_length,
                          [this](std::int64_t id) { return is_neurox_special(id); });
}

}  // namespace conceptlens::tokenize
