#include "tokenize/wordpiece.hpp"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <system_error>
#include <utility>

#include "tokenize/unicode_tables.hpp"
#include "util/error.hpp"
#include "util/read_file.hpp"
#include "util/utf8.hpp"

namespace conceptlens::tokenize {
namespace {

namespace ud = unicode_data;
using Json = nlohmann::json;

// ---- UTF-8 (decoding and single code points: util/utf8.hpp) -------------------------------

/// `text` as printable ASCII for error messages: other bytes as \xNN, cut after 60 bytes.
std::string printable(std::string_view text) {
  static const char* const kHex = "0123456789abcdef";
  std::string out = "\"";
  for (std::size_t i = 0; i < text.size() && i < 60; ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte >= 0x20 && byte < 0x7f && byte != '"' && byte != '\\') {
      out += static_cast<char>(byte);
    } else {
      out += "\\x";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xf];
    }
  }
  if (text.size() > 60) out += "...";
  return out + "\"";
}

std::u32string decode_text(std::string_view text) {
  std::u32string out;
  if (const std::size_t bad = decode_utf8(text, out); bad != std::string_view::npos) {
    throw InputError("text is not valid UTF-8 (byte " + std::to_string(bad) + " of " +
                     std::to_string(text.size()) + "): " + printable(text));
  }
  return out;
}


void append_utf8(std::string& out, std::u32string_view text) {
  for (const char32_t cp : text) conceptlens::append_utf8(out, cp);
}

std::string encode_utf8(std::u32string_view text) {
  std::string out;
  out.reserve(text.size());
  append_utf8(out, text);
  return out;
}

// ---- Unicode properties (Python's unicodedata and str, via the generated tables) -------------

ud::CharClass char_class(char32_t cp) {
  const ud::CategoryRun* begin = ud::kCategoryRuns;
  const ud::CategoryRun* end = begin + ud::kCategoryRunCount;
  const auto* run = std::upper_bound(begin, end, cp, [](char32_t value, const ud::CategoryRun& r) {
    return value < r.first;
  });
  return run == begin ? ud::kOther : (run - 1)->char_class;
}

/// str.isspace(): what str.split() and str.strip() treat as whitespace.
bool is_python_space(char32_t cp) {
  if (cp < 0x80) return cp == ' ' || (cp >= 0x09 && cp <= 0x0d) || (cp >= 0x1c && cp <= 0x1f);
  return std::binary_search(ud::kPythonSpaces, ud::kPythonSpaces + ud::kPythonSpaceCount, cp);
}

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

/// Appends chr(cp).lower().
void append_lower(char32_t cp, std::u32string& out) {
  if (cp < 0x80) {
    out += (cp >= 'A' && cp <= 'Z') ? cp + 32 : cp;
    return;
  }
  const ud::Expansion* multi_end = ud::kLowerMulti + ud::kLowerMultiCount;
  const auto* multi = std::lower_bound(ud::kLowerMulti, multi_end, cp,
                                       [](const ud::Expansion& e, char32_t value) { return e.code_point < value; });
  if (multi != multi_end && multi->code_point == cp) {
    out.append(ud::kLowerMultiPool + multi->offset, multi->length);
    return;
  }
  const ud::LowerRun* begin = ud::kLowerRuns;
  const ud::LowerRun* end = begin + ud::kLowerRunCount;
  const auto* run = std::upper_bound(begin, end, cp, [](char32_t value, const ud::LowerRun& r) {
    return value < r.first;
  });
  if (run != begin) {
    --run;
    const char32_t offset = cp - run->first;
    if (offset % run->stride == 0 && offset / run->stride < run->count) {
      out += static_cast<char32_t>(static_cast<std::int64_t>(cp) + run->delta);
      return;
    }
  }
  out += cp;
}

std::uint8_t combining_class(char32_t cp) {
  if (cp < 0x300) return 0;
  const ud::CombiningRun* begin = ud::kCombiningRuns;
  const ud::CombiningRun* end = begin + ud::kCombiningRunCount;
  const auto* run = std::upper_bound(begin, end, cp, [](char32_t value, const ud::CombiningRun& r) {
    return value < r.first;
  });
  if (run == begin) return 0;
  --run;
  return cp <= run->last ? run->ccc : 0;
}

constexpr char32_t kHangulSBase = 0xAC00, kHangulLBase = 0x1100, kHangulVBase = 0x1161,
                   kHangulTBase = 0x11A7;
constexpr char32_t kHangulLCount = 19, kHangulVCount = 21, kHangulTCount = 28;
constexpr char32_t kHangulNCount = kHangulVCount * kHangulTCount;
constexpr char32_t kHangulSCount = kHangulLCount * kHangulNCount;

/// Canonical decomposition (NFD) with canonical ordering.
std::u32string nfd(std::u32string_view text) {
  std::u32string out;
  out.reserve(text.size() + 8);
  const ud::Expansion* table_end = ud::kDecompositions + ud::kDecompositionCount;
  for (const char32_t cp : text) {
    if (cp < 0xC0) {
      out += cp;
    } else if (cp >= kHangulSBase && cp < kHangulSBase + kHangulSCount) {
      const char32_t s = cp - kHangulSBase;
      out += kHangulLBase + s / kHangulNCount;
      out += kHangulVBase + (s % kHangulNCount) / kHangulTCount;
      if (s % kHangulTCount != 0) out += kHangulTBase + s % kHangulTCount;
    } else {
      const auto* entry = std::lower_bound(ud::kDecompositions, table_end, cp,
                                           [](const ud::Expansion& e, char32_t value) { return e.code_point < value; });
      if (entry != table_end && entry->code_point == cp) {
        out.append(ud::kDecompositionPool + entry->offset, entry->length);
      } else {
        out += cp;
      }
    }
  }
  // Canonical ordering: a stable sort of each run of non-starters by combining class.
  for (std::size_t i = 1; i < out.size(); ++i) {
    const std::uint8_t ccc = combining_class(out[i]);
    if (ccc == 0) continue;
    std::size_t j = i;
    const char32_t cp = out[i];
    while (j > 0 && combining_class(out[j - 1]) > ccc) {
      out[j] = out[j - 1];
      --j;
    }
    out[j] = cp;
  }
  return out;
}

/// The primary composite of <first, second>, or 0.
char32_t compose(char32_t first, char32_t second) {
  if (first >= kHangulLBase && first < kHangulLBase + kHangulLCount && second >= kHangulVBase &&
      second < kHangulVBase + kHangulVCount) {
    return kHangulSBase + ((first - kHangulLBase) * kHangulVCount + (second - kHangulVBase)) * kHangulTCount;
  }
  if (first >= kHangulSBase && first < kHangulSBase + kHangulSCount && (first - kHangulSBase) % kHangulTCount == 0 &&
      second > kHangulTBase && second < kHangulTBase + kHangulTCount) {
    return first + (second - kHangulTBase);
  }
  const ud::Composition* end = ud::kCompositions + ud::kCompositionCount;
  const auto* entry = std::lower_bound(ud::kCompositions, end, std::pair{first, second},
                                       [](const ud::Composition& c, const std::pair<char32_t, char32_t>& key) {
                                         return c.first != key.first ? c.first < key.first : c.second < key.second;
                                       });
  return entry != end && entry->first == first && entry->second == second ? entry->composite : 0;
}

/// unicodedata.normalize("NFC", text). Text below U+0300 is already NFC: every code point there
/// is its own NFC and none is the second half of a composition (make_unicode_tables.py checks).
std::u32string nfc(std::u32string text) {
  if (std::all_of(text.begin(), text.end(), [](char32_t cp) { return cp < 0x300; })) return text;
  const std::u32string decomposed = nfd(text);
  std::u32string out;
  out.reserve(decomposed.size());
  std::size_t starter = std::u32string::npos;  // position in `out` of the last starter
  int last_ccc = -1;  // class of the last code point kept after that starter, -1 if none
  for (const char32_t cp : decomposed) {
    const int ccc = combining_class(cp);
    // cp is blocked from the starter unless adjacent to it, or unless everything in between
    // (non-starters all) has a lower class
    if (starter != std::u32string::npos && (last_ccc == -1 || last_ccc < ccc)) {
      if (const char32_t composite = compose(out[starter], cp); composite != 0) {
        out[starter] = composite;
        continue;
      }
    }
    if (ccc == 0) {
      starter = out.size();
      last_ccc = -1;
    } else {
      last_ccc = ccc;
    }
    out += cp;
  }
  return out;
}

/// Python's text.split() (which also strips): the non-empty runs between whitespace.
void python_split(std::u32string_view text, std::vector<std::u32string>& out) {
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && is_python_space(text[i])) ++i;
    std::size_t j = i;
    while (j < text.size() && !is_python_space(text[j])) ++j;
    if (j > i) out.emplace_back(text.substr(i, j - i));
    i = j;
  }
}

bool contains(const std::vector<std::u32string>& set, std::u32string_view value) {
  return std::find(set.begin(), set.end(), value) != set.end();
}

// ---- file loading ---------------------------------------------------------------------------

[[noreturn]] void file_error(const std::filesystem::path& path, const std::string& what) {
  throw InputError(path.string() + ": " + what);
}

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

Json read_json_object(const std::filesystem::path& path) {
  const std::string bytes = read_whole_file(path);
  Json json;
  try {
    json = Json::parse(bytes);
  } catch (const Json::parse_error& error) {
    file_error(path, std::string("not valid JSON: ") + error.what());
  }
  if (!json.is_object()) file_error(path, std::string("expected a JSON object, found ") + json.type_name());
  return json;
}

std::string setting(const std::string& key) { return "\"" + key + "\""; }

/// A boolean setting: absent keeps `value`; null is Python's None, which is false.
void read_bool(const Json& json, const std::string& key, const std::filesystem::path& path, bool& value) {
  const auto it = json.find(key);
  if (it == json.end()) return;
  if (it->is_null()) {
    value = false;
  } else if (it->is_boolean()) {
    value = it->get<bool>();
  } else {
    file_error(path, setting(key) + " must be true, false or null, found " + it->dump());
  }
}

/// A special token: a string, an AddedToken object {"content": ...}, or null (none: "").
void read_token(const Json& json, const std::string& key, const std::filesystem::path& path, std::string& value) {
  const auto it = json.find(key);
  if (it == json.end()) return;
  const auto content = [&](const Json& item) -> std::string {
    if (item.is_string()) return item.get<std::string>();
    if (item.is_object() && item.contains("content") && item["content"].is_string()) {
      return item["content"].get<std::string>();
    }
    if (item.is_null()) return {};
    file_error(path, setting(key) + " must be a string, an object with a \"content\" string or null, found " +
                         item.dump());
  };
  value = content(*it);
}

void read_token_list(const Json& json, const std::string& key, const std::filesystem::path& path,
                     std::vector<std::string>& values) {
  const auto it = json.find(key);
  if (it == json.end()) return;
  values.clear();
  if (it->is_null()) return;
  if (!it->is_array()) file_error(path, setting(key) + " must be a list or null, found " + it->dump());
  for (const Json& item : *it) {
    if (item.is_string()) {
      values.push_back(item.get<std::string>());
    } else if (item.is_object() && item.contains("content") && item["content"].is_string()) {
      values.push_back(item["content"].get<std::string>());
    } else {
      file_error(path, setting(key) + " must list strings, found " + item.dump());
    }
  }
}

void read_special_tokens(const Json& json, const std::filesystem::path& path, WordPieceOptions& options) {
  read_token(json, "unk_token", path, options.unk_token);
  read_token(json, "sep_token", path, options.sep_token);
  read_token(json, "pad_token", path, options.pad_token);
  read_token(json, "cls_token", path, options.cls_token);
  read_token(json, "mask_token", path, options.mask_token);
  read_token_list(json, "additional_special_tokens", path, options.additional_special_tokens);
}

WordPieceOptions read_options(const std::filesystem::path& path) {
  const Json json = read_json_object(path);
  WordPieceOptions options;
  read_bool(json, "do_lower_case", path, options.do_lower_case);
  read_bool(json, "do_basic_tokenize", path, options.do_basic_tokenize);
  read_bool(json, "tokenize_chinese_chars", path, options.tokenize_chinese_chars);
  if (const auto it = json.find("strip_accents"); it != json.end()) {
    if (it->is_boolean()) {
      options.strip_accents = it->get<bool>();
    } else if (!it->is_null()) {
      file_error(path, "\"strip_accents\" must be true, false or null, found " + it->dump());
    }
  }
  read_token_list(json, "never_split", path, options.never_split);
  if (const auto it = json.find("model_max_length"); it != json.end() && !it->is_null()) {
    // transformers writes "no limit" as int(1e30), which JSON readers may give as a float
    constexpr double kLimit = 9.2e18;
    if (it->is_number_integer() && !(it->is_number_unsigned() &&
                                     it->get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX))) {
      options.model_max_length = it->get<std::int64_t>();
    } else if (it->is_number()) {
      const double value = it->get<double>();
      if (value >= kLimit) {
        options.model_max_length = WordPieceOptions::kNoMaxLength;
      } else if (std::floor(value) == value && value > -kLimit) {
        options.model_max_length = static_cast<std::int64_t>(value);
      } else {
        file_error(path, "\"model_max_length\" must be an integer, found " + it->dump());
      }
    } else {
      file_error(path, "\"model_max_length\" must be an integer or null, found " + it->dump());
    }
    if (options.model_max_length < 1) {
      file_error(path, "\"model_max_length\" must be positive, found " + it->dump());
    }
  }
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
    read_special_tokens(read_json_object(map_path), map_path, options);
  }
  if (const auto added_path = model_dir / "added_tokens.json"; std::filesystem::exists(added_path)) {
    if (!read_json_object(added_path).empty()) {
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

const std::string& WordPieceTokenizer::id_to_token(std::int64_t id) const {
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
  std::vector<std::string_view> words;
  std::size_t start = 0;
  while (true) {  // str.split(" "): every single space separates, empty words included
    const std::size_t space = sentence.find(' ', start);
    if (space == std::string_view::npos) {
      words.push_back(sentence.substr(start));
      break;
    }
    words.push_back(sentence.substr(start, space - start));
    start = space + 1;
  }
  return encode_words(words);
}

SentenceEncoding WordPieceTokenizer::encode_words(const std::vector<std::string_view>& words) const {
  SentenceEncoding result;
  std::vector<std::int64_t> content;
  result.word_token_counts.reserve(words.size());
  for (const std::string_view word : words) {
    const std::vector<std::int64_t> ids = encode_word(word);
    std::int32_t count = 0;
    for (const std::int64_t id : ids) count += is_neurox_special(id) ? 0 : 1;
    result.word_token_counts.push_back(count);
    content.insert(content.end(), ids.begin(), ids.end());
  }
  // encode(sentence, truncation=True): [CLS] + ids + [SEP]; longest_first on one sequence
  // removes ids from the end, and leaves everything when it would have to remove all of them
  const auto content_size = static_cast<std::int64_t>(content.size());
  result.num_tokens_untruncated = content_size + 2;
  std::int64_t keep = content_size;
  if (result.num_tokens_untruncated > options_.model_max_length) {
    const std::int64_t remove = result.num_tokens_untruncated - options_.model_max_length;
    if (content_size > remove) {
      keep = content_size - remove;
      result.truncated = true;
    }
  }
  result.input_ids.reserve(static_cast<std::size_t>(keep) + 2);
  result.input_ids.push_back(cls_id_);
  result.input_ids.insert(result.input_ids.end(), content.begin(), content.begin() + keep);
  result.input_ids.push_back(sep_id_);

  // positions NeuroX keeps (non-special), and the word each belongs to
  std::vector<std::int32_t> kept_positions;
  for (std::size_t i = 0; i < result.input_ids.size(); ++i) {
    if (!is_neurox_special(result.input_ids[i])) kept_positions.push_back(static_cast<std::int32_t>(i));
  }
  const auto n = static_cast<std::int64_t>(kept_positions.size());
  result.word_index.assign(result.input_ids.size(), -1);
  result.word_first_token.assign(words.size(), -1);
  std::int64_t counter = 0;
  bool emitting = true;
  for (std::size_t w = 0; w < words.size(); ++w) {
    const std::int64_t c = result.word_token_counts[w];
    if (emitting && ((c != 0 && counter >= n) || counter + c > n)) emitting = false;
    if (emitting) ++result.num_words_out;
    for (std::int64_t k = counter; k < std::min(counter + c, n); ++k) {
      result.word_index[static_cast<std::size_t>(kept_positions[static_cast<std::size_t>(k)])] =
          static_cast<std::int32_t>(w);
    }
    if (c != 0 && counter < n) result.word_first_token[w] = kept_positions[static_cast<std::size_t>(counter)];
    counter += c;
  }
  return result;
}

}  // namespace conceptlens::tokenize
