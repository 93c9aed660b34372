#include "cluster/condensed_matrix.hpp"

#include <algorithm>
#include <limits>
#include <string>

#include "util/error.hpp"

namespace conceptlens::cluster {

namespace {
constexpr std::int64_t kRowBlock = 512;     // rows of X per panel product
constexpr std::int64_t kColBlock = 2048;    // columns (points) per panel product
// A squared distance below this share of ||x||^2 + ||y||^2 is recomputed directly: the
// product form loses relative precision there (cancellation).
constexpr double kRecomputeShare = 1e-2;
// Strided reads (a column of the upper triangle) are prefetched this many live entries ahead:
// they are independent cache misses, and the active list tells their addresses in advance.
constexpr int kPrefetchAhead = 16;

/// Walks the live indices below `limit` in step with a scan, `kPrefetchAhead` ahead of it.
class Lookahead {
 public:
  Lookahead(const ActiveSet& active, std::int64_t from, std::int64_t limit)
      : active_(active), ahead_(from), limit_(limit) {
    for (int s = 0; s < kPrefetchAhead && ahead_ < limit_; ++s) ahead_ = active_.next(ahead_);
  }
  /// The next index to prefetch for, or -1 when the scan is near its end.
  std::int64_t advance() {
    if (ahead_ >= limit_) return -1;
    const std::int64_t k = ahead_;
    ahead_ = active_.next(ahead_);
    return k;
  }

 private:
  const ActiveSet& active_;
  std::int64_t ahead_;
  std::int64_t limit_;
};

template <class Scalar>
RowMatrix<double> centred_block(const PointsView<Scalar>& points, std::int64_t first,
                                std::int64_t rows, const Eigen::RowVectorXd& mean) {
  return points.middleRows(first, rows).template cast<double>().rowwise() - mean;
}
}  // namespace

CondensedMatrix::CondensedMatrix(std::int64_t n)
    : n_(n),
      nn_(static_cast<std::size_t>(n), -1),
      nn_distance_(static_cast<std::size_t>(n), std::numeric_limits<double>::infinity()) {
  d_.resize(static_cast<std::size_t>(bytes_for(n) / sizeof(double)));
}

std::uint64_t CondensedMatrix::bytes_for(std::int64_t n) {
  if (n < 0) throw InputError("invalid number of points: " + std::to_string(n));
  const auto un = static_cast<std::uint64_t>(n);
  if (un > 0 && (un - 1) > std::numeric_limits<std::uint64_t>::max() / sizeof(double) / un * 2) {
    throw InputError("a distance matrix for " + std::to_string(n) +
                     " points does not fit in 64-bit sizes; use --mode vector");
  }
  return un * (un > 0 ? un - 1 : 0) / 2 * sizeof(double);
}

template <class Scalar>
CondensedMatrix CondensedMatrix::squared_euclidean(const PointsView<Scalar>& points) {
  const std::int64_t n = points.rows();
  CondensedMatrix m(n);
  if (n < 2) return m;
  // Distances do not change under translation; centring makes norms comparable to distances.
  const Eigen::RowVectorXd mean = points.template cast<double>().colwise().mean();
  Eigen::VectorXd norms(n);
  for (std::int64_t first = 0; first < n; first += kColBlock) {
    const std::int64_t rows = std::min(kColBlock, n - first);
    norms.segment(first, rows) = centred_block(points, first, rows, mean).rowwise().squaredNorm();
  }

  RowMatrix<double> products;
  for (std::int64_t i0 = 0; i0 < n - 1; i0 += kRowBlock) {
    const std::int64_t bi = std::min(kRowBlock, n - i0);
    const RowMatrix<double> xi = centred_block(points, i0, bi, mean);
    for (std::int64_t j0 = i0; j0 < n; j0 += kColBlock) {
      const std::int64_t bj = std::min(kColBlock, n - j0);
      const RowMatrix<double> xj = centred_block(points, j0, bj, mean);
      products.noalias() = xi * xj.transpose();
      for (std::int64_t r = 0; r < bi; ++r) {
        const std::int64_t i = i0 + r;
        const std::int64_t j_begin = std::max(j0, i + 1);
        if (j_begin >= j0 + bj) continue;
        double* out = &m.d_[m.index(i, j_begin)];
        for (std::int64_t j = j_begin; j < j0 + bj; ++j) {
          const double scale = norms[i] + norms[j];
          double d2 = scale - 2.0 * products(r, j - j0);
          if (d2 < kRecomputeShare * scale) {
            d2 = (points.row(i).template cast<double>() - points.row(j).template cast<double>())
                     .squaredNorm();
          }
          *out++ = d2;
          m.offer(i, j, d2);
          m.offer(j, i, d2);
        }
      }
    }
  }
  return m;
}

template CondensedMatrix CondensedMatrix::squared_euclidean(const PointsView<float>&);
template CondensedMatrix CondensedMatrix::squared_euclidean(const PointsView<double>&);

void CondensedMatrix::scan(std::int64_t i, const ActiveSet& active) const {
  auto best = std::numeric_limits<double>::infinity();
  std::int64_t best_index = -1;
  // Live j < i: column i of the upper triangle (strided, prefetched); then live j > i: row i
  // (contiguous). Ascending j with strict < keeps the smallest index among ties.
  std::int64_t j = active.first();
  Lookahead ahead(active, j, i);
  for (; j < i; j = active.next(j)) {
    if (const auto p = ahead.advance(); p >= 0) __builtin_prefetch(&d_[index(p, i)]);
    const double d = d_[index(j, i)];
    if (d < best) {
      best = d;
      best_index = j;
    }
  }
  if (j == i) j = active.next(j);
  const double* row = d_.data() + index(i, i + 1) - (i + 1);  // row[j] = d(i, j) for j > i
  for (; j < active.end(); j = active.next(j)) {
    if (row[j] < best) {
      best = row[j];
      best_index = j;
    }
  }
  nn_[static_cast<std::size_t>(i)] = best_index;
  nn_distance_[static_cast<std::size_t>(i)] = best;
}

Nearest CondensedMatrix::nearest(std::int64_t i, std::int64_t prefer, const ActiveSet& active,
                                 const std::vector<std::int64_t>& /*sizes*/) const {
  const auto ui = static_cast<std::size_t>(i);
  if (nn_[ui] < 0) scan(i, active);
  // The chain predecessor wins ties.
  if (prefer >= 0 && d_[index_any(i, prefer)] <= nn_distance_[ui]) {
    return {prefer, d_[index_any(i, prefer)]};
  }
  return {nn_[ui], nn_distance_[ui]};
}

void CondensedMatrix::merge(std::int64_t i, std::int64_t j, double d_ij,
                            const std::vector<std::int64_t>& sizes, const ActiveSet& active) {
  const auto s_i = static_cast<double>(sizes[static_cast<std::size_t>(i)]);
  const auto s_j = static_cast<double>(sizes[static_cast<std::size_t>(j)]);
  const auto uj = static_cast<std::size_t>(j);
  nn_[uj] = -1;
  nn_distance_[uj] = std::numeric_limits<double>::infinity();
  // i < j. Live k < i: both entries are column reads (strided, prefetched); i < k < j: one
  // column and one row; k > j: two row reads.
  Lookahead ahead(active, active.first(), j);
  active.for_each([&](std::int64_t k) {
    if (const auto p = ahead.advance(); p >= 0) {
      __builtin_prefetch(&d_[index_any(i, p)]);
      __builtin_prefetch(&d_[index(p, j)]);
    }
    if (k == i || k == j) return;
    const auto uk = static_cast<std::size_t>(k);
    const auto s_k = static_cast<double>(sizes[uk]);
    double& d_jk = d_[index_any(j, k)];
    d_jk = ward_update(d_[index_any(i, k)], d_jk, d_ij, s_i, s_j, s_k);
    offer(j, k, d_jk);
    if (nn_[uk] == i || nn_[uk] == j) {
      nn_[uk] = -1;  // its nearest neighbour changed: rescan when needed
      nn_distance_[uk] = std::numeric_limits<double>::infinity();
    } else if (nn_[uk] >= 0) {
      offer(k, j, d_jk);
    }
  });
}

}  // namespace conceptlens::cluster
