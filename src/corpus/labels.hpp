#pragma once
// Per-word labels of a corpus (POS, chunks, semantic tags, a sentence's class, ...), read from
// one of four formats and checked against the corpus they annotate. A word's label string may
// hold several labels joined by "|||", as ConceptX allows.
//
// Every error names both files: the label file and its line, and the corpus and its line, with
// both counts or both words, e.g.
//   "L.label:12: 7 labels, but C.in:12 has 8 words"
//   "L.label has 2001 lines, C.in has 2002: a label file for another corpus?"
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "corpus/corpus_file.hpp"

namespace conceptlens::corpus {

enum class LabelFormat {
  label,      ///< `.label`: one line per sentence, one label per word, separated by single spaces
  classes,    ///< `.classes`: one class per line; every word of the sentence takes its class
  conllu,     ///< CoNLL-U: column upos (default), xpos or deprel; ranges and empty nodes skipped
  conll2000,  ///< CoNLL-2000: `word POS chunk` per line; column pos (default) or chunk
};

/// The labels of every word of a corpus: labels[s][w] is the label string of word w of
/// sentence s ("A|||B" for several labels).
struct WordLabels {
  std::filesystem::path path;
  std::vector<std::vector<std::string>> labels;
};

/// The labels of a label string, ConceptX's `label.split("|||")`: "A|||B" -> A, B.
std::vector<std::string_view> split_label(std::string_view label);

/// The format a file name says: `.label`, `.classes`, `.conllu`. InputError otherwise (CoNLL-2000
/// files have no telling name: they are asked for by name, see parse_label_format).
LabelFormat label_format_of(const std::filesystem::path& path);

/// "label", "classes", "conllu" or "conll2000"; InputError naming the choices otherwise.
LabelFormat parse_label_format(std::string_view name);

/// Reads the labels of `corpus` from `path`. `column` picks the annotation of the CoNLL formats
/// (empty: the default) and must be empty for the others. InputError, naming both files, for a
/// different number of sentences, a sentence with a different number of words, a CoNLL word that
/// differs from the corpus's, an empty label (or an empty part of "A|||B"), a malformed line.
WordLabels read_labels(const std::filesystem::path& path, LabelFormat format, const Corpus& corpus,
                       std::string_view column = {});

/// Every word takes its sentence's class, given per sentence (e.g. the classes a model predicted,
/// read from `source`); the same checks as a class file.
WordLabels labels_from_classes(const std::filesystem::path& source, const std::vector<std::string>& classes,
                               const Corpus& corpus);

}  // namespace conceptlens::corpus
