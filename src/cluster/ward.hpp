#pragma once
// Exact Ward clustering of points, in SciPy's convention (see linkage.hpp). Two interchangeable
// distance sources give the same merges (heights equal to rounding):
//   matrix: condensed squared-distance matrix, n(n-1)/2 doubles, Lance-Williams updates
//           (fastcluster.linkage(X, 'ward'));
//   vector: centroids and sizes only, n*d doubles (fastcluster.linkage_vector(X, 'ward')).
#include <cstdint>
#include <string>

#include "cluster/linkage.hpp"
#include "cluster/nn_chain.hpp"
#include "cluster/points.hpp"

namespace conceptlens::cluster {

enum class DistanceSource { matrix, vector };

std::string to_string(DistanceSource source);

/// Ward linkage of the rows of `points` (n >= 1, finite values: validated by the reader);
/// `hooks` resume a chain from a checkpoint and observe its merges.
template <class Scalar>
Linkage ward_linkage(const PointsView<Scalar>& points, DistanceSource source, ChainHooks hooks = {});

}  // namespace conceptlens::cluster
