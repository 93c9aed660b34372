#pragma once
// The stages of a study and what each is made from. Every stage has outputs in the results tree
// and a key: a checksum of the settings that decide its results and of its inputs (file
// contents; the keys of the stages it reads). A stage whose outputs exist and whose stamp
// (.stamps/<id>) holds its key is complete and kept; anything else — missing, stale, killed
// half-way — is redone. Results tree:
//   <model>/<corpus>/activations.h5
//   <model>/<corpus>/clusters/layer-<L>.h5           (all K of the study)
//   <model>/<corpus>/align/layer-<L>-k<K>-<set>.json (and .csv)
//   <model>/<corpus>/compare/layer-<L>-k<K>.json     (fine-tuned models: against the base)
//   summary.json, summary.csv, report.html, run-log.json
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "model/model_config.hpp"
#include "sweep/job_file.hpp"

namespace conceptlens::sweep {

enum class StageKind { extract, cluster, align, compare };

struct Stage {
  StageKind kind = StageKind::extract;
  std::string id;  ///< e.g. "align/tiny-bert-sst2/sst2/layer-6/k100/sentiment"
  std::string model;
  std::string corpus;
  std::int64_t layer = -1;  ///< align, compare
  std::int64_t k = 0;       ///< align, compare
  std::string set;          ///< align: the label set ("predicted": the model's own classes)
  std::string set_kind;     ///< align: human, task or predicted
  std::vector<std::filesystem::path> outputs;  ///< complete when all exist (and the stamp matches)
  std::string key;          ///< filled by compute_keys()
};

struct ModelPlan {
  std::string name;
  model::ModelConfig config;         ///< config.json
  std::vector<std::int64_t> layers;  ///< the study's layers of this model
  bool predicts = false;             ///< has a classification head: extraction stores its classes
  std::int64_t max_tokens = 0;       ///< the most tokens a sentence gets: the tokenizer's
                                     ///< model_max_length and the model's positions; 0: no limit
};

struct CorpusPlan {
  std::string name;
  std::int64_t sentences = 0;
  std::int64_t words = 0;
  std::int64_t selected = 0;  ///< tokens ConceptX's selection keeps (before truncation)
  std::int64_t longest = 0;   ///< bytes + words of its longest line: more than any tokenizer makes of it
};

struct SweepPlan {
  Job job;
  std::filesystem::path out;
  std::vector<ModelPlan> models;    ///< in job order
  std::vector<CorpusPlan> corpora;  ///< in job order
  std::vector<Stage> stages;        ///< in execution order: extract, cluster, align, compare

  const ModelPlan& model(const std::string& name) const;
  const CorpusPlan& corpus(const std::string& name) const;
};

/// The paths of the results tree.
std::filesystem::path activations_path(const std::filesystem::path& out, const std::string& model,
                                       const std::string& corpus);
std::filesystem::path clusters_dir(const std::filesystem::path& out, const std::string& model,
                                   const std::string& corpus);
std::filesystem::path stamp_path(const std::filesystem::path& out, const Stage& stage);

/// Plans the study: the models' layers (config.json), the corpora (read and checked), the K
/// (InputError naming the job file when a K exceeds the tokens selected from a corpus) and the
/// stages, without their keys.
SweepPlan plan_sweep(const Job& job, const std::filesystem::path& out);

/// Fills every stage's key (reads and hashes the model folders, corpora and label files).
void compute_keys(SweepPlan& plan);

/// Whether the stage's outputs exist and its stamp holds its key.
bool stage_complete(const SweepPlan& plan, const Stage& stage);
/// Records the stage as complete (atomically, after its outputs).
void stamp_stage(const SweepPlan& plan, const Stage& stage);

/// --dry-run: the models (family, layers, hidden size), the stages, what they write, whether each
/// is complete, and the memory per rank of the extractions and clusterings.
std::string describe_plan(const SweepPlan& plan, int ranks);

}  // namespace conceptlens::sweep
