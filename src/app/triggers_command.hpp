#pragma once
// `conceptlens triggers`: the polarity concepts of a fine-tuned model's clustering (concepts
// aligned with a class of its task) as adversarial triggers — finding (iv) of Durrani et al.
// 2022. This file has the options and the serial steps (read and check the inputs, find the
// polarity concepts, their triggers and baseline triggers, tokenize a sentence with a trigger);
// mpi/app/triggers_run.cpp runs the classifier on the ranks and counts the flips.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "corpus/corpus_file.hpp"
#include "model/model_config.hpp"
#include "tokenize/tokenizer.hpp"
#include "triggers/trigger_results.hpp"

namespace CLI {
class App;
}

namespace conceptlens::app {

struct TriggersOptions {
  std::filesystem::path model;     ///< fine-tuned checkpoint with a sequence-classification head
  std::filesystem::path corpus;    ///< the corpus the clustered words come from
  bool pairs = false;              ///< a pair corpus (premise TAB hypothesis): triggers go into the hypothesis
  std::filesystem::path labels;    ///< the sentences' classes: FILE.classes, a .label file, or ACT.h5
  std::string label_format;        ///< "" = from the file name (.h5: predictions); as align
  std::filesystem::path clusters;  ///< CLUSTERS.h5 of the model's layer
  std::int64_t k = 0;
  double threshold = 0.9;          ///< a polarity concept's class share is > this (as align)
  std::int64_t trigger_words = 3;  ///< words of a trigger: the concept's most frequent ones
  std::string position = "prepend";  ///< prepend | append
  std::int64_t baseline_draws = 5;   ///< random triggers per concept
  std::uint64_t seed = 0;            ///< of the random triggers
  std::vector<std::string> class_map;  ///< CLASS=NAME: a label-file class is the model's id2label NAME
  std::int64_t batch_tokens = 2048;  ///< padded tokens per batch of sentences
  int threads = 0;                   ///< BLAS threads per rank; 0: the node's cores / its ranks
  std::filesystem::path out;         ///< T.json (T.csv beside it)
};

void setup_triggers_command(CLI::App& command, TriggersOptions& options);

/// Everything decided before the model runs, the same on every rank.
struct TriggerPlan {
  corpus::Corpus corpus;
  model::ModelConfig config;
  std::unique_ptr<tokenize::Tokenizer> tokenizer;
  std::int64_t model_max_length = 0;        ///< of the tokenizer; 0 if none
  triggers::TriggerReport report;           ///< the concepts, triggers and random triggers; no counts yet
  std::vector<std::int32_t> concept_class;  ///< per concept: its class's id in config.id2label
};

/// Reads and checks the inputs and finds the polarity concepts. InputError naming the file for
/// bad input: a model without a classification head, labels that are not one class per sentence
/// (or of another corpus), a clustering of another corpus or without K, a class without a match
/// among the model's (naming both sets), a --class-map entry naming no class.
TriggerPlan plan_triggers(const TriggersOptions& options);

/// The model input for sentence `sentence` of the corpus with `trigger` added (none: nullptr;
/// a pair: to its hypothesis). InputError naming the corpus line when it does not fit the model.
tokenize::SentenceEncoding encode_input(const TriggerPlan& plan, std::int64_t sentence,
                                        const std::vector<std::string>* trigger);

}  // namespace conceptlens::app
