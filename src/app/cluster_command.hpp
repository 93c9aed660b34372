#pragma once
// `conceptlens cluster`: exact Ward clustering of ConceptX point files or of the layers of an
// activation file, writing CLUSTERS.h5 and, optionally, ConceptX's clusters-K.txt. This file
// has the options and the serial steps of the command (read and check the inputs, claim the
// outputs, write them); mpi/app/cluster_run.cpp runs them under MPI around the (sharded)
// clustering, one layer per group of ranks.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "cluster/condensed_matrix.hpp"
#include "cluster/linkage.hpp"
#include "cluster/ward.hpp"
#include "select/token_selection.hpp"
#include "store/atomic_output.hpp"
#include "store/clusters_file.hpp"
#include "store/npy.hpp"

namespace CLI {
class App;
}

namespace conceptlens::app {

struct ClusterOptions {
  std::filesystem::path points;        ///< ConceptX processed-point.npy ([n, d] float32/float64)
  std::filesystem::path vocab;         ///< ConceptX processed-vocab.npy (optional, n keys)
  std::filesystem::path activations;   ///< ACT.h5 (instead of --points)
  std::string layers;                  ///< with --activations: "all" or "0,6,12"; --out is a directory
  std::int64_t layer = -1;             ///< with --activations: one layer; --out is the file
  select::SelectionOptions selection;  ///< ConceptX's token selection (activations only)
  std::vector<std::int64_t> ks;        ///< numbers of clusters to cut at
  std::filesystem::path out;           ///< CLUSTERS.h5
  std::string mode = "auto";           ///< auto | matrix (NN-chain) | vector (rounds, lean)
  std::string memory_per_rank = "";    ///< memory budget per rank (e.g. 4GiB); "" = 80% of the node's share
  bool dry_run = false;                ///< print the plan (and check it fits) without clustering
  double checkpoint_every = 0;         ///< seconds between checkpoints (<out>.checkpoint); 0: none
  std::filesystem::path conceptx_dir;  ///< where to write clusters-K.txt (optional)
};

/// Registers the subcommand's options on `command` (a CLI11 subcommand).
void setup_cluster_command(CLI::App& command, ClusterOptions& options);

/// The checked inputs of a clustering.
struct ClusterInputs {
  std::int64_t n = 0;               ///< points in the clustering
  store::NpyMatrix points;          ///< the rows `held` of them (all, or a rank's share)
  cluster::RowRanges held;
  bool holds_all() const { return held.size() == 1 && held[0].first == 0 && held[0].last == n; }
  std::vector<std::string> keys;    ///< ConceptX point keys (empty without --vocab)
  std::vector<std::int64_t> ks;     ///< sorted, unique, each in [1, n]
  store::ClustersFile result;       ///< point ids and attributes filled; linkage and labels not yet
};

/// The numbers of clusters sorted and unique; InputError when one is larger than n (`what`
/// names the points: "the number of points in X.npy").
std::vector<std::int64_t> checked_ks(std::vector<std::int64_t> ks, std::int64_t n, const std::string& what);

/// Reads and checks the points, the vocab and K. Throws InputError naming the file.
ClusterInputs load_cluster_inputs(const ClusterOptions& options);

/// Share of the available memory a rank may plan for when no budget is given.
inline constexpr double kDefaultMemoryShare = 0.8;

/// How a clustering will run: the distance source and its memory per rank.
struct ClusterPlan {
  cluster::DistanceSource source = cluster::DistanceSource::matrix;
  int ranks = 1;
  std::uint64_t bytes_per_rank = 0;   ///< estimated peak of the busiest rank
  std::uint64_t budget_per_rank = 0;  ///< --memory-per-rank, else 80% of the available share
};

/// Plans the clustering of n points of dimension d (stored with `point_bytes` bytes per value)
/// on `ranks` ranks: --mode as asked, or for auto the vector mode when it fits the budget per
/// rank, else the matrix mode when it fits. `whole_input`: every rank reads all points (a .npy
/// file), else the vector mode reads only each rank's share. Throws InputError, with the
/// figures, when the plan cannot fit.
ClusterPlan plan_cluster(const ClusterOptions& options, std::int64_t n, std::int64_t d,
                         std::size_t point_bytes, int ranks, std::uint64_t available_per_rank,
                         bool whole_input);

/// The plan in words, for --dry-run and the log.
std::string describe(const ClusterPlan& plan, std::int64_t n, std::int64_t d);

/// Every output file, claimed before the long computation so that an unwritable path fails at
/// once; nothing appears under the final names before commit.
struct ClusterOutputs {
  store::AtomicOutput clusters;
  std::vector<store::AtomicOutput> conceptx;  ///< one per K, in the order of inputs.ks
};
ClusterOutputs claim_cluster_outputs(const ClusterOptions& options, const ClusterInputs& inputs);

/// Whether the outputs already exist, complete, from the same points (`inputs.result.fingerprint`
/// and words) and K, and ConceptX's files hold that clustering's partitions: a rerun keeps them
/// rather than rewriting them.
bool outputs_complete(const ClusterOptions& options, const ClusterInputs& inputs);

/// Where the checkpoints of the clustering written to `out` go.
std::filesystem::path checkpoint_path(const std::filesystem::path& out);

/// Cuts the linkage at every K and writes and commits every output. Throws OutputError.
void write_cluster_outputs(ClusterOutputs& outputs, ClusterInputs& inputs, cluster::Linkage linkage,
                           cluster::DistanceSource source);

}  // namespace conceptlens::app
