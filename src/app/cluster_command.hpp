#pragma once
// `conceptlens cluster`: exact Ward clustering of ConceptX point files (this file), writing
// CLUSTERS.h5 and, optionally, ConceptX's clusters-K.txt.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace conceptlens::app {

struct ClusterOptions {
  std::filesystem::path points;        ///< ConceptX processed-point.npy ([n, d] float32/float64)
  std::filesystem::path vocab;         ///< ConceptX processed-vocab.npy (optional, n keys)
  std::vector<std::int64_t> ks;        ///< numbers of clusters to cut at
  std::filesystem::path out;           ///< CLUSTERS.h5
  std::string mode = "auto";           ///< distance source: auto | matrix | vector
  std::string memory = "";             ///< memory budget for the matrix (e.g. 4GiB); "" = 80% of MemAvailable
  std::filesystem::path conceptx_dir;  ///< where to write clusters-K.txt (optional)
};

/// Registers the subcommand's options on `command` (a CLI11 subcommand).
void setup_cluster_command(CLI::App& command, ClusterOptions& options);

/// Runs the clustering. Throws InputError / OutputError; writes nothing on error.
void run_cluster_command(const ClusterOptions& options);

}  // namespace conceptlens::app
