#pragma once
// A small, realistic results tree of `conceptlens sweep`, written by hand for the report's
// tests: summary.json and every align / compare JSON it names (in the layouts of
// src/align/result_files.cpp). A pre-trained tiny BERT and its SST-2 fine-tuned version, on
// SST-2 (task classes: sentiment, and the fine-tuned head's predicted classes) and EWT (POS),
// with curves shaped like the paper's: POS concepts fade in the fine-tuned model's top layers,
// sentiment concepts appear there, and the overlap with the base model drops; its top layer's
// polarity concepts tried as triggers. Some top words hold characters that HTML must escape.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace conceptlens::testing {

struct ReportSample {
  std::vector<int> layers = {0, 1, 2};
  std::vector<std::int64_t> ks = {4};
};

/// The (set name, kind, labels) of each corpus; "predicted" exists for the fine-tuned model on sst2.
struct SampleSet {
  std::string name;
  std::string kind;
  std::vector<std::string> labels;
};

inline const std::vector<std::string>& sample_models() {
  static const std::vector<std::string> models = {"tiny-bert", "tiny-bert-sst2"};
  return models;
}
inline const std::vector<std::string>& sample_corpora() {
  static const std::vector<std::string> corpora = {"sst2", "ewt"};
  return corpora;
}

inline std::vector<SampleSet> sample_sets(const std::string& model, const std::string& corpus) {
  if (corpus == "ewt") return {{"POS", "human", {"NOUN", "VERB", "ADJ", "DET"}}};
  std::vector<SampleSet> sets = {{"sentiment", "task", {"positive", "negative"}}};
  if (model == "tiny-bert-sst2") sets.push_back({"predicted", "predicted", {"positive", "negative"}});
  return sets;
}

/// The fraction of concepts aligned at relative depth t in [0, 1] (before rounding to 1/K).
inline double sample_curve(const std::string& model, const std::string& set, double t) {
  const bool tuned = model == "tiny-bert-sst2";
  if (set == "POS") return tuned ? 0.75 - 0.5 * t : 0.75 - 0.25 * t;
  if (set == "sentiment") return tuned ? t : 0.25 * t;
  if (set == "predicted") return 0.25 + 0.75 * t;
  return 1.0 - 0.75 * t;  // base model
}

inline std::int64_t sample_aligned(const std::string& model, const std::string& set, std::size_t layer_index,
                                   std::size_t layers, std::int64_t k) {
  const double t = layers > 1 ? static_cast<double>(layer_index) / static_cast<double>(layers - 1) : 0.0;
  return std::llround(sample_curve(model, set, t) * static_cast<double>(k));
}

inline std::vector<std::string> sample_top_words(std::int64_t cluster) {
  if (cluster == 1) return {"<script>alert(1)</script>", "AT&T", "\"quoted\"", "it's"};
  const std::string stem = std::string("w").append(std::to_string(cluster));
  return {stem + "a", stem + "b"};
}

inline std::string sample_prefix(const std::string& model, const std::string& corpus) { return model + "/" + corpus; }

inline nlohmann::ordered_json sample_align_json(const SampleSet& set, std::int64_t k, std::int64_t aligned) {
  using Json = nlohmann::ordered_json;
  Json per_cluster = Json::array();
  Json per_label = Json::object();
  std::vector<bool> covered(set.labels.size(), false);
  for (std::int64_t c = 0; c < k; ++c) {
    const bool is_aligned = c < aligned;
    const bool skipped = !is_aligned && set.kind == "human" && c == k - 1;
    const std::size_t label_index = static_cast<std::size_t>(c) % set.labels.size();
    const std::string label = skipped ? "" : set.labels[label_index];
    if (is_aligned) {
      covered[label_index] = true;
      per_label[label].push_back(c);
    }
    per_cluster.push_back(Json{{"cluster", c}, {"size", 5 + 3 * c}, {"types", 2 + c}, {"label", label},
                               {"share", skipped ? 0.0 : (is_aligned ? 0.95 : 0.5)}, {"aligned", is_aligned},
                               {"skipped", skipped ? "unk" : ""}, {"top_words", sample_top_words(c)}});
  }
  std::int64_t covered_labels = 0;
  for (const bool each : covered) covered_labels += each ? 1 : 0;
  const auto labels = static_cast<std::int64_t>(set.labels.size());
  return Json{{"name", set.name}, {"k", k}, {"threshold", 0.9}, {"max_unk", 0.4}, {"level", "token"},
              {"clusters", k}, {"aligned", aligned},
              {"aligned_fraction", static_cast<double>(aligned) / static_cast<double>(k)},
              {"labels", labels}, {"covered_labels", covered_labels},
              {"coverage", static_cast<double>(covered_labels) / static_cast<double>(labels)},
              {"per_cluster", per_cluster}, {"per_label", per_label}};
}

inline nlohmann::ordered_json sample_compare_json(std::int64_t k, std::int64_t aligned) {
  using Json = nlohmann::ordered_json;
  Json per_cluster = Json::array();
  Json per_reference = Json::array();
  for (std::int64_t c = 0; c < k; ++c) {
    const bool is_aligned = c < aligned;
    const std::int64_t size = 5 + 3 * c;
    const double overlap = is_aligned ? 1.0 : 0.6;
    per_cluster.push_back(Json{{"cluster", c}, {"size", size}, {"reference_cluster", k - 1 - c},
                               {"shared", std::llround(overlap * static_cast<double>(size))}, {"overlap", overlap},
                               {"aligned", is_aligned}});
    per_reference.push_back(Json{{"reference_cluster", c}, {"size", size}, {"cluster", k - 1 - c},
                                 {"shared", std::llround(overlap * static_cast<double>(size))}, {"overlap", overlap},
                                 {"aligned", is_aligned}});
  }
  const double fraction = static_cast<double>(aligned) / static_cast<double>(k);
  return Json{{"k", k}, {"threshold", 0.9}, {"clusters", k}, {"reference_clusters", k},
              {"aligned", Json{{"clusters", aligned}, {"fraction", fraction}, {"reference_clusters", aligned},
                               {"reference_fraction", fraction}}},
              {"per_cluster", per_cluster}, {"per_reference_cluster", per_reference}};
}

inline void write_sample_json(const std::filesystem::path& path, const nlohmann::ordered_json& json) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out << json.dump(2) << "\n";
  ASSERT_TRUE(out.good()) << "cannot write " << path;
}

/// The summary.json of the sample (results in the sweep's stage order: model, corpus, K, layer).
/// With `files`, also writes every align / compare JSON it names under `dir`.
inline nlohmann::ordered_json sample_summary(const std::filesystem::path& dir, const ReportSample& sample = {},
                                             bool files = true) {
  using Json = nlohmann::ordered_json;
  Json ks = Json::array();
  for (const std::int64_t k : sample.ks) ks.push_back(k);
  Json summary{{"study", "demo"}, {"threshold", 0.9}, {"ks", ks}, {"level", "token"}};
  summary["models"] = Json::array({Json{{"name", "tiny-bert"}, {"base", ""}},
                                   Json{{"name", "tiny-bert-sst2"}, {"base", "tiny-bert"}}});
  summary["corpora"] = Json::array(
      {Json{{"name", "sst2"}, {"sentences", 872}, {"words", 17046}, {"selected", 8717},
            {"label_sets", Json::array({Json{{"name", "sentiment"}, {"kind", "task"}}})}},
       Json{{"name", "ewt"}, {"sentences", 600}, {"words", 8761}, {"selected", 5012},
            {"label_sets", Json::array({Json{{"name", "POS"}, {"kind", "human"}}})}}});
  Json results = Json::array();
  for (const std::string& model : sample_models()) {
    for (const std::string& corpus : sample_corpora()) {
      for (const std::int64_t k : sample.ks) {
        for (std::size_t l = 0; l < sample.layers.size(); ++l) {
          const int layer = sample.layers[l];
          const std::string stem = "layer-" + std::to_string(layer) + "-k" + std::to_string(k);
          Json result{{"model", model}, {"corpus", corpus}, {"layer", layer}, {"k", k},
                      {"points", corpus == "sst2" ? 8717 : 5012}, {"alignment", Json::object()}};
          for (const SampleSet& set : sample_sets(model, corpus)) {
            const std::int64_t aligned = sample_aligned(model, set.name, l, sample.layers.size(), k);
            const Json align = sample_align_json(set, k, aligned);
            const std::string file = sample_prefix(model, corpus) + "/align/" + stem + "-" + set.name + ".json";
            if (files) write_sample_json(dir / file, align);
            result["alignment"][set.name] = Json{{"kind", set.kind}, {"aligned", aligned},
                                                 {"fraction", align["aligned_fraction"]},
                                                 {"coverage", align["coverage"]}, {"file", file}};
          }
          if (model == "tiny-bert-sst2") {
            const std::int64_t aligned = sample_aligned(model, "base", l, sample.layers.size(), k);
            const Json compare = sample_compare_json(k, aligned);
            const std::string file = sample_prefix(model, corpus) + "/compare/" + stem + ".json";
            if (files) write_sample_json(dir / file, compare);
            result["base"] = Json{{"model", "tiny-bert"}, {"aligned", aligned},
                                  {"fraction", compare["aligned"]["fraction"]},
                                  {"reference_aligned", compare["aligned"]["reference_clusters"]},
                                  {"reference_fraction", compare["aligned"]["reference_fraction"]}, {"file", file}};
          }
          if (model == "tiny-bert-sst2" && corpus == "sst2" && l + 1 == sample.layers.size()) {
            // the top layer's polarity concepts as triggers; one flips more than random words, one not
            result["triggers"]["sentiment"] = Json{
                {"position", "prepend"},
                {"concepts", Json::array({Json{{"cluster", 0}, {"class", "positive"}, {"trigger", "great & fun"},
                                               {"tried", 40}, {"flipped", 30}, {"flip_rate", 0.75},
                                               {"baseline_flip_rate", 0.1}},
                                          Json{{"cluster", 1}, {"class", "negative"}, {"trigger", "the a of"},
                                               {"tried", 60}, {"flipped", 3}, {"flip_rate", 0.05},
                                               {"baseline_flip_rate", 0.05}}})}};
          }
          results.push_back(result);
        }
      }
    }
  }
  summary["results"] = results;
  return summary;
}

/// Writes the sample's summary.json and files into `dir` (created when missing).
inline void write_sample_results(const std::filesystem::path& dir, const ReportSample& sample = {}) {
  std::filesystem::create_directories(dir);
  write_sample_json(dir / "summary.json", sample_summary(dir, sample));
}

}  // namespace conceptlens::testing
