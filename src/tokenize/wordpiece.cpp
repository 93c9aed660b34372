#include "tokenize/wordpiece.hpp"

#include <algorithm>
#include <utility>

#include "tokenize/hf_config.hpp"
#include "tokenize/neurox_alignment.hpp"
#include "tokenize/unicode.hpp"
#include "util/error.hpp"
#include "util/read_file.hpp"
#include "util/utf8.hpp"

namespace conceptlens::tokenize {
namespace {

namespace ud = unicode_data;
using hf::file_error;
using hf::Json;

// ---- character classes of BasicTokenizer (Unicode data: unicode.hpp) ------------------------

/// transformers' _is_control: category C* except \t \n \r.
bool is_control(char32_t cp) {
  if (cp == '\t' || cp == '\n' || cp == '\r') return false;
  return char_class(cp) == ud::kControl;
}

/// transformers' _is_whitespace: space, \t, \n, \r or category Zs.
bool is_whitespace(char32_t cp) {
  if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r') return true;
  return char_class(cp) == ud::kSpaceSeparator;
}

/// transformers' _is_punctuation: ASCII 33-47, 58-64, 91-96, 123-126, or category P*.
bool is_punctuation(char32_t cp) {
  if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) ||
      (cp >= 123 && cp <= 126)) {
    return true;
  }
  return char_class(cp) == ud::kPunctuation;
}

/// BasicTokenizer._is_chinese_char: the CJK ideograph blocks.
bool is_chinese_char(char32_t cp) {
  return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
         (cp >= 0x20000 && cp <= 0x2A6DF) || (cp >= 0x2A700 && cp <= 0x2B73F) ||
         (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B820 && cp <= 0x2CEAF) ||
         (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
}

bool contains(const std::vector<std::u32string>& set, std::u32string_view value) {
  return std::find(set.begin(), set.end(), value) != set.end();
}

// ---- file loading ---------------------------------------------------------------------------

/// vocab.txt as transformers' load_vocab reads it: text-mode readlines() (universal newlines:
/// \n, \r\n and \r end a line) and rstrip("\n"); the token on line i (0-based) has id i.
std::vector<std::string> read_vocab(const std::filesystem::path& path) {
  const std::string bytes = read_whole_file(path);
  std::vector<std::string> tokens;
  std::u32string scratch;
  std::size_t start = 0;
  while (start < bytes.size()) {
    std::size_t end = bytes.find_first_of("\r\n", start);
    std::size_t next = 0;
    if (end == std::string::npos) {
      end = bytes.size();
      next = end;
    } else {
      next = end + 1;
      if (bytes[end] == '\r' && next < bytes.size() && bytes[next] == '\n') ++next;
    }
    const std::string_view line(bytes.data() + start, end - start);
    if (const std::size_t bad = decode_utf8(line, scratch); bad != std::string_view::npos) {
      file_error(path, "line " + std::to_string(tokens.size() + 1) + " is not valid UTF-8 (byte " +
                           std::to_string(bad) + " of the line): " + printable(line));
    }
    tokens.emplace_back(line);
    start = next;
  }
  if (tokens.empty()) file_error(path, "the vocabulary is empty");
  return tokens;
}

/// A special token's content ("" for null); BERT ignores the AddedToken flags.
void read_token(const Json& json, const std::string& key, const std::filesystem::path& path, std::string& value) {
  hf::SpecialToken token;
  token.content = value;
  hf::read_token(json, key, path, token);
  value = token.content;
}

void read_special_tokens(const Json& json, const std::filesystem::path& path, WordPieceOptions& options) {
  read_token(json, "unk_token", path, options.unk_token);
  read_token(json, "sep_token", path, options.sep_token);
  read_token(json, "pad_token", path, options.pad_token);
  read_token(json, "cls_token", path, options.cls_token);
  read_token(json, "mask_token", path, options.mask_token);
  hf::read_string_list(json, "additional_special_tokens", path, options.additional_special_tokens);
}

WordPieceOptions read_options(const std::filesystem::path& path) {
  const Json json = hf::read_json_object(path);
  WordPieceOptions options;
  hf::read_bool(json, "do_lower_case", path, options.do_lower_case);
  hf::read_bool(json, "do_basic_tokenize", path, options.do_basic_tokenize);
  hf::read_bool(json, "tokenize_chinese_chars", path, options.tokenize_chinese_chars);
  if (const auto it = json.find("strip_accents"); it != json.end()) {
    if (it->is_boolean()) {
      options.strip_accents = it->get<bool>();
    } else if (!it->is_null()) {
      file_error(path, "\"strip_accents\" must be true, false or null, found " + it->dump());
    }
  }
  hf::read_string_list(json, "never_split", path, options.never_split);
  hf::read_max_length(json, path, WordPieceOptions::kNoMaxLength, options.model_max_length);
  read_special_tokens(json, path, options);
  return options;
}

}  // namespace

// ---- construction -------------------------------------------------------------------------------

WordPieceTokenizer WordPieceTokenizer::load(const std::filesystem::path& model_dir) {
  const std::filesystem::path vocab_path = model_dir / "vocab.txt";
  const std::filesystem::path config_path = model_dir / "tokenizer_config.json";
  std::vector<std::string> vocab = read_vocab(vocab_path);
  WordPieceOptions options = read_options(config_path);
  // from_pretrained lets special_tokens_map.json override the special tokens
  if (const auto map_path = model_dir / "special_tokens_map.json"; std::filesystem::exists(map_path)) {
    read_special_tokens(hf::read_json_object(map_path), map_path, options);
  }
  if (const auto added_path = model_dir / "added_tokens.json"; std::filesystem::exists(added_path)) {
    if (!hf::read_json_object(added_path).empty()) {
      file_error(added_path, "added tokens are not supported: add them to vocab.txt instead");
    }
  }
  try {
    return WordPieceTokenizer(std::move(vocab), std::move(options));
  } catch (const InputError& error) {
    throw InputError(model_dir.string() + ": " + error.what());
  }
}

WordPieceTokenizer::WordPieceTokenizer(std::vector<std::string> vocab, WordPieceOptions options)
    : options_(std::move(options)), id_to_token_(std::move(vocab)) {
  token_to_id_.reserve(id_to_token_.size());
  for (std::size_t i = 0; i < id_to_token_.size(); ++i) {
    token_to_id_.insert_or_assign(id_to_token_[i], static_cast<std::int64_t>(i));  // last line wins
  }
  const auto require = [&](const std::string& name, const std::string& token) {
    if (token.empty()) throw InputError(name + " is not set (null), but BERT needs it");
    const auto it = token_to_id_.find(token);
    if (it == token_to_id_.end()) {
      throw InputError(name + " " + printable(token) + " is not in vocab.txt (added tokens are not supported)");
    }
    return it->second;
  };
  unk_id_ = require("unk_token", options_.unk_token);
  sep_id_ = require("sep_token", options_.sep_token);
  pad_id_ = require("pad_token", options_.pad_token);
  cls_id_ = require("cls_token", options_.cls_token);
  // all_special_tokens, in transformers' order (SPECIAL_TOKENS_ATTRIBUTES), without repeats
  std::vector<std::string> specials = {options_.unk_token, options_.sep_token, options_.pad_token,
                                       options_.cls_token};
  if (!options_.mask_token.empty()) specials.push_back(options_.mask_token);
  for (const std::string& token : options_.additional_special_tokens) specials.push_back(token);
  for (const std::string& token : specials) {
    if (std::find(special_tokens_.begin(), special_tokens_.end(), token) != special_tokens_.end()) continue;
    const std::int64_t id = require("special token", token);
    special_tokens_.push_back(token);
    if (token != options_.unk_token) neurox_special_ids_.push_back(id);
  }
  std::sort(neurox_special_ids_.begin(), neurox_special_ids_.end());
  sorted_special_tokens_ = special_tokens_;
  std::sort(sorted_special_tokens_.begin(), sorted_special_tokens_.end());
  std::u32string scratch;
  for (const std::string& token : options_.never_split) {
    if (decode_utf8(token, scratch) != std::string_view::npos) {
      throw InputError("never_split entry " + printable(token) + " is not valid UTF-8");
    }
    never_split_.push_back(scratch);
  }
  basic_never_split_ = never_split_;
  for (const std::string& token : special_tokens_) {
    if (decode_utf8(token, scratch) != std::string_view::npos) {
      throw InputError("special token " + printable(token) + " is not valid UTF-8");
    }
    basic_never_split_.push_back(scratch);
  }
}

// ---- tokenization -------------------------------------------------------------------------------

std::int64_t WordPieceTokenizer::token_to_id(std::string_view token) const {
  const auto it = token_to_id_.find(token);
  return it == token_to_id_.end() ? unk_id_ : it->second;
}

std::string WordPieceTokenizer::id_to_token(std::int64_t id) const { return token(id); }

const std::string& WordPieceTokenizer::token(std::int64_t id) const {
  if (id < 0 || id >= vocab_size()) {
    throw InputError("token id " + std::to_string(id) + " is outside the vocabulary [0, " +
                     std::to_string(vocab_size()) + ")");
  }
  return id_to_token_[static_cast<std::size_t>(id)];
}

bool WordPieceTokenizer::is_neurox_special(std::int64_t id) const {
  return std::binary_search(neurox_special_ids_.begin(), neurox_special_ids_.end(), id);
}

void WordPieceTokenizer::basic_tokenize(std::u32string text, std::vector<std::u32string>& out) const {
  // _clean_text, then _tokenize_chinese_chars
  std::u32string cleaned;
  cleaned.reserve(text.size());
  for (const char32_t cp : text) {
    if (cp == 0 || cp == 0xFFFD || is_control(cp)) continue;
    if (is_whitespace(cp)) {
      cleaned += U' ';
    } else if (options_.tokenize_chinese_chars && is_chinese_char(cp)) {
      cleaned += U' ';
      cleaned += cp;
      cleaned += U' ';
    } else {
      cleaned += cp;
    }
  }
  text = nfc(std::move(cleaned));
  std::vector<std::u32string> words;
  python_split(text, words);
  // Lower-casing happened before (see tokenize_into); a second lower() changes nothing here.
  const bool strip = options_.do_lower_case ? options_.strip_accents.value_or(true)
                                            : options_.strip_accents.value_or(false);
  for (std::u32string& word : words) {
    if (contains(basic_never_split_, word)) {
      out.push_back(std::move(word));
      continue;
    }
    if (strip) {
      std::u32string stripped;
      for (const char32_t cp : nfd(word)) {
        if (char_class(cp) != ud::kNonspacingMark) stripped += cp;
      }
      word = std::move(stripped);
      if (contains(basic_never_split_, word)) {  // _run_split_on_punc checks never_split again
        out.push_back(std::move(word));
        continue;
      }
    }
    // _run_split_on_punc: each punctuation character alone, the runs in between together
    std::size_t start = 0;
    for (std::size_t i = 0; i < word.size(); ++i) {
      if (!is_punctuation(word[i])) continue;
      if (i > start) out.push_back(word.substr(start, i - start));
      out.push_back(word.substr(i, 1));
      start = i + 1;
    }
    if (start < word.size()) out.push_back(word.substr(start));
  }
}

void WordPieceTokenizer::wordpiece(const std::u32string& word, std::vector<std::string>& out) const {
  if (word.size() > kMaxInputCharsPerWord) {
    out.push_back(options_.unk_token);
    return;
  }
  // byte offsets of each code point in the UTF-8 form, to look substrings up without copies
  const std::string utf8 = encode_utf8(word);
  std::vector<std::size_t> offset(word.size() + 1, 0);
  for (std::size_t i = 0, byte = 0; i < word.size(); ++i) {
    offset[i] = byte;
    byte += word[i] < 0x80 ? 1 : word[i] < 0x800 ? 2 : word[i] < 0x10000 ? 3 : 4;
    offset[i + 1] = byte;
  }
  const std::size_t first_new = out.size();
  std::string candidate;
  std::size_t start = 0;
  while (start < word.size()) {
    std::size_t end = word.size();
    bool found = false;
    while (start < end) {
      const std::string_view piece(utf8.data() + offset[start], offset[end] - offset[start]);
      if (start == 0) {
        found = token_to_id_.find(piece) != token_to_id_.end();
        if (found) candidate.assign(piece);
      } else {
        candidate.assign("##");
        candidate.append(piece);
        found = token_to_id_.find(candidate) != token_to_id_.end();
      }
      if (found) break;
      --end;
    }
    if (!found) {
      out.resize(first_new);
      out.push_back(options_.unk_token);
      return;
    }
    out.push_back(candidate);
    start = end;
  }
}

void WordPieceTokenizer::tokenize_piece(std::u32string piece, bool basic_only,
                                        std::vector<std::string>& out) const {
  std::vector<std::u32string> words;
  if (options_.do_basic_tokenize) {
    basic_tokenize(std::move(piece), words);
  } else {
    python_split(piece, words);  // WordpieceTokenizer's whitespace_tokenize
  }
  for (const std::u32string& word : words) {
    if (basic_only || (options_.do_basic_tokenize && contains(never_split_, word))) {
      out.push_back(encode_utf8(word));
    } else {
      wordpiece(word, out);
    }
  }
}

std::size_t WordPieceTokenizer::special_at(std::string_view text, std::size_t pos, bool first_sorted) const {
  std::size_t best = 0;
  for (const std::string& token : sorted_special_tokens_) {
    if (token.empty() || text.compare(pos, token.size(), token) != 0) continue;
    if (first_sorted) return token.size();
    best = std::max(best, token.size());
  }
  return best;
}

void WordPieceTokenizer::tokenize_into(std::string_view text, bool basic_only,
                                       std::vector<std::string>& out) const {
  std::u32string decoded = decode_text(text);
  std::string lowered;
  if (options_.do_lower_case && options_.do_basic_tokenize) {
    // PreTrainedTokenizer.tokenize: re.sub(r"(special|...)|(.+?)", ...) keeps the special tokens
    // and lower-cases every other character alone
    std::u32string one;
    std::u32string lower;
    lowered.reserve(text.size());
    std::size_t pos = 0;
    while (pos < text.size()) {
      if (const std::size_t length = special_at(text, pos, true); length > 0) {
        lowered.append(text.substr(pos, length));
        pos += length;
        continue;
      }
      std::size_t next = pos + 1;
      while (next < text.size() && (static_cast<unsigned char>(text[next]) & 0xc0) == 0x80) ++next;
      decode_utf8(text.substr(pos, next - pos), one);
      lower.clear();
      append_lower(one[0], lower);
      append_utf8(lowered, lower);
      pos = next;
    }
    text = lowered;
  }
  // tokens_trie.split: the special tokens are cut out and kept whole; the pieces in between are
  // tokenized (the whitespace stripped next to a special token would be dropped anyway)
  std::size_t piece_start = 0;
  const auto flush = [&](std::size_t end) {
    if (end > piece_start) {
      decode_utf8(text.substr(piece_start, end - piece_start), decoded);
      tokenize_piece(std::move(decoded), basic_only, out);
    }
  };
  std::size_t pos = 0;
  while (pos < text.size()) {
    if (const std::size_t length = special_at(text, pos, false); length > 0) {
      flush(pos);
      out.emplace_back(text.substr(pos, length));
      pos += length;
      piece_start = pos;
    } else {
      ++pos;
    }
  }
  flush(text.size());
}

std::vector<std::string> WordPieceTokenizer::tokens(std::string_view text) const {
  std::vector<std::string> out;
  tokenize_into(text, false, out);
  return out;
}

std::vector<std::int64_t> WordPieceTokenizer::encode_word(std::string_view word) const {
  std::vector<std::string> pieces;
  tokenize_into(word, false, pieces);
  std::vector<std::int64_t> ids;
  ids.reserve(pieces.size());
  for (const std::string& piece : pieces) ids.push_back(token_to_id(piece));
  return ids;
}

std::vector<std::string> WordPieceTokenizer::basic_tokens(std::string_view text) const {
  std::vector<std::string> out;
  tokenize_into(text, true, out);
  return out;
}

// ---- NeuroX ---------------------------------------------------------------------------------

SentenceEncoding WordPieceTokenizer::encode_sentence(std::string_view sentence) const {
  return encode_words(split_words(sentence));
}

SegmentIds WordPieceTokenizer::segment(const std::vector<std::string_view>& words) const {
  // A word's count in NeuroX's context ("a {w} a" and the like) is its count alone: BERT splits
  // on whitespace first, and "a" is one token. The model input is the words' ids in a row,
  // which is what the whole text gives for the same reason.
  SegmentIds segment;
  segment.word_token_counts.reserve(words.size());
  for (const std::string_view word : words) {
    const std::vector<std::int64_t> ids = encode_word(word);
    std::int32_t count = 0;
    for (const std::int64_t id : ids) count += is_neurox_special(id) ? 0 : 1;
    segment.word_token_counts.push_back(count);
    segment.content_ids.insert(segment.content_ids.end(), ids.begin(), ids.end());
  }
  return segment;
}

SentenceEncoding WordPieceTokenizer::encode_words(const std::vector<std::string_view>& words) const {
  SegmentIds words_segment = segment(words);
  const std::int64_t prefix[] = {cls_id_};
  const std::int64_t suffix[] = {sep_id_};
  return align_words(std::move(words_segment.word_token_counts), words_segment.content_ids, prefix, suffix,
                     options_.model_max_length, [this](std::int64_t id) { return is_neurox_special(id); });
}

SentenceEncoding WordPieceTokenizer::encode_pair(std::string_view premise, std::string_view hypothesis) const {
  // BertTokenizer.build_inputs_with_special_tokens: [CLS] A [SEP] B [SEP], token types 0 then 1
  const std::int64_t cls[] = {cls_id_};
  const std::int64_t sep[] = {sep_id_};
  return align_pair_words(segment(split_words(premise)), segment(split_words(hypothesis)), PairTemplate{cls, sep, sep, 1},
                          options_.model_max_length, [this](std::int64_t id) { return is_neurox_special(id); });
}

}  // namespace conceptlens::tokenize
