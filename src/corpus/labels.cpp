#include "corpus/labels.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <utility>

#include "corpus/lines.hpp"
#include "util/error.hpp"
#include "util/read_file.hpp"

namespace conceptlens::corpus {
namespace {

/// One sentence as a label file gives it: where it starts, one label string per word (a class
/// file: the class alone) and, in CoNLL formats, the words and their lines.
struct FileSentence {
  std::size_t line = 0;
  std::vector<std::string> labels;
  std::vector<std::string> forms;
  std::vector<std::size_t> form_lines;
};

/// Fields separated by runs of `separators`.
std::vector<std::string_view> fields_of(std::string_view line, std::string_view separators) {
  std::vector<std::string_view> fields;
  std::size_t start = 0;
  while (start < line.size()) {
    const std::size_t end = std::min(line.find_first_of(separators, start), line.size());
    if (end > start) fields.push_back(line.substr(start, end - start));
    start = end + 1;
  }
  return fields;
}

/// A label string: not empty, and no empty part between "|||" separators.
void check_label(const std::filesystem::path& path, std::size_t line, const std::string& name, std::string_view label) {
  const std::string what = where(path, line) + name;
  if (label.empty()) throw InputError(what + " is empty (two spaces in a row?)");
  for (const std::string_view part : split_label(label)) {
    if (part.empty()) {
      throw InputError(what + " '" + std::string(label) +
                       "' has an empty part: several labels of one word are joined as 'A|||B'");
    }
  }
}

std::vector<FileSentence> parse_label_lines(const std::filesystem::path& path, const std::string& bytes) {
  std::vector<FileSentence> sentences;
  for_each_line(bytes, [&](std::size_t number, std::string_view line) {
    if (line.empty()) throw InputError(where(path, number) + "empty line; a label file has one line per sentence");
    FileSentence sentence{number, {}, {}, {}};
    for (const std::string_view label : split_words(line)) {
      check_label(path, number, "label " + std::to_string(sentence.labels.size() + 1), label);
      sentence.labels.emplace_back(label);
    }
    sentences.push_back(std::move(sentence));
  });
  return sentences;
}

std::vector<FileSentence> parse_class_lines(const std::filesystem::path& path, const std::string& bytes) {
  std::vector<FileSentence> sentences;
  for_each_line(bytes, [&](std::size_t number, std::string_view line) {
    if (line.empty()) throw InputError(where(path, number) + "empty line; a class file has one class per line");
    if (line.find_first_of(" \t") != std::string_view::npos) {
      throw InputError(where(path, number) + "'" + std::string(line) +
                       "' holds blanks; a class file has one class per line");
    }
    check_label(path, number, "the class", line);
    sentences.push_back({number, {std::string(line)}, {}, {}});
  });
  return sentences;
}

/// CoNLL-U (`conllu`) and CoNLL-2000: one word per line, sentences separated by blank lines,
/// the label in field `label_field`. CoNLL-U: 10 tab-separated fields, the word in FORM;
/// comment lines, ID ranges "3-4" and empty nodes "5.1" skipped. CoNLL-2000: `word POS chunk`.
std::vector<FileSentence> parse_conll(const std::filesystem::path& path, const std::string& bytes, bool conllu,
                                      std::size_t label_field) {
  const std::size_t columns = conllu ? 10 : 3;
  const std::string_view separators = conllu ? "\t" : " \t";
  std::vector<FileSentence> sentences;
  FileSentence current;
  const auto finish = [&] {
    if (!current.forms.empty()) sentences.push_back(std::move(current));
    current = FileSentence{};
  };
  for_each_line(bytes, [&](std::size_t number, std::string_view line) {
    if (line.empty()) return finish();
    if (conllu && line.front() == '#') return;
    const std::vector<std::string_view> fields = fields_of(line, separators);
    if (fields.size() != columns) {
      throw InputError(where(path, number) + std::to_string(fields.size()) + " fields: a " +
                       (conllu ? "CoNLL-U word line has 10 tab-separated fields"
                               : "CoNLL-2000 line has 3: word POS chunk"));
    }
    if (conllu && fields[0].find_first_of("-.") != std::string_view::npos) return;  // range, empty node
    if (current.forms.empty()) current.line = number;
    check_label(path, number, "the label", fields[label_field]);
    current.forms.emplace_back(fields[conllu ? 1 : 0]);
    current.form_lines.push_back(number);
    current.labels.emplace_back(fields[label_field]);
  });
  finish();
  return sentences;
}

/// Field index of `column` in a CoNLL line; its default when `column` is empty.
std::size_t conll_field(LabelFormat format, std::string_view column) {
  if (format == LabelFormat::conllu) {
    if (column.empty() || column == "upos") return 3;
    if (column == "xpos") return 4;
    if (column == "deprel") return 7;
    throw InputError("unknown CoNLL-U column '" + std::string(column) + "': expected upos, xpos or deprel");
  }
  if (column.empty() || column == "pos") return 1;
  if (column == "chunk") return 2;
  throw InputError("unknown CoNLL-2000 column '" + std::string(column) + "': expected pos or chunk");
}

/// Checks the file's sentences against the corpus and spreads a class over its sentence's words.
WordLabels match_corpus(const std::filesystem::path& path, LabelFormat format, std::vector<FileSentence> sentences,
                        const Corpus& corpus) {
  const bool conll = format == LabelFormat::conllu || format == LabelFormat::conll2000;
  const std::string corpus_name = corpus.path.string();
  if (static_cast<std::int64_t>(sentences.size()) != corpus.sentences()) {
    throw InputError(path.string() + " has " + std::to_string(sentences.size()) + (conll ? " sentences, " : " lines, ") +
                     corpus_name + " has " + std::to_string(corpus.sentences()) +
                     ": a label file for another corpus?");
  }
  WordLabels out{path, {}};
  out.labels.reserve(sentences.size());
  for (std::size_t s = 0; s < sentences.size(); ++s) {
    FileSentence& sentence = sentences[s];
    const std::vector<std::string_view> words = split_words(corpus.lines[s]);
    const std::string corpus_line = corpus_name + ":" + std::to_string(s + 1);
    if (format == LabelFormat::classes) {
      out.labels.emplace_back(words.size(), sentence.labels.front());
      continue;
    }
    if (sentence.labels.size() != words.size()) {
      throw InputError(where(path, sentence.line) +
                       (conll ? "sentence " + std::to_string(s + 1) + " has " + std::to_string(sentence.labels.size()) +
                                    " words"
                              : std::to_string(sentence.labels.size()) + " labels") +
                       ", but " + corpus_line + " has " + std::to_string(words.size()) + " words");
    }
    for (std::size_t w = 0; w < sentence.forms.size(); ++w) {
      if (sentence.forms[w] != words[w]) {
        throw InputError(where(path, sentence.form_lines[w]) + "word " + std::to_string(w + 1) + " of sentence " +
                         std::to_string(s + 1) + " is '" + sentence.forms[w] + "', but " + corpus_line + " has '" +
                         std::string(words[w]) + "'");
      }
    }
    out.labels.push_back(std::move(sentence.labels));
  }
  return out;
}

}  // namespace

std::vector<std::string_view> split_label(std::string_view label) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = label.find("|||", start);
    parts.push_back(label.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 3;
  }
}

LabelFormat label_format_of(const std::filesystem::path& path) {
  const std::string extension = path.extension().string();
  if (extension == ".label") return LabelFormat::label;
  if (extension == ".classes") return LabelFormat::classes;
  if (extension == ".conllu") return LabelFormat::conllu;
  throw InputError(path.string() + ": cannot tell the label format from the name: expected .label, .classes or "
                                   ".conllu (name the format for CoNLL-2000 files)");
}

LabelFormat parse_label_format(std::string_view name) {
  if (name == "label") return LabelFormat::label;
  if (name == "classes") return LabelFormat::classes;
  if (name == "conllu") return LabelFormat::conllu;
  if (name == "conll2000") return LabelFormat::conll2000;
  throw InputError("unknown label format '" + std::string(name) + "': expected label, classes, conllu or conll2000");
}

WordLabels read_labels(const std::filesystem::path& path, LabelFormat format, const Corpus& corpus,
                       std::string_view column) {
  const bool conll = format == LabelFormat::conllu || format == LabelFormat::conll2000;
  if (!conll && !column.empty()) {
    throw InputError(path.string() + ": a column ('" + std::string(column) +
                     "') is only chosen in CoNLL-U and CoNLL-2000 files");
  }
  const std::size_t field = conll ? conll_field(format, column) : 0;
  const std::string bytes = read_whole_file(path);
  std::vector<FileSentence> sentences;
  switch (format) {
    case LabelFormat::label: sentences = parse_label_lines(path, bytes); break;
    case LabelFormat::classes: sentences = parse_class_lines(path, bytes); break;
    case LabelFormat::conllu: sentences = parse_conll(path, bytes, true, field); break;
    case LabelFormat::conll2000: sentences = parse_conll(path, bytes, false, field); break;
  }
  return match_corpus(path, format, std::move(sentences), corpus);
}

WordLabels labels_from_classes(const std::filesystem::path& source, const std::vector<std::string>& classes,
                               const Corpus& corpus) {
  std::vector<FileSentence> sentences;
  sentences.reserve(classes.size());
  for (std::size_t s = 0; s < classes.size(); ++s) sentences.push_back({s + 1, {classes[s]}, {}, {}});
  return match_corpus(source, LabelFormat::classes, std::move(sentences), corpus);
}

}  // namespace conceptlens::corpus
