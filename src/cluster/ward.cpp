#include "cluster/ward.hpp"

#include <algorithm>
#include <cmath>

#include "cluster/condensed_matrix.hpp"
#include "cluster/nn_chain.hpp"
#include "cluster/round_team.hpp"
#include "cluster/rounds.hpp"
#include "cluster/union_find.hpp"

namespace conceptlens::cluster {

std::string to_string(DistanceSource source) {
  return source == DistanceSource::matrix ? "matrix" : "vector";
}

Linkage to_scipy_linkage(std::int64_t n, std::vector<RawMerge> merges) {
  std::stable_sort(merges.begin(), merges.end(),
                   [](const RawMerge& x, const RawMerge& y) { return x.squared < y.squared; });
  DendrogramUnionFind clusters(n);
  std::vector<std::int64_t> size(static_cast<std::size_t>(2 * n - 1), 1);

  Linkage linkage;
  linkage.n = n;
  linkage.merges.reserve(merges.size());
  for (std::size_t q = 0; q < merges.size(); ++q) {
    const std::int64_t a = clusters.find(merges[q].i);
    const std::int64_t b = clusters.find(merges[q].j);
    const auto node = n + static_cast<std::int64_t>(q);
    clusters.unite(a, b, node);
    size[static_cast<std::size_t>(node)] = size[static_cast<std::size_t>(a)] + size[static_cast<std::size_t>(b)];
    linkage.merges.push_back(Merge{std::min(a, b), std::max(a, b), std::sqrt(merges[q].squared),
                                   size[static_cast<std::size_t>(node)]});
  }
  return linkage;
}

template <class Scalar>
Linkage ward_linkage(const PointsView<Scalar>& points, DistanceSource source, ChainHooks hooks, RoundStats* stats) {
  const std::int64_t n = points.rows();
  if (source == DistanceSource::matrix) {
    auto matrix = CondensedMatrix::squared_euclidean(points);
    return to_scipy_linkage(n, nn_chain_ward(matrix, std::move(hooks)));
  }
  SoloTeam team;
  std::vector<Scalar> rows(points.data(), points.data() + points.size());
  return to_scipy_linkage(n, rounds_ward(team, n, points.cols(), std::move(rows), std::move(hooks), stats));
}

template Linkage ward_linkage(const PointsView<float>&, DistanceSource, ChainHooks, RoundStats*);
template Linkage ward_linkage(const PointsView<double>&, DistanceSource, ChainHooks, RoundStats*);

}  // namespace conceptlens::cluster
