#pragma once
// ConceptX's `clusters-<K>.txt`: one line `<key>|||<label>` per point, grouped by cluster in the
// order in which each cluster first appears among the points (points keep their order within
// a cluster), exactly as ConceptX's `defaultdict(list)` loop writes it.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace conceptlens::store {

/// The text of the file for the vocabulary keys and the label of each point (see below).
std::string conceptx_clusters_text(const std::vector<std::string>& keys, const std::vector<std::int32_t>& labels);

/// Writes `path` from the vocabulary keys (e.g. "word|||0|||12|||3") and the label of each point;
/// `keys` and `labels` must have the same length. Throws OutputError naming the file on failure
/// (the caller makes the write atomic).
void write_conceptx_clusters(const std::filesystem::path& path, const std::vector<std::string>& keys,
                             const std::vector<std::int32_t>& labels);

}  // namespace conceptlens::store
