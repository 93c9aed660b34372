#pragma once
// `conceptlens align` (latent concepts vs a human-defined label set) and `conceptlens compare`
// (fine-tuned vs base concepts): the options and the serial steps — read and check the inputs
// (every rank does, so every rank reaches the same verdict). mpi/app/align_run.cpp counts each
// rank's points and sums the counts on the root, which aligns and writes the outputs.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "align/cluster_counts.hpp"
#include "align/label_alignment.hpp"
#include "align/label_index.hpp"
#include "corpus/labels.hpp"
#include "store/clusters_file.hpp"

namespace CLI {
class App;
}

namespace conceptlens::app {

struct AlignCommandOptions {
  std::filesystem::path clusters;  ///< CLUSTERS.h5
  std::int64_t k = 0;              ///< which flat clustering (/labels/k<K>)
  std::filesystem::path corpus;    ///< the corpus the clustered words come from
  bool pairs = false;              ///< the corpus holds premise TAB hypothesis lines (their words: both)
  std::filesystem::path labels;    ///< per-word labels (or ACT.h5 with --label-format predictions)
  std::string label_format;        ///< "" = from the file name; label|classes|conllu|conll2000|predictions
  std::string column;              ///< CoNLL column (upos, xpos, deprel; pos, chunk)
  std::string name;                ///< the label set's name; "" = the label file's name
  double threshold = 0.9;
  double max_unk = 0.4;
  std::string level = "token";     ///< token | type
  /// ConceptX's per-set settings (align/label_set_rules.hpp); unset: ConceptX's for the name
  std::optional<std::string> preprocess;  ///< none | other_unk | casing
  std::optional<bool> ignore_unks;
  std::optional<bool> na_unk;
  std::filesystem::path out;       ///< A.json (A.csv beside it)
};

struct CompareCommandOptions {
  std::filesystem::path clusters;   ///< fine-tuned model's CLUSTERS.h5
  std::filesystem::path reference;  ///< base model's CLUSTERS.h5
  std::int64_t k = 0;
  double threshold = 0.9;
  std::filesystem::path out;        ///< C.json (C.csv beside it)
};

void setup_align_command(CLI::App& command, AlignCommandOptions& options);
void setup_compare_command(CLI::App& command, CompareCommandOptions& options);

/// The labels of `corpus` in `labels`: `label_format` "" (from the file name), label, classes,
/// conllu, conll2000, or predictions (the classes `extract --predictions` stored in an ACT.h5);
/// `column` picks a CoNLL annotation. InputError naming the files (see corpus/labels.hpp).
corpus::WordLabels read_word_labels(const std::filesystem::path& labels, const std::string& label_format,
                                    const std::string& column, const corpus::Corpus& corpus);

/// What every rank of `align` reads: the clustering at K, the labelled corpus, the options.
struct AlignInputs {
  store::ClusterAssignment clustering;
  align::LabelIndex index;
  align::AlignOptions options;
};

/// Reads and checks the inputs of `align`. InputError naming the files (unknown K, labels of
/// another corpus, points outside the corpus, ...).
AlignInputs load_align_inputs(const AlignCommandOptions& options);

/// Reads both clusterings at K and checks they hold the same points (InputError naming both).
std::pair<store::ClusterAssignment, store::ClusterAssignment> load_compare_inputs(
    const CompareCommandOptions& options);

}  // namespace conceptlens::app
