#include "app/layer_list.hpp"

#include <algorithm>
#include <sstream>

#include "util/error.hpp"

namespace conceptlens::app {

std::vector<std::int64_t> parse_layer_list(const std::string& text, const std::vector<std::int64_t>& all) {
  std::vector<std::int64_t> layers;
  if (text == "all") {
    layers = all;
  } else {
    std::istringstream list(text);
    for (std::string item; std::getline(list, item, ',');) {
      std::size_t used = 0;
      long long layer = -1;
      try {
        layer = std::stoll(item, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used != item.size() || item.empty() || layer < 0) {
        throw InputError("--layers '" + text + "': expected 'all' or layer indices separated by commas, found '" +
                         item + "'");
      }
      layers.push_back(layer);
    }
    if (layers.empty()) throw InputError("--layers '': expected 'all' or layer indices separated by commas");
  }
  std::sort(layers.begin(), layers.end());
  layers.erase(std::unique(layers.begin(), layers.end()), layers.end());
  return layers;
}

std::string layer_list_text(const std::vector<std::int64_t>& layers) {
  std::string text;
  for (const std::int64_t layer : layers) {
    if (!text.empty()) text += ',';
    text += std::to_string(layer);
  }
  return text;
}

LayerGroups layer_groups(int rank, int ranks, std::size_t layers) {
  LayerGroups g;
  g.groups = std::max(1, std::min(ranks, static_cast<int>(layers)));
  while (g.mine + 1 < g.groups && (g.mine + 1) * ranks / g.groups <= rank) ++g.mine;
  return g;
}

}  // namespace conceptlens::app
