#pragma once
// What `conceptlens report` reads: RESULTS_DIR/summary.json (written by `conceptlens sweep`:
// results only, deterministic) and the per-result align / compare JSON files it names.
//
// summary.json:
//   {"study", "threshold", "ks": [K...],
//    "models":  [{"name", "base" ("" or absent for a pre-trained model), "family"?, ...}],
//    "corpora": [{"name", "sentences"?, "words"?, "selected"?, "label_sets"?: [{"name", "kind"}]}],
//    "results": [{"model", "corpus", "layer", "k", "points"?,
//                 "alignment": {"<set>": {"kind", "aligned", "fraction", "coverage"?, "file"?}},
//                 "base"?: {"aligned", "fraction", "reference_aligned", "reference_fraction", "file"?}}],
//    ... any other top-level settings}
// ("file" paths are relative to RESULTS_DIR; ? marks what may be absent.)
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace conceptlens::report {

struct ModelInfo {
  std::string name;
  std::string base;    ///< "" for a pre-trained model
  std::string family;  ///< e.g. "GPT-2 decoder (gpt2)"; "" when not given
};

struct LabelSetInfo {
  std::string name;
  std::string kind;  ///< human | task | predicted
};

struct CorpusInfo {
  std::string name;
  std::int64_t sentences = -1;  ///< -1 when not given
  std::int64_t words = -1;
  std::int64_t selected = -1;  ///< tokens selected for clustering; -1 when not given
  std::vector<LabelSetInfo> label_sets;
};

/// One concept set's alignment at one (model, corpus, layer, K).
struct SetResult {
  std::string name;
  std::string kind;
  std::int64_t aligned = 0;
  double fraction = 0;
  std::optional<double> coverage;
  std::string file;  ///< align JSON, relative to the results directory; "" when not given
};

/// A fine-tuned model's concepts against its base model's at the same layer and K.
struct BaseResult {
  std::int64_t aligned = 0;  ///< fine-tuned concepts with a base concept
  double fraction = 0;
  std::int64_t reference_aligned = 0;  ///< base concepts with a fine-tuned concept
  double reference_fraction = 0;
  std::string file;  ///< compare JSON; "" when not given
};

struct Result {
  std::string model;
  std::string corpus;
  int layer = 0;
  std::int64_t k = 0;
  std::int64_t points = -1;     ///< -1 when not given
  std::vector<SetResult> sets;  ///< in concept_sets() order
  std::optional<BaseResult> base;
};

struct Study {
  std::string name;
  double threshold = 0;
  std::vector<std::int64_t> ks;
  std::vector<ModelInfo> models;
  std::vector<CorpusInfo> corpora;
  /// Sorted by (model as listed in models, corpus as listed in corpora, k, layer).
  std::vector<Result> results;
  /// Other top-level keys of summary.json (sorted by key) and their values: a string as it is,
  /// anything else as compact JSON.
  std::vector<std::pair<std::string, std::string>> other_settings;

  const ModelInfo& model(const std::string& name) const;
  const CorpusInfo& corpus(const std::string& name) const;
  /// The concept sets met with (model, corpus): the corpus's label sets as listed, then the
  /// others (e.g. "predicted") by kind (human, task, predicted, other) and name.
  std::vector<LabelSetInfo> concept_sets(const std::string& model, const std::string& corpus) const;
  /// Every concept set of the study in one order (for colours that mean the same in every plot).
  std::vector<std::string> all_set_names() const;
};

/// Parses summary.json's text. `source` names the file in error messages. InputError naming the
/// file and the key on invalid JSON, a missing or mistyped key, a result whose model or corpus
/// is not listed, or two results for the same (model, corpus, layer, k).
Study parse_summary(const std::string& text, const std::string& source);

/// RESULTS_DIR/summary.json. InputError naming the file when it is missing or invalid.
Study read_summary(const std::filesystem::path& results_dir);

/// One concept's majority label in one set.
struct ConceptLabel {
  bool present = false;  ///< false when the set's file does not list the concept
  std::string label;     ///< "" when skipped
  double share = 0;
  bool aligned = false;
  std::string skipped;   ///< "" or why no label was chosen ("unk", "types", "empty")
};

/// The closest base-model concept of a fine-tuned concept (compare JSON).
struct BaseMatch {
  bool present = false;
  std::int64_t reference_cluster = -1;
  double overlap = 0;
  bool aligned = false;
};

struct Concept {
  std::int64_t cluster = 0;
  std::int64_t size = 0;
  std::vector<std::string> top_words;
  std::vector<ConceptLabel> labels;  ///< one per ConceptTable::sets
  BaseMatch base;
};

/// Every concept of one result, for the concept browser.
struct ConceptTable {
  std::vector<std::string> sets;  ///< the result's sets that name a file, in the result's order
  bool has_base = false;          ///< the result's base comparison names a file
  std::vector<Concept> concepts;  ///< by cluster id
};

/// Reads the align (and compare) JSON files a result names. InputError naming the file when one
/// is missing, not valid JSON, lacks a key, or holds another K than the result.
ConceptTable read_concepts(const std::filesystem::path& results_dir, const Result& result);

}  // namespace conceptlens::report
