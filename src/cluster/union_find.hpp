#pragma once
// Union-find over the 2n-1 nodes of a dendrogram: ids < n are points, id n+q is the cluster
// made by merge q. find() returns the newest node holding a point or cluster.
#include <cstdint>
#include <numeric>
#include <vector>

namespace conceptlens::cluster {

class DendrogramUnionFind {
 public:
  explicit DendrogramUnionFind(std::int64_t n)
      : parent_(static_cast<std::size_t>(n > 0 ? 2 * n - 1 : 0)) {
    std::iota(parent_.begin(), parent_.end(), std::int64_t{0});
  }

  std::int64_t find(std::int64_t x) {
    std::int64_t root = x;
    while (at(root) != root) root = at(root);
    while (at(x) != root) {  // path compression
      const std::int64_t up = at(x);
      at(x) = root;
      x = up;
    }
    return root;
  }

  /// Makes `node` the parent of the (root) nodes a and b.
  void unite(std::int64_t a, std::int64_t b, std::int64_t node) {
    at(a) = node;
    at(b) = node;
  }

 private:
  std::int64_t& at(std::int64_t x) { return parent_[static_cast<std::size_t>(x)]; }
  std::vector<std::int64_t> parent_;
};

}  // namespace conceptlens::cluster
