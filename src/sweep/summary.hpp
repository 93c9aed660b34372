#pragma once
// summary.json: the results of a study, gathered from the alignment, comparison and trigger
// outputs of its stages. Results only — no times, no host paths (files are named relative to
// the results folder) — so two runs of the same study give byte-identical summaries.
// `conceptlens report` reads it.
#include <filesystem>
#include <string>

#include "sweep/sweep_plan.hpp"

namespace conceptlens::sweep {

/// The summary of a completed plan (every align and compare output present): JSON text.
std::string summary_json(const SweepPlan& plan);

/// Writes summary_json() to <out>/summary.json atomically.
void write_summary(const SweepPlan& plan);

}  // namespace conceptlens::sweep
