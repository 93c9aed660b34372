#include "sweep/time_estimate.hpp"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "app/cluster_command.hpp"
#include "app/layer_list.hpp"
#include "model/model_config.hpp"
#include "util/error.hpp"
#include "util/read_file.hpp"

namespace conceptlens::sweep {
namespace {

namespace fs = std::filesystem;

// The constants of the cost models (README.md, "Sizing a study"), each measured here.
/// Subword tokens per word: WordPiece on the bundled SST-2 and EWT samples, 1.26 and 1.29.
constexpr double kTokensPerWord = 1.3;
/// Padding of the batches (at most 10% per sentence; 4% on the bundled samples).
constexpr double kPadding = 1.05;
/// Share of the float32 GEMM rate the encoder's products reach (bench_extract.py: 91% with one
/// rank on BERT-base, 66% with two ranks; less with the small products of small models).
constexpr double kEncoderShare = 0.6;
/// Per word and rank, besides the products: tokenizing (NeuroX's alignment), gathering the
/// word vectors and writing them.
constexpr double kExtractSecondsPerWord = 20e-6;
/// Per extraction: reading the checkpoint and building the encoder, creating the file.
constexpr double kExtractFixedSeconds = 0.3;
/// Chain steps per point: 2.9 n in every run measured (58,324 steps at n = 20,000).
constexpr double kStepsPerPoint = 2.9;
/// Matrix mode: bytes a chain step reads per point of the rank's rows (81 us per step at
/// n = 20,000 on one rank, with 29.6 GB/s of read bandwidth in the same run).
constexpr double kMatrixStepBytesPerPoint = 120;
/// One chain step's global reduction between the ranks of a group (shared memory or a fast
/// network; README.md's extrapolation takes 15 us across nodes).
constexpr double kSyncSeconds = 20e-6;
/// Vector mode (rounds of reciprocal nearest neighbours): the float32 products bound this many
/// times n^2/2 pairs (1.45 at n = 20,000, 1.40 at 50,000 and 200,000, 1.44-1.51 on the demo's
/// layers); the rest of the work (float64 re-checks, the lists, the rounds' bookkeeping) is
/// about kRoundsSecondsPerPoint + kRoundsSecondsPerPointDim * d per point: 87 us at d = 768,
/// n = 20,000 (README.md's "Benchmarks": 6.40 s, products 4.65 s), 39 us at d = 128 (the demo).
constexpr double kRoundsPairsPerHalfSquare = 1.42;
constexpr double kRoundsSecondsPerPoint = 30e-6;
constexpr double kRoundsSecondsPerPointDim = 0.1e-6;
/// Per layer: reading the activation file, selecting the tokens, writing CLUSTERS.h5.
constexpr double kClusterLayerFixedSeconds = 0.05;
/// Alignment and comparison: opening the files, and per word or point read and counted.
constexpr double kAlignFixedSeconds = 0.02;
constexpr double kAlignSecondsPerItem = 0.5e-6;
/// Triggers: the polarity concepts of a layer at K, unknown before the clustering, taken as the
/// bundled demo's (8 at layer 6, K = 100), each trying the sentences of the other classes (about
/// half of them with two classes) with its trigger and every random draw.
constexpr double kTriggerConcepts = 8;
constexpr double kTriedShare = 0.5;
/// The sweep itself: its key hashing (bytes of the inputs per second), summary and report.
constexpr double kHashBytesPerSecond = 1e9;
constexpr double kSummarySecondsPerStage = 2e-3;

std::string kind_of(const Stage& stage) { return stage.id.substr(0, stage.id.find('/')); }

/// Layers of `count` that group `group` of `groups` clusters (layer q goes to group q mod groups).
std::size_t layers_of_group(std::size_t count, int group, int groups) {
  const auto g = static_cast<std::size_t>(group);
  return count > g ? (count - g + static_cast<std::size_t>(groups) - 1) / static_cast<std::size_t>(groups) : 0;
}

double file_bytes(const fs::path& path) {
  std::error_code error;
  if (fs::is_directory(path, error)) {
    double bytes = 0;
    for (const auto& entry : fs::directory_iterator(path, error)) {
      if (entry.is_regular_file(error)) bytes += static_cast<double>(entry.file_size(error));
    }
    return bytes;
  }
  const auto size = fs::file_size(path, error);
  return error ? 0.0 : static_cast<double>(size);
}

StageEstimate extract_estimate(const SweepPlan& plan, const Stage& stage, const EstimateSetting& setting) {
  const model::ModelConfig& config = plan.model(stage.model).config;
  const CorpusPlan& corpus = plan.corpus(stage.corpus);
  const double words = static_cast<double>(corpus.words);
  const double sentences = static_cast<double>(corpus.sentences);
  const double tokens = (words * kTokensPerWord + 2 * sentences) * kPadding;
  const double per_sentence = tokens / std::max(1.0, sentences);
  const double h = static_cast<double>(config.hidden_size);
  const double i = static_cast<double>(config.intermediate_size);
  const double layers = static_cast<double>(plan.model(stage.model).layers.back());  // layer 0: embeddings only
  // per layer: the Q, K, V, output and feed-forward products, and attention's two products
  const double flops = layers * (2 * tokens * (4 * h * h + 2 * h * i) + 4 * tokens * per_sentence * h);
  const double ranks = setting.ranks;
  const double seconds = kExtractFixedSeconds + flops / (ranks * setting.rates.gemm32 * kEncoderShare) +
                         words * kExtractSecondsPerWord / ranks;
  char basis[160];
  std::snprintf(basis, sizeof basis, "about %.0f tokens, %.3g TFLOP on %d rank(s)", tokens, flops / 1e12,
                setting.ranks);
  return {seconds, seconds, basis};
}

StageEstimate cluster_estimate(const SweepPlan& plan, const Stage& stage, const EstimateSetting& setting) {
  const ModelPlan& model = plan.model(stage.model);
  const auto n = plan.corpus(stage.corpus).selected;
  const std::int64_t d = model.config.hidden_size;
  const app::ClusterOptions options = cluster_options(plan.job);
  const app::LayerGroups groups = app::layer_groups(0, setting.ranks, model.layers.size());
  double slowest = 0;
  int slowest_group = 0;
  std::string modes;
  for (int group = 0; group < groups.groups; ++group) {
    const int ranks = groups.size_of(group, setting.ranks);
    app::ClusterPlan cluster_plan;
    try {
      cluster_plan = app::plan_cluster(options, n, d, sizeof(float), ranks, setting.available_per_rank, false);
    } catch (const InputError& error) {  // the clustering would refuse it: say so now, naming the stage
      throw InputError(plan.job.file.string() + ": " + stage.id + ": " + error.what());
    }
    const std::size_t layers = layers_of_group(model.layers.size(), group, groups.groups);
    const double seconds = static_cast<double>(layers) *
                           (kClusterLayerFixedSeconds + cluster_layer_seconds(cluster_plan.source, static_cast<double>(n),
                                                                              static_cast<double>(d), ranks, setting.rates));
    if (const std::string mode = cluster::to_string(cluster_plan.source); modes.find(mode) == std::string::npos) {
      if (!modes.empty()) modes += '/';
      modes += mode;
    }
    if (seconds > slowest) {
      slowest = seconds;
      slowest_group = group;
    }
  }
  char basis[200];
  std::snprintf(basis, sizeof basis, "%zu layer(s) of %lld points, d %lld, %s mode; %zu on the slowest group of %d rank(s)",
                model.layers.size(), static_cast<long long>(n), static_cast<long long>(d), modes.c_str(),
                layers_of_group(model.layers.size(), slowest_group, groups.groups),
                groups.size_of(slowest_group, setting.ranks));
  return {slowest, slowest, basis};
}

/// The corpus through the classifier once, then each assumed concept's tried sentences with its
/// trigger and random triggers: passes of an extraction, the model read once.
StageEstimate triggers_estimate(const SweepPlan& plan, const Stage& stage, const EstimateSetting& setting) {
  const double draws = static_cast<double>(plan.job.triggers.baseline_draws);
  const double passes = 1 + kTriggerConcepts * (1 + draws) * kTriedShare;
  const double seconds = kExtractFixedSeconds + passes * (extract_estimate(plan, stage, setting).seconds - kExtractFixedSeconds);
  char basis[160];
  std::snprintf(basis, sizeof basis, "the corpus classified about %.0f times (%.0f concepts assumed, %.0f random draws each)",
                passes, kTriggerConcepts, draws);
  return {seconds, seconds, basis};
}

StageEstimate stage_estimate(const SweepPlan& plan, const Stage& stage, const EstimateSetting& setting) {
  switch (stage.kind) {
    case StageKind::extract: return extract_estimate(plan, stage, setting);
    case StageKind::cluster: return cluster_estimate(plan, stage, setting);
    case StageKind::align: {
      const CorpusPlan& corpus = plan.corpus(stage.corpus);
      const double seconds = kAlignFixedSeconds + kAlignSecondsPerItem * static_cast<double>(corpus.words + corpus.selected);
      return {seconds, seconds, "the words and points counted"};
    }
    case StageKind::compare: {
      const double seconds = kAlignFixedSeconds + kAlignSecondsPerItem * 2 * static_cast<double>(plan.corpus(stage.corpus).selected);
      return {seconds, seconds, "the points of two clusterings counted"};
    }
    case StageKind::triggers: return triggers_estimate(plan, stage, setting);
  }
  return {};
}

std::string seconds_text(double seconds) {
  char text[64];
  if (seconds < 120) {
    std::snprintf(text, sizeof text, "%.1f s", seconds);
  } else if (seconds < 2 * 3600) {
    std::snprintf(text, sizeof text, "%.1f min", seconds / 60);
  } else {
    std::snprintf(text, sizeof text, "%.1f h", seconds / 3600);
  }
  return text;
}

}  // namespace

double cluster_layer_seconds(cluster::DistanceSource source, double n, double d, int ranks, const MachineRates& rates) {
  const double p = ranks;
  switch (source) {
    case cluster::DistanceSource::matrix: {
      const double steps = kStepsPerPoint * n;
      const double sync = ranks > 1 ? kSyncSeconds : 0.0;
      // fill: n^2/2 distances of 2d FLOP each, and the n^2/2 doubles written; chain: each step
      // scans the rank's n/p rows; merges: every rank receives the dying rows (n^2/2 doubles)
      const double fill = n * n * d / (p * rates.gemm64) + n * n / 2 * 8 / (p * rates.memory);
      const double chain = steps * (n / p * kMatrixStepBytesPerPoint / rates.memory + sync);
      const double rows = ranks > 1 ? n * n / 2 * 8 / rates.memory : 0.0;
      return fill + chain + rows;
    }
    case cluster::DistanceSource::vector: {
      // the rounds' candidate products, 2d FLOP per pair bounded, split over the ranks, and the
      // work per point; the rounds' few hundred collectives are milliseconds
      const double pairs = kRoundsPairsPerHalfSquare * n * n / 2;
      return pairs * 2 * d / (p * rates.candidates) + n * (kRoundsSecondsPerPoint + kRoundsSecondsPerPointDim * d);
    }
  }
  return 0;
}

std::map<std::string, double> calibration_from_run_log(const fs::path& run_log) {
  std::map<std::string, double> factors;
  std::error_code error;
  if (!fs::exists(run_log, error)) return factors;
  std::map<std::string, std::pair<double, double>> sums;  // kind -> (actual, modelled)
  try {
    const nlohmann::json log = nlohmann::json::parse(read_whole_file(run_log));
    for (const auto& stage : log.at("stages")) {
      if (stage.value("status", "") != "ran" || !stage.contains("model_seconds")) continue;
      const std::string id = stage.at("id").get<std::string>();
      auto& [actual, modelled] = sums[id.substr(0, id.find('/'))];
      actual += stage.at("seconds").get<double>();
      modelled += stage.at("model_seconds").get<double>();
    }
  } catch (const nlohmann::json::exception&) {
    return {};  // a log of another version, or damaged: no calibration
  }
  for (const auto& [kind, sum] : sums) {
    if (sum.second > 0 && sum.first > 0) factors[kind] = sum.first / sum.second;
  }
  return factors;
}

StudyEstimate estimate_study(const SweepPlan& plan, const EstimateSetting& setting) {
  StudyEstimate estimate;
  const fs::path run_log = plan.out / "run-log.json";
  estimate.calibration = calibration_from_run_log(run_log);
  if (!estimate.calibration.empty()) estimate.calibrated_by = run_log;
  double input_bytes = 0;
  for (const ModelSpec& model : plan.job.models) input_bytes += file_bytes(model.path);
  for (const CorpusSpec& corpus : plan.job.corpora) {
    input_bytes += file_bytes(corpus.path);
    for (const LabelSetSpec& set : corpus.labels) input_bytes += file_bytes(set.path);
  }
  estimate.fixed_seconds = 0.7 /* the rates */ + input_bytes / kHashBytesPerSecond +
                           kSummarySecondsPerStage * static_cast<double>(plan.stages.size());
  estimate.wall_seconds = estimate.fixed_seconds;
  for (const Stage& stage : plan.stages) {
    StageEstimate stage_time;
    if (!stage_complete(plan, stage)) {
      stage_time = stage_estimate(plan, stage, setting);
      const auto factor = estimate.calibration.find(kind_of(stage));
      if (factor != estimate.calibration.end()) stage_time.seconds = stage_time.model_seconds * factor->second;
    }
    estimate.wall_seconds += stage_time.seconds;
    estimate.stages.push_back(std::move(stage_time));
  }
  estimate.rank_hours = estimate.wall_seconds * setting.ranks / 3600;
  return estimate;
}

std::string describe_estimate(const SweepPlan& plan, const EstimateSetting& setting, const StudyEstimate& estimate) {
  std::string out = "time estimate on " + std::to_string(setting.ranks) + " rank(s), from the rates measured at start (" +
                    describe(setting.rates) + ")";
  if (!estimate.calibrated_by.empty()) {
    out += ", calibrated by " + estimate.calibrated_by.string() + " (";
    for (const auto& [kind, factor] : estimate.calibration) {
      char text[64];
      std::snprintf(text, sizeof text, "%s%s x%.2f", out.back() == '(' ? "" : ", ", kind.c_str(), factor);
      out += text;
    }
    out += ")";
  }
  out += ":\n";
  std::map<std::string, std::pair<std::size_t, double>> by_kind;  // align, compare: count, seconds
  for (std::size_t s = 0; s < plan.stages.size(); ++s) {
    const Stage& stage = plan.stages[s];
    const StageEstimate& time = estimate.stages[s];
    if (time.model_seconds == 0) continue;  // complete
    if (stage.kind == StageKind::extract || stage.kind == StageKind::cluster) {
      char line[400];
      std::snprintf(line, sizeof line, "  %-48s %10s  (%s)\n", stage.id.c_str(), seconds_text(time.seconds).c_str(),
                    time.basis.c_str());
      out += line;
    } else {
      auto& [count, seconds] = by_kind[kind_of(stage)];
      ++count;
      seconds += time.seconds;
    }
  }
  for (const auto& [kind, sum] : by_kind) {
    char line[200];
    std::snprintf(line, sizeof line, "  %-48s %10s\n", (kind + ": " + std::to_string(sum.first) + " stages").c_str(),
                  seconds_text(sum.second).c_str());
    out += line;
  }
  char line[300];
  std::snprintf(line, sizeof line, "  %-48s %10s\n", "the rates, stage keys, summary and report",
                seconds_text(estimate.fixed_seconds).c_str());
  out += line;
  const auto limit = static_cast<long long>(2 * estimate.wall_seconds) + 60;  // the models' factor of 2, a minute to start
  std::snprintf(line, sizeof line,
                "study: about %s wall on %d rank(s) = %.3g rank-hours (a batch job's time limit: twice that, "
                "--time=%lld:%02lld:%02lld)\n",
                seconds_text(estimate.wall_seconds).c_str(), setting.ranks, estimate.rank_hours, limit / 3600,
                limit / 60 % 60, limit % 60);
  return out + line;
}

}  // namespace conceptlens::sweep
