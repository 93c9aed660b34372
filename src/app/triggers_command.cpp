#include "app/triggers_command.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <map>

#include "align/cluster_counts.hpp"
#include "align/label_alignment.hpp"
#include "align/label_index.hpp"
#include "app/align_command.hpp"
#include "extract/batch_input.hpp"
#include "store/clusters_file.hpp"
#include "triggers/baseline_triggers.hpp"
#include "triggers/polarity_concepts.hpp"
#include "util/error.hpp"

namespace conceptlens::app {

void setup_triggers_command(CLI::App& command, TriggersOptions& options) {
  command.description(
      "Polarity concepts as adversarial triggers: the concepts aligned with a class of the task, whose\n"
      "most frequent words are added to the sentences the model assigns another class; how often the\n"
      "prediction flips to the concept's class, beside random triggers of the same word frequencies");
  command.add_option("--model", options.model, "the fine-tuned checkpoint (with its classification head)")
      ->required()
      ->check(CLI::ExistingDirectory);
  command.add_option("--corpus", options.corpus, "the corpus the clustered words come from")
      ->required()
      ->check(CLI::ExistingFile);
  command.add_flag("--pairs", options.pairs,
                   "each corpus line is a premise and a hypothesis separated by one tab (as extract --pairs); the "
                   "trigger goes into the hypothesis");
  command.add_option("--labels", options.labels,
                     "the sentences' classes: FILE.classes (or a .label file of sentence classes), or ACT.h5 (the "
                     "classes a model predicted)")
      ->required()
      ->check(CLI::ExistingFile);
  command.add_option("--label-format", options.label_format,
                     "label | classes | predictions (default: from the file name; .h5: predictions)")
      ->check(CLI::IsMember({"label", "classes", "predictions"}));
  command.add_option("--clusters", options.clusters, "CLUSTERS.h5 of a layer of the model")
      ->required()
      ->check(CLI::ExistingFile);
  command.add_option("--k", options.k, "the number of clusters (a /labels/k<K> of the file)")
      ->required()
      ->check(CLI::PositiveNumber);
  command.add_option("--threshold", options.threshold, "a polarity concept's share of one class is > this")
      ->check(CLI::Range(0.0, 1.0));
  command.add_option("--trigger-words", options.trigger_words, "words of a trigger: the concept's most frequent")
      ->check(CLI::PositiveNumber);
  command.add_option("--position", options.position, "where the trigger goes in a sentence (a pair: its hypothesis)")
      ->check(CLI::IsMember({"prepend", "append"}));
  command.add_option("--baseline-draws", options.baseline_draws,
                     "random triggers per concept, of words as frequent in the corpus as the trigger's")
      ->check(CLI::NonNegativeNumber);
  command.add_option("--seed", options.seed, "seed of the random triggers");
  command.add_option("--class-map", options.class_map,
                     "CLASS=NAME: the label file's class CLASS is the model's class NAME (config.json id2label), "
                     "where the names differ (LABEL_0, ...)")
      ->delimiter(',');
  command.add_option("--batch-tokens", options.batch_tokens, "padded tokens per batch of sentences")
      ->check(CLI::PositiveNumber);
  command.add_option("--threads", options.threads,
                     "threads per rank for the matrix products (0: the node's cores / its ranks)")
      ->check(CLI::NonNegativeNumber);
  command.add_option("--out", options.out, "T.json (T.csv is written beside it)")->required();
}

namespace {

/// Checks that every sentence has one class (all its words carry the same label). InputError
/// naming the label file and line otherwise.
void check_sentence_classes(const corpus::WordLabels& labels) {
  for (std::size_t s = 0; s < labels.labels.size(); ++s) {
    const std::vector<std::string>& words = labels.labels[s];
    for (const std::string& label : words) {
      if (label != words.front()) {
        throw InputError(labels.path.string() + ":" + std::to_string(s + 1) + ": labels '" + words.front() +
                         "' and '" + label + "' in one sentence; triggers need one class per sentence");
      }
    }
  }
}

std::string listed(const std::vector<std::string>& names) {
  std::string text;
  for (const std::string& name : names) text += (text.empty() ? "" : ", ") + name;
  return text;
}

/// Each class of the label set -> its id among the model's classes: the same name, or the name
/// --class-map gives it.
std::map<std::string, std::int32_t> match_classes(const TriggersOptions& options,
                                                  const std::vector<std::string>& classes,
                                                  const model::ModelConfig& config) {
  std::map<std::string, std::string> renamed;
  for (const std::string& entry : options.class_map) {
    const std::size_t equals = entry.find('=');
    if (equals == std::string::npos || equals == 0 || equals + 1 == entry.size()) {
      throw InputError("--class-map '" + entry + "': expected CLASS=NAME (a class of " + options.labels.string() +
                       " = a class of the model)");
    }
    const std::string from = entry.substr(0, equals);
    if (std::find(classes.begin(), classes.end(), from) == classes.end()) {
      throw InputError("--class-map '" + entry + "': " + options.labels.string() + " has no class '" + from +
                       "' (its classes: " + listed(classes) + ")");
    }
    renamed[from] = entry.substr(equals + 1);
  }
  std::map<std::string, std::int32_t> ids;
  for (const std::string& name : classes) {
    const auto given = renamed.find(name);
    const std::string& model_name = given == renamed.end() ? name : given->second;
    const auto at = std::find(config.id2label.begin(), config.id2label.end(), model_name);
    if (at == config.id2label.end()) {
      const std::string mapped = given == renamed.end() ? "" : " (--class-map " + name + ")";
      throw InputError("the class '" + model_name + "'" + mapped + " of " + options.labels.string() +
                       " is not a class of the model (" +
                       (options.model / "config.json").string() + " id2label: " + listed(config.id2label) +
                       "; the label set's: " + listed(classes) + "): say which is which with --class-map " + name +
                       "=NAME");
    }
    ids[name] = static_cast<std::int32_t>(at - config.id2label.begin());
  }
  return ids;
}

}  // namespace

TriggerPlan plan_triggers(const TriggersOptions& options) {
  TriggerPlan plan;
  plan.config = model::read_model_config(options.model / "config.json");
  if (!plan.config.has_sequence_classification_head()) {
    throw InputError((options.model / "config.json").string() +
                     " describes no sequence-classification model (architectures: " +
                     (plan.config.architectures.empty() ? std::string("none") : plan.config.architectures[0]) +
                     "): triggers flip the predictions of a fine-tuned classifier");
  }
  plan.corpus = corpus::read_corpus(options.corpus, corpus::CorpusRules{.pairs = options.pairs});
  const std::string format =
      options.label_format.empty() && options.labels.extension() == ".h5" ? "predictions" : options.label_format;
  const corpus::WordLabels labels = read_word_labels(options.labels, format, "", plan.corpus);
  check_sentence_classes(labels);

  const store::ClusterAssignment clustering = store::read_cluster_assignment(options.clusters, options.k);
  const align::LabelIndex index = align::index_labels(plan.corpus, labels);
  align::check_points(clustering, index);
  const align::ClusterCounts counts =
      align::count_points(clustering, index, 0, static_cast<std::int64_t>(clustering.cluster.size()));
  const align::AlignOptions align_options{.name = options.labels.filename().string(), .threshold = options.threshold};
  const align::Alignment alignment = align::align(counts, index, align_options);
  const std::map<std::string, std::int32_t> ids = match_classes(options, index.labels, plan.config);

  triggers::TriggerReport& report = plan.report;
  report.model = options.model.string();
  report.labels = align_options.name;
  report.k = options.k;
  report.threshold = options.threshold;
  report.position = triggers::parse_position(options.position);
  report.trigger_words = options.trigger_words;
  report.baseline_draws = options.baseline_draws;
  report.seed = options.seed;
  report.sentences = plan.corpus.sentences();
  const triggers::FrequencyRanks ranks(plan.corpus);
  for (triggers::PolarityConcept& polarity :
       triggers::polarity_concepts(counts, alignment, index, options.trigger_words)) {
    plan.concept_class.push_back(ids.at(polarity.label_class));
    triggers::ConceptFlips flips;
    flips.baseline =
        triggers::baseline_triggers(ranks, polarity.trigger, options.baseline_draws, options.seed, polarity.cluster);
    flips.polarity = std::move(polarity);
    report.concepts.push_back(std::move(flips));
  }

  plan.tokenizer = tokenize::load_tokenizer(options.model);
  if (plan.tokenizer->vocab_size() > plan.config.vocab_size) {
    throw InputError(options.model.string() + ": the tokenizer has " + std::to_string(plan.tokenizer->vocab_size()) +
                     " ids but config.json's vocab_size is " + std::to_string(plan.config.vocab_size));
  }
  plan.model_max_length =
      plan.tokenizer->model_max_length() == tokenize::Tokenizer::kNoMaxLength ? 0 : plan.tokenizer->model_max_length();
  return plan;
}

tokenize::SentenceEncoding encode_input(const TriggerPlan& plan, std::int64_t sentence,
                                        const std::vector<std::string>* trigger) {
  const std::string where = plan.corpus.path.string() + ":" + std::to_string(sentence + 1) + ": " +
                            (trigger == nullptr ? "" : "with the trigger '" + triggers::join_words(*trigger) + "': ");
  const auto with_trigger = [&](std::string_view text) {
    return triggers::triggered_sentence(text, triggers::join_words(*trigger), plan.report.position);
  };
  tokenize::SentenceEncoding encoding;
  try {
    if (trigger == nullptr) {
      encoding = tokenize::encode_line(*plan.tokenizer, plan.corpus, sentence);
    } else if (plan.corpus.pairs()) {  // the hypothesis gets the trigger
      const auto [premise, hypothesis] = plan.corpus.pair(sentence);
      encoding = plan.tokenizer->encode_pair(premise, with_trigger(hypothesis));
    } else {
      encoding = plan.tokenizer->encode_sentence(with_trigger(plan.corpus.lines[static_cast<std::size_t>(sentence)]));
    }
  } catch (const InputError& e) {
    throw InputError(where + e.what());
  }
  extract::check_fits_model(encoding, plan.config, plan.model_max_length, where);
  return encoding;
}

}  // namespace conceptlens::app
