#include "app/cluster_run.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <optional>
#include <variant>

#include "app/activation_points.hpp"
#include "app/layer_list.hpp"
#include "cluster/chain_checkpoint.hpp"
#include "cluster/checkpoint.hpp"
#include "cluster/panel_product.hpp"
#include "cluster/rounds.hpp"
#include "cluster/sharded_matrix.hpp"
#include "cluster/sharded_rounds.hpp"
#include "comm/communicator.hpp"
#include "comm/node_share.hpp"
#include "util/hash.hpp"
#include "util/memory.hpp"

namespace conceptlens::mpi {

namespace {

std::size_t point_bytes(const store::NpyMatrix& points) {
  return std::holds_alternative<std::vector<float>>(points.values) ? sizeof(float) : sizeof(double);
}

/// Collective. The fingerprint of the clustering of `inputs` by `source`: every rank hashes a
/// disjoint part of the rows it holds (its matrix deal when it holds them all).
std::uint64_t fingerprint(MPI_Comm comm, const app::ClusterInputs& inputs, cluster::DistanceSource source) {
  const bool whole = inputs.holds_all();
  const cluster::RowRanges mine =
      whole ? cluster::block_cyclic_rows(inputs.n, rank(comm), size(comm), cluster::CondensedMatrix::kBlockRows)
            : inputs.held;
  std::uint64_t sum = 0;
  std::visit(
      [&](const auto& values) {
        using Scalar = typename std::decay_t<decltype(values)>::value_type;
        const cluster::PointsView<Scalar> view(values.data(), inputs.points.rows, inputs.points.cols);
        std::int64_t local = 0;  // position of a held range's first row in the points
        for (const auto& range : mine) {
          const std::int64_t count = range.last - range.first;
          const std::int64_t at = whole ? range.first : local;
          sum += cluster::hash_rows(cluster::PointsView<Scalar>(view.row(at).data(), count, view.cols()), range.first);
          local += count;
        }
      },
      inputs.points.values);
  return clustering_fingerprint(comm, sum, inputs.n, inputs.points.cols, point_bytes(inputs.points),
                                cluster::to_string(source));
}

/// Collective. The linkage by `source`; the vector mode keeps only this rank's rows of the
/// points (and releases the others) and reports what its rounds did in `stats`.
cluster::Linkage compute_linkage(MPI_Comm comm, app::ClusterInputs& inputs, cluster::DistanceSource source,
                                 cluster::ChainHooks hooks, cluster::RoundStats& stats) {
  return std::visit(
      [&](auto& values) {
        using Scalar = typename std::decay_t<decltype(values)>::value_type;
        const cluster::PointsView<Scalar> view(values.data(), inputs.points.rows, inputs.points.cols);
        if (source == cluster::DistanceSource::matrix) return sharded_ward_linkage(comm, view, std::move(hooks));
        std::vector<Scalar> owned = inputs.holds_all() && size(comm) > 1 ? owned_rows(comm, view) : std::move(values);
        std::decay_t<decltype(values)>().swap(values);  // release the other ranks' rows
        return sharded_vector_linkage(comm, inputs.n, inputs.points.cols, std::move(owned), std::move(hooks), &stats);
      },
      inputs.points.values);
}

/// Progress every 10 s, and what the clustering did. The chain (matrix mode): merges done,
/// their rate and an ETA from the first merge on (the distance matrix is computed by then), and
/// at the end the chain steps and the time per step. The rounds (vector mode): the first pass's
/// share of pairs and ETA, then merges after every round with an ETA; at the end the rounds'
/// figures (rounds, merges per round, searches per merge, time in the matrix products).
class ClusterProgress {
 public:
  explicit ClusterProgress(std::int64_t n) : n_(n) {}

  /// After every merge (chain) or round (rounds).
  void operator()(const cluster::ChainState& state) {
    const auto live = n_ - static_cast<std::int64_t>(state.merges.size()) + 1;  // during the steps just made
    if (first_steps_ < 0) {
      first_ = last_progress_ = std::chrono::steady_clock::now();
      first_steps_ = state.steps;
      first_live_ = live;
    }
    steps_ = state.steps;
    merges(live - 1, state.steps);
  }

  /// During the rounds' first pass: the share of this rank's pairs done.
  void first_pass(double done) {
    const auto now = std::chrono::steady_clock::now();
    if (pass_start_ == std::chrono::steady_clock::time_point{}) pass_start_ = last_progress_ = now;
    if (now - last_progress_ < std::chrono::seconds(10) || done <= 0) return;
    last_progress_ = now;
    const double seconds = std::chrono::duration<double>(now - pass_start_).count();
    spdlog::info("first pass: {:.1f}% of the pairs, ETA {:.0f} s", 100.0 * done, seconds * (1.0 - done) / done);
  }

  /// The chain's summary line (bench/bench_ward.py reads it).
  void report_chain() const {
    if (first_steps_ < 0 || steps_ == first_steps_) return;
    const std::chrono::duration<double> seconds = std::chrono::steady_clock::now() - first_;
    const auto steps = static_cast<double>(steps_ - first_steps_);
    spdlog::info("chain: {} steps, {:.2f} s from the first merge, {:.2f} us per step", steps_, seconds.count(),
                 1e6 * seconds.count() / steps);
  }

  /// The rounds' summary line (bench/bench_ward.py reads it).
  void report_rounds(const cluster::RoundStats& stats, double pass_pairs_total) const {
    const auto merged = static_cast<double>(n_ - 1);
    spdlog::info(
        "rounds: {} rounds, {:.0f} merges ({:.1f} per round, at most {}), {} searches after the first pass ({:.3f} "
        "per merge), {} list updates; first pass {:.2f} s, products {:.2f} s of {:.2f} s ({:.0f}%), {:.3g} pairs "
        "bounded ({:.2f} x n^2/2), {} exact re-checks; {} collectives, {:.1f} MB received (rank 0)",
        stats.rounds, merged, stats.rounds > 0 ? merged / static_cast<double>(stats.rounds) : 0.0, stats.max_merges,
        stats.searches, static_cast<double>(stats.searches) / std::max(1.0, merged), stats.updates, stats.first_pass_seconds,
        stats.pass.product_seconds, stats.seconds, 100.0 * stats.pass.product_seconds / std::max(1e-9, stats.seconds),
        pass_pairs_total, pass_pairs_total / (0.5 * static_cast<double>(n_) * static_cast<double>(n_)),
        stats.pass.exact, stats.team.collectives, stats.team.bytes_received / 1e6);
  }

 private:
  /// Every 10 s: merges done, their rate and an ETA. A step (or a round's searches) costs about
  /// the live clusters, so the work left goes as live^2: ETA = elapsed * live^2 / (first live^2 - live^2).
  void merges(std::int64_t live, std::int64_t steps) {
    const auto now = std::chrono::steady_clock::now();
    if (now - last_progress_ < std::chrono::seconds(10)) return;
    last_progress_ = now;
    const double seconds = std::chrono::duration<double>(now - first_).count();
    const double merged = static_cast<double>(n_ - live);
    const double left = static_cast<double>(live) * static_cast<double>(live);
    const double done = static_cast<double>(first_live_) * static_cast<double>(first_live_) - left;
    spdlog::info("merges: {}/{} ({:.1f}%) after {} steps or rounds, {:.0f} merges/s, ETA {:.0f} s", n_ - live, n_ - 1,
                 100.0 * merged / static_cast<double>(n_ - 1), steps, merged / seconds,
                 done > 0 ? seconds * left / done : 0.0);
  }

  std::int64_t n_;
  std::chrono::steady_clock::time_point first_;
  std::chrono::steady_clock::time_point last_progress_;
  std::chrono::steady_clock::time_point pass_start_{};
  std::int64_t first_steps_ = -1;
  std::int64_t first_live_ = 0;
  std::int64_t steps_ = 0;
};

}  // namespace

Outcome cluster_planned(MPI_Comm comm, const app::ClusterOptions& options, const app::ClusterPlan& plan,
                        app::ClusterInputs& inputs) {
  const bool root = rank(comm) == 0;
  const cluster::DistanceSource source = plan.source;
  const std::uint64_t print = fingerprint(comm, inputs, source);
  inputs.result.fingerprint = to_hex(print);
  bool complete = false;
  std::optional<app::ClusterOutputs> outputs;
  Outcome outcome = agree(comm, capture([&] {
    if (root) {
      complete = app::outputs_complete(options, inputs);
      if (!complete) outputs.emplace(app::claim_cluster_outputs(options, inputs));
    }
  }));
  if (!outcome.ok()) return outcome;
  MPI_Bcast(&complete, 1, MPI_CXX_BOOL, 0, comm);
  if (complete) {
    if (root) spdlog::info("{} is complete (same points and K): kept", options.out.string());
    return outcome;
  }

  spdlog::info("clustering: {}", app::describe(plan, inputs.n, inputs.points.cols));
  spdlog::info("{} products: {}", source == cluster::DistanceSource::matrix ? "distance" : "float32 candidate",
               cluster::product_backend());
  const auto start = std::chrono::steady_clock::now();
  const std::filesystem::path checkpoint = app::checkpoint_path(options.out);
  cluster::Linkage linkage;
  ClusterProgress progress(inputs.n);
  cluster::RoundStats stats;
  outcome = agree(comm, capture([&] {
    cluster::ChainHooks hooks;
    if (options.checkpoint_every > 0) {
      hooks = checkpoint_hooks(comm, checkpoint, print, options.checkpoint_every);
    }
    hooks.after_merge = [&progress, save = std::move(hooks.after_merge)](const cluster::ChainState& state) {
      progress(state);
      if (save) save(state);
    };
    hooks.progress = [&progress](double done) { progress.first_pass(done); };
    linkage = compute_linkage(comm, inputs, source, std::move(hooks), stats);
  }));
  if (!outcome.ok()) return outcome;
  const std::chrono::duration<double> seconds = std::chrono::steady_clock::now() - start;
  spdlog::info("Ward linkage done in {:.2f} s", seconds.count());
  if (source == cluster::DistanceSource::matrix) {
    progress.report_chain();
  } else {
    double pairs = stats.pass.pairs;
    MPI_Allreduce(MPI_IN_PLACE, &pairs, 1, MPI_DOUBLE, MPI_SUM, comm);
    progress.report_rounds(stats, pairs);
  }

  return run_on_root(comm, 0, [&] {
    write_cluster_outputs(*outputs, inputs, std::move(linkage), source);
    std::error_code ignored;
    std::filesystem::remove(checkpoint, ignored);
  });
}

namespace {

/// Where one layer's outputs go: --layer writes --out itself; --layers a directory of
/// layer-<L>.h5 (and ConceptX's files in <conceptx-dir>/layer-<L>/).
app::ClusterOptions layer_options(const app::ClusterOptions& options, std::int64_t layer) {
  app::ClusterOptions one = options;
  if (options.layer < 0) {
    one.out = options.out / ("layer-" + std::to_string(layer) + ".h5");
    if (!options.conceptx_dir.empty()) one.conceptx_dir = options.conceptx_dir / ("layer-" + std::to_string(layer));
  }
  return one;
}

/// Collective. `conceptlens cluster --activations`: every rank reads the file's description
/// and selects the tokens; all plans are checked before any work; then each group of ranks
/// clusters its layers one after the other, reading only the rows it needs.
Outcome run_cluster_layers(MPI_Comm comm, const app::ClusterOptions& options) {
  const bool root = rank(comm) == 0;
  std::optional<store::ActivationsFile> file;
  app::ActivationPoints points;
  std::vector<std::int64_t> layers;
  Outcome outcome = agree(comm, capture([&] {
    if (options.layers.empty() && options.layer < 0) {
      throw Error(ExitCode::usage, "cluster --activations needs --layers (e.g. all) or --layer L");
    }
    file.emplace(store::ActivationsFile::open(options.activations));
    layers = app::requested_layers(options, file->info());
    points = app::select_activation_points(file->info(), options.selection);
    if (root) {
      const auto& s = points.selection;
      spdlog::info("token selection: {} of {} words kept ({} in {} sentences of >= --max-words words, {} in {} "
                   "sentences truncated at extraction or with Unicode whitespace in a word (NeuroX's loader drops "
                   "them), {} of types over --drop-freq, {} under --min-freq, {} over --max-per-type)",
                   s.rows.size(), file->info().words, s.long_sentence_words, s.long_sentences,
                   s.dropped_sentence_words, s.dropped_sentences, s.frequent_words, s.rare_words, s.capped_words);
    }
  }));
  if (!outcome.ok()) return outcome;

  const int ranks = size(comm);
  const app::LayerGroups groups = app::layer_groups(rank(comm), ranks, layers.size());
  const NodeShare share = node_share(comm);
  const std::uint64_t available = smallest_memory_per_rank(comm, share);
  const auto n = static_cast<std::int64_t>(points.selection.rows.size());
  const std::int64_t d = file->info().hidden;
  std::vector<app::ClusterPlan> plans(layers.size());
  std::vector<std::int64_t> ks;
  outcome = agree(comm, capture([&] {
    ks = app::checked_ks(options.ks, n,
                         "the number of tokens selected from " + options.activations.string() +
                             " (after --max-words, --drop-freq, --min-freq, --max-per-type)");
    for (std::size_t q = 0; q < layers.size(); ++q) {
      const int group = static_cast<int>(q % static_cast<std::size_t>(groups.groups));
      plans[q] = app::plan_cluster(options, n, d, sizeof(float), groups.size_of(group, ranks), available,
                                   /*whole_input=*/false);
    }
    if (options.layer < 0 && root && !options.dry_run) {
      std::vector<std::filesystem::path> directories{options.out};
      for (const auto layer : layers) {
        if (!options.conceptx_dir.empty()) directories.push_back(layer_options(options, layer).conceptx_dir);
      }
      for (const auto& directory : directories) {
        std::error_code error;
        std::filesystem::create_directories(directory, error);
        if (error) throw OutputError("cannot create directory '" + directory.string() + "': " + error.message());
      }
    }
  }));
  if (!outcome.ok()) return outcome;
  if (options.dry_run) {
    const std::string hosts = describe_hosts(comm, share);
    if (root) {
      std::fputs(hosts.c_str(), stdout);
      for (std::size_t q = 0; q < layers.size(); ++q) {
        std::printf("plan: layer %lld (group %zu of %d): %s\n", static_cast<long long>(layers[q]),
                    q % static_cast<std::size_t>(groups.groups), groups.groups, app::describe(plans[q], n, d).c_str());
      }
    }
    return outcome;
  }

  MPI_Comm group_comm = MPI_COMM_NULL;
  MPI_Comm_split(comm, groups.mine, rank(comm), &group_comm);
  for (std::size_t q = static_cast<std::size_t>(groups.mine); q < layers.size() && outcome.ok();
       q += static_cast<std::size_t>(groups.groups)) {
    spdlog::info("layer {}: {} rank(s)", layers[q], size(group_comm));
    const app::ClusterOptions one = layer_options(options, layers[q]);
    const cluster::RowRanges held =
        plans[q].source == cluster::DistanceSource::matrix
            ? cluster::RowRanges{{0, n}}
            : cluster::block_cyclic_rows(n, rank(group_comm), size(group_comm), cluster::kCentroidBlockRows);
    app::ClusterInputs inputs;
    outcome = agree(group_comm, capture([&] { inputs = app::layer_inputs(one, ks, *file, points, layers[q], held); }));
    if (outcome.ok()) outcome = cluster_planned(group_comm, one, plans[q], inputs);
  }
  MPI_Comm_free(&group_comm);
  return agree(comm, outcome);
}

}  // namespace

Outcome run_cluster(MPI_Comm comm, const app::ClusterOptions& options) {
  if (!options.activations.empty()) return run_cluster_layers(comm, options);
  app::ClusterInputs inputs;
  Outcome outcome = agree(comm, capture([&] { inputs = app::load_cluster_inputs(options); }));
  if (!outcome.ok()) return outcome;

  app::ClusterPlan plan;
  const NodeShare share = node_share(comm);
  const std::uint64_t available = smallest_memory_per_rank(comm, share);
  outcome = agree(comm, capture([&] {
    plan = app::plan_cluster(options, inputs.n, inputs.points.cols, point_bytes(inputs.points), size(comm), available,
                             /*whole_input=*/true);
  }));
  if (!outcome.ok()) return outcome;
  if (options.dry_run) {
    const std::string hosts = describe_hosts(comm, share);
    if (rank(comm) == 0) std::printf("%splan: %s\n", hosts.c_str(), app::describe(plan, inputs.n, inputs.points.cols).c_str());
    return outcome;
  }
  return cluster_planned(comm, options, plan, inputs);
}

}  // namespace conceptlens::mpi
