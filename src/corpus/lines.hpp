#pragma once
// How corpus and label files are read: line by line, stripped of blanks at the ends (as NeuroX's
// and ConceptX's readers strip them), and every message about a line starting "<file>:<line>: ".
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

namespace conceptlens::corpus {

/// "<file>:<line>: ", the start of every message about a line (1-based).
inline std::string where(const std::filesystem::path& path, std::size_t line) {
  return path.string() + ":" + std::to_string(line) + ": ";
}

/// `text` without the characters of `blanks` at its ends.
inline std::string_view strip(std::string_view text, std::string_view blanks) {
  const std::size_t first = text.find_first_not_of(blanks);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(blanks) - first + 1);
}

/// Calls `each(line_number, line)` for every line of `bytes` (1-based numbers; a last line
/// without '\n' counts), each stripped of `blanks` at its ends.
template <typename Each>
void for_each_line(std::string_view bytes, std::string_view blanks, Each&& each) {
  std::size_t start = 0;
  std::size_t number = 0;
  while (start < bytes.size()) {
    std::size_t end = bytes.find('\n', start);
    if (end == std::string_view::npos) end = bytes.size();
    each(++number, strip(bytes.substr(start, end - start), blanks));
    start = end + 1;
  }
}

}  // namespace conceptlens::corpus
