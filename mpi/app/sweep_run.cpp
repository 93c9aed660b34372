#include "app/sweep_run.hpp"

#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>

#include "app/align_run.hpp"
#include "app/cluster_run.hpp"
#include "app/extract_run.hpp"
#include "app/layer_list.hpp"
#include "app/triggers_run.hpp"
#include "comm/communicator.hpp"
#include "comm/node_share.hpp"
#include "report/report.hpp"
#include "store/atomic_output.hpp"
#include "sweep/summary.hpp"
#include "sweep/sweep_plan.hpp"
#include "sweep/time_estimate.hpp"

namespace conceptlens::mpi {
namespace {

namespace fs = std::filesystem;
using sweep::Stage;
using sweep::StageKind;
using sweep::SweepPlan;

/// Collective. `text` of rank 0 on every rank.
void broadcast(MPI_Comm comm, std::string& text) {
  unsigned long long size = text.size();
  MPI_Bcast(&size, 1, MPI_UNSIGNED_LONG_LONG, 0, comm);
  text.resize(size);
  MPI_Bcast(text.data(), static_cast<int>(size), MPI_CHAR, 0, comm);
}

/// Collective. The largest peak resident memory of the ranks so far, MiB.
double peak_rss_mib(MPI_Comm comm) {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  long mine = usage.ru_maxrss;  // KiB
  long largest = 0;
  MPI_Allreduce(&mine, &largest, 1, MPI_LONG, MPI_MAX, comm);
  return static_cast<double>(largest) / 1024.0;
}

/// Runs one stage with the subcommand that makes its outputs.
Outcome run_stage(MPI_Comm comm, const SweepPlan& plan, const Stage& stage) {
  const sweep::Job& job = plan.job;
  const sweep::ModelSpec& model = job.model(stage.model);
  const sweep::CorpusSpec& corpus = job.corpus(stage.corpus);
  const fs::path activations = sweep::activations_path(plan.out, stage.model, stage.corpus);
  const fs::path clusters = sweep::clusters_dir(plan.out, stage.model, stage.corpus);
  const auto layer_file = [&](const std::string& name) {
    return sweep::clusters_dir(plan.out, name, stage.corpus) / ("layer-" + std::to_string(stage.layer) + ".h5");
  };
  switch (stage.kind) {
    case StageKind::extract: {
      app::ExtractOptions options;
      options.model = model.path;
      options.corpus = corpus.path;
      options.pairs = corpus.pairs;
      options.out = activations;
      options.layers = app::layer_list_text(plan.model(stage.model).layers);
      options.aggregation = job.aggregation;
      options.batch_tokens = job.batch_tokens;
      options.dtype = job.dtype;
      options.compute_dtype = job.compute_dtype;
      options.predictions = plan.model(stage.model).predicts;
      return run_extract(comm, options);
    }
    case StageKind::cluster: {
      app::ClusterOptions options = sweep::cluster_options(job);
      options.activations = activations;
      options.layers = app::layer_list_text(plan.model(stage.model).layers);
      options.out = clusters;
      return run_cluster(comm, options);
    }
    case StageKind::align: {
      app::AlignCommandOptions options;
      options.clusters = layer_file(stage.model);
      options.k = stage.k;
      options.corpus = corpus.path;
      options.pairs = corpus.pairs;
      if (stage.set_kind == "predicted") {
        options.labels = activations;
        options.label_format = "predictions";
      } else {
        const sweep::LabelSetSpec& set = corpus.label_set(stage.set);
        options.labels = set.path;
        options.label_format = set.format;
        options.column = set.column;
        options.preprocess = set.preprocess;
        options.ignore_unks = set.ignore_unks;
        options.na_unk = set.na_unk;
      }
      options.name = stage.set;
      options.threshold = job.threshold;
      options.max_unk = job.max_unk;
      options.level = job.level;
      options.out = stage.outputs.front();
      return run_align(comm, options);
    }
    case StageKind::triggers: {
      const sweep::LabelSetSpec& set = corpus.label_set(stage.set);
      app::TriggersOptions options;
      options.model = model.path;
      options.corpus = corpus.path;
      options.pairs = corpus.pairs;
      options.labels = set.path;
      options.label_format = set.format;
      options.clusters = layer_file(stage.model);
      options.k = stage.k;
      options.threshold = job.triggers.threshold.value_or(job.threshold);
      options.trigger_words = job.triggers.trigger_words;
      options.position = job.triggers.position;
      options.baseline_draws = job.triggers.baseline_draws;
      options.seed = static_cast<std::uint64_t>(job.triggers.seed);
      options.class_map = model.class_map;
      options.batch_tokens = job.batch_tokens;
      options.out = stage.outputs.front();
      return run_triggers(comm, options);
    }
    case StageKind::compare: {
      app::CompareCommandOptions options;
      options.clusters = layer_file(stage.model);
      options.reference = layer_file(model.base);
      options.k = stage.k;
      options.threshold = job.threshold;
      options.out = stage.outputs.front();
      return run_compare(comm, options);
    }
  }
  return {};
}

/// Temporaries a killed run left behind (`<name>.tmp-<pid>`): never a finished output.
void remove_temporaries(const fs::path& out) {
  if (!fs::exists(out)) return;
  for (const auto& entry : fs::recursive_directory_iterator(out)) {
    if (entry.is_regular_file() && entry.path().filename().string().find(".tmp-") != std::string::npos) {
      std::error_code ignored;
      fs::remove(entry.path(), ignored);
    }
  }
}

/// Collective. What the study will take on these ranks: the rates measured by every rank at
/// once on its extraction threads (the slowest rank's), the estimate made on rank 0 (empty
/// elsewhere).
sweep::StudyEstimate estimate(MPI_Comm comm, const SweepPlan& plan, const NodeShare& share,
                              sweep::EstimateSetting& setting) {
  setting.ranks = size(comm);
  setting.available_per_rank = smallest_memory_per_rank(comm, share);
  MPI_Barrier(comm);
  sweep::MachineRates& rates = setting.rates;
  rates = sweep::measure_machine_rates(share.threads_per_rank);
  double slowest[4] = {rates.gemm32, rates.gemm64, rates.memory, rates.candidates};
  MPI_Allreduce(MPI_IN_PLACE, slowest, 4, MPI_DOUBLE, MPI_MIN, comm);
  rates.gemm32 = slowest[0];
  rates.gemm64 = slowest[1];
  rates.memory = slowest[2];
  rates.candidates = slowest[3];
  return rank(comm) == 0 ? sweep::estimate_study(plan, setting) : sweep::StudyEstimate{};
}

/// run-log.json: what each stage did, its time beside its estimate and the ranks' peak memory
/// (not in summary.json), and the study's wall time beside its estimate.
class RunLog {
 public:
  RunLog(const SweepPlan& plan, const sweep::EstimateSetting& setting, const sweep::StudyEstimate& estimate)
      : path_(plan.out / "run-log.json"), estimate_(estimate) {
    log_["study"] = plan.job.study;
    log_["ranks"] = setting.ranks;
    const sweep::MachineRates& rates = setting.rates;
    log_["estimate"] = {{"wall_seconds", estimate.wall_seconds},
                        {"rank_hours", estimate.rank_hours},
                        {"fixed_seconds", estimate.fixed_seconds},
                        {"rates", {{"gemm32_gflops", rates.gemm32 / 1e9}, {"threads", rates.threads},
                                   {"gemm64_gflops", rates.gemm64 / 1e9}, {"memory_gbps", rates.memory / 1e9},
                                   {"candidates_gflops", rates.candidates / 1e9}}},
                        {"calibration", estimate.calibration}};
    log_["stages"] = nlohmann::ordered_json::array();
  }

  /// Stage `index` of the plan.
  void add(std::size_t index, const Stage& stage, const char* status, double seconds, double peak_mib) {
    const sweep::StageEstimate& expected = estimate_.stages[index];
    log_["stages"].push_back({{"id", stage.id}, {"status", status}, {"seconds", seconds},
                              {"estimate_seconds", expected.seconds}, {"model_seconds", expected.model_seconds},
                              {"peak_rss_mib", peak_mib}});
    write();
  }

  /// The end: the study's wall time from the start of the sweep.
  void finish(double wall_seconds) {
    log_["wall_seconds"] = wall_seconds;
    write();
  }

  void write() const {
    store::write_file_atomically(path_, log_.dump(1) + "\n");
  }

 private:
  fs::path path_;
  sweep::StudyEstimate estimate_;
  nlohmann::ordered_json log_;
};

}  // namespace

Outcome run_sweep(MPI_Comm parent, const app::SweepOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  const Communicator communicator(parent);
  const MPI_Comm comm = communicator.get();
  const bool root = rank(comm) == 0;
  SweepPlan plan;
  Outcome outcome = agree(comm, capture([&] {
    const sweep::Job job = sweep::read_job_file(options.job);
    plan = sweep::plan_sweep(job, options.out.empty() ? fs::path("results") / job.study : options.out);
  }));
  if (!outcome.ok()) return outcome;
  // rank 0 reads and hashes the inputs once; every rank gets the keys
  std::string keys;
  outcome = agree(comm, capture([&] {
    if (!root) return;
    sweep::compute_keys(plan);
    for (const Stage& stage : plan.stages) keys += stage.key + "\n";
  }));
  if (!outcome.ok()) return outcome;
  broadcast(comm, keys);
  std::istringstream lines(keys);
  for (Stage& stage : plan.stages) std::getline(lines, stage.key);

  const NodeShare share = node_share(comm);
  sweep::EstimateSetting setting;
  sweep::StudyEstimate expected;
  outcome = agree(comm, capture([&] { expected = estimate(comm, plan, share, setting); }));
  if (!outcome.ok()) return outcome;
  if (options.dry_run) {
    const std::string hosts = describe_hosts(comm, share);
    if (root) {
      std::fputs((sweep::describe_plan(plan, size(comm)) + hosts).c_str(), stdout);
      std::fputs(sweep::describe_estimate(plan, setting, expected).c_str(), stdout);
    }
    return outcome;
  }
  if (root) {
    spdlog::info("sweep: about {:.0f} s on {} rank(s) ({:.3g} rank-hours; --dry-run shows the estimate)",
                 expected.wall_seconds, size(comm), expected.rank_hours);
  }

  std::optional<RunLog> log;
  outcome = run_on_root(comm, 0, [&] {
    fs::create_directories(plan.out);
    remove_temporaries(plan.out);
    for (const Stage& stage : plan.stages) {
      for (const fs::path& output : stage.outputs) fs::create_directories(output.parent_path());
    }
    log.emplace(plan, setting, expected);
  });
  if (!outcome.ok()) return outcome;

  std::size_t ran = 0;
  for (std::size_t i = 0; i < plan.stages.size(); ++i) {
    const Stage& stage = plan.stages[i];
    int complete = root && sweep::stage_complete(plan, stage) ? 1 : 0;
    MPI_Bcast(&complete, 1, MPI_INT, 0, comm);
    if (complete != 0) {
      if (root) {
        spdlog::info("sweep [{}/{}] {}: complete, kept", i + 1, plan.stages.size(), stage.id);
        log->add(i, stage, "kept", 0, 0);
      }
      continue;
    }
    if (root) spdlog::info("sweep [{}/{}] {}: running", i + 1, plan.stages.size(), stage.id);
    const auto stage_start = std::chrono::steady_clock::now();
    outcome = run_stage(comm, plan, stage);
    if (!outcome.ok()) return outcome;
    outcome = run_on_root(comm, 0, [&] { sweep::stamp_stage(plan, stage); });
    if (!outcome.ok()) return outcome;
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - stage_start).count();
    const double peak = peak_rss_mib(comm);
    ++ran;
    if (root) {
      log->add(i, stage, "ran", seconds, peak);
      const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      spdlog::info("sweep [{}/{}] {}: done in {:.1f} s (peak memory {:.0f} MiB per rank); {} stages run in {:.0f} s",
                   i + 1, plan.stages.size(), stage.id, seconds, peak, ran, elapsed);
    }
  }
  return run_on_root(comm, 0, [&] {
    sweep::write_summary(plan);
    const report::ReportFiles report = report::write_report(plan.out);
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    log->finish(wall);
    spdlog::info("sweep: wrote {}, {} and {} ({:.1f} s, estimated {:.1f} s)", (plan.out / "summary.json").string(),
                 report.html.string(), report.csv.string(), wall, expected.wall_seconds);
  });
}

}  // namespace conceptlens::mpi
