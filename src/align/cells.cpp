#include "align/cells.hpp"

#include <algorithm>
#include <iterator>

namespace conceptlens::align {
namespace {

bool key_less(const Cell& a, const Cell& b) { return a.cluster != b.cluster ? a.cluster < b.cluster : a.id < b.id; }
bool same_key(const Cell& a, const Cell& b) { return a.cluster == b.cluster && a.id == b.id; }

/// Adds runs of equal keys of a key-sorted list together, in place.
void add_runs(std::vector<Cell>& cells) {
  std::size_t out = 0;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    if (out > 0 && same_key(cells[out - 1], cells[i])) {
      cells[out - 1].count += cells[i].count;
      cells[out - 1].first = std::min(cells[out - 1].first, cells[i].first);
    } else {
      cells[out++] = cells[i];
    }
  }
  cells.resize(out);
}

}  // namespace

void combine_cells(std::vector<Cell>& cells) {
  std::sort(cells.begin(), cells.end(), key_less);
  add_runs(cells);
}

std::vector<Cell> add_cells(const std::vector<Cell>& a, const std::vector<Cell>& b) {
  std::vector<Cell> sum;
  sum.reserve(a.size() + b.size());
  std::merge(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(sum), key_less);
  add_runs(sum);
  return sum;
}

}  // namespace conceptlens::align
