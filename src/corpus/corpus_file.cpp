#include "corpus/corpus_file.hpp"

#include <cstdio>

#include "corpus/lines.hpp"
#include "tokenize/unicode.hpp"
#include "util/error.hpp"
#include "util/hash.hpp"
#include "util/read_file.hpp"
#include "util/utf8.hpp"

namespace conceptlens::corpus {
namespace {

std::string encode(std::u32string_view text) {
  std::string out;
  for (const char32_t c : text) append_utf8(out, c);
  return out;
}

/// Checks one stripped line; returns its number of words. With rules.pairs, `premise_words`
/// gets the words before the line's one tab.
std::int64_t check_line(const std::filesystem::path& path, std::size_t line_number, std::string_view line,
                        const CorpusRules& rules, std::int32_t& premise_words) {
  std::u32string text;
  const std::size_t bad = decode_utf8(line, text);
  if (bad != std::string_view::npos) {
    throw InputError(where(path, line_number) + "not valid UTF-8 at byte " + std::to_string(bad + 1) +
                     " of the line; a corpus is UTF-8 text");
  }
  if (text.empty()) {
    throw InputError(where(path, line_number) +
                     "empty line; a corpus has one sentence per line (at least one word each)");
  }
  std::int64_t words = 1;
  std::size_t word_start = 0;
  std::size_t tab = std::u32string::npos;  // a pair's tab
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (rules.pairs && i < text.size() && text[i] == U'\t') {
      if (tab != std::u32string::npos) {
        throw InputError(where(path, line_number) + "a second tab at column " + std::to_string(i + 1) +
                         " (the first at column " + std::to_string(tab + 1) +
                         "); a pair is a premise and a hypothesis separated by one tab");
      }
      tab = i;
      premise_words = static_cast<std::int32_t>(words);
    }
    if (i == text.size() || text[i] == U' ' || i == tab) {
      if (i == word_start) {
        throw InputError(where(path, line_number) +
                         (i == tab || (word_start > 0 && word_start - 1 == tab)
                              ? "a space next to the tab at column " + std::to_string(tab + 1) +
                                    "; a pair's premise and hypothesis are separated by one tab alone"
                              : "two spaces in a row at column " + std::to_string(i + 1) +
                                    "; words are separated by single spaces"));
      }
      if (i - word_start > rules.max_word_chars) {
        throw InputError(where(path, line_number) + "word " + std::to_string(words) + " has " +
                         std::to_string(i - word_start) + " characters, more than the " +
                         std::to_string(rules.max_word_chars) +
                         " a word may have (missing spaces?); it starts with \"" +
                         encode(text.substr(word_start, 20)) + "\"");
      }
      if (i < text.size()) ++words;
      word_start = i + 1;
    } else if (text[i] == U'\t') {
      throw InputError(where(path, line_number) + "a tab at column " + std::to_string(i + 1) +
                       "; words are separated by single spaces (a premise and a hypothesis separated by a tab? "
                       "read the corpus as pairs: --pairs, or pairs = true in a job file)");
    } else if (text[i] < 0x20 || text[i] == 0x7f) {
      char code[16];
      std::snprintf(code, sizeof code, "U+%04X", static_cast<unsigned>(text[i]));
      throw InputError(where(path, line_number) + "control character " + code + " at column " +
                       std::to_string(i + 1));
    }
  }
  if (rules.pairs && tab == std::u32string::npos) {
    throw InputError(where(path, line_number) +
                     "no tab: a line of a pair corpus is a premise and a hypothesis separated by one tab");
  }
  return words;
}

}  // namespace

std::pair<std::string_view, std::string_view> Corpus::pair(std::int64_t s) const {
  const std::string_view line = lines[static_cast<std::size_t>(s)];
  const std::int32_t premise = premise_words[static_cast<std::size_t>(s)];
  std::size_t end = 0;  // the space after the premise's last word (a hypothesis has a word)
  for (std::int32_t w = 0; w < premise; ++w) end = line.find(' ', w == 0 ? 0 : end + 1);
  return {line.substr(0, end), line.substr(end + 1)};
}

std::vector<std::string_view> split_words(std::string_view line) {
  std::vector<std::string_view> words;
  std::size_t start = 0;
  while (true) {
    const std::size_t space = line.find(' ', start);
    if (space == std::string_view::npos) {
      words.push_back(line.substr(start));
      return words;
    }
    words.push_back(line.substr(start, space - start));
    start = space + 1;
  }
}

std::int64_t python_word_count(std::string_view line) {
  std::u32string text;
  decode_utf8(line, text);  // up to the first invalid byte: corpora are checked UTF-8
  std::int64_t words = 0;
  bool in_word = false;
  for (const char32_t c : text) {
    const bool space = tokenize::is_python_space(c);
    words += !space && !in_word ? 1 : 0;
    in_word = !space;
  }
  return words;
}

Corpus read_corpus(const std::filesystem::path& path, const CorpusRules& rules) {
  const std::string bytes = read_whole_file(path);
  Corpus corpus;
  corpus.path = path;
  // NeuroX strips each line (str.strip()); a tab inside it is reported (words are separated by spaces)
  for_each_line(bytes, [&](std::size_t line_number, std::string_view line) {
    std::int32_t premise_words = 0;
    corpus.words += check_line(path, line_number, line, rules, premise_words);
    std::string& kept = corpus.lines.emplace_back(line);
    if (rules.pairs) {
      kept[kept.find('\t')] = ' ';
      corpus.premise_words.push_back(premise_words);
    }
  });
  if (corpus.lines.empty()) throw InputError(path.string() + ": empty corpus; expected one sentence per line");
  return corpus;
}

std::string corpus_checksum(const std::vector<std::string>& lines) {
  std::uint64_t hash = kFnv1aOffset;
  for (const std::string& line : lines) {
    hash = fnv1a(line.data(), line.size(), hash);
    hash = fnv1a("\n", 1, hash);
  }
  return to_hex(hash);
}

}  // namespace conceptlens::corpus
