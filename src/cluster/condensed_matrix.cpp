#include "cluster/condensed_matrix.hpp"

#include <algorithm>
#include <limits>
#include <string>

#include "cluster/panel_product.hpp"
#include "util/error.hpp"

namespace conceptlens::cluster {

namespace {
constexpr std::int64_t kRowBlock = CondensedMatrix::kBlockRows;  // rows of X per panel product
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

/// out[0, rows) = points[first, first + rows) - mean, in float64; `out` keeps its capacity
/// from call to call (no allocation, no page faults in the loop).
template <class Scalar>
void centre_rows(const PointsView<Scalar>& points, std::int64_t first, std::int64_t rows,
                 const Eigen::RowVectorXd& mean, RowMatrix<double>& out) {
  if (out.rows() < rows) out.resize(rows, points.cols());
  out.topRows(rows) = points.middleRows(first, rows).template cast<double>().rowwise() - mean;
}
}  // namespace

RowRanges block_cyclic_rows(std::int64_t n, int rank, int ranks, std::int64_t block) {
  RowRanges rows;
  for (std::int64_t first = static_cast<std::int64_t>(rank) * block; first < n;
       first += static_cast<std::int64_t>(ranks) * block) {
    rows.push_back({first, std::min(first + block, n)});
  }
  return rows;
}

CondensedMatrix::CondensedMatrix(std::int64_t n, const RowRanges& rows)
    : n_(n),
      ranges_(rows),
      row_offset_(static_cast<std::size_t>(n), -1),
      d_(bytes_for(n, rows) / sizeof(double)),
      lists_(n) {
  std::int64_t offset = 0;
  for (const RowRange& range : rows) {
    for (std::int64_t i = range.first; i < range.last; ++i) {
      row_offset_[static_cast<std::size_t>(i)] = offset;
      offset += n - i - 1;
    }
  }
}

std::uint64_t CondensedMatrix::bytes_for(std::int64_t n, const RowRanges& rows) {
  const auto un = static_cast<std::uint64_t>(std::max<std::int64_t>(n, 0));
  if (n < 0 || (un > 0 && (un - 1) > std::numeric_limits<std::uint64_t>::max() / sizeof(double) / un * 2)) {
    throw InputError("a distance matrix for " + std::to_string(n) +
                     " points does not fit in 64-bit sizes; use --mode vector");
  }
  // Entries before row r: r*(2n-r-1)/2.
  auto before = [un](std::uint64_t r) { return r * (2 * un - r - 1) / 2; };
  std::uint64_t entries = 0;
  std::int64_t previous_last = 0;
  for (const RowRange& range : rows) {
    if (range.first < previous_last || range.last < range.first || range.last > n) {
      throw InputError("invalid rows [" + std::to_string(range.first) + ", " + std::to_string(range.last) +
                       ") of a distance matrix for " + std::to_string(n) + " points");
    }
    if (range.last > range.first) {
      entries += before(static_cast<std::uint64_t>(range.last)) - before(static_cast<std::uint64_t>(range.first));
    }
    previous_last = range.last;
  }
  return entries * sizeof(double);
}

template <class Scalar>
CondensedMatrix CondensedMatrix::squared_euclidean(const PointsView<Scalar>& points, const RowRanges& ranges) {
  const std::int64_t n = points.rows();
  CondensedMatrix m(n, ranges);
  if (n < 2) return m;
  // Distances do not change under translation; centring makes norms comparable to distances.
  const Eigen::RowVectorXd mean = points.template cast<double>().colwise().mean();
  Eigen::VectorXd norms(n);
  RowMatrix<double> xi(std::min(kRowBlock, n), points.cols());
  RowMatrix<double> xj(std::min(kColBlock, n), points.cols());
  RowMatrix<double> products(xi.rows(), xj.rows());
  for (std::int64_t first = 0; first < n; first += kColBlock) {
    const std::int64_t count = std::min(kColBlock, n - first);
    centre_rows(points, first, count, mean, xj);
    norms.segment(first, count) = xj.topRows(count).rowwise().squaredNorm();
  }

  // Row blocks and column panels lie on one global grid, and a row range that cuts a block
  // still multiplies the whole block: every entry comes out of the same product call whatever
  // the row range (BLAS may sum differently for other shapes), so shards agree bitwise.
  for (const RowRange& rows : ranges) {
  for (std::int64_t i0 = rows.first; i0 < std::min(rows.last, n - 1);) {
    const std::int64_t grid = i0 / kRowBlock * kRowBlock;
    const std::int64_t block_rows = std::min(kRowBlock, n - grid);
    const std::int64_t end = std::min(grid + block_rows, rows.last);  // held rows [i0, end)
    centre_rows(points, grid, block_rows, mean, xi);
    for (std::int64_t j0 = grid; j0 < n; j0 += kColBlock) {
      const std::int64_t bj = std::min(kColBlock, n - j0);
      if (j0 + bj <= i0 + 1) continue;  // entirely left of the diagonal
      centre_rows(points, j0, bj, mean, xj);
      product_abt(xi.data(), block_rows, xj.data(), bj, points.cols(), products.data());
      for (std::int64_t i = i0; i < end; ++i) {
        const std::int64_t r = i - grid;
        const std::int64_t j_begin = std::max(j0, i + 1);
        const std::int64_t count = j0 + bj - j_begin;
        if (count <= 0) continue;
        const double norm_i = norms[i];
        Eigen::Map<Eigen::ArrayXd> d2(&m.d_[m.local(i, j_begin)], count);
        const Eigen::Map<const Eigen::ArrayXd> dot(products.data() + r * bj + (j_begin - j0), count);
        const Eigen::Map<const Eigen::ArrayXd> norm_j(&norms[j_begin], count);
        d2 = (norm_i + norm_j) - 2.0 * dot;
        if ((d2 < kRecomputeShare * (norm_i + norm_j)).any()) {
          for (std::int64_t t = 0; t < count; ++t) {
            if (d2[t] < kRecomputeShare * (norm_i + norm_j[t])) {
              const std::int64_t j = j_begin + t;
              d2[t] = (points.row(i).template cast<double>() - points.row(j).template cast<double>())
                          .squaredNorm();
            }
          }
        }
        m.offer_row(i, j_begin, d2.data(), count);
      }
    }
    i0 = end;
  }
  }
  for (std::int64_t i = 0; i < n; ++i) m.lists_.end_scan(i);
  return m;
}

template CondensedMatrix CondensedMatrix::squared_euclidean(const PointsView<float>&, const RowRanges&);
template CondensedMatrix CondensedMatrix::squared_euclidean(const PointsView<double>&, const RowRanges&);

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

// The loops over held live rows below a limit in scan() and merge() are written out each time:
// a shared helper taking the loop body as a lambda measured 1.4 s slower on the n = 20,000 chain
// (3.5 s), as GCC 12 then keeps less of the loop state in registers.
void CondensedMatrix::scan(std::int64_t i, const ActiveSet& active) const {
  lists_.begin_scan(i);
  // Held live rows k < i: column i (strided, prefetched); then, when row i is held, live k > i
  // (contiguous).
  for (const RowRange& range : ranges_) {
    if (range.first >= i) break;
    const std::int64_t end = std::min(i, range.last);
    std::int64_t k = active.first_from(range.first);
    Lookahead ahead(active, k, end);
    for (; k < end; k = active.next(k)) {
      if (const auto p = ahead.advance(); p >= 0) __builtin_prefetch(&d_[local(p, i)]);
      lists_.offer(i, k, d_[local(k, i)]);
    }
  }
  if (holds_row(i)) {
    const double* row_i = row(i);
    for (std::int64_t k = active.next(i); k < active.end(); k = active.next(k)) lists_.offer(i, k, row_i[k - i - 1]);
  }
  lists_.end_scan(i);
}

Nearest CondensedMatrix::held_nearest(std::int64_t i, const ActiveSet& active) const {
  if (!lists_.known(i)) scan(i, active);
  if (!lists_.known(i)) return {-1, std::numeric_limits<double>::infinity()};
  return {lists_.nearest(i), lists_.nearest_distance(i)};
}

Nearest CondensedMatrix::nearest(std::int64_t i, std::int64_t prefer, const ActiveSet& active,
                                 const std::vector<std::int64_t>& /*sizes*/) const {
  const Nearest best = held_nearest(i, active);
  // The chain predecessor wins ties.
  if (prefer >= 0 && at(i, prefer) <= best.distance) return {prefer, at(i, prefer)};
  return best;
}

void CondensedMatrix::merge(std::int64_t dying, std::int64_t survivor, double d,
                            const std::vector<std::int64_t>& sizes, const ActiveSet& active,
                            const double* row_dying) {
  CONCEPTLENS_CHECK(dying < survivor);
  const std::int64_t lo = dying;
  const std::int64_t hi = survivor;
  const auto s_lo = static_cast<double>(sizes[static_cast<std::size_t>(lo)]);
  const auto s_hi = static_cast<double>(sizes[static_cast<std::size_t>(hi)]);
  lists_.begin_scan(hi);
  // d(k, hi) := LW(d(k, lo), d(k, hi)), written where d(k, hi) is held.
  auto update = [&](std::int64_t k, double d_lo, double& d_hi) {
    const auto s_k = static_cast<double>(sizes[static_cast<std::size_t>(k)]);
    d_hi = ward_update(d_lo, d_hi, d, s_lo, s_hi, s_k);
    lists_.offer(hi, k, d_hi);
    lists_.merged(k, lo, hi, d_hi);
  };
  // Lists that may hold lo but whose new entry for hi lives elsewhere only drop lo and hi.
  auto forget = [&](std::int64_t k) { lists_.merged_elsewhere(k, lo, hi); };

  // Held rows k < lo: d(k, lo) and d(k, hi) are both in row k, hi - lo apart (column reads:
  // strided, prefetched).
  const auto gap = static_cast<std::size_t>(hi - lo);
  for (const RowRange& range : ranges_) {
    if (range.first >= lo) break;
    const std::int64_t end = std::min(lo, range.last);
    std::int64_t k = active.first_from(range.first);
    Lookahead ahead(active, k, end);
    for (; k < end; k = active.next(k)) {
      if (const auto p = ahead.advance(); p >= 0) {
        __builtin_prefetch(&d_[local(p, lo)]);
        __builtin_prefetch(&d_[local(p, lo) + gap]);
      }
      const std::size_t at_lo = local(k, lo);
      update(k, d_[at_lo], d_[at_lo + gap]);
    }
  }
  // lo < k < hi: d(lo, k) from row lo, d(k, hi) in held row k (strided, prefetched). Where
  // row lo is held, the lists of k in rows held elsewhere drop lo.
  if (holds_row(lo)) {
    std::int64_t k = active.next(lo);
    Lookahead ahead(active, k, hi);
    for (; k < hi; k = active.next(k)) {
      if (const auto p = ahead.advance(); p >= 0 && holds_row(p)) __builtin_prefetch(&d_[local(p, hi)]);
      if (holds_row(k)) {
        update(k, row_dying[k - lo - 1], d_[local(k, hi)]);
      } else {
        forget(k);
      }
    }
  } else {
    for (const RowRange& range : ranges_) {
      if (range.first >= hi) break;
      if (range.last <= lo + 1) continue;
      const std::int64_t end = std::min(hi, range.last);
      std::int64_t k = active.first_from(std::max(range.first, lo + 1));
      Lookahead ahead(active, k, end);
      for (; k < end; k = active.next(k)) {
        if (const auto p = ahead.advance(); p >= 0) __builtin_prefetch(&d_[local(p, hi)]);
        update(k, row_dying[k - lo - 1], d_[local(k, hi)]);
      }
    }
  }
  // k > hi: row hi is updated where it is held; lists holding lo elsewhere drop it.
  if (holds_row(hi)) {
    double* row_hi = mutable_row(hi);
    for (std::int64_t k = active.next(hi); k < active.end(); k = active.next(k)) {
      update(k, row_dying[k - lo - 1], row_hi[k - hi - 1]);
    }
  } else if (holds_row(lo)) {
    for (std::int64_t k = active.next(hi); k < active.end(); k = active.next(k)) forget(k);
  }
  lists_.end_scan(hi);
}

}  // namespace conceptlens::cluster
