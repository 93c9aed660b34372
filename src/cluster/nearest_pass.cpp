#include "cluster/nearest_pass.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>

#include "cluster/panel_product.hpp"

namespace conceptlens::cluster {

namespace {
constexpr double kInfinity = std::numeric_limits<double>::infinity();
constexpr int kStride = NeighbourTable::kStride;
/// Queued pairs before a prune (32 bytes each).
constexpr std::size_t kQueueLimit = std::size_t{1} << 17;
}  // namespace

NearestPass::NearestPass(std::int64_t states, std::int64_t d)
    : d_(d),
      bound_(ProductBound::for_dimension(d)),
      upper_(static_cast<std::size_t>(states) * kStride, kInfinity),
      best_(static_cast<std::size_t>(states) * kStride, kNone),
      threshold_(static_cast<std::size_t>(states), kInfinity),
      tile_(static_cast<std::size_t>(kTileRows * kTileCols)) {}

void NearestPass::take_upper(std::int64_t state, double upper) {
  double* u = upper_.data() + static_cast<std::size_t>(state) * kStride;
  if (!(upper < u[kStride - 1])) return;
  int q = kStride - 1;
  while (q > 0 && upper < u[q - 1]) {
    u[q] = u[q - 1];
    --q;
  }
  u[q] = upper;
  auto& t = threshold_[static_cast<std::size_t>(state)];
  t = std::min(t, u[kStride - 1]);
}

void NearestPass::take_exact(std::int64_t state, const Nearest& entry) {
  Nearest* b = best_.data() + static_cast<std::size_t>(state) * kStride;
  if (!before(entry, b[kStride - 1])) return;
  int q = kStride - 1;
  while (q > 0 && before(entry, b[q - 1])) {
    b[q] = b[q - 1];
    --q;
  }
  b[q] = entry;
  auto& t = threshold_[static_cast<std::size_t>(state)];
  t = std::min(t, b[kStride - 1].distance);
}

void NearestPass::prune(const CentroidRows& rows, const std::int64_t* row_state, const CentroidRows& cols,
                        const std::int64_t* col_state, const std::vector<std::int64_t>& sizes) {
  for (const Queued& q : queue_) {
    const std::int64_t sr = row_state != nullptr ? row_state[q.r] : q.r;
    const bool for_row = (q.sides & 1) != 0 && q.lower <= threshold(sr);
    const bool for_col = (q.sides & 2) != 0 && q.lower <= threshold(col_state[q.c]);
    if (!for_row && !for_col) continue;
    const std::int64_t i = rows.slot(q.r);
    const std::int64_t j = cols.slot(q.c);
    const double exact = rows.ward_distance_to(q.r, cols, q.c, static_cast<double>(sizes[static_cast<std::size_t>(i)]),
                                               static_cast<double>(sizes[static_cast<std::size_t>(j)]));
    ++stats.exact;
    if (for_row) take_exact(sr, {j, exact});
    if (for_col) take_exact(col_state[q.c], {i, exact});
  }
  queue_.clear();
}

void NearestPass::offer(const CentroidRows& rows, const std::int64_t* row_state, std::int64_t row_begin,
                        std::int64_t row_end, const CentroidRows& cols, const std::int64_t* col_state, bool upper,
                        const std::vector<std::int64_t>& sizes) {
  const std::int64_t ncols = cols.rows();
  if (row_end <= row_begin || ncols == 0) return;
  // x = e - E = a[r] + b[c] - 2p is the lower end of the pair's squared centroid distance and
  // x / (h_r + h_c), h = 1/(2 s), the lower end of its Ward distance (product_bound.hpp).
  const double keep = 1.0 - bound_.relative;
  const double half_absolute = 0.5 * bound_.absolute;
  const double widen = 1.0 + bound_.slack;
  auto size_of = [&](std::int64_t slot) { return static_cast<double>(sizes[static_cast<std::size_t>(slot)]); };
  std::vector<double> a(static_cast<std::size_t>(row_end - row_begin));
  std::vector<double> h_row(a.size());
  for (std::int64_t r = row_begin; r < row_end; ++r) {
    a[static_cast<std::size_t>(r - row_begin)] = keep * rows.norm(r) - half_absolute;
    h_row[static_cast<std::size_t>(r - row_begin)] = 0.5 / size_of(rows.slot(r));
  }
  std::vector<double> b(static_cast<std::size_t>(ncols));
  std::vector<double> h_col(b.size());
  std::vector<double> t_col(b.size());  // the column states' thresholds, widened (-inf: none)
  auto refresh_columns = [&] {
    for (std::int64_t c = 0; c < ncols; ++c) {
      t_col[static_cast<std::size_t>(c)] = col_state != nullptr ? threshold(col_state[c]) * widen : -kInfinity;
    }
  };
  for (std::int64_t c = 0; c < ncols; ++c) {
    b[static_cast<std::size_t>(c)] = keep * cols.norm(c) - half_absolute;
    h_col[static_cast<std::size_t>(c)] = 0.5 / size_of(cols.slot(c));
  }
  refresh_columns();
  std::vector<unsigned char> flags(static_cast<std::size_t>(kTileCols));

  for (std::int64_t r0 = row_begin; r0 < row_end; r0 += kTileRows) {
    const std::int64_t r1 = std::min(r0 + kTileRows, row_end);
    for (std::int64_t c0 = upper ? r0 + 1 : 0; c0 < ncols; c0 += kTileCols) {
      const std::int64_t c1 = std::min(c0 + kTileCols, ncols);
      const auto started = std::chrono::steady_clock::now();
      product_abt(rows.product(r0), r1 - r0, cols.product(c0), c1 - c0, d_, tile_.data());
      stats.product_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      for (std::int64_t r = r0; r < r1; ++r) {
        const std::int64_t cs = upper ? std::max(c0, r + 1) : c0;
        if (cs >= c1) continue;
        stats.pairs += static_cast<double>(c1 - cs);
        const float* p = tile_.data() + (r - r0) * (c1 - c0) - c0;  // p[c], c in [cs, c1)
        const double ar = a[static_cast<std::size_t>(r - row_begin)];
        const double hr = h_row[static_cast<std::size_t>(r - row_begin)];
        const std::int64_t sr = row_state != nullptr ? row_state[r] : r;
        const double tr = threshold(sr) * widen;
        const double* bc = b.data();
        const double* hc = h_col.data();
        const double* tc = t_col.data();
        unsigned char any = 0;
        for (std::int64_t c = cs; c < c1; ++c) {
          const double x = ar + bc[c] - 2.0 * static_cast<double>(p[c]);
          const double hs = hr + hc[c];
          const unsigned char pass = static_cast<unsigned char>((x <= tr * hs) | (x <= tc[c] * hs));
          flags[static_cast<std::size_t>(c - c0)] = pass;
          any |= pass;
        }
        if (any == 0) continue;
        for (std::int64_t c = cs; c < c1; ++c) {
          // Skip the (many) unflagged columns eight at a time.
          std::uint64_t word = 0;
          while (c + 8 <= c1 && (std::memcpy(&word, &flags[static_cast<std::size_t>(c - c0)], 8), word == 0)) c += 8;
          if (c >= c1) break;
          if (flags[static_cast<std::size_t>(c - c0)] == 0 || rows.slot(r) == cols.slot(c)) continue;
          const double x = ar + bc[c] - 2.0 * static_cast<double>(p[c]);
          const double hs = hr + hc[c];
          const bool for_row = x <= threshold(sr) * widen * hs;
          const bool for_col = col_state != nullptr && x <= threshold(col_state[c]) * widen * hs;
          if (!for_row && !for_col) continue;
          const double lower = x / hs * (x >= 0 ? 1.0 - bound_.slack : widen);
          const double error = bound_.relative * (rows.norm(r) + cols.norm(c)) + bound_.absolute;
          const double upper_end =
              (rows.norm(r) + cols.norm(c) - 2.0 * static_cast<double>(p[c]) + error) / hs * widen;
          if (for_row) take_upper(sr, upper_end);
          if (for_col) {
            take_upper(col_state[c], upper_end);
            t_col[static_cast<std::size_t>(c)] = threshold(col_state[c]) * widen;
          }
          queue_.push_back({r, c, lower, (for_row ? 1 : 0) | (for_col ? 2 : 0)});
        }
      }
      if (queue_.size() > kQueueLimit) {
        prune(rows, row_state, cols, col_state, sizes);
        refresh_columns();
      }
    }
    if (progress) progress(stats.pairs);
  }
  prune(rows, row_state, cols, col_state, sizes);
}

}  // namespace conceptlens::cluster
