#pragma once
// Exact Ward clustering of points, in SciPy's convention (see linkage.hpp). Two interchangeable
// modes give the same merges (heights equal to rounding):
//   matrix: condensed squared-distance matrix, n(n-1)/2 doubles, Lance-Williams updates, the
//           nearest-neighbour chain (fastcluster.linkage(X, 'ward'));
//   vector: the lean mode, centroids and sizes only, n*d doubles: rounds of reciprocal nearest
//           neighbours whose searches are matrix products (rounds.hpp); the peer in memory is
//           fastcluster.linkage_vector(X, 'ward').
#include <cstdint>
#include <string>

#include "cluster/linkage.hpp"
#include "cluster/nn_chain.hpp"
#include "cluster/points.hpp"
#include "cluster/rounds.hpp"

namespace conceptlens::cluster {

enum class DistanceSource { matrix, vector };

std::string to_string(DistanceSource source);

/// Ward linkage of the rows of `points` (n >= 1, finite values: validated by the reader);
/// `hooks` resume from a checkpoint and observe the merges; `stats` (vector mode, may be null)
/// receives what the rounds did.
template <class Scalar>
Linkage ward_linkage(const PointsView<Scalar>& points, DistanceSource source, ChainHooks hooks = {},
                     RoundStats* stats = nullptr);

}  // namespace conceptlens::cluster
