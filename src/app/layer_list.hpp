#pragma once
// The --layers option of extract and cluster: "all", or layer indices separated by commas; and
// how `cluster --layers` deals the layers to groups of ranks.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace conceptlens::app {

/// The layers `text` names, sorted and unique; "all" gives `all`. InputError quoting the
/// option for anything else than non-negative integers separated by commas. The caller checks
/// that they exist.
std::vector<std::int64_t> parse_layer_list(const std::string& text, const std::vector<std::int64_t>& all);

/// The inverse: "0,6,12".
std::string layer_list_text(const std::vector<std::int64_t>& layers);

/// `ranks` ranks split into min(ranks, layers) groups of consecutive ranks whose sizes differ by
/// at most one (3 layers on 4 ranks: 2, 1, 1); layer q of the list goes to group q mod groups.
struct LayerGroups {
  int groups = 1;
  int mine = 0;  ///< the group of the rank asked about
  int size_of(int group, int ranks) const { return (group + 1) * ranks / groups - group * ranks / groups; }
};

/// The groups of `ranks` ranks for `layers` layers, and the group of `rank`.
LayerGroups layer_groups(int rank, int ranks, std::size_t layers);

}  // namespace conceptlens::app
