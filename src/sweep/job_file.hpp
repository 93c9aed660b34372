#pragma once
// A study described in a TOML job file (`conceptlens sweep JOB.toml`): models (a fine-tuned
// checkpoint names its base) x corpora (each with its label sets) x layers x K, and the settings
// of every stage. Read and checked before any work: an unknown key, a value of the wrong type,
// a missing file or folder, a fine-tuned model without its base, a duplicate name — an
// InputError naming the job file, the key and the reason.
//
//   study = "demo"                  # name of the study (required)
//   layers = "all"                  # or "0,6,12"
//   k = [100]                       # numbers of concepts
//   [paths]                         # ${name} in any path below; an environment variable of the
//   models = "/scratch/models"      # same name overrides (nightly runs set them per cluster)
//   [extract]  aggregation, dtype, compute_dtype, batch_tokens   (as conceptlens extract)
//   [cluster]  max_per_type, min_freq, drop_freq, max_words, mode, memory_per_rank,
//              checkpoint_every (seconds; default 60)
//   [align]    threshold, max_unk, level
//   [triggers] layers (default: each model's top layer of the study), threshold (default:
//              [align]'s), trigger_words, position, baseline_draws, seed (as conceptlens triggers)
//   [[model]]  name, path, base (the name of its pre-trained model; omitted for a base model),
//              task (a model with a classification head: its task corpus, where its predicted
//              classes are aligned and its polarity concepts tried as triggers — only there),
//              class_map (an inline table CLASS = "NAME": a class of the task corpus's label
//              sets is the model's id2label NAME, where the names differ)
//   [[corpus]] name, path (one sentence per line), pairs (true: each line a premise TAB hypothesis,
//              fed to the models as a pair: conceptlens extract --pairs; GPT-2 and Llama models
//              refuse pairs, and the plan refuses such a corpus beside them)
//     [[corpus.labels]] name, path, kind ("human" or "task"), format, column, and ConceptX's
//                       per-set settings preprocess ("none", "other_unk", "casing"), ignore_unks,
//                       na_unk (booleans); unset: ConceptX's for the set's name (Chunking, NE, ...:
//                       align/label_set_rules.hpp)
// Relative paths are relative to the job file's folder.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "select/token_selection.hpp"

namespace conceptlens::sweep {

struct ModelSpec {
  std::string name;
  std::filesystem::path path;  ///< Hugging Face checkpoint folder
  std::string base;            ///< the pre-trained model's name; "" for a base model
  std::string task;            ///< its task corpus's name; "" for none
  std::vector<std::string> class_map;  ///< "CLASS=NAME" entries (conceptlens triggers --class-map)
};

struct LabelSetSpec {
  std::string name;
  std::filesystem::path path;
  std::string kind = "human";  ///< human (POS, chunks, SEM, CCG, ...) or task (sentence classes)
  std::string format;          ///< "" = from the file name (see corpus/labels.hpp)
  std::string column;          ///< CoNLL column
  std::optional<std::string> preprocess;  ///< ConceptX's per-set settings; unset: ConceptX's for the name
  std::optional<bool> ignore_unks;
  std::optional<bool> na_unk;
};

struct CorpusSpec {
  std::string name;
  std::filesystem::path path;
  bool pairs = false;  ///< premise TAB hypothesis lines (MNLI)
  std::vector<LabelSetSpec> labels;

  const LabelSetSpec& label_set(const std::string& name) const;
};

/// [triggers]: conceptlens triggers for every model with a task corpus.
struct TriggerSettings {
  std::string layers;              ///< "" = each model's top layer among the study's; else "6" or "4,6"
  std::optional<double> threshold;  ///< unset: [align] threshold
  std::int64_t trigger_words = 3;
  std::string position = "prepend";
  std::int64_t baseline_draws = 5;
  std::int64_t seed = 0;
};

struct Job {
  std::filesystem::path file;
  std::string study;
  std::string layers = "all";
  std::vector<std::int64_t> ks;
  std::vector<ModelSpec> models;
  std::vector<CorpusSpec> corpora;
  // extract
  std::string aggregation = "last";
  std::string dtype = "float32";
  std::string compute_dtype = "float32";
  std::int64_t batch_tokens = 2048;
  // cluster
  select::SelectionOptions selection;
  std::string mode = "auto";
  std::string memory_per_rank;
  double checkpoint_every = 60;
  // align
  double threshold = 0.9;
  double max_unk = 0.4;
  std::string level = "token";
  TriggerSettings triggers;

  const ModelSpec& model(const std::string& name) const;
  const CorpusSpec& corpus(const std::string& name) const;
};

/// Reads and checks a job file (see above).
Job read_job_file(const std::filesystem::path& path);

}  // namespace conceptlens::sweep
