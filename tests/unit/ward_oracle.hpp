#pragma once
// The naive O(n^3) Ward agglomeration used as the oracle: at every step, merge the pair of
// live clusters with the globally smallest Ward distance sqrt(2|A||B|/(|A|+|B|)) ||c_A - c_B||,
// computed from scratch from the points (no recurrence). Ties: the lexicographically smallest
// pair of smallest member indices.
#include <Eigen/Core>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

namespace conceptlens::testing {

struct OracleStep {
  double height = 0;
  std::vector<std::vector<std::int64_t>> partition;  ///< members of each live cluster after the merge
};

inline std::vector<OracleStep> naive_ward(const Eigen::MatrixXd& x) {
  const auto n = x.rows();
  std::vector<std::vector<std::int64_t>> members(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) members[static_cast<std::size_t>(i)] = {i};
  auto centroid = [&](const std::vector<std::int64_t>& m) {
    Eigen::RowVectorXd c = Eigen::RowVectorXd::Zero(x.cols());
    for (auto p : m) c += x.row(p);
    return Eigen::RowVectorXd(c / static_cast<double>(m.size()));
  };
  std::vector<OracleStep> steps;
  while (members.size() > 1) {
    double best = std::numeric_limits<double>::infinity();
    std::size_t ba = 0, bb = 0;
    for (std::size_t a = 0; a < members.size(); ++a) {
      for (std::size_t b = a + 1; b < members.size(); ++b) {
        const auto sa = static_cast<double>(members[a].size());
        const auto sb = static_cast<double>(members[b].size());
        const double d = 2 * sa * sb / (sa + sb) * (centroid(members[a]) - centroid(members[b])).squaredNorm();
        if (d < best) {
          best = d;
          ba = a;
          bb = b;
        }
      }
    }
    members[ba].insert(members[ba].end(), members[bb].begin(), members[bb].end());
    members.erase(members.begin() + static_cast<std::ptrdiff_t>(bb));
    steps.push_back({std::sqrt(best), members});
  }
  return steps;
}

}  // namespace conceptlens::testing
