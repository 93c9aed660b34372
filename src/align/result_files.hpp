#pragma once
// The outputs of `conceptlens align` and `conceptlens compare`: JSON in the layout of DESIGN.md
// ("Interfaces") and a CSV beside it with one row per cluster. Deterministic: the same results
// give byte-identical files (no timestamps, no paths). Both files are written under temporary
// names and renamed into place only once both are complete (store::AtomicOutput).
#include <filesystem>
#include <string>

#include "align/concept_comparison.hpp"
#include "align/label_alignment.hpp"

namespace conceptlens::align {

/// The CSV written beside a JSON output: A.json -> A.csv.
std::filesystem::path csv_path_beside(const std::filesystem::path& json_path);

/// Writes `json` to `json_path` and `csv` beside it: both complete under temporary names, then
/// renamed into place. OutputError naming the file on failure; nothing is left behind then.
void write_json_and_csv(const std::filesystem::path& json_path, const std::string& json, const std::string& csv);

/// {"name", "k", "threshold", "max_unk", "level", "preprocess", "ignore_unks", "na_unk",
///  "clusters", "aligned", "aligned_fraction", "labels", "covered_labels", "coverage",
///  "per_cluster": [{"cluster", "size", "types", "label", "share", "aligned", "skipped", "top_words"}],
///  "per_label": {"<label>": [cluster ids]}}
std::string alignment_json(const Alignment& alignment);
/// cluster,size,types,label,share,aligned,skipped,top_words (space-separated)
std::string alignment_csv(const Alignment& alignment);

/// {"k", "threshold", "clusters", "reference_clusters",
///  "aligned": {"clusters", "fraction", "reference_clusters", "reference_fraction"},
///  "per_cluster": [{"cluster", "size", "reference_cluster", "shared", "overlap", "aligned"}],
///  "per_reference_cluster": [{"reference_cluster", "size", "cluster", "shared", "overlap", "aligned"}]}
std::string comparison_json(const Comparison& comparison);
/// side,cluster,size,match,shared,overlap,aligned (side: "cluster" or "reference")
std::string comparison_csv(const Comparison& comparison);

/// Writes the JSON to `json_path` and the CSV beside it. OutputError naming the file on failure;
/// nothing is left behind then.
void write_alignment(const Alignment& alignment, const std::filesystem::path& json_path);
void write_comparison(const Comparison& comparison, const std::filesystem::path& json_path);

}  // namespace conceptlens::align
