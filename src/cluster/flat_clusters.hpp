#pragma once
// Flat clusters from a linkage: the partition left after the first n-K merges (SciPy's
// cut_tree(Z, n_clusters=K), the concepts ConceptX reads).
#include <cstdint>
#include <vector>

#include "cluster/linkage.hpp"

namespace conceptlens::cluster {

/// Label of each point at K clusters, 1 <= K <= n (InputError otherwise). Cluster ids are
/// 0..K-1, numbered in order of first appearance over the point index (point 0 is in cluster
/// 0), so the labelling does not depend on how the linkage was computed.
std::vector<std::int32_t> flat_clusters(const Linkage& linkage, std::int64_t k);

}  // namespace conceptlens::cluster
