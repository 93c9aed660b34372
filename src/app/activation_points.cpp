#include "app/activation_points.hpp"

#include <algorithm>
#include <unordered_map>

#include "app/layer_list.hpp"
#include "util/error.hpp"

namespace conceptlens::app {

ActivationPoints select_activation_points(const store::ActivationsInfo& info, const select::SelectionOptions& options) {
  ActivationPoints points;
  points.selection = select::select_tokens(info.lines, info.sentence_offsets, options);

  // Occurrence numbers and sentence indices over the sentences the selection kept (the length
  // filter and NeuroX's loader).
  std::unordered_map<std::string, std::int64_t> seen;
  std::vector<std::int64_t> occurrence(static_cast<std::size_t>(info.words), 0);
  std::vector<std::int32_t> kept_index(static_cast<std::size_t>(info.sentences()), -1);
  std::int32_t kept = 0;
  for (std::int64_t s = 0; s < info.sentences(); ++s) {
    if (!points.selection.kept_sentences[static_cast<std::size_t>(s)]) continue;
    kept_index[static_cast<std::size_t>(s)] = kept++;
    const std::int64_t end = info.sentence_offsets[static_cast<std::size_t>(s) + 1];
    for (std::int64_t r = info.sentence_offsets[static_cast<std::size_t>(s)]; r < end; ++r) {
      occurrence[static_cast<std::size_t>(r)] = ++seen[info.word_text[static_cast<std::size_t>(r)]];
    }
  }
  points.keys.reserve(points.selection.rows.size());
  for (const std::int64_t r : points.selection.rows) {
    const auto u = static_cast<std::size_t>(r);
    const std::int32_t s = info.sentence[u];
    points.sentence.push_back(s);
    points.word.push_back(info.position[u]);
    points.text.push_back(info.word_text[u]);
    points.keys.push_back(info.word_text[u] + "|||" + std::to_string(occurrence[u]) + "|||" +
                          std::to_string(kept_index[static_cast<std::size_t>(s)]) + "|||" +
                          std::to_string(info.position[u]));
  }
  return points;
}

std::vector<std::int64_t> requested_layers(const ClusterOptions& options, const store::ActivationsInfo& info) {
  const std::vector<std::int64_t> layers =
      options.layer >= 0 ? std::vector<std::int64_t>{options.layer} : parse_layer_list(options.layers, info.layers);
  for (const auto layer : layers) info.check_layer(layer);
  return layers;
}

ClusterInputs layer_inputs(const ClusterOptions& options, const std::vector<std::int64_t>& ks,
                           const store::ActivationsFile& file, const ActivationPoints& points, std::int64_t layer,
                           const cluster::RowRanges& held) {
  const store::ActivationsInfo& info = file.info();
  ClusterInputs inputs;
  inputs.n = static_cast<std::int64_t>(points.selection.rows.size());
  inputs.ks = ks;
  std::vector<std::int64_t> rows;
  for (const auto& range : held) {
    const auto& selected = points.selection.rows;
    rows.insert(rows.end(), selected.begin() + range.first, selected.begin() + range.last);
  }
  std::vector<float> values(rows.size() * static_cast<std::size_t>(info.hidden));
  file.read_selected_rows(layer, rows, values);
  inputs.points.rows = static_cast<std::int64_t>(rows.size());
  inputs.points.cols = info.hidden;
  inputs.points.values = std::move(values);
  inputs.held = held;
  if (!options.conceptx_dir.empty()) inputs.keys = points.keys;
  inputs.result.sentence = points.sentence;
  inputs.result.word = points.word;
  inputs.result.text = points.text;
  inputs.result.d = info.hidden;
  inputs.result.layer = layer;
  inputs.result.source = info.path.string();
  return inputs;
}

}  // namespace conceptlens::app
