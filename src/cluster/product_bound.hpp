#pragma once
// The rounding error of the float32 product pass (nearest_pass.hpp), bounded rigorously: the
// pass only proposes candidates, and a candidate is dropped only when its Ward distance is
// provably larger than that of others, so no exact nearest neighbour is ever filtered out.
//
// Notation. c_i: a cluster's centroid, float64 (what the exact Ward distances are computed
// from: ward_distance() in centroid_distances.hpp). m: a centre (any vector; the points' mean,
// so that norms are comparable to distances). a = fl64(c_i - m), b = fl64(c_j - m): the centred
// float64 vectors; a' = fl32(a), b' = fl32(b): the float32 copies the matrix product reads.
// n_a = fl64(sum a_k^2), n_b likewise. p = the float32 product a'.b' (sgemm, any order of
// summation, with or without FMA). The pass uses
//     e = n_a + n_b - 2p                     (in float64)
// as an estimate of q = ||c_i - c_j||^2, and for the Ward distance D = w q, w = 2 s_i s_j /
// (s_i + s_j), the estimate w e.
//
// Bound. With u = 2^-24 (float32 unit roundoff), U = 2^-53 (float64), d the dimension and
// gamma_d = d u / (1 - d u):
//  1. rounding to float32: |a'_k - a_k| <= u |a_k| + 2^-150 (the last term: subnormals);
//  2. the float32 dot product of d terms in any order (Higham, Accuracy and Stability of
//     Numerical Algorithms, 2nd ed., eq. 3.5 and section 2.2 for underflow):
//        |p - a'.b'| <= gamma_d sum |a'_k b'_k| + d 2^-149;
//     with 1.: |p - a.b| <= (gamma_d (1+u)^2 + 2u + u^2) ||a|| ||b|| + 2^-148 d (1 + ||a|| + ||b||),
//     and 2 ||a|| ||b|| <= ||a||^2 + ||b||^2, ||a|| <= 1 + ||a||^2;
//  3. the float64 steps — n_a vs ||a||^2 (gamma_d(U)), the centring of c_i and c_j (a - b
//     differs from c_i - c_j by at most U(|a_k| + |b_k|) per coordinate, 6.1 U (n_a + n_b) on
//     q), forming e (2 roundings), and the relative error gamma_{d+7}(U) of the exact Ward
//     distance itself (which the filter compares against) — sum to less than
//     8 (d + 16) U (n_a + n_b).
// So, with
//     relative = gamma_d (1+u)^2 + 2u + u^2 + 2^-146 d + 8 (d + 16) U,   absolute = 2^-146 d,
// every exact Ward distance lies in [w (e - E), w (e + E)], E = relative (n_a + n_b) + absolute
// (for d = 768: relative = 4.6e-5). The weights w and the products with them are formed in
// float64 too; `slack` (a relative 8 (d + 16) U) widens every comparison of the pass beyond
// their rounding. The bound needs no overflow: the centred values must stay below 2^50 in
// magnitude (checked), so that every float32 product and sum is finite.
#include <cstdint>

namespace conceptlens::cluster {

struct ProductBound {
  double relative = 0;  ///< E = relative * (n_a + n_b) + absolute
  double absolute = 0;
  double slack = 0;     ///< relative widening of comparisons made in float64

  /// Largest magnitude of a centred coordinate the bound allows (float32 stays finite).
  static constexpr double kMaxCentred = 0x1p50;

  static ProductBound for_dimension(std::int64_t d) {
    const double u = 0x1p-24;
    const double big_u = 0x1p-53;
    const double dd = static_cast<double>(d);
    const double gamma = dd * u / (1.0 - dd * u);
    ProductBound bound;
    bound.slack = 8.0 * (dd + 16.0) * big_u;
    bound.relative = gamma * (1.0 + u) * (1.0 + u) + 2.0 * u + u * u + 0x1p-146 * dd + bound.slack;
    bound.absolute = 0x1p-146 * dd;
    return bound;
  }
};

}  // namespace conceptlens::cluster
