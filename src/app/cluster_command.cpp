#include "app/cluster_command.hpp"

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <variant>

#include "cluster/condensed_matrix.hpp"
#include "cluster/flat_clusters.hpp"
#include "cluster/ward.hpp"
#include "store/atomic_output.hpp"
#include "store/clusters_file.hpp"
#include "store/conceptx_clusters.hpp"
#include "store/conceptx_vocab.hpp"
#include "store/npy.hpp"
#include "util/error.hpp"
#include "util/memory.hpp"

namespace conceptlens::app {

namespace {

using cluster::DistanceSource;

/// Share of the available memory the distance matrix may take when no budget is given.
constexpr double kDefaultMemoryShare = 0.8;

DistanceSource choose_source(const ClusterOptions& options, std::int64_t n) {
  if (options.mode == "matrix") return DistanceSource::matrix;
  if (options.mode == "vector") return DistanceSource::vector;
  const std::uint64_t need = cluster::CondensedMatrix::bytes_for(n);
  const std::uint64_t budget =
      options.memory.empty()
          ? static_cast<std::uint64_t>(kDefaultMemoryShare * static_cast<double>(available_memory()))
          : parse_bytes(options.memory, "--memory");
  const auto source = need <= budget ? DistanceSource::matrix : DistanceSource::vector;
  spdlog::info("mode auto: the distance matrix needs {}, the budget is {}: {} mode",
               format_bytes(need), format_bytes(budget), cluster::to_string(source));
  return source;
}

/// Sentence and word of each point, from the ConceptX keys (-1 when no vocab is given).
void fill_point_ids(const ClusterOptions& options, std::int64_t n, store::ClustersFile& out,
                    std::vector<std::string>& keys) {
  out.sentence.assign(static_cast<std::size_t>(n), -1);
  out.word.assign(static_cast<std::size_t>(n), -1);
  if (options.vocab.empty()) return;
  keys = store::read_npy_strings(options.vocab);
  if (static_cast<std::int64_t>(keys.size()) != n) {
    throw InputError(options.vocab.string() + ": " + std::to_string(keys.size()) +
                     " vocab keys, but " + options.points.string() + " has " + std::to_string(n) +
                     " points: the two files must come from the same ConceptX run");
  }
  for (std::size_t p = 0; p < keys.size(); ++p) {
    const auto key = store::parse_point_key(keys[p], options.vocab, p);
    out.sentence[p] = key.sentence;
    out.word[p] = key.position;
  }
}

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
                     "auto (matrix when it fits --memory)")
      ->check(CLI::IsMember({"auto", "matrix", "vector"}))
      ->capture_default_str();
  command.add_option("--memory", options.memory,
                     "memory budget for the distance matrix in auto mode (e.g. 4GiB; default 80% of "
                     "available memory)");
  command.add_option("--conceptx-dir", options.conceptx_dir,
                     "also write ConceptX's clusters-K.txt for each K into this directory (needs --vocab)");
}

void run_cluster_command(const ClusterOptions& options) {
  if (!options.conceptx_dir.empty() && options.vocab.empty()) {
    throw InputError("--conceptx-dir needs --vocab: ConceptX's clusters-K.txt lines start with the point keys");
  }
  std::vector<std::int64_t> ks = options.ks;
  std::sort(ks.begin(), ks.end());
  ks.erase(std::unique(ks.begin(), ks.end()), ks.end());

  const store::NpyMatrix points = store::read_npy_matrix(options.points);
  const std::int64_t n = points.rows;
  if (n < 1) throw InputError(options.points.string() + ": no points (shape [0, " + std::to_string(points.cols) + "])");
  if (ks.back() > n) {
    throw InputError("--k " + std::to_string(ks.back()) + " is larger than the number of points in " +
                     options.points.string() + " (n = " + std::to_string(n) + ")");
  }
  store::ClustersFile result;
  std::vector<std::string> keys;
  fill_point_ids(options, n, result, keys);

  // Claim every output before the long computation, so an unwritable path fails at once.
  store::AtomicOutput out(options.out);
  std::vector<store::AtomicOutput> conceptx_outputs;
  if (!options.conceptx_dir.empty()) {
    for (const auto k : ks) {
      conceptx_outputs.emplace_back(options.conceptx_dir / ("clusters-" + std::to_string(k) + ".txt"));
    }
  }

  const DistanceSource source = choose_source(options, n);
  spdlog::info("clustering {} points of dimension {} ({} mode)", n, points.cols, cluster::to_string(source));
  const auto start = std::chrono::steady_clock::now();
  result.linkage = std::visit(
      [&](const auto& values) {
        using Scalar = typename std::decay_t<decltype(values)>::value_type;
        const cluster::PointsView<Scalar> view(values.data(), n, points.cols);
        return cluster::ward_linkage(view, source);
      },
      points.values);
  const std::chrono::duration<double> seconds = std::chrono::steady_clock::now() - start;
  spdlog::info("Ward linkage done in {:.2f} s", seconds.count());

  for (const auto k : ks) result.labels[k] = cluster::flat_clusters(result.linkage, k);
  result.mode = cluster::to_string(source);
  result.d = points.cols;
  result.source = options.points.string();

  store::write_clusters_file(out.temp_path(), result);
  for (std::size_t q = 0; q < conceptx_outputs.size(); ++q) {
    store::write_conceptx_clusters(conceptx_outputs[q].temp_path(), keys, result.labels.at(ks[q]));
  }
  for (auto& output : conceptx_outputs) output.commit();
  out.commit();
  spdlog::info("wrote {} (K = {})", options.out.string(), fmt::join(ks, ","));
}

}  // namespace conceptlens::app
