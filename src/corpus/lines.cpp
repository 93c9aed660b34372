#include "corpus/lines.hpp"

#include "tokenize/unicode.hpp"
#include "util/utf8.hpp"

namespace conceptlens::corpus {
namespace {

/// Whether the bytes [at, end) of `text` are one UTF-8 encoded whitespace character.
bool is_space_at(std::string_view text, std::size_t at, std::size_t end) {
  std::u32string decoded;
  return decode_utf8(text.substr(at, end - at), decoded) == std::string_view::npos && decoded.size() == 1 &&
         tokenize::is_python_space(decoded[0]);
}

/// The length in bytes of the UTF-8 sequence that `lead` starts (1 for a byte that starts none).
std::size_t sequence_length(unsigned char lead) {
  if ((lead & 0xe0) == 0xc0) return 2;
  if ((lead & 0xf0) == 0xe0) return 3;
  if ((lead & 0xf8) == 0xf0) return 4;
  return 1;
}

}  // namespace

std::string_view python_strip(std::string_view text) {
  std::size_t first = 0;
  while (first < text.size()) {
    const std::size_t length = sequence_length(static_cast<unsigned char>(text[first]));
    if (first + length > text.size() || !is_space_at(text, first, first + length)) break;
    first += length;
  }
  std::size_t end = text.size();
  while (end > first) {
    std::size_t start = end - 1;  // back over at most 3 continuation bytes to the lead byte
    while (start > first && end - start < 4 && (static_cast<unsigned char>(text[start]) & 0xc0) == 0x80) --start;
    if (!is_space_at(text, start, end)) break;
    end = start;
  }
  return text.substr(first, end - first);
}

}  // namespace conceptlens::corpus
