#pragma once
// Strict UTF-8 <-> UTF-32 conversion: NumPy's '<U' strings, corpus text, tokenizer input.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace conceptlens {

/// Appends the UTF-8 encoding of `cp` to `out`; false (nothing appended) if `cp` is a surrogate
/// or beyond U+10FFFF.
inline bool append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    if (cp >= 0xd800 && cp <= 0xdfff) return false;
    out += static_cast<char>(0xe0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp <= 0x10ffff) {
    out += static_cast<char>(0xf0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    return false;
  }
  return true;
}

/// Decodes strict UTF-8 (no overlong forms, surrogates or code points beyond U+10FFFF) into
/// `out` (cleared first); returns the byte offset where `text` stops being valid, or npos.
inline std::size_t decode_utf8(std::string_view text, std::u32string& out) {
  out.clear();
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    std::size_t extra = 0;
    char32_t cp = 0;
    char32_t minimum = 0;
    if (lead < 0x80) {
      cp = lead;
    } else if ((lead & 0xe0) == 0xc0) {
      extra = 1, cp = lead & 0x1fu, minimum = 0x80;
    } else if ((lead & 0xf0) == 0xe0) {
      extra = 2, cp = lead & 0x0fu, minimum = 0x800;
    } else if ((lead & 0xf8) == 0xf0) {
      extra = 3, cp = lead & 0x07u, minimum = 0x10000;
    } else {
      return i;
    }
    if (text.size() - i - 1 < extra) return i;
    for (std::size_t k = 1; k <= extra; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xc0) != 0x80) return i;
      cp = (cp << 6) | (next & 0x3fu);
    }
    if (cp < minimum || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    out += cp;
    i += extra + 1;
  }
  return std::string_view::npos;
}

/// The same, nullopt if `text` is not valid UTF-8.
inline std::optional<std::u32string> decode_utf8(std::string_view text) {
  std::u32string out;
  if (decode_utf8(text, out) != std::string_view::npos) return std::nullopt;
  return out;
}

}  // namespace conceptlens
