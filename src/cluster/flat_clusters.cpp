#include "cluster/flat_clusters.hpp"

#include <limits>
#include <string>

#include "cluster/union_find.hpp"
#include "util/error.hpp"

namespace conceptlens::cluster {

std::vector<std::int32_t> flat_clusters(const Linkage& linkage, std::int64_t k) {
  const std::int64_t n = linkage.n;
  if (k < 1 || k > n) {
    throw InputError("cannot cut " + std::to_string(n) + " points into K = " + std::to_string(k) +
                     " clusters: K must be between 1 and the number of points");
  }
  if (k > std::numeric_limits<std::int32_t>::max()) {
    throw InputError("K = " + std::to_string(k) + " does not fit int32 labels");
  }
  DendrogramUnionFind clusters(n);
  for (std::int64_t q = 0; q < n - k; ++q) {
    const Merge& m = linkage.merges[static_cast<std::size_t>(q)];
    clusters.unite(clusters.find(m.a), clusters.find(m.b), n + q);
  }
  std::vector<std::int32_t> label_of_root(static_cast<std::size_t>(2 * n - 1), -1);
  std::vector<std::int32_t> labels(static_cast<std::size_t>(n));
  std::int32_t next = 0;
  for (std::int64_t p = 0; p < n; ++p) {
    auto& label = label_of_root[static_cast<std::size_t>(clusters.find(p))];
    if (label < 0) label = next++;
    labels[static_cast<std::size_t>(p)] = label;
  }
  return labels;
}

}  // namespace conceptlens::cluster
