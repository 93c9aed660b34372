#pragma once
// ACT.h5, the activation store of DESIGN.md ("Interfaces"):
//   /layers/<L>        float32 or float16 [words, hidden]  one row per corpus word, L the decimal
//                                                          layer index (0 = embedding output);
//                                                          any subset of layers may be present
//   /words/sentence    int32 [words]          sentence of each row
//   /words/position    int32 [words]          word position of each row in its sentence
//   /sentences/offset  int64 [sentences + 1]  rows of sentence s: offset[s] .. offset[s+1]-1
//   /corpus/text       uint8 [bytes]          the corpus lines as read (stripped), UTF-8, every
//                                             line ended by '\n'; the rows of sentence s are the
//                                             first offset[s+1] - offset[s] words of line s (the
//                                             line split on single spaces), in corpus order
//   attributes on /: model, architecture, aggregation, corpus_checksum, tool_version,
//                    compute_dtype (strings), hidden_size, num_layers (integers)
// A line's words are those of Python's `line.split(" ")` (the NeuroX/ConceptX rule); an empty
// line has none. Every word has a row unless extraction truncated the sentence: NeuroX emits
// only the words that fit model_max_length (none when the first does not fit), so a truncated
// sentence has fewer rows than its line has words. corpus_checksum is corpus_checksum() of the
// lines (corpus/corpus_file.hpp), checked when the file is read.
//   optional integer attributes on / from extraction: model_max_length, truncated_sentences,
//   truncated_words, empty_words (words without subwords: zero vectors)
//
// The reader validates the whole layout once (ActivationsFile::open) and then reads rows of a
// layer as float32 (HDF5 converts float16 on read). The serial writer serves tests and small
// runs; the parallel extraction writer (mpi/) writes the same layout.
#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "store/hdf5.hpp"

namespace conceptlens::store {

/// Names of the datasets of the layout, for the writers.
namespace act {
inline constexpr const char* kLayers = "/layers";
inline constexpr const char* kWordSentence = "/words/sentence";
inline constexpr const char* kWordPosition = "/words/position";
inline constexpr const char* kSentenceOffset = "/sentences/offset";
inline constexpr const char* kCorpusText = "/corpus/text";
/// "/layers/<layer>".
std::string layer_path(std::int64_t layer);
}  // namespace act

/// How the values of a layer are stored.
enum class ActivationDtype : std::uint8_t { float32, float16 };

/// "float32" or "float16".
const char* dtype_name(ActivationDtype dtype);

/// Everything an ACT.h5 holds except the activations themselves, validated.
struct ActivationsInfo {
  std::filesystem::path path;
  std::int64_t words = 0;   ///< rows of every layer
  std::int64_t hidden = 0;  ///< columns of every layer (= the attribute hidden_size)
  std::vector<std::int64_t> layers;             ///< the layers present, ascending
  std::vector<ActivationDtype> layer_dtypes;    ///< stored type of each of `layers`

  // attributes on '/'
  std::string model;            ///< the model as given to extract (a checkpoint folder)
  std::string architecture;     ///< "bert", "albert", "xlm-roberta", ...
  std::int64_t num_layers = 0;  ///< transformer layers of the model: every L is in [0, num_layers]
  std::string aggregation;      ///< subword aggregation: "last", "first" or "average"
  std::string corpus_checksum;
  std::string tool_version;

  // the corpus
  std::vector<std::string> lines;              ///< [sentences] the corpus lines (all their words)
  std::vector<std::int64_t> sentence_offsets;  ///< [sentences + 1], from 0 to words
  std::vector<std::int32_t> sentence;          ///< [words] sentence of each row
  std::vector<std::int32_t> position;          ///< [words] position of each row in its sentence
  std::vector<std::string> word_text;          ///< [words] the word of each row

  std::int64_t sentences() const { return static_cast<std::int64_t>(sentence_offsets.size()) - 1; }
  bool has_layer(std::int64_t layer) const;
  /// InputError naming the file, the missing layer and the layers present, unless has_layer().
  void check_layer(std::int64_t layer) const;
  /// Stored type of a layer that is present (checked).
  ActivationDtype dtype_of(std::int64_t layer) const;
};

/// An ACT.h5 open for reading, validated when opened.
class ActivationsFile {
 public:
  /// Opens and validates the file: InputError starting with the path and naming the dataset
  /// (or attribute), what was expected and what was found, for any departure from the layout.
  static ActivationsFile open(const std::filesystem::path& path);

  const ActivationsInfo& info() const { return info_; }

  /// Reads rows [first, first + count) of `layer` as float32 into `out`, which must hold
  /// count * hidden values (row-major). InputError naming the file and the layer (and listing
  /// the layers present) if the layer is missing, or if the rows are out of range.
  void read_rows(std::int64_t layer, std::int64_t first, std::int64_t count, std::span<float> out) const;

  /// A whole layer as float32, row-major [words, hidden].
  std::vector<float> read_layer(std::int64_t layer) const;

  /// Reads the given rows (ascending, e.g. a token selection) of `layer` into `out`
  /// (rows.size() * hidden values, in the order of `rows`), reading bounded windows of
  /// consecutive rows. Errors as read_rows.
  void read_selected_rows(std::int64_t layer, std::span<const std::int64_t> rows, std::span<float> out) const;

 private:
  ActivationsFile(h5::File file, ActivationsInfo info) : file_(std::move(file)), info_(std::move(info)) {}

  h5::File file_;
  ActivationsInfo info_;
};

/// Opens, validates and closes the file; see ActivationsFile::open.
ActivationsInfo read_activations_info(const std::filesystem::path& path);

/// The classes `conceptlens extract --predictions` stored in `path`: per sentence the name of its
/// predicted class (/predictions/labels[/predictions/class[s]]). InputError naming the file when
/// it has no predictions or they are inconsistent.
std::vector<std::string> read_predicted_classes(const std::filesystem::path& path);

/// What the serial writer stores. The rows are the words of `sentences` in corpus order.
struct ActivationsContent {
  std::int64_t hidden = 0;
  /// layer -> its values, row-major [words, hidden]; at least one layer here or reserved.
  std::map<std::int64_t, std::vector<float>> layers;
  /// Layers whose storage is only reserved, filled afterwards by a parallel writer.
  std::vector<std::int64_t> reserved_layers;
  /// How every layer is stored; float16 rounds the values to half precision.
  ActivationDtype dtype = ActivationDtype::float32;
  /// The corpus: the words of each sentence that have rows (no word holds ' ' or '\n'; none is
  /// empty).
  std::vector<std::vector<std::string>> sentences;
  /// The corpus lines as read, one per sentence, each starting with its sentence's words (more
  /// words when extraction truncated it); empty: the sentences' words joined (nothing truncated).
  std::vector<std::string> lines;
  /// Further integer attributes on / (name, value).
  std::vector<std::pair<std::string, std::int64_t>> counts;

  std::string model;
  std::string architecture;
  std::int64_t num_layers = 0;
  std::string aggregation = "last";
  std::string compute_dtype = "float32";  ///< what the model computed in (attribute compute_dtype)
};

/// Writes the file at `path` serially (the caller makes it atomic); the attributes hidden_size,
/// corpus_checksum and tool_version come from `content.hidden`, the lines and this build.
/// OutputError naming the file.
void write_activations_file(const std::filesystem::path& path, const ActivationsContent& content);

}  // namespace conceptlens::store
