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
//   [[model]]  name, path, base (the name of its pre-trained model; omitted for a base model)
//   [[corpus]] name, path (one sentence per line)
//     [[corpus.labels]] name, path, kind ("human" or "task"), format, column
// Relative paths are relative to the job file's folder.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "select/token_selection.hpp"

namespace conceptlens::sweep {

struct ModelSpec {
  std::string name;
  std::filesystem::path path;  ///< Hugging Face checkpoint folder
  std::string base;            ///< the pre-trained model's name; "" for a base model
};

struct LabelSetSpec {
  std::string name;
  std::filesystem::path path;
  std::string kind = "human";  ///< human (POS, chunks, SEM, CCG, ...) or task (sentence classes)
  std::string format;          ///< "" = from the file name (see corpus/labels.hpp)
  std::string column;          ///< CoNLL column
};

struct CorpusSpec {
  std::string name;
  std::filesystem::path path;
  std::vector<LabelSetSpec> labels;

  const LabelSetSpec& label_set(const std::string& name) const;
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

  const ModelSpec& model(const std::string& name) const;
  const CorpusSpec& corpus(const std::string& name) const;
};

/// Reads and checks a job file (see above).
Job read_job_file(const std::filesystem::path& path);

}  // namespace conceptlens::sweep
