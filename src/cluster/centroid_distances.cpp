#include "cluster/centroid_distances.hpp"


namespace conceptlens::cluster {

template <class A, class B>
double ward_distance(const A* a, const B* b, std::int64_t d, double s_a, double s_b) {
  // Eight independent partial sums (the compiler keeps them in one vector register), combined
  // in a fixed order: the same result for any alignment of a and b.
  constexpr int kLanes = 8;
  double partial[kLanes] = {};
  std::int64_t c = 0;
  for (; c + kLanes <= d; c += kLanes) {
    for (int q = 0; q < kLanes; ++q) {
      const double diff = static_cast<double>(a[c + q]) - static_cast<double>(b[c + q]);
      partial[q] += diff * diff;
    }
  }
  for (int q = 0; c < d; ++c, ++q) {
    const double diff = static_cast<double>(a[c]) - static_cast<double>(b[c]);
    partial[q] += diff * diff;
  }
  const double sum = ((partial[0] + partial[1]) + (partial[2] + partial[3])) +
                     ((partial[4] + partial[5]) + (partial[6] + partial[7]));
  return 2.0 * s_a * s_b / (s_a + s_b) * sum;
}

template double ward_distance(const double*, const double*, std::int64_t, double, double);
template double ward_distance(const float*, const double*, std::int64_t, double, double);
template double ward_distance(const double*, const float*, std::int64_t, double, double);
template double ward_distance(const float*, const float*, std::int64_t, double, double);

void merge_centroid(const double* dying, double* survivor, std::int64_t d, double s_dying, double s_survivor) {
  const double total = s_dying + s_survivor;
  for (std::int64_t c = 0; c < d; ++c) survivor[c] = (s_dying * dying[c] + s_survivor * survivor[c]) / total;
}

}  // namespace conceptlens::cluster
