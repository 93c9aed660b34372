#include "app/align_command.hpp"

#include <CLI/CLI.hpp>

#include "align/concept_comparison.hpp"
#include "corpus/corpus_file.hpp"
#include "corpus/labels.hpp"
#include "store/activations_file.hpp"
#include "util/error.hpp"

namespace conceptlens::app {

void setup_align_command(CLI::App& command, AlignCommandOptions& options) {
  command.description(
      "How the latent concepts of a clustering line up with a human-defined label set (POS, chunks,\n"
      "SEM, CCG, task classes), by ConceptX's rules (token level) or Hawasly et al. 2024 (type level)");
  command.add_option("--clusters", options.clusters, "CLUSTERS.h5 of conceptlens cluster")
      ->required()
      ->check(CLI::ExistingFile);
  command.add_option("--k", options.k, "the number of clusters (a /labels/k<K> of the file)")
      ->required()
      ->check(CLI::PositiveNumber);
  command.add_option("--corpus", options.corpus, "the corpus the clustered words come from (FILE.in)")
      ->required()
      ->check(CLI::ExistingFile);
  command.add_option("--labels", options.labels,
                     "per-word labels: FILE.label, FILE.classes, FILE.conllu, a CoNLL-2000 file, or ACT.h5 "
                     "(predicted classes, with --label-format predictions)")
      ->required()
      ->check(CLI::ExistingFile);
  command.add_option("--label-format", options.label_format,
                     "label | classes | conllu | conll2000 | predictions (default: from the file name)")
      ->check(CLI::IsMember({"label", "classes", "conllu", "conll2000", "predictions"}));
  command.add_option("--column", options.column, "CoNLL-U: upos (default), xpos, deprel; CoNLL-2000: pos, chunk");
  command.add_option("--name", options.name, "the label set's name in the outputs (default: the label file's name)");
  command.add_option("--threshold", options.threshold, "aligned when the majority label's share is > this")
      ->check(CLI::Range(0.0, 1.0));
  command.add_option("--max-unk", options.max_unk, "skip clusters with a larger share of *_UNK labels")
      ->check(CLI::Range(0.0, 1.0));
  command.add_option("--level", options.level, "token (ConceptX) or type (Hawasly et al. 2024)")
      ->check(CLI::IsMember({"token", "type"}));
  command.add_option("--out", options.out, "A.json (A.csv is written beside it)")->required();
}

void setup_compare_command(CLI::App& command, CompareCommandOptions& options) {
  command.description(
      "Fine-tuned vs base concepts: for each concept of one clustering, the concept of the other that\n"
      "shares most of its points (both directions), over the same points (same corpus and selection)");
  command.add_option("--clusters", options.clusters, "the fine-tuned model's CLUSTERS.h5")
      ->required()
      ->check(CLI::ExistingFile);
  command.add_option("--reference", options.reference, "the base model's CLUSTERS.h5 (same points)")
      ->required()
      ->check(CLI::ExistingFile);
  command.add_option("--k", options.k, "the number of clusters (in both files)")
      ->required()
      ->check(CLI::PositiveNumber);
  command.add_option("--threshold", options.threshold, "aligned when the overlap share is >= this")
      ->check(CLI::Range(0.0, 1.0));
  command.add_option("--out", options.out, "C.json (C.csv is written beside it)")->required();
}

namespace {

corpus::WordLabels read_word_labels(const AlignCommandOptions& options, const corpus::Corpus& corpus) {
  if (options.label_format == "predictions") {
    // the classes are per sentence of the corpus the file was extracted from: it must be this one
    const std::string extracted = store::read_activations_info(options.labels).corpus_checksum;
    const std::string given = corpus::corpus_checksum(corpus.lines);
    if (extracted != given) {
      throw InputError(options.labels.string() + " was extracted from another corpus than " + corpus.path.string() +
                       " (its corpus_checksum is " + extracted + ", the corpus's " + given +
                       "): its predicted classes belong to other sentences");
    }
    return corpus::labels_from_classes(options.labels, store::read_predicted_classes(options.labels), corpus);
  }
  const corpus::LabelFormat format = options.label_format.empty() ? corpus::label_format_of(options.labels)
                                                                  : corpus::parse_label_format(options.label_format);
  return corpus::read_labels(options.labels, format, corpus, options.column);
}

}  // namespace

AlignInputs load_align_inputs(const AlignCommandOptions& options) {
  AlignInputs inputs;
  inputs.clustering = store::read_cluster_assignment(options.clusters, options.k);
  const corpus::Corpus corpus = corpus::read_corpus(options.corpus);
  inputs.index = align::index_labels(corpus, read_word_labels(options, corpus));
  align::check_points(inputs.clustering, inputs.index);
  inputs.options.name = options.name.empty() ? options.labels.filename().string() : options.name;
  inputs.options.threshold = options.threshold;
  inputs.options.max_unk = options.max_unk;
  inputs.options.level = align::parse_level(options.level);
  return inputs;
}

std::pair<store::ClusterAssignment, store::ClusterAssignment> load_compare_inputs(
    const CompareCommandOptions& options) {
  std::pair<store::ClusterAssignment, store::ClusterAssignment> inputs{
      store::read_cluster_assignment(options.clusters, options.k),
      store::read_cluster_assignment(options.reference, options.k)};
  align::check_same_points(inputs.first, inputs.second);
  return inputs;
}

}  // namespace conceptlens::app
