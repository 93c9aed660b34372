#pragma once
// Additive histograms over clusters: the counts every MPI rank makes for the points it owns and
// the root sums. Plain data (vectors of PODs) so that they travel in MPI_Gatherv as they are;
// canonical (sorted, one cell per key) so that any split of the points gives the same sum.
#include <cstdint>
#include <type_traits>
#include <vector>

namespace conceptlens::align {

/// `count` occurrences in `cluster` carry `id` (a label, a word type or a reference cluster).
/// `first` is the smallest occurrence key among them (cells.hpp's users say which: it orders
/// occurrences as ConceptX meets them, to break ties as it does). Cells add up by summing counts
/// and keeping the smaller `first`.
struct Cell {
  std::int32_t cluster = 0;
  std::int32_t id = 0;
  std::int64_t count = 0;
  std::int64_t first = 0;

  friend bool operator==(const Cell&, const Cell&) = default;
};
static_assert(std::is_trivially_copyable_v<Cell> && sizeof(Cell) == 24, "Cell travels as raw bytes");

/// Sorts by (cluster, id) and adds up the cells of each key: the canonical form.
void combine_cells(std::vector<Cell>& cells);

/// The canonical sum of two canonical cell lists.
std::vector<Cell> add_cells(const std::vector<Cell>& a, const std::vector<Cell>& b);

}  // namespace conceptlens::align
