#pragma once
// A corpus file (FILE.in): one sentence per line, words separated by single spaces — the
// NeuroX/ConceptX format. Read as NeuroX's corpus reader does (each line stripped by Python's
// `line.strip()`: every Unicode whitespace character at its ends, corpus/lines.hpp), and checked, because a malformed corpus otherwise
// gives silently wrong rows downstream. Every error names the file, the line (1-based) and
// what was found.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace conceptlens::corpus {

struct CorpusRules {
  /// Longest word accepted, in code points: longer "words" are almost always lost spaces or
  /// binary junk (BERT would turn them into one [UNK]).
  std::size_t max_word_chars = 200;
};

struct Corpus {
  std::filesystem::path path;
  std::vector<std::string> lines;  ///< stripped, in file order
  std::int64_t words = 0;          ///< words of all lines

  std::int64_t sentences() const { return static_cast<std::int64_t>(lines.size()); }
};

/// The words of a line as NeuroX and ConceptX split it, Python's `line.split(" ")`: every
/// single space separates, empty words included ("" is one empty word).
std::vector<std::string_view> split_words(std::string_view line);

/// len(line.split()): the words of Python's split on any whitespace (ConceptX's
/// sentence_length.py and NeuroX's loader count them so). The same as split_words() for a line
/// without Unicode whitespace other than single spaces between words.
std::int64_t python_word_count(std::string_view line);

/// Reads and checks `path`: InputError naming the file and line for an unreadable or empty
/// file, a line that is not UTF-8, an empty line, a tab or other control character, two
/// spaces in a row, or a word longer than rules.max_word_chars.
Corpus read_corpus(const std::filesystem::path& path, const CorpusRules& rules = {});

/// A hex SHA-256-free checksum of the lines as read: FNV-1a 64 over every line and its '\n'.
std::string corpus_checksum(const std::vector<std::string>& lines);

}  // namespace conceptlens::corpus
