#include "cluster/condensed_matrix.hpp"

#include <algorithm>
#include <limits>
#include <string>

#include "cluster/panel_product.hpp"
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
    : n_(n), d_(bytes_for(n) / sizeof(double)), lists_(n) {}

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
      products.resize(bi, bj);
      product_abt(xi.data(), bi, xj.data(), bj, points.cols(), products.data());
      for (std::int64_t r = 0; r < bi; ++r) {
        const std::int64_t i = i0 + r;
        const std::int64_t j_begin = std::max(j0, i + 1);
        const std::int64_t count = j0 + bj - j_begin;
        if (count <= 0) continue;
        double* out = &m.d_[m.index(i, j_begin)];
        const double* product = &products(r, j_begin - j0);
        const double norm_i = norms[i];
        Eigen::Map<Eigen::ArrayXd> d2(out, count);
        const Eigen::Map<const Eigen::ArrayXd> dot(product, count);
        const Eigen::Map<const Eigen::ArrayXd> norm_j(&norms[j_begin], count);
        d2 = (norm_i + norm_j) - 2.0 * dot;
        const bool any_close = (d2 < kRecomputeShare * (norm_i + norm_j)).any();
        if (any_close) {
          for (std::int64_t t = 0; t < count; ++t) {
            if (d2[t] < kRecomputeShare * (norm_i + norm_j[t])) {
              const std::int64_t j = j_begin + t;
              d2[t] = (points.row(i).template cast<double>() - points.row(j).template cast<double>())
                          .squaredNorm();
            }
          }
        }
        m.offer_row(i, j_begin, out, count);
      }
    }
  }
  for (std::int64_t i = 0; i < n; ++i) m.lists_.end_scan(i);
  return m;
}

template CondensedMatrix CondensedMatrix::squared_euclidean(const PointsView<float>&);
template CondensedMatrix CondensedMatrix::squared_euclidean(const PointsView<double>&);

void CondensedMatrix::offer_row(std::int64_t i, std::int64_t j_begin, const double* d,
                                std::int64_t count) {
  // Most offers cannot enter a list: filter on the bounds first.
  for (std::int64_t t = 0; t < count; ++t) {
    if (d[t] <= lists_.bounds()[i]) lists_.offer(i, j_begin + t, d[t]);
  }
  const double* bound = lists_.bounds() + j_begin;
  for (std::int64_t t = 0; t < count; ++t) {
    if (d[t] <= bound[t]) lists_.offer(j_begin + t, i, d[t]);
  }
}

void CondensedMatrix::scan(std::int64_t i, const ActiveSet& active) const {
  lists_.begin_scan(i);
  // Live j < i: column i of the upper triangle (strided, prefetched); then live j > i: row i
  // (contiguous).
  std::int64_t j = active.first();
  Lookahead ahead(active, j, i);
  for (; j < i; j = active.next(j)) {
    if (const auto p = ahead.advance(); p >= 0) __builtin_prefetch(&d_[index(p, i)]);
    lists_.offer(i, j, d_[index(j, i)]);
  }
  if (j == i) j = active.next(j);
  const double* row = d_.data() + index(i, i + 1) - (i + 1);  // row[j] = d(i, j) for j > i
  for (; j < active.end(); j = active.next(j)) lists_.offer(i, j, row[j]);
  lists_.end_scan(i);
}

Nearest CondensedMatrix::nearest(std::int64_t i, std::int64_t prefer, const ActiveSet& active,
                                 const std::vector<std::int64_t>& /*sizes*/) const {
  if (!lists_.known(i)) scan(i, active);
  // The chain predecessor wins ties.
  if (prefer >= 0 && d_[index_any(i, prefer)] <= lists_.nearest_distance(i)) {
    return {prefer, d_[index_any(i, prefer)]};
  }
  return {lists_.nearest(i), lists_.nearest_distance(i)};
}

void CondensedMatrix::merge(std::int64_t dying, std::int64_t survivor, double d,
                            const std::vector<std::int64_t>& sizes, const ActiveSet& active) {
  const std::int64_t lo = std::min(dying, survivor);
  const std::int64_t hi = std::max(dying, survivor);
  const bool keep_lo = survivor == lo;
  const auto s_lo = static_cast<double>(sizes[static_cast<std::size_t>(lo)]);
  const auto s_hi = static_cast<double>(sizes[static_cast<std::size_t>(hi)]);
  lists_.begin_scan(survivor);
  auto update = [&](std::int64_t k, double& d_lo, double& d_hi) {
    const auto s_k = static_cast<double>(sizes[static_cast<std::size_t>(k)]);
    const double merged = ward_update(d_lo, d_hi, d, s_lo, s_hi, s_k);
    (keep_lo ? d_lo : d_hi) = merged;
    lists_.offer(survivor, k, merged);
    lists_.merged(k, dying, survivor, merged);
  };
  // Three ranges of live k. k < lo: d(k, lo) and d(k, hi) are both in row k, hi - lo apart
  // (column reads: strided, prefetched).
  const auto gap = static_cast<std::size_t>(hi - lo);
  std::int64_t k = active.first();
  Lookahead ahead(active, k, lo);
  for (; k < lo; k = active.next(k)) {
    if (const auto p = ahead.advance(); p >= 0) {
      __builtin_prefetch(&d_[index(p, lo)]);
      __builtin_prefetch(&d_[index(p, lo) + gap]);
    }
    const std::size_t at_lo = index(k, lo);
    update(k, d_[at_lo], d_[at_lo + gap]);
  }
  // lo < k < hi: d(lo, k) in row lo (contiguous), d(k, hi) in column hi (strided, prefetched).
  double* row_lo = d_.data() + index(lo, lo + 1) - (lo + 1);  // row_lo[k] = d(lo, k), k > lo
  k = active.next(lo);
  Lookahead ahead_hi(active, k, hi);
  for (; k < hi; k = active.next(k)) {
    if (const auto p = ahead_hi.advance(); p >= 0) __builtin_prefetch(&d_[index(p, hi)]);
    update(k, row_lo[k], d_[index(k, hi)]);
  }
  // k > hi: both rows, contiguous.
  double* row_hi = d_.data() + index(hi, hi + 1) - (hi + 1);
  for (k = active.next(hi); k < active.end(); k = active.next(k)) update(k, row_lo[k], row_hi[k]);
  lists_.end_scan(survivor);
}

}  // namespace conceptlens::cluster
