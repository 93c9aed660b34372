#pragma once
// The --layers option of extract and cluster: "all", or layer indices separated by commas.
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

}  // namespace conceptlens::app
