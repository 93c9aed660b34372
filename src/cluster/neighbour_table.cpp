#include "cluster/neighbour_table.hpp"

#include <algorithm>

namespace conceptlens::cluster {

void NeighbourTable::reset(std::vector<Nearest>& entries, std::int64_t n) {
  entries.assign(static_cast<std::size_t>(n) * kStride, kNone);
}

int NeighbourTable::count(std::int64_t k) const {
  const Nearest* r = row(k);
  int c = 0;
  while (c < kLength && r[c].index != kNone.index) ++c;
  return c;
}

void NeighbourTable::set(std::int64_t k, const Nearest* best) { std::copy_n(best, kStride, row(k)); }

void NeighbourTable::restart(std::int64_t k, const Nearest& bound) {
  Nearest* r = row(k);
  std::fill_n(r, kLength, kNone);
  r[kLength] = bound;
}

void NeighbourTable::drop(std::int64_t k, const std::vector<char>& gone) {
  Nearest* r = row(k);
  int kept = 0;
  for (int q = 0; q < kLength && r[q].index != kNone.index; ++q) {
    if (!gone[static_cast<std::size_t>(r[q].index)]) r[kept++] = r[q];
  }
  std::fill(r + kept, r + kLength, kNone);
}

void NeighbourTable::offer(std::int64_t k, const Nearest& entry) {
  Nearest* r = row(k);
  Nearest& bound = r[kLength];
  if (!before(entry, bound)) return;
  const int n = count(k);
  if (n == kLength && !before(entry, r[kLength - 1])) {
    bound = entry;  // it cannot enter, and nothing may lie between the list and the bound
    return;
  }
  if (n == kLength) bound = r[kLength - 1];  // the last entry leaves the list
  int q = std::min(n, kLength - 1);
  while (q > 0 && before(entry, r[q - 1])) {
    r[q] = r[q - 1];
    --q;
  }
  r[q] = entry;
}

}  // namespace conceptlens::cluster
