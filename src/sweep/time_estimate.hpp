#pragma once
// How long a study takes before it runs (`conceptlens sweep --dry-run`, and beside the actual
// times in run-log.json): each stage's seconds from the cost models of README.md ("Sizing a
// study"), with the rates of this machine measured at start (sweep/machine_rates.hpp), then
// the study's wall time on the given ranks and its rank-hours. The stages run one after the
// other on all ranks, so the study's time is their sum plus the fixed costs of a sweep.
//
// A previous run-log.json in the results folder calibrates the models: per stage kind, the
// actual seconds of the stages it ran divided by what the models said for them.
//
// The clustering model is a function of the distance source (cluster_layer_seconds): the one
// place to change when a mode changes.
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "cluster/ward.hpp"
#include "sweep/machine_rates.hpp"
#include "sweep/sweep_plan.hpp"

namespace conceptlens::sweep {

/// What an estimate needs besides the plan: the run's ranks and their resources.
struct EstimateSetting {
  int ranks = 1;
  std::uint64_t available_per_rank = 0;  ///< the memory --memory-per-rank's default is 80% of
  MachineRates rates;
};

/// Seconds of one stage, and how they were reckoned.
struct StageEstimate {
  double model_seconds = 0;  ///< what the cost model says (0 for a complete stage)
  double seconds = 0;        ///< model_seconds times the calibration of its kind
  std::string basis;         ///< e.g. "7 layers of 8717 points, d 128, matrix mode; 4 on the slowest group of 1 rank(s)"
};

struct StudyEstimate {
  std::vector<StageEstimate> stages;  ///< one per plan.stages, in order
  double fixed_seconds = 0;           ///< measuring the rates, the stage keys, summary and report
  double wall_seconds = 0;            ///< fixed_seconds + every stage
  double rank_hours = 0;              ///< wall_seconds times the ranks
  std::map<std::string, double> calibration;  ///< stage kind -> factor, from `calibrated_by`
  std::filesystem::path calibrated_by;        ///< a previous run-log.json, or empty
};

/// Estimates every stage of `plan` that is not complete and the whole study (reads
/// plan.out/run-log.json when there is one). Throws InputError, naming the stage, where a
/// clustering cannot fit the memory per rank.
StudyEstimate estimate_study(const SweepPlan& plan, const EstimateSetting& setting);

/// The --dry-run text: the rates, the extraction and clustering stages one by one, alignments
/// and comparisons by kind, the study's wall time and rank-hours.
std::string describe_estimate(const SweepPlan& plan, const EstimateSetting& setting, const StudyEstimate& estimate);

/// One clustering of `n` points of dimension `d` on `ranks` ranks with the given distance
/// source, in seconds (README.md, "Sizing a study": fill and chain of the matrix mode; the
/// rounds' float32 candidate products of the vector mode).
double cluster_layer_seconds(cluster::DistanceSource source, double n, double d, int ranks, const MachineRates& rates);

/// Per stage kind ("extract", "cluster", ...), the actual seconds over the modelled seconds of
/// the stages a run-log.json says were run; empty when the file is missing or holds none.
std::map<std::string, double> calibration_from_run_log(const std::filesystem::path& run_log);

}  // namespace conceptlens::sweep
