#pragma once
// The points `conceptlens cluster --activations` clusters: the word rows of an activation file
// (store/activations_file.hpp) that ConceptX's token selection keeps (select/token_selection.hpp),
// with their ConceptX keys and corpus positions.
#include <cstdint>
#include <string>
#include <vector>

#include "app/cluster_command.hpp"
#include "select/token_selection.hpp"
#include "store/activations_file.hpp"

namespace conceptlens::app {

struct ActivationPoints {
  std::vector<std::string> keys;        ///< ConceptX keys `word|||k|||sent|||tok` of the selected rows
  std::vector<std::int32_t> sentence;   ///< corpus sentence of each row
  std::vector<std::int32_t> word;       ///< position of each row in its sentence
  std::vector<std::string> text;        ///< the word of each row
  select::TokenSelection selection;     ///< the selected word rows (ascending), what each rule removed
};

/// Applies the selection to the file's corpus and rows. Keys follow ConceptX's
/// create_data_single_layer.py: k = 1-based occurrence of the word among the words of the
/// sentences the selection kept (select/token_selection.hpp, steps 1 and 3), sent = index of the
/// sentence among those kept, tok = word position.
ActivationPoints select_activation_points(const store::ActivationsInfo& info, const select::SelectionOptions& options);

/// The layers of --layers ("all", or indices separated by commas) or --layer, checked against
/// the file: InputError naming the file and a missing layer, with the layers it holds.
std::vector<std::int64_t> requested_layers(const ClusterOptions& options, const store::ActivationsInfo& info);

/// The inputs of clustering one layer at `ks` (from checked_ks): the selected points, of which
/// this rank reads the positions `held` (ranges over the selection; all of them for the matrix
/// mode).
ClusterInputs layer_inputs(const ClusterOptions& options, const std::vector<std::int64_t>& ks,
                           const store::ActivationsFile& file, const ActivationPoints& points, std::int64_t layer,
                           const cluster::RowRanges& held);

}  // namespace conceptlens::app
