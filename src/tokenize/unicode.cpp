#include "tokenize/unicode.hpp"

#include <algorithm>
#include <utility>

#include "util/error.hpp"
#include "util/utf8.hpp"

namespace conceptlens::tokenize {
namespace {

namespace ud = unicode_data;

/// The entry of `cp` in a table of expansions sorted by code point, or nullptr.
const ud::Expansion* find_expansion(const ud::Expansion* begin, std::size_t count, char32_t cp) {
  const ud::Expansion* end = begin + count;
  const auto* entry = std::lower_bound(begin, end, cp,
                                       [](const ud::Expansion& e, char32_t value) { return e.code_point < value; });
  return entry != end && entry->code_point == cp ? entry : nullptr;
}

/// The kind of `cp` for the Final_Sigma rule.
ud::CaseKind case_kind(char32_t cp) {
  const ud::CaseRun* begin = ud::kCaseRuns;
  const ud::CaseRun* end = begin + ud::kCaseRunCount;
  const auto* run = std::upper_bound(begin, end, cp, [](char32_t value, const ud::CaseRun& r) {
    return value < r.first;
  });
  return run == begin ? ud::kUncased : (run - 1)->kind;
}

constexpr char32_t kHangulSBase = 0xAC00, kHangulLBase = 0x1100, kHangulVBase = 0x1161,
                   kHangulTBase = 0x11A7;
constexpr char32_t kHangulLCount = 19, kHangulVCount = 21, kHangulTCount = 28;
constexpr char32_t kHangulNCount = kHangulVCount * kHangulTCount;
constexpr char32_t kHangulSCount = kHangulLCount * kHangulNCount;

/// Full canonical (or, with `compat`, compatibility) decomposition with canonical ordering.
std::u32string decompose(std::u32string_view text, bool compat) {
  std::u32string out;
  out.reserve(text.size() + 8);
  for (const char32_t cp : text) {
    if (cp < 0xA0 || (cp < 0xC0 && !compat)) {  // no decomposition below U+00A0 / U+00C0
      out += cp;
      continue;
    }
    if (compat) {
      if (const auto* entry = find_expansion(ud::kCompatDecompositions, ud::kCompatDecompositionCount, cp)) {
        out.append(ud::kCompatDecompositionPool + entry->offset, entry->length);
        continue;
      }
    }
    if (cp >= kHangulSBase && cp < kHangulSBase + kHangulSCount) {
      const char32_t s = cp - kHangulSBase;
      out += kHangulLBase + s / kHangulNCount;
      out += kHangulVBase + (s % kHangulNCount) / kHangulTCount;
      if (s % kHangulTCount != 0) out += kHangulTBase + s % kHangulTCount;
    } else if (const auto* entry = find_expansion(ud::kDecompositions, ud::kDecompositionCount, cp)) {
      out.append(ud::kDecompositionPool + entry->offset, entry->length);
    } else {
      out += cp;
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

}  // namespace

// ---- UTF-8 ------------------------------------------------------------------------------------

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

// ---- properties of one code point ---------------------------------------------------------------

ud::CharClass char_class(char32_t cp) {
  const ud::CategoryRun* begin = ud::kCategoryRuns;
  const ud::CategoryRun* end = begin + ud::kCategoryRunCount;
  const auto* run = std::upper_bound(begin, end, cp, [](char32_t value, const ud::CategoryRun& r) {
    return value < r.first;
  });
  return run == begin ? ud::kOther : (run - 1)->char_class;
}

bool is_python_space(char32_t cp) {
  if (cp < 0x80) return cp == ' ' || (cp >= 0x09 && cp <= 0x0d) || (cp >= 0x1c && cp <= 0x1f);
  return std::binary_search(ud::kPythonSpaces, ud::kPythonSpaces + ud::kPythonSpaceCount, cp);
}

bool is_python_digit(char32_t cp) {
  if (cp < 0x80) return cp >= '0' && cp <= '9';
  const ud::CodePointRange* begin = ud::kDigitRanges;
  const ud::CodePointRange* end = begin + ud::kDigitRangeCount;
  const auto* range = std::upper_bound(begin, end, cp, [](char32_t value, const ud::CodePointRange& r) {
    return value < r.first;
  });
  return range != begin && cp <= (range - 1)->last;
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

void append_lower(char32_t cp, std::u32string& out) {
  if (cp < 0x80) {
    out += (cp >= 'A' && cp <= 'Z') ? cp + 32 : cp;
    return;
  }
  if (const auto* multi = find_expansion(ud::kLowerMulti, ud::kLowerMultiCount, cp)) {
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

// ---- strings ----------------------------------------------------------------------------------

std::u32string python_lower(std::u32string_view text) {
  constexpr char32_t kCapitalSigma = 0x3A3, kSmallSigma = 0x3C3, kFinalSigma = 0x3C2;
  std::u32string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != kCapitalSigma) {
      append_lower(text[i], out);
      continue;
    }
    // Final_Sigma: cased, case-ignorable*, sigma, and not (case-ignorable*, cased)
    std::size_t j = i;
    while (j > 0 && case_kind(text[j - 1]) == ud::kCaseIgnorable) --j;
    bool final_sigma = j > 0 && case_kind(text[j - 1]) == ud::kCased;
    if (final_sigma) {
      std::size_t k = i + 1;
      while (k < text.size() && case_kind(text[k]) == ud::kCaseIgnorable) ++k;
      final_sigma = k == text.size() || case_kind(text[k]) != ud::kCased;
    }
    out += final_sigma ? kFinalSigma : kSmallSigma;
  }
  return out;
}

std::u32string nfd(std::u32string_view text) { return decompose(text, false); }

std::u32string nfkd(std::u32string_view text) { return decompose(text, true); }

/// Text below U+0300 is already NFC: every code point there is its own NFC and none is the
/// second half of a composition (make_unicode_tables.py checks).
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

std::u32string_view python_lstrip(std::u32string_view text) {
  std::size_t i = 0;
  while (i < text.size() && is_python_space(text[i])) ++i;
  return text.substr(i);
}

std::u32string_view python_rstrip(std::u32string_view text) {
  std::size_t n = text.size();
  while (n > 0 && is_python_space(text[n - 1])) --n;
  return text.substr(0, n);
}

}  // namespace conceptlens::tokenize
