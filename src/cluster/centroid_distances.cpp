#include "cluster/centroid_distances.hpp"

#include <limits>

namespace conceptlens::cluster {

double ward_distance(const double* a, const double* b, std::int64_t d, double s_a, double s_b) {
  // Eight independent partial sums (the compiler keeps them in one vector register), combined
  // in a fixed order: the same result for any alignment of a and b.
  constexpr int kLanes = 8;
  double partial[kLanes] = {};
  std::int64_t c = 0;
  for (; c + kLanes <= d; c += kLanes) {
    for (int q = 0; q < kLanes; ++q) {
      const double diff = a[c + q] - b[c + q];
      partial[q] += diff * diff;
    }
  }
  for (int q = 0; c < d; ++c, ++q) {
    const double diff = a[c] - b[c];
    partial[q] += diff * diff;
  }
  const double sum = ((partial[0] + partial[1]) + (partial[2] + partial[3])) +
                     ((partial[4] + partial[5]) + (partial[6] + partial[7]));
  return 2.0 * s_a * s_b / (s_a + s_b) * sum;
}

void merge_centroid(const double* dying, double* survivor, std::int64_t d, double s_dying, double s_survivor) {
  const double total = s_dying + s_survivor;
  for (std::int64_t c = 0; c < d; ++c) survivor[c] = (s_dying * dying[c] + s_survivor * survivor[c]) / total;
}

double CentroidDistances::distance(std::int64_t i, std::int64_t j,
                                   const std::vector<std::int64_t>& sizes) const {
  return ward_distance(centroids_.row(i).data(), centroids_.row(j).data(), centroids_.cols(),
                       static_cast<double>(sizes[static_cast<std::size_t>(i)]),
                       static_cast<double>(sizes[static_cast<std::size_t>(j)]));
}

Nearest CentroidDistances::nearest(std::int64_t i, std::int64_t prefer, const ActiveSet& active,
                                   const std::vector<std::int64_t>& sizes) const {
  Nearest best;
  best.distance = std::numeric_limits<double>::infinity();
  if (prefer >= 0) {
    best.index = prefer;
    best.distance = distance(i, prefer, sizes);
  }
  active.for_each([&](std::int64_t j) {
    if (j == i) return;
    const double d = distance(i, j, sizes);
    if (d < best.distance) {
      best.distance = d;
      best.index = j;
    }
  });
  return best;
}

void CentroidDistances::merge(std::int64_t dying, std::int64_t survivor, double /*d*/,
                              const std::vector<std::int64_t>& sizes,
                              const ActiveSet& /*active*/) {
  merge_centroid(centroids_.row(dying).data(), centroids_.row(survivor).data(), centroids_.cols(),
                 static_cast<double>(sizes[static_cast<std::size_t>(dying)]),
                 static_cast<double>(sizes[static_cast<std::size_t>(survivor)]));
}

}  // namespace conceptlens::cluster
