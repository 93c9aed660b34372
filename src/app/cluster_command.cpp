#include "app/cluster_command.hpp"

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "cluster/condensed_matrix.hpp"
#include "cluster/rounds.hpp"
#include "cluster/flat_clusters.hpp"
#include "store/conceptx_clusters.hpp"
#include "store/conceptx_vocab.hpp"
#include "store/npy.hpp"
#include "util/error.hpp"
#include "util/memory.hpp"
#include "util/read_file.hpp"

namespace conceptlens::app {

using cluster::DistanceSource;

namespace {

/// The matrix mode's O(n) state per point besides the points and the distances: neighbour
/// lists, active set, sizes, the broadcast row, the linkage.
constexpr std::uint64_t kBytesPerPoint = 256;

}  // namespace

void setup_cluster_command(CLI::App& command, ClusterOptions& options) {
  command.description(
      "Exact Ward agglomerative clustering (nearest-neighbour chain) of ConceptX point files or of\n"
      "the layers of an activation file (all layers at once, in groups of ranks), identical to\n"
      "fastcluster/scipy; writes CLUSTERS.h5 and optionally ConceptX's clusters-K.txt");
  auto* points = command.add_option("--points", options.points,
                                    "ConceptX processed-point.npy: [n, d] float32/float64, C order")
                     ->check(CLI::ExistingFile);
  command.add_option("--vocab", options.vocab, "ConceptX processed-vocab.npy: n keys word|||k|||sent|||tok")
      ->check(CLI::ExistingFile)
      ->needs(points);
  auto* activations = command.add_option("--activations", options.activations,
                                         "activation file (ACT.h5 of conceptlens extract) instead of --points")
                          ->check(CLI::ExistingFile)
                          ->excludes(points);
  points->excludes(activations);
  auto* layers = command.add_option("--layers", options.layers,
                                    "with --activations: 'all' or layers (e.g. 0,6,12), clustered at the same time in "
                                    "groups of ranks; --out is a directory of layer-<L>.h5")
                     ->needs(activations);
  command.add_option("--layer", options.layer, "with --activations: one layer; --out is the CLUSTERS.h5 file")
      ->check(CLI::NonNegativeNumber)
      ->needs(activations)
      ->excludes(layers);
  command.add_option("--min-freq", options.selection.min_freq,
                     "token selection (ConceptX): keep word types seen at least N times (0: all)")
      ->check(CLI::NonNegativeNumber)
      ->needs(activations);
  command.add_option("--max-per-type", options.selection.max_per_type,
                     "token selection: keep only the first N occurrences of each type (0: all)")
      ->check(CLI::NonNegativeNumber)
      ->needs(activations);
  command.add_option("--drop-freq", options.selection.drop_freq,
                     "token selection: drop types seen more than N times (0: none)")
      ->check(CLI::NonNegativeNumber)
      ->needs(activations);
  command.add_option("--max-words", options.selection.max_words,
                     "token selection: drop sentences of N words or more (0: none)")
      ->check(CLI::NonNegativeNumber)
      ->needs(activations);
  command.add_option("--k", options.ks, "numbers of clusters, comma separated (e.g. 50,600)")
      ->required()
      ->delimiter(',')
      ->check(CLI::PositiveNumber);
  command.add_option("--out", options.out, "output CLUSTERS.h5")->required();
  command.add_option("--mode", options.mode,
                     "matrix (NN-chain on the distance matrix, n^2/2 doubles), vector (rounds of reciprocal "
                     "nearest neighbours on the centroids, O(n*d) memory, faster), auto (vector, else matrix when "
                     "only it fits --memory-per-rank)")
      ->check(CLI::IsMember({"auto", "matrix", "vector"}))
      ->capture_default_str();
  command.add_option("--memory-per-rank", options.memory_per_rank,
                     "memory budget per rank (e.g. 4GiB; default 80% of the node's available memory "
                     "shared by the ranks on the node); plans that cannot fit are refused");
  command.add_flag("--dry-run", options.dry_run,
                   "print the plan (n, d, mode, bytes per rank) and check that it fits, without clustering");
  command.add_option("--checkpoint-every", options.checkpoint_every,
                     "save the clustering's progress every SECONDS to <out>.checkpoint; a rerun with the "
                     "same arguments (any number of ranks) resumes from it")
      ->check(CLI::NonNegativeNumber);
  command.add_option("--conceptx-dir", options.conceptx_dir,
                     "also write ConceptX's clusters-K.txt for each K into this directory (needs --vocab)");
}

std::vector<std::int64_t> checked_ks(std::vector<std::int64_t> ks, std::int64_t n, const std::string& what) {
  std::sort(ks.begin(), ks.end());
  ks.erase(std::unique(ks.begin(), ks.end()), ks.end());
  if (ks.empty() || ks.back() > n) {
    throw InputError("--k " + (ks.empty() ? std::string("(none)") : std::to_string(ks.back())) + " is larger than " +
                     what + " (n = " + std::to_string(n) + ")");
  }
  return ks;
}

ClusterInputs load_cluster_inputs(const ClusterOptions& options) {
  if (options.points.empty()) throw Error(ExitCode::usage, "cluster: give --points or --activations");
  if (!options.conceptx_dir.empty() && options.vocab.empty()) {
    throw InputError("--conceptx-dir needs --vocab: ConceptX's clusters-K.txt lines start with the point keys");
  }
  ClusterInputs inputs;
  inputs.points = store::read_npy_matrix(options.points);
  const std::int64_t n = inputs.points.rows;
  inputs.n = n;
  inputs.held = {{0, n}};
  if (n < 1) {
    throw InputError(options.points.string() + ": no points (shape [0, " +
                     std::to_string(inputs.points.cols) + "])");
  }
  inputs.ks = checked_ks(options.ks, n, "the number of points in " + options.points.string());
  // Sentence, position and word of each point, from the ConceptX keys (-1 and no words when no
  // vocab is given).
  store::ClustersFile& result = inputs.result;
  result.sentence.assign(static_cast<std::size_t>(n), -1);
  result.word.assign(static_cast<std::size_t>(n), -1);
  if (!options.vocab.empty()) {
    inputs.keys = store::read_npy_strings(options.vocab);
    if (static_cast<std::int64_t>(inputs.keys.size()) != n) {
      throw InputError(options.vocab.string() + ": " + std::to_string(inputs.keys.size()) +
                       " vocab keys, but " + options.points.string() + " has " + std::to_string(n) +
                       " points: the two files must come from the same ConceptX run");
    }
    result.text.reserve(inputs.keys.size());
    for (std::size_t p = 0; p < inputs.keys.size(); ++p) {
      auto key = store::parse_point_key(inputs.keys[p], options.vocab, p);
      result.sentence[p] = key.sentence;
      result.word[p] = key.position;
      result.text.push_back(std::move(key.word));
    }
  }
  result.d = inputs.points.cols;
  result.source = options.points.string();
  return inputs;
}

namespace {

/// Memory of one rank for each distance source (estimates of the peak).
std::uint64_t matrix_bytes_per_rank(std::int64_t n, std::int64_t d, std::size_t point_bytes, int ranks) {
  const auto un = static_cast<std::uint64_t>(n);
  // Rank 0 holds the largest shard (the first block of rows is the longest).
  const std::uint64_t shard = cluster::CondensedMatrix::bytes_for(
      n, cluster::block_cyclic_rows(n, 0, ranks, cluster::CondensedMatrix::kBlockRows));
  return shard + un * static_cast<std::uint64_t>(d) * point_bytes + un * kBytesPerPoint;
}

}  // namespace

ClusterPlan plan_cluster(const ClusterOptions& options, std::int64_t n, std::int64_t d,
                         std::size_t point_bytes, int ranks, std::uint64_t available_per_rank,
                         bool whole_input) {
  ClusterPlan plan;
  plan.ranks = ranks;
  plan.budget_per_rank =
      options.memory_per_rank.empty()
          ? static_cast<std::uint64_t>(kDefaultMemoryShare * static_cast<double>(available_per_rank))
          : parse_bytes(options.memory_per_rank, "--memory-per-rank");
  const std::uint64_t matrix = matrix_bytes_per_rank(n, d, point_bytes, ranks);
  const std::uint64_t vector = cluster::rounds_bytes_per_rank(n, d, point_bytes, ranks, whole_input);
  // auto: the vector mode, faster than the matrix mode at every size measured (bench/README.md)
  // and smaller but at a few hundred points; the matrix mode when only it fits.
  const bool vector_fits = vector <= plan.budget_per_rank;
  if (options.mode == "matrix" || (options.mode == "auto" && !vector_fits && matrix <= plan.budget_per_rank)) {
    plan.source = DistanceSource::matrix;
    plan.bytes_per_rank = matrix;
  } else {
    plan.source = DistanceSource::vector;
    plan.bytes_per_rank = vector;
  }
  if (plan.bytes_per_rank > plan.budget_per_rank) {
    throw InputError("the plan does not fit the memory per rank (--memory-per-rank): " + describe(plan, n, d) +
                     ". The matrix mode needs " +
                     format_bytes(matrix) + " per rank on " + std::to_string(ranks) +
                     " rank(s) (it shrinks with more ranks); the vector mode needs " + format_bytes(vector));
  }
  return plan;
}

std::string describe(const ClusterPlan& plan, std::int64_t n, std::int64_t d) {
  return "n = " + std::to_string(n) + " points of d = " + std::to_string(d) + ", " +
         cluster::to_string(plan.source) + " mode on " + std::to_string(plan.ranks) + " rank(s), about " +
         format_bytes(plan.bytes_per_rank) + " per rank (budget " + format_bytes(plan.budget_per_rank) + ")";
}

ClusterOutputs claim_cluster_outputs(const ClusterOptions& options, const ClusterInputs& inputs) {
  ClusterOutputs outputs{store::AtomicOutput(options.out), {}};
  if (!options.conceptx_dir.empty()) {
    for (const auto k : inputs.ks) {
      outputs.conceptx.emplace_back(options.conceptx_dir / ("clusters-" + std::to_string(k) + ".txt"));
    }
  }
  return outputs;
}

bool outputs_complete(const ClusterOptions& options, const ClusterInputs& inputs) {
  std::error_code ec;
  if (!std::filesystem::exists(options.out, ec)) return false;
  try {
    const store::ClustersFile existing = store::read_clusters_file(options.out);
    if (existing.fingerprint != inputs.result.fingerprint || existing.labels.size() != inputs.ks.size() ||
        existing.text != inputs.result.text) {
      return false;
    }
    for (const auto k : inputs.ks) {
      if (existing.labels.count(k) == 0) return false;
    }
    // ConceptX's files are complete when they hold this clustering's partitions (a file of
    // another clustering, another layer say, in the same folder is not)
    for (const auto k : inputs.ks) {
      if (options.conceptx_dir.empty()) break;
      const std::filesystem::path path = options.conceptx_dir / ("clusters-" + std::to_string(k) + ".txt");
      if (!std::filesystem::exists(path, ec) ||
          read_whole_file(path) != store::conceptx_clusters_text(inputs.keys, existing.labels.at(k))) {
        spdlog::info("{} is not this clustering's partition at K = {}: it will be written", path.string(), k);
        return false;
      }
    }
    return true;
  } catch (const InputError& e) {
    spdlog::warn("{}: will be replaced", e.what());
    return false;
  }
}

std::filesystem::path checkpoint_path(const std::filesystem::path& out) {
  return out.parent_path() / (out.filename().string() + ".checkpoint");
}

void write_cluster_outputs(ClusterOutputs& outputs, ClusterInputs& inputs, cluster::Linkage linkage,
                           cluster::DistanceSource source) {
  store::ClustersFile& result = inputs.result;
  result.linkage = std::move(linkage);
  for (const auto k : inputs.ks) result.labels[k] = cluster::flat_clusters(result.linkage, k);
  result.mode = cluster::to_string(source);

  store::write_clusters_file(outputs.clusters.temp_path(), result);
  for (std::size_t q = 0; q < outputs.conceptx.size(); ++q) {
    store::write_conceptx_clusters(outputs.conceptx[q].temp_path(), inputs.keys, result.labels.at(inputs.ks[q]));
  }
  for (auto& output : outputs.conceptx) output.commit();
  outputs.clusters.commit();
  spdlog::info("wrote {} (K = {})", outputs.clusters.final_path().string(), fmt::join(inputs.ks, ","));
}

}  // namespace conceptlens::app
