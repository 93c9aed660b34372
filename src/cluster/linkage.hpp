#pragma once
// The result of a hierarchical clustering, in SciPy's convention (scipy.cluster.hierarchy):
// n-1 merges; merge r joins clusters a < b (ids < n are points, id n+q is the cluster made by
// merge q) at `height`, and the new cluster has `size` points. Merges are sorted by height
// (stable: equal heights keep the order the algorithm found them in).
#include <cstdint>
#include <vector>

namespace conceptlens::cluster {

struct Merge {
  std::int64_t a = 0;       ///< smaller cluster id
  std::int64_t b = 0;       ///< larger cluster id
  double height = 0.0;      ///< Ward distance, as scipy.cluster.hierarchy.ward reports it
  std::int64_t size = 0;    ///< points in the merged cluster
};

struct Linkage {
  std::int64_t n = 0;            ///< number of points
  std::vector<Merge> merges;     ///< n-1 rows
};

}  // namespace conceptlens::cluster
