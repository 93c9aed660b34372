#include "tokenize/byte_level_bpe.hpp"

#include <algorithm>
#include <array>
#include <limits>

#include "tokenize/unicode.hpp"
#include "util/error.hpp"
#include "util/read_file.hpp"
#include "util/utf8.hpp"

namespace conceptlens::tokenize {
namespace {

namespace ud = unicode_data;

const char* family_name(ByteLevelFamily family) { return family == ByteLevelFamily::gpt2 ? "GPT-2" : "RoBERTa"; }

/// AddedToken(content, lstrip, rstrip=False).
hf::SpecialToken added_token(std::string content, bool lstrip = false) {
  hf::SpecialToken token;
  token.content = std::move(content);
  token.added_token = true;
  token.lstrip = lstrip;
  return token;
}

/// __init__ of both classes: every special token given as a str becomes an AddedToken that
/// strips nothing, except RoBERTa's mask token (lstrip=True).
void wrap_strings(ByteLevelBpeOptions& options) {
  for (hf::SpecialToken* token : {&options.bos_token, &options.eos_token, &options.unk_token, &options.sep_token,
                                  &options.pad_token, &options.cls_token, &options.mask_token}) {
    if (token->added_token || token->content.empty()) continue;
    const bool mask = token == &options.mask_token && options.family == ByteLevelFamily::roberta;
    *token = added_token(token->content, mask);
  }
}

ByteLevelBpeOptions read_options(const std::filesystem::path& path, ByteLevelFamily family) {
  const hf::Json json = hf::read_json_object(path);
  ByteLevelBpeOptions options = ByteLevelBpeOptions::defaults(family);
  hf::read_bool(json, "add_prefix_space", path, options.add_prefix_space);
  if (family == ByteLevelFamily::gpt2) hf::read_bool(json, "add_bos_token", path, options.add_bos_token);
  hf::read_max_length(json, path, Tokenizer::kNoMaxLength, options.model_max_length);
  options.read(json, path);
  wrap_strings(options);
  return options;
}

ByteLevelBpeTokenizer::Vocabulary read_vocabulary(const std::filesystem::path& path) {
  const hf::Json json = hf::read_json_object(path);
  ByteLevelBpeTokenizer::Vocabulary vocab;
  for (const auto& [token, id] : json.items()) {
    if (!id.is_number_integer() || (!id.is_number_unsigned() && id.get<std::int64_t>() < 0) ||
        id.get<std::uint64_t>() > static_cast<std::uint64_t>(std::numeric_limits<std::int32_t>::max())) {
      hf::file_error(path, "token " + printable(token) + " has the id " + id.dump() + ", expected an integer >= 0");
    }
    vocab.emplace(token, id.get<std::int64_t>());
  }
  if (vocab.empty()) hf::file_error(path, "the vocabulary is empty");
  return vocab;
}

/// merges.txt as GPT2Tokenizer reads it: text (universal newlines) split on "\n", without the
/// first line (#version) and the last (empty after the final newline).
ByteLevelBpeTokenizer::Merges read_merges(const std::filesystem::path& path) {
  const std::string bytes = read_whole_file(path);
  std::u32string text;
  if (const std::size_t bad = decode_utf8(bytes, text); bad != std::string_view::npos) {
    hf::file_error(path, "not valid UTF-8 (byte " + std::to_string(bad) + ")");
  }
  std::vector<std::u32string> lines(1);
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == U'\r' || text[i] == U'\n') {
      if (text[i] == U'\r' && i + 1 < text.size() && text[i + 1] == U'\n') ++i;
      lines.emplace_back();
    } else {
      lines.back() += text[i];
    }
  }
  ByteLevelBpeTokenizer::Merges merges;
  for (std::size_t line = 1; line + 1 < lines.size(); ++line) {
    std::vector<std::u32string> symbols;
    python_split(lines[line], symbols);
    if (symbols.size() != 2) {
      hf::file_error(path, "line " + std::to_string(line + 1) + ": expected two symbols separated by a space, found " +
                               printable(encode_utf8(lines[line])));
    }
    merges.emplace_back(encode_utf8(symbols[0]), encode_utf8(symbols[1]));
  }
  return merges;
}

/// bytes_to_unicode() as a table.
std::array<char32_t, 256> byte_symbols() {
  std::array<char32_t, 256> table{};
  char32_t next = 256;
  for (int b = 0; b < 256; ++b) {
    const bool printable_byte = (b >= '!' && b <= '~') || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
    table[static_cast<std::size_t>(b)] = printable_byte ? static_cast<char32_t>(b) : next++;
  }
  return table;
}

bool is_letter(char32_t cp) { return char_class(cp) == ud::kLetter; }
bool is_number(char32_t cp) { return char_class(cp) == ud::kNumber; }
/// The regex module's \s: Unicode's White_Space, i.e. str.isspace() without U+001C..U+001F.
bool is_space(char32_t cp) { return is_python_space(cp) && !(cp >= 0x1c && cp <= 0x1f); }
bool is_other(char32_t cp) { return !is_space(cp) && !is_letter(cp) && !is_number(cp); }

/// Length of ` ?X+` at `pos` (0: no match): an optional space, then a run of `in_class`.
template <class Predicate>
std::size_t optional_space_run(std::u32string_view text, std::size_t pos, Predicate in_class) {
  std::size_t end = pos;
  if (text[end] == U' ' && end + 1 < text.size() && in_class(text[end + 1])) ++end;
  if (!in_class(text[end])) return 0;
  while (end < text.size() && in_class(text[end])) ++end;
  return end - pos;
}

}  // namespace

// ---- construction -------------------------------------------------------------------------------

ByteLevelBpeOptions ByteLevelBpeOptions::defaults(ByteLevelFamily family) {
  ByteLevelBpeOptions options;
  options.family = family;
  if (family == ByteLevelFamily::gpt2) {
    options.bos_token.content = options.eos_token.content = options.unk_token.content = "<|endoftext|>";
  } else {
    options.bos_token.content = options.cls_token.content = "<s>";
    options.eos_token.content = options.sep_token.content = "</s>";
    options.unk_token.content = "<unk>";
    options.pad_token.content = "<pad>";
    options.mask_token.content = "<mask>";
  }
  wrap_strings(options);
  return options;
}

std::unique_ptr<ByteLevelBpeTokenizer> ByteLevelBpeTokenizer::load(const std::filesystem::path& model_dir,
                                                                   ByteLevelFamily family) {
  Vocabulary vocab = read_vocabulary(model_dir / "vocab.json");
  Merges merges = read_merges(model_dir / "merges.txt");
  ByteLevelBpeOptions options = read_options(model_dir / "tokenizer_config.json", family);
  // from_pretrained sets the special tokens of special_tokens_map.json after __init__
  if (const auto map_path = model_dir / "special_tokens_map.json"; std::filesystem::exists(map_path)) {
    options.read(hf::read_json_object(map_path), map_path);
  }
  if (const auto added_path = model_dir / "added_tokens.json"; std::filesystem::exists(added_path)) {
    if (!hf::read_json_object(added_path).empty()) hf::file_error(added_path, "added tokens are not supported");
  }
  try {
    return std::make_unique<ByteLevelBpeTokenizer>(std::move(vocab), std::move(merges), std::move(options));
  } catch (const InputError& error) {
    throw InputError(model_dir.string() + ": " + error.what());
  }
}

ByteLevelBpeTokenizer::ByteLevelBpeTokenizer(Vocabulary vocab, Merges merges, ByteLevelBpeOptions options)
    : vocab_(std::move(vocab)), options_(std::move(options)) {
  const char* family = family_name(options_.family);
  std::int64_t largest = -1;
  for (const auto& [token, id] : vocab_) largest = std::max(largest, id);
  id_to_token_.assign(static_cast<std::size_t>(largest + 1), std::string());
  for (const auto& [token, id] : vocab_) {
    std::string& slot = id_to_token_[static_cast<std::size_t>(id)];
    if (!slot.empty()) {
      throw InputError("vocab.json gives the id " + std::to_string(id) + " to both " + printable(slot) + " and " +
                       printable(token));
    }
    slot = token;
  }
  for (std::size_t rank = 0; rank < merges.size(); ++rank) {
    ranks_[merges[rank].first + " " + merges[rank].second] = static_cast<std::int64_t>(rank);
  }

  if (options_.unk_token.content.empty()) {
    throw InputError(std::string("unk_token is not set (null), but ") + family + " needs it");
  }
  specials_ = SpecialTokens(options_.extended());
  for (const std::string& content : specials_.contents()) {
    const auto it = vocab_.find(content);
    if (it == vocab_.end()) {
      throw InputError("special token " + printable(content) +
                       " is not in vocab.json (added tokens are not supported)");
    }
    if (content != options_.unk_token.content) neurox_special_ids_.push_back(it->second);
  }
  std::sort(neurox_special_ids_.begin(), neurox_special_ids_.end());
  unk_id_ = vocab_.at(options_.unk_token.content);

  const auto require = [&](const char* name, const hf::SpecialToken& token) {
    if (token.content.empty()) throw InputError(std::string(name) + " is not set (null), but " + family + " needs it");
    return vocab_.at(token.content);
  };
  if (options_.family == ByteLevelFamily::roberta) {
    prefix_.push_back(require("cls_token", options_.cls_token));
    suffix_.push_back(require("sep_token", options_.sep_token));
  } else if (options_.add_bos_token) {
    prefix_.push_back(require("bos_token", options_.bos_token));
  }
  if (!options_.pad_token.content.empty()) pad_id_ = vocab_.at(options_.pad_token.content);
  context_encoder_.emplace([this](std::string_view text) { return encode(text); }, prefix_, suffix_,
                           options_.model_max_length, [this](std::int64_t id) { return is_neurox_special(id); });
}

// ---- vocabulary ---------------------------------------------------------------------------------

std::int64_t ByteLevelBpeTokenizer::token_to_id(const std::string& token) const {
  const auto it = vocab_.find(token);
  return it == vocab_.end() ? unk_id_ : it->second;
}

std::string ByteLevelBpeTokenizer::id_to_token(std::int64_t id) const {
  if (id < 0 || id >= vocab_size() || id_to_token_[static_cast<std::size_t>(id)].empty()) {
    throw InputError("token id " + std::to_string(id) + " is not in the vocabulary (vocab.json, ids [0, " +
                     std::to_string(vocab_size()) + "))");
  }
  return id_to_token_[static_cast<std::size_t>(id)];
}

bool ByteLevelBpeTokenizer::is_neurox_special(std::int64_t id) const {
  return std::binary_search(neurox_special_ids_.begin(), neurox_special_ids_.end(), id);
}

// ---- tokenization -------------------------------------------------------------------------------

char32_t ByteLevelBpeTokenizer::byte_symbol(std::uint8_t b) {
  static const std::array<char32_t, 256> table = byte_symbols();
  return table[b];
}

std::vector<std::u32string_view> ByteLevelBpeTokenizer::pretokenize(std::u32string_view text) {
  static constexpr std::u32string_view kContractions[] = {U"s", U"t", U"re", U"ve", U"m", U"ll", U"d"};
  std::vector<std::u32string_view> parts;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t length = 0;
    if (text[pos] == U'\'') {  // 's|'t|'re|'ve|'m|'ll|'d
      for (const std::u32string_view tail : kContractions) {
        if (text.substr(pos + 1, tail.size()) == tail) {
          length = 1 + tail.size();
          break;
        }
      }
    }
    if (length == 0) length = optional_space_run(text, pos, is_letter);  //  ?\p{L}+
    if (length == 0) length = optional_space_run(text, pos, is_number);  //  ?\p{N}+
    if (length == 0) length = optional_space_run(text, pos, is_other);   //  ?[^\s\p{L}\p{N}]+
    if (length == 0) {
      // \s+(?!\S) backtracks to leave the last space before a non-space; else \s+
      std::size_t end = pos;
      while (end < text.size() && is_space(text[end])) ++end;
      length = end - pos;
      if (end < text.size() && length > 1) --length;
    }
    CONCEPTLENS_CHECK(length > 0);  // every code point is a letter, a number, a space or other
    parts.push_back(text.substr(pos, length));
    pos += length;
  }
  return parts;
}

void ByteLevelBpeTokenizer::bpe(std::u32string_view part, std::vector<std::string>& out) const {
  {
    const std::lock_guard lock(cache_mutex_);
    if (const auto it = cache_.find(std::u32string(part)); it != cache_.end()) {
      out.insert(out.end(), it->second.begin(), it->second.end());
      return;
    }
  }
  std::vector<std::string> word;
  for (const char byte : encode_utf8(part)) {
    std::string symbol;
    conceptlens::append_utf8(symbol, static_cast<std::uint32_t>(byte_symbol(static_cast<std::uint8_t>(byte))));
    word.push_back(std::move(symbol));
  }
  while (word.size() > 1) {
    // the pair with the lowest rank; then every occurrence of it, from left to right
    std::int64_t best = std::numeric_limits<std::int64_t>::max();
    std::size_t at = 0;
    for (std::size_t i = 0; i + 1 < word.size(); ++i) {
      const auto it = ranks_.find(word[i] + " " + word[i + 1]);
      if (it != ranks_.end() && it->second < best) {
        best = it->second;
        at = i;
      }
    }
    if (best == std::numeric_limits<std::int64_t>::max()) break;
    const std::string first = word[at];
    const std::string second = word[at + 1];
    std::vector<std::string> merged;
    merged.reserve(word.size());
    for (std::size_t i = 0; i < word.size(); ++i) {
      if (i + 1 < word.size() && word[i] == first && word[i + 1] == second) {
        merged.push_back(first + second);
        ++i;
      } else {
        merged.push_back(std::move(word[i]));
      }
    }
    word = std::move(merged);
  }
  out.insert(out.end(), word.begin(), word.end());
  const std::lock_guard lock(cache_mutex_);
  if (cache_.size() >= kMaxCachedParts) cache_.clear();
  cache_.emplace(std::u32string(part), std::move(word));
}

std::vector<std::string> ByteLevelBpeTokenizer::tokens(std::string_view text) const {
  std::u32string decoded = decode_text(text);
  const bool prefix_space = options_.family == ByteLevelFamily::gpt2
                                ? options_.add_prefix_space
                                : options_.add_prefix_space && !decoded.empty() && !is_python_space(decoded.front());
  if (prefix_space) decoded.insert(decoded.begin(), U' ');
  std::vector<std::string> out;
  for (const TextSegment& segment : specials_.split(decoded)) {
    if (segment.special != nullptr) {
      out.push_back(encode_utf8(segment.text));
      continue;
    }
    for (const std::u32string_view part : pretokenize(segment.text)) bpe(part, out);
  }
  return out;
}

std::vector<std::int64_t> ByteLevelBpeTokenizer::encode(std::string_view text) const {
  std::vector<std::int64_t> ids;
  for (const std::string& token : tokens(text)) ids.push_back(token_to_id(token));
  return ids;
}

SentenceEncoding ByteLevelBpeTokenizer::encode_sentence(std::string_view sentence) const {
  return context_encoder_->encode_sentence(sentence);
}

}  // namespace conceptlens::tokenize
