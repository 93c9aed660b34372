#pragma once
// report.html: one self-contained page (inline CSS and SVG; no script, fonts or network) with
// the study's settings, the per-layer curves like the figures of Durrani et al. 2022 (one plot
// per model, corpus and K), tables of the numbers, and a concept browser (one collapsible
// <details> per model, corpus, layer and K). Deterministic: the same inputs give the same bytes.
#include <cstdint>
#include <string>
#include <vector>

#include "report/line_plot.hpp"
#include "report/summary.hpp"

namespace conceptlens::report {

/// The curves of (model, corpus, k): one solid series per concept set (x = layer, y = % of the
/// K concepts aligned), then, for a fine-tuned model, a dashed one for the alignment with its
/// base model. A set's colour is the same in every plot of the study.
std::vector<Series> curves(const Study& study, const std::string& model, const std::string& corpus, std::int64_t k);

/// The (model, corpus, k) combinations that have results, in the order of Study::results:
/// one plot each.
struct PlotKey {
  std::string model;
  std::string corpus;
  std::int64_t k = 0;
};
std::vector<PlotKey> plot_keys(const Study& study);

/// The page. `concepts[i]` holds the concepts of study.results[i].
std::string report_html(const Study& study, const std::vector<ConceptTable>& concepts);

}  // namespace conceptlens::report
