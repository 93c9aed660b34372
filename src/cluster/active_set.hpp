#pragma once
// The clusters still alive during agglomeration, as a doubly linked list over the indices
// [0, n) in increasing order (fastcluster's `doubly_linked_list`): removal is O(1) and a scan
// visits only the live clusters, smallest index first.
#include <cstdint>
#include <cstring>
#include <vector>

namespace conceptlens::cluster {

class ActiveSet {
 public:
  explicit ActiveSet(std::int64_t n)
      : succ_(static_cast<std::size_t>(n) + 1), pred_(succ_.size()), alive_(succ_.size(), 1) {
    for (std::int64_t i = 0; i <= n; ++i) {
      succ_[static_cast<std::size_t>(i)] = i + 1;
      pred_[static_cast<std::size_t>(i)] = i - 1;
    }
    end_ = n;
  }

  std::int64_t first() const { return start_; }
  std::int64_t end() const { return end_; }
  std::int64_t next(std::int64_t i) const { return succ_[static_cast<std::size_t>(i)]; }

  /// The first live index >= x (end() when none); x in [0, end()].
  std::int64_t first_from(std::int64_t x) const {
    const void* live = std::memchr(alive_.data() + x, 1, alive_.size() - static_cast<std::size_t>(x));
    return static_cast<const char*>(live) - alive_.data();  // alive_[end()] stays 1 as a sentinel
  }

  void remove(std::int64_t i) {
    const auto s = succ_[static_cast<std::size_t>(i)];
    const auto p = pred_[static_cast<std::size_t>(i)];
    if (i == start_) {
      start_ = s;
    } else {
      succ_[static_cast<std::size_t>(p)] = s;
    }
    pred_[static_cast<std::size_t>(s)] = p;
    alive_[static_cast<std::size_t>(i)] = 0;
  }

  /// Calls f(j) for every live index j, in increasing order.
  template <class F>
  void for_each(F&& f) const {
    for (std::int64_t j = start_; j < end_; j = succ_[static_cast<std::size_t>(j)]) f(j);
  }

 private:
  std::vector<std::int64_t> succ_;
  std::vector<std::int64_t> pred_;
  std::vector<char> alive_;  ///< [n + 1], the last entry a sentinel
  std::int64_t start_ = 0;
  std::int64_t end_ = 0;
};

}  // namespace conceptlens::cluster
