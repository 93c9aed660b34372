#pragma once
// CLUSTERS.h5, the contract of DESIGN.md:
//   /linkage          float64 [n-1, 4]  (a, b, height, size) in SciPy's convention
//   /labels/k<K>      int32 [n]         flat cluster of each point at K clusters
//   /points/sentence  int32 [n]         corpus sentence of each point (-1: unknown)
//   /points/word      int32 [n]         word position in that sentence (-1: unknown)
//   /points/text      strings [n]       the word itself (UTF-8; absent when the points came
//                                       without their words: a .npy without --vocab)
//   attributes on /: method, mode, n, d, layer, source, fingerprint, tool_version
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "cluster/linkage.hpp"

namespace conceptlens::store {

struct ClustersFile {
  cluster::Linkage linkage;
  std::map<std::int64_t, std::vector<std::int32_t>> labels;  ///< K -> label of each point
  std::vector<std::int32_t> sentence;                        ///< [n]
  std::vector<std::int32_t> word;                            ///< [n]
  std::vector<std::string> text;  ///< [n] the word of each point; empty when unknown
  std::string method = "ward";
  std::string mode;            ///< distance source: "matrix" or "vector"
  std::int64_t d = 0;          ///< dimensionality of the points
  std::int64_t layer = -1;     ///< model layer, -1 when the points came from a .npy file
  std::string source;          ///< input file the points came from
  std::string fingerprint;     ///< of the points and the distance source (cluster/checkpoint.hpp)
};

/// Writes the file at `path` (the caller makes it atomic). Throws OutputError naming the file.
void write_clusters_file(const std::filesystem::path& path, const ClustersFile& content);

/// Reads and validates a CLUSTERS.h5. Throws InputError naming the file and dataset.
ClustersFile read_clusters_file(const std::filesystem::path& path);

/// One flat clustering of a CLUSTERS.h5 and the corpus position and word of every point: what
/// alignment and comparison read (no linkage).
struct ClusterAssignment {
  std::filesystem::path path;
  std::int64_t k = 0;
  std::vector<std::int32_t> cluster;   ///< [n] /labels/k<K>
  std::vector<std::int32_t> sentence;  ///< [n] /points/sentence
  std::vector<std::int32_t> word;      ///< [n] /points/word
  std::vector<std::string> text;       ///< [n] /points/text; empty when the file has none
};

/// Reads /labels/k<K> and /points of a CLUSTERS.h5, validated as read_clusters_file does.
/// InputError naming the file, e.g. "no clustering at K=7, the file has K = 50, 600".
ClusterAssignment read_cluster_assignment(const std::filesystem::path& path, std::int64_t k);

}  // namespace conceptlens::store
