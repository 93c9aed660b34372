// Fuzz target: corpus files and label files (corpus/corpus_file.hpp, corpus/labels.hpp), as
// `conceptlens extract`, `align` and `sweep` read them. The input is three parts separated by
// lines "%%": the label format and column ("label", "classes", "conllu upos", "conll2000 chunk",
// ...; the command line's choice, not fuzzed beyond the valid ones), the corpus, the label file.
#include <algorithm>

#include "corpus/corpus_file.hpp"
#include "corpus/labels.hpp"
#include "corpus/lines.hpp"
#include "fuzz_support.hpp"

using namespace conceptlens;

namespace {

/// The label format and CoNLL column the first part names: "label" when it names no format, no
/// column unless it names one of the format's.
struct Choice {
  corpus::LabelFormat format = corpus::LabelFormat::label;
  std::string column;
};

Choice choice(std::string_view text) {
  const std::vector<std::string_view> words = corpus::split_words(corpus::python_strip(text));
  Choice chosen;
  try {
    chosen.format = corpus::parse_label_format(words[0]);
  } catch (const InputError&) {
    return chosen;
  }
  const std::vector<std::string_view> columns =
      chosen.format == corpus::LabelFormat::conllu      ? std::vector<std::string_view>{"upos", "xpos", "deprel"}
      : chosen.format == corpus::LabelFormat::conll2000 ? std::vector<std::string_view>{"pos", "chunk"}
                                                        : std::vector<std::string_view>{};
  if (words.size() > 1 && std::find(columns.begin(), columns.end(), words[1]) != columns.end()) {
    chosen.column = words[1];
  }
  return chosen;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  const std::vector<std::string_view> parts = fuzz::split_parts(fuzz::text_of(data, size), 3);
  const std::filesystem::path corpus_path = fuzz::write_file("corpus.in", parts[1]);
  const std::filesystem::path labels_path = fuzz::write_file("labels.txt", parts[2]);
  const Choice chosen = choice(parts[0]);
  corpus::Corpus corpus;
  if (!fuzz::accepted([&] { corpus = corpus::read_corpus(corpus_path); })) return 0;
  std::int64_t words = 0;
  for (const std::string& line : corpus.lines) words += static_cast<std::int64_t>(corpus::split_words(line).size());
  if (words != corpus.words || corpus.lines.empty()) fuzz::fail("a corpus whose word count does not match its lines");

  fuzz::accepted([&] {
    const corpus::WordLabels labels = corpus::read_labels(labels_path, chosen.format, corpus, chosen.column);
    if (labels.labels.size() != corpus.lines.size()) fuzz::fail("labels for another number of sentences");
    for (std::size_t s = 0; s < labels.labels.size(); ++s) {
      if (labels.labels[s].size() != corpus::split_words(corpus.lines[s]).size()) {
        fuzz::fail("labels for another number of words");
      }
      for (const std::string& label : labels.labels[s]) {
        for (const std::string_view part : corpus::split_label(label)) {
          if (part.empty()) fuzz::fail("an empty label");
        }
      }
    }
  });
  return 0;
}
