#pragma once
// `conceptlens extract`: every word's vector at every requested layer of a Hugging Face
// checkpoint, with NeuroX's semantics, into ACT.h5 (or NeuroX's own HDF5 layout). This file has
// the options and the serial steps (read and tokenize the corpus, plan the batches and the
// output rows, write the output's skeleton and its metadata); mpi/app/extract_run.cpp runs the
// model on the ranks' batches and writes their rows into the one file with parallel HDF5.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "corpus/corpus_file.hpp"
#include "extract/batch_plan.hpp"
#include "extract/word_vectors.hpp"
#include "model/model_config.hpp"
#include "model/tensor_specs.hpp"
#include "store/activations_file.hpp"
#include "tokenize/tokenizer.hpp"

namespace CLI {
class App;
}

namespace conceptlens::app {

enum class OutputFormat { conceptlens, neurox };

struct ExtractOptions {
  std::filesystem::path model;       ///< Hugging Face checkpoint folder
  std::filesystem::path corpus;      ///< one sentence per line, words separated by single spaces
  std::filesystem::path out;         ///< ACT.h5
  std::string layers = "all";        ///< "all" or "0,6,12" (0 = embedding output)
  std::string aggregation = "last";  ///< last | first | average
  std::int64_t batch_tokens = 2048;  ///< padded tokens per batch
  std::string dtype = "float32";     ///< float32 | float16: how the vectors are stored
  std::string compute_dtype = "float32";  ///< float32 | bfloat16: how the model computes
  std::string format = "conceptlens";  ///< conceptlens (ACT.h5) | neurox
  bool predictions = false;          ///< store the classification head's class per sentence
  int threads = 0;                   ///< BLAS threads per rank; 0: the node's cores / its ranks
  std::size_t max_word_chars = 200;  ///< corpus check: longest word accepted
  bool dry_run = false;              ///< print the plan and the memory per rank, run nothing
};

/// Registers the subcommand's options on `command` (a CLI11 subcommand).
void setup_extract_command(CLI::App& command, ExtractOptions& options);

/// Everything decided before the model runs, the same on every rank.
struct ExtractionPlan {
  corpus::Corpus corpus;
  model::ModelConfig config;
  std::vector<tokenize::SentenceEncoding> encodings;  ///< per sentence
  std::vector<std::int64_t> layers;                   ///< requested, ascending
  extract::Aggregation aggregation = extract::Aggregation::last;
  store::ActivationDtype dtype = store::ActivationDtype::float32;
  model::ComputeDtype compute_dtype = model::ComputeDtype::float32;
  OutputFormat format = OutputFormat::conceptlens;
  std::vector<std::int64_t> row_offsets;  ///< [sentences + 1]: rows of sentence s (its NeuroX words)
  std::vector<extract::Batch> batches;
  std::int64_t truncated_sentences = 0;   ///< sentences longer than model_max_length
  std::int64_t truncated_words = 0;       ///< words they lost
  std::int64_t empty_words = 0;           ///< emitted words without subwords (zero vectors)
  std::int64_t model_max_length = 0;      ///< of the tokenizer; 0 if it has none
  std::int64_t weight_bytes = 0;          ///< per rank, in the compute dtype (memory_estimate.hpp)
  std::int64_t activation_bytes = 0;      ///< per rank: the largest batch's forward pass

  std::int64_t rows() const { return row_offsets.back(); }
  std::int64_t hidden() const { return config.hidden_size; }
};

/// Reads config.json, the tokenizer and the corpus, tokenizes every sentence and plans batches,
/// rows and the memory per rank. InputError naming the file (and line) for bad input: a corpus
/// line that does not tokenize or fit the model's positions, a layer the model does not have,
/// --predictions without a classification head, a tokenizer whose vocabulary does not fit the
/// model's, unknown option values.
ExtractionPlan plan_extraction(const ExtractOptions& options);

/// The plan in words (model family, layers, hidden size, corpus, batches, memory per rank), for
/// --dry-run.
std::string describe(const ExtractOptions& options, const ExtractionPlan& plan, int ranks);

/// The output's skeleton at `path` (serial HDF5): for ACT.h5 every dataset but the layers'
/// values, whose storage is reserved; for the NeuroX layout one reserved dataset per sentence
/// and `sentence_to_index`. The ranks then fill the values in parallel.
void write_output_skeleton(const std::filesystem::path& path, const ExtractOptions& options,
                           const ExtractionPlan& plan);

/// Adds the predicted classes (argmax of `logits`, [sentences, classes] row-major) to a
/// finished ACT.h5 at `path`: /predictions/class int32 [sentences], /predictions/logits
/// float32 [sentences, classes], /predictions/labels strings [classes] (config.json's id2label).
void write_predictions(const std::filesystem::path& path, const ExtractionPlan& plan,
                       const std::vector<float>& logits);

}  // namespace conceptlens::app
