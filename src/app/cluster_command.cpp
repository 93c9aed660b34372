#include "app/cluster_command.hpp"

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "cluster/condensed_matrix.hpp"
#include "cluster/flat_clusters.hpp"
#include "store/conceptx_clusters.hpp"
#include "store/conceptx_vocab.hpp"
#include "store/npy.hpp"
#include "util/error.hpp"
#include "util/memory.hpp"

namespace conceptlens::app {

using cluster::DistanceSource;

namespace {

/// Share of the available memory a rank may plan for when no budget is given.
constexpr double kDefaultMemoryShare = 0.8;
/// O(n) state per point besides the points and the distances: neighbour lists, active set,
/// sizes, the broadcast row, the linkage.
constexpr std::uint64_t kBytesPerPoint = 256;

}  // namespace

void setup_cluster_command(CLI::App& command, ClusterOptions& options) {
  command.description(
      "Exact Ward agglomerative clustering (nearest-neighbour chain) of ConceptX point files,\n"
      "identical to fastcluster/scipy; writes CLUSTERS.h5 and optionally ConceptX's clusters-K.txt");
  command.add_option("--points", options.points, "ConceptX processed-point.npy: [n, d] float32/float64, C order")
      ->required()
      ->check(CLI::ExistingFile);
  command.add_option("--vocab", options.vocab, "ConceptX processed-vocab.npy: n keys word|||k|||sent|||tok")
      ->check(CLI::ExistingFile);
  command.add_option("--k", options.ks, "numbers of clusters, comma separated (e.g. 50,600)")
      ->required()
      ->delimiter(',')
      ->check(CLI::PositiveNumber);
  command.add_option("--out", options.out, "output CLUSTERS.h5")->required();
  command.add_option("--mode", options.mode,
                     "distance source: matrix (n^2/2 doubles), vector (centroids, n*d doubles), "
                     "auto (matrix when it fits --memory-per-rank)")
      ->check(CLI::IsMember({"auto", "matrix", "vector"}))
      ->capture_default_str();
  command.add_option("--memory-per-rank", options.memory_per_rank,
                     "memory budget per rank (e.g. 4GiB; default 80% of the node's available memory "
                     "shared by the ranks on the node); plans that cannot fit are refused");
  command.add_flag("--dry-run", options.dry_run,
                   "print the plan (n, d, mode, bytes per rank) and check that it fits, without clustering");
  command.add_option("--conceptx-dir", options.conceptx_dir,
                     "also write ConceptX's clusters-K.txt for each K into this directory (needs --vocab)");
}

ClusterInputs load_cluster_inputs(const ClusterOptions& options) {
  if (!options.conceptx_dir.empty() && options.vocab.empty()) {
    throw InputError("--conceptx-dir needs --vocab: ConceptX's clusters-K.txt lines start with the point keys");
  }
  ClusterInputs inputs;
  inputs.ks = options.ks;
  std::sort(inputs.ks.begin(), inputs.ks.end());
  inputs.ks.erase(std::unique(inputs.ks.begin(), inputs.ks.end()), inputs.ks.end());

  inputs.points = store::read_npy_matrix(options.points);
  const std::int64_t n = inputs.points.rows;
  if (n < 1) {
    throw InputError(options.points.string() + ": no points (shape [0, " +
                     std::to_string(inputs.points.cols) + "])");
  }
  if (inputs.ks.back() > n) {
    throw InputError("--k " + std::to_string(inputs.ks.back()) + " is larger than the number of points in " +
                     options.points.string() + " (n = " + std::to_string(n) + ")");
  }
  // Sentence and word of each point, from the ConceptX keys (-1 when no vocab is given).
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
    for (std::size_t p = 0; p < inputs.keys.size(); ++p) {
      const auto key = store::parse_point_key(inputs.keys[p], options.vocab, p);
      result.sentence[p] = key.sentence;
      result.word[p] = key.position;
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

std::uint64_t vector_bytes_per_rank(std::int64_t n, std::int64_t d, std::size_t point_bytes) {
  const auto values = static_cast<std::uint64_t>(n) * static_cast<std::uint64_t>(d);
  return values * (point_bytes + sizeof(double)) + static_cast<std::uint64_t>(n) * kBytesPerPoint;
}

}  // namespace

ClusterPlan plan_cluster(const ClusterOptions& options, std::int64_t n, std::int64_t d,
                         std::size_t point_bytes, int ranks, std::uint64_t available_per_rank) {
  ClusterPlan plan;
  plan.ranks = ranks;
  plan.budget_per_rank =
      options.memory_per_rank.empty()
          ? static_cast<std::uint64_t>(kDefaultMemoryShare * static_cast<double>(available_per_rank))
          : parse_bytes(options.memory_per_rank, "--memory-per-rank");
  const std::uint64_t matrix = matrix_bytes_per_rank(n, d, point_bytes, ranks);
  const std::uint64_t vector = vector_bytes_per_rank(n, d, point_bytes);
  if (options.mode == "matrix" || (options.mode == "auto" && matrix <= plan.budget_per_rank)) {
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
         cluster::to_string(plan.source) + " mode on " + std::to_string(plan.ranks) + " rank(s)" +
         (plan.source == DistanceSource::vector ? " (computed on rank 0)" : "") + ", about " +
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
