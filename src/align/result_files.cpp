#include "align/result_files.hpp"

#include <nlohmann/json.hpp>

#include "store/atomic_output.hpp"
#include "util/error.hpp"
#include "util/text_format.hpp"

namespace conceptlens::align {
namespace {

using Json = nlohmann::ordered_json;

std::string yes_no(bool value) { return value ? "true" : "false"; }

Json match_json(const ConceptMatch& match, const char* own, const char* other) {
  return Json{{own, match.cluster}, {"size", match.size}, {other, match.match},
              {"shared", match.shared}, {"overlap", match.overlap}, {"aligned", match.aligned}};
}

}  // namespace

void write_json_and_csv(const std::filesystem::path& json_path, const std::string& json, const std::string& csv) {
  store::AtomicOutput json_output(json_path);
  store::AtomicOutput csv_output(csv_path_beside(json_path));
  json_output.write(json);
  csv_output.write(csv);
  json_output.commit();
  csv_output.commit();
}

std::filesystem::path csv_path_beside(const std::filesystem::path& json_path) {
  std::filesystem::path csv = json_path;
  csv.replace_extension(".csv");
  return csv == json_path ? std::filesystem::path(json_path.string() + ".csv") : csv;
}

std::string alignment_json(const Alignment& alignment) {
  Json per_cluster = Json::array();
  for (const ClusterAlignment& c : alignment.clusters) {
    per_cluster.push_back(Json{{"cluster", c.cluster}, {"size", c.size}, {"types", c.types}, {"label", c.label},
                               {"share", c.share}, {"aligned", c.aligned}, {"skipped", c.skipped},
                               {"top_words", c.top_words}});
  }
  Json per_label = Json::object();
  for (const auto& [label, clusters] : alignment.per_label) per_label[label] = clusters;
  const Json json{{"name", alignment.options.name},
                  {"k", alignment.k},
                  {"threshold", alignment.options.threshold},
                  {"max_unk", alignment.options.max_unk},
                  {"level", level_name(alignment.options.level)},
                  {"preprocess", preprocess_name(alignment.options.rules.preprocess)},
                  {"ignore_unks", alignment.options.rules.ignore_unks},
                  {"na_unk", alignment.options.rules.na_unk},
                  {"clusters", alignment.clusters.size()},
                  {"aligned", alignment.aligned},
                  {"aligned_fraction", alignment.aligned_fraction},
                  {"labels", alignment.labels},
                  {"covered_labels", alignment.covered_labels},
                  {"coverage", alignment.coverage},
                  {"per_cluster", std::move(per_cluster)},
                  {"per_label", std::move(per_label)}};
  return json.dump(2) + "\n";
}

std::string alignment_csv(const Alignment& alignment) {
  std::string csv = csv_row({"cluster", "size", "types", "label", "share", "aligned", "skipped", "top_words"});
  for (const ClusterAlignment& c : alignment.clusters) {
    std::string words;
    for (const std::string& word : c.top_words) words += (words.empty() ? "" : " ") + word;
    csv += csv_row({std::to_string(c.cluster), std::to_string(c.size), std::to_string(c.types), c.label,
                    shortest(c.share), yes_no(c.aligned), c.skipped, words});
  }
  return csv;
}

std::string comparison_json(const Comparison& comparison) {
  Json per_cluster = Json::array();
  for (const ConceptMatch& match : comparison.clusters) {
    per_cluster.push_back(match_json(match, "cluster", "reference_cluster"));
  }
  Json per_reference = Json::array();
  for (const ConceptMatch& match : comparison.reference) {
    per_reference.push_back(match_json(match, "reference_cluster", "cluster"));
  }
  const Json json{{"k", comparison.k},
                  {"threshold", comparison.threshold},
                  {"clusters", comparison.clusters.size()},
                  {"reference_clusters", comparison.reference.size()},
                  {"aligned", Json{{"clusters", comparison.aligned},
                                   {"fraction", comparison.aligned_fraction},
                                   {"reference_clusters", comparison.reference_aligned},
                                   {"reference_fraction", comparison.reference_aligned_fraction}}},
                  {"per_cluster", std::move(per_cluster)},
                  {"per_reference_cluster", std::move(per_reference)}};
  return json.dump(2) + "\n";
}

std::string comparison_csv(const Comparison& comparison) {
  std::string csv = csv_row({"side", "cluster", "size", "match", "shared", "overlap", "aligned"});
  const auto rows = [&csv](const std::vector<ConceptMatch>& matches, const std::string& side) {
    for (const ConceptMatch& m : matches) {
      csv += csv_row({side, std::to_string(m.cluster), std::to_string(m.size), std::to_string(m.match),
                      std::to_string(m.shared), shortest(m.overlap), yes_no(m.aligned)});
    }
  };
  rows(comparison.clusters, "cluster");
  rows(comparison.reference, "reference");
  return csv;
}

void write_alignment(const Alignment& alignment, const std::filesystem::path& json_path) {
  write_json_and_csv(json_path, alignment_json(alignment), alignment_csv(alignment));
}

void write_comparison(const Comparison& comparison, const std::filesystem::path& json_path) {
  write_json_and_csv(json_path, comparison_json(comparison), comparison_csv(comparison));
}

}  // namespace conceptlens::align
