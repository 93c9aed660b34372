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
  std::vector<std::int64_t> rows;       ///< selected word rows of the file, ascending
  std::vector<std::string> keys;        ///< ConceptX keys `word|||k|||sent|||tok` of the rows
  std::vector<std::int32_t> sentence;   ///< corpus sentence of each row
  std::vector<std::int32_t> word;       ///< position of each row in its sentence
  select::TokenSelection selection;     ///< what each rule removed
};

/// Applies the selection to the file's words. Keys follow ConceptX's create_data_single_layer.py:
/// k = 1-based occurrence of the word among the words of the sentences the length filter kept,
/// sent = index of the sentence among those kept, tok = word position.
ActivationPoints select_activation_points(const store::ActivationsInfo& info, const select::SelectionOptions& options);

/// "the number of tokens selected from ACT.h5 (...)", for messages about K.
std::string selected_description(const store::ActivationsInfo& info);

/// The layers of --layers ("all", or indices separated by commas) or --layer, checked against
/// the file: InputError naming the file and a missing layer, with the layers it holds.
std::vector<std::int64_t> requested_layers(const ClusterOptions& options, const store::ActivationsInfo& info);

/// The inputs of clustering one layer: the selected points, of which this rank reads the
/// positions `held` (ranges over the selection; all of them for the matrix mode).
ClusterInputs layer_inputs(const ClusterOptions& options, const store::ActivationsFile& file,
                           const ActivationPoints& points, std::int64_t layer, const cluster::RowRanges& held);

}  // namespace conceptlens::app
