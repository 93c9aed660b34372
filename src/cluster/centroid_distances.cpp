#include "cluster/centroid_distances.hpp"

#include <limits>

namespace conceptlens::cluster {

double CentroidDistances::distance(std::int64_t i, std::int64_t j,
                                   const std::vector<std::int64_t>& sizes) const {
  const auto s_i = static_cast<double>(sizes[static_cast<std::size_t>(i)]);
  const auto s_j = static_cast<double>(sizes[static_cast<std::size_t>(j)]);
  return 2.0 * s_i * s_j / (s_i + s_j) * (centroids_.row(i) - centroids_.row(j)).squaredNorm();
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
  const auto s_x = static_cast<double>(sizes[static_cast<std::size_t>(dying)]);
  const auto s_y = static_cast<double>(sizes[static_cast<std::size_t>(survivor)]);
  centroids_.row(survivor) =
      (s_x * centroids_.row(dying) + s_y * centroids_.row(survivor)) / (s_x + s_y);
}

}  // namespace conceptlens::cluster
