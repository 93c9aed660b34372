#pragma once
// summary.csv: the study's numbers for plotting elsewhere. One row per result and concept set,
// and a row with set = "base" (kind "base", no coverage) for a fine-tuned model's alignment
// with its base model; in the order of Study::results, sets in their order, base last.
#include <string>

#include "report/summary.hpp"

namespace conceptlens::report {

/// model,corpus,layer,k,set,kind,aligned,fraction,coverage (fractions as in summary.json,
/// shortest round-trip text; an absent coverage is an empty field).
std::string summary_csv(const Study& study);

}  // namespace conceptlens::report
