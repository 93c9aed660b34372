#pragma once
// How corpus and label files are read: line by line, each stripped as NeuroX's and ConceptX's
// readers strip it (Python's `line.strip()`: every Unicode whitespace character at its ends),
// and every message about a line starting "<file>:<line>: ".
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

namespace conceptlens::corpus {

/// "<file>:<line>: ", the start of every message about a line (1-based).
inline std::string where(const std::filesystem::path& path, std::size_t line) {
  return path.string() + ":" + std::to_string(line) + ": ";
}

/// Python's `text.strip()` of UTF-8 text: without the characters for which str.isspace() is true
/// at its ends (ASCII blanks, U+001C-U+001F, U+0085, U+00A0, U+1680, U+2000-U+200A, U+2028,
/// U+2029, U+202F, U+205F, U+3000). Invalid UTF-8 is not whitespace: it stays, for the
/// readers' checks to report.
std::string_view python_strip(std::string_view text);

/// Calls `each(line_number, line)` for every line of `bytes` (1-based numbers; a last line
/// without '\n' counts), each stripped by python_strip.
template <typename Each>
void for_each_line(std::string_view bytes, Each&& each) {
  std::size_t start = 0;
  std::size_t number = 0;
  while (start < bytes.size()) {
    std::size_t end = bytes.find('\n', start);
    if (end == std::string_view::npos) end = bytes.size();
    each(++number, python_strip(bytes.substr(start, end - start)));
    start = end + 1;
  }
}

}  // namespace conceptlens::corpus
