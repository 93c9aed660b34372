#pragma once
// A merge as the agglomeration finds it, before conversion to SciPy's convention.
#include <cstdint>
#include <vector>

#include "cluster/linkage.hpp"

namespace conceptlens::cluster {

struct RawMerge {
  std::int64_t i = 0;         ///< slot of the first cluster (it dies: the smaller slot)
  std::int64_t j = 0;         ///< slot of the second cluster (the union lives on in it)
  double squared = 0.0;       ///< squared Ward dissimilarity of the merge
};

/// Converts merges (in any order) to SciPy's linkage: stable sort by height, cluster ids
/// relabelled with a union-find (ids >= n for merged clusters), heights = sqrt(squared), and
/// (a, b) ordered a < b. The separate step of fastcluster's generate_SciPy_dendrogram.
Linkage to_scipy_linkage(std::int64_t n, std::vector<RawMerge> merges);

}  // namespace conceptlens::cluster
