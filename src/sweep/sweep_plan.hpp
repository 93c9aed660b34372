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
//   <model>/<corpus>/triggers/layer-<L>-k<K>-<set>.json (models with a task corpus: its task sets)
//   summary.json, summary.csv, report.html, run-log.json
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "app/cluster_command.hpp"
#include "model/model_config.hpp"
#include "sweep/job_file.hpp"

namespace conceptlens::sweep {

enum class StageKind { extract, cluster, align, compare, triggers };

/// The version of each kind of stage's results: part of every stage's key, so that results made
/// by code that computes them otherwise are not kept, and recorded in its stamp, so that
/// --dry-run tells which stages an upgrade redoes. Bump a kind's number with any change to what
/// its stages compute or write; a stage is redone when its own kind's number or that of a kind
/// it reads changed (extract <- cluster <- align <- triggers, cluster <- compare). Stamps
/// written before versions were recorded count as version 1 of every kind.
struct ResultsVersions {
  /// 2: lines stripped as Python's str.strip(); RoBERTa positions from the input ids; ACT.h5's
  ///    /corpus/text holds whole lines (a truncated sentence's words without rows too)
  std::int64_t extract = 2;
  /// 2: the selection judges sentences by their corpus words and drops those NeuroX's loader
  ///    drops (truncated ones); CLUSTERS.h5 names the points' words (/points/text)
  std::int64_t cluster = 2;
  /// 2: ConceptX's per-set settings (Chunking and NE count O as unknown, ...), recorded in the
  ///    align JSON (preprocess, ignore_unks, na_unk)
  std::int64_t align = 2;
  std::int64_t compare = 1;
  std::int64_t triggers = 1;

  std::int64_t of(StageKind kind) const;
  /// "extract 2 cluster 2 align 2 compare 1 triggers 1", as stamps record them.
  std::string text() const;
  /// The versions a stamp's text records; all 1 when it records none.
  static ResultsVersions parse(const std::string& stamp);
  friend bool operator==(const ResultsVersions&, const ResultsVersions&) = default;
};

struct Stage {
  StageKind kind = StageKind::extract;
  std::string id;  ///< e.g. "align/tiny-bert-sst2/sst2/layer-6/k100/sentiment"
  std::string model;
  std::string corpus;
  std::int64_t layer = -1;  ///< align, compare, triggers
  std::int64_t k = 0;       ///< align, compare, triggers
  std::string set;          ///< align, triggers: the label set ("predicted": the model's own classes)
  std::string set_kind;     ///< align, triggers: human, task or predicted
  std::vector<std::filesystem::path> outputs;  ///< complete when all exist (and the stamp matches)
  std::string key;          ///< filled by compute_keys()
};

struct ModelPlan {
  std::string name;
  model::ModelConfig config;         ///< config.json
  std::vector<std::int64_t> layers;  ///< the study's layers of this model
  bool predicts = false;             ///< has a classification head: extraction stores its classes
  std::vector<std::int64_t> trigger_layers;  ///< with a task corpus: the layers whose concepts are tried as triggers
  std::int64_t max_tokens = 0;       ///< the most tokens a sentence gets: the tokenizer's
                                     ///< model_max_length and the model's positions; 0: no limit
};

struct CorpusPlan {
  std::string name;
  std::int64_t sentences = 0;
  std::int64_t words = 0;
  std::int64_t selected = 0;  ///< tokens ConceptX's selection keeps from the corpus file (a sentence
                              ///< the tokenizer truncates is dropped at clustering: fewer then)
  std::int64_t longest = 0;   ///< bytes + words of its longest line: more than any tokenizer makes of it
};

struct SweepPlan {
  Job job;
  std::filesystem::path out;
  std::vector<ModelPlan> models;    ///< in job order
  std::vector<CorpusPlan> corpora;  ///< in job order
  std::vector<Stage> stages;        ///< in execution order: extract, cluster, align, compare, triggers
  ResultsVersions versions;         ///< of this build (another one in tests: an older build's)

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

/// Fills every stage's key (reads and hashes the model folders, corpora and label files; the
/// results version of the stage's kind is part of it).
void compute_keys(SweepPlan& plan);

/// Whether the stage's outputs exist and its stamp holds its key.
bool stage_complete(const SweepPlan& plan, const Stage& stage);
/// Records the stage as complete (atomically, after its outputs): its key, then the results
/// versions and the tool version that made it.
void stamp_stage(const SweepPlan& plan, const Stage& stage);
/// Whether the stage has a stamp of results versions other than plan.versions for its kind or a
/// kind it reads: this build redoes it because it computes it otherwise.
bool redone_by_upgrade(const SweepPlan& plan, const Stage& stage);

/// What the job's [cluster] section sets for every clustering (mode, memory per rank, selection,
/// K, checkpoints); a stage adds its input, layers and output.
app::ClusterOptions cluster_options(const Job& job);

/// --dry-run: the models (family, layers, hidden size), the stages, what they write, whether each
/// is complete, which an upgrade redoes, and the memory per rank of the extractions and clusterings.
std::string describe_plan(const SweepPlan& plan, int ranks);

}  // namespace conceptlens::sweep
