#include "store/activations_file.hpp"

#include <algorithm>
#include <cstdint>
#include <string_view>
#include <utility>

#include "corpus/corpus_file.hpp"
#include "util/error.hpp"
#include "util/utf8.hpp"

#ifndef CONCEPTLENS_VERSION
#error "CONCEPTLENS_VERSION must be defined by the build (see src/CMakeLists.txt)"
#endif

namespace conceptlens::store {

std::string act::layer_path(std::int64_t layer) { return std::string(kLayers) + "/" + std::to_string(layer); }

const char* dtype_name(ActivationDtype dtype) {
  switch (dtype) {
    case ActivationDtype::float32: return "float32";
    case ActivationDtype::float16: return "float16";
  }
  CONCEPTLENS_CHECK(false);
}

namespace {

std::string quoted(const std::string& name) { return "'" + name + "'"; }

std::string layer_list(const std::vector<std::int64_t>& layers) {
  std::string out;
  for (std::size_t i = 0; i < layers.size(); ++i) out += (i > 0 ? ", " : "") + std::to_string(layers[i]);
  return out;
}

}  // namespace

bool ActivationsInfo::has_layer(std::int64_t layer) const {
  return std::binary_search(layers.begin(), layers.end(), layer);
}

void ActivationsInfo::check_layer(std::int64_t layer) const {
  if (!has_layer(layer)) {
    throw InputError(path.string() + ": missing layer " + std::to_string(layer) + " (dataset '" +
                     act::layer_path(layer) + "'): the file holds layers " + layer_list(layers));
  }
}

ActivationDtype ActivationsInfo::dtype_of(std::int64_t layer) const {
  const auto it = std::lower_bound(layers.begin(), layers.end(), layer);
  CONCEPTLENS_CHECK(it != layers.end() && *it == layer);
  return layer_dtypes[static_cast<std::size_t>(it - layers.begin())];
}

namespace {

/// The layer index named by a member of /layers: decimal digits without a leading zero
/// ("0", "7", "12"); -1 for any other name.
std::int64_t parse_layer(std::string_view name) {
  if (name.empty() || name.size() > 9 || (name.size() > 1 && name[0] == '0')) return -1;
  std::int64_t layer = 0;
  for (char ch : name) {
    if (ch < '0' || ch > '9') return -1;
    layer = layer * 10 + (ch - '0');
  }
  return layer;
}

/// Validates an ACT.h5; every error starts with the file path and names the dataset.
class Reader {
 public:
  Reader(const std::filesystem::path& path, const h5::File& file) : path_(path), file_(file) {}

  ActivationsInfo read() {
    ActivationsInfo info;
    info.path = path_;
    if (!file_.exists(act::kLayers)) {
      fail("missing group '/layers': expected datasets /layers/<L> of float32 or float16 [words, hidden] "
           "(is this an ACT.h5 file?)");
    }
    info.model = file_.read_string_attribute("/", "model");
    info.architecture = file_.read_string_attribute("/", "architecture");
    info.num_layers = file_.read_int_attribute("/", "num_layers");
    if (info.num_layers < 0) {
      fail("attribute 'num_layers' on '/' is " + std::to_string(info.num_layers) +
           ": expected the number of transformer layers (>= 0)");
    }
    const std::int64_t hidden_size = file_.read_int_attribute("/", "hidden_size");
    info.aggregation = file_.read_string_attribute("/", "aggregation");
    if (info.aggregation != "last" && info.aggregation != "first" && info.aggregation != "average") {
      fail("attribute 'aggregation' on '/' is '" + info.aggregation + "': expected last, first or average");
    }
    info.corpus_checksum = file_.read_string_attribute("/", "corpus_checksum");
    info.tool_version = file_.read_string_attribute("/", "tool_version");

    read_layers(info);
    if (hidden_size != info.hidden) {
      fail("attribute 'hidden_size' on '/' is " + std::to_string(hidden_size) + ": expected " +
           std::to_string(info.hidden) + ", the width of the layers (dataset '" + act::layer_path(info.layers.front()) +
           "' has shape [" + std::to_string(info.words) + ", " + std::to_string(info.hidden) + "])");
    }
    read_offsets(info);
    info.sentence = read_word_column(act::kWordSentence, info.words);
    info.position = read_word_column(act::kWordPosition, info.words);
    check_rows(info);
    read_text(info);
    return info;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const { throw InputError(path_.string() + ": " + what); }

  void require(const std::string& dataset, const std::string& expected) const {
    if (!file_.exists(dataset)) fail("missing dataset " + quoted(dataset) + ": expected " + expected);
  }

  void read_layers(ActivationsInfo& info) const {
    const std::string expected_names =
        "expected datasets named by the decimal layer index, 0 to num_layers = " + std::to_string(info.num_layers);
    for (const std::string& name : file_.list_group(act::kLayers)) {
      const std::string dataset = std::string(act::kLayers) + "/" + name;
      const std::int64_t layer = parse_layer(name);
      if (layer < 0 || layer > info.num_layers) fail("unexpected member " + quoted(dataset) + ": " + expected_names);
      const h5::DatasetInfo stored = file_.describe_dataset(dataset);
      ActivationDtype dtype = ActivationDtype::float32;
      if (stored.floating && stored.element_size == 4) {
        dtype = ActivationDtype::float32;
      } else if (stored.floating && stored.element_size == 2) {
        dtype = ActivationDtype::float16;
      } else {
        fail("dataset " + quoted(dataset) + " holds " + stored.type + " values: expected float32 or float16");
      }
      if (info.layers.empty()) {
        if (stored.dims.size() != 2 || stored.dims[1] == 0) {
          fail("dataset " + quoted(dataset) + " has shape " + h5::shape_text(stored.dims) +
               ": expected [words, hidden] with hidden >= 1");
        }
        info.words = static_cast<std::int64_t>(stored.dims[0]);
        info.hidden = static_cast<std::int64_t>(stored.dims[1]);
      } else {
        const std::vector<std::uint64_t> expected = {static_cast<std::uint64_t>(info.words),
                                                     static_cast<std::uint64_t>(info.hidden)};
        if (stored.dims != expected) {
          fail("dataset " + quoted(dataset) + " has shape " + h5::shape_text(stored.dims) + ": expected " +
               h5::shape_text(expected) + ", the shape of " + quoted(act::layer_path(info.layers.front())));
        }
      }
      info.layers.push_back(layer);
      info.layer_dtypes.push_back(dtype);
    }
    if (info.layers.empty()) fail("group '/layers' is empty: expected datasets /layers/<L>, one per extracted layer");
    // list_group sorts by name ("10" before "2"): order by layer index
    std::vector<std::size_t> order(info.layers.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return info.layers[a] < info.layers[b]; });
    std::vector<std::int64_t> layers;
    std::vector<ActivationDtype> dtypes;
    for (std::size_t i : order) {
      layers.push_back(info.layers[i]);
      dtypes.push_back(info.layer_dtypes[i]);
    }
    info.layers = std::move(layers);
    info.layer_dtypes = std::move(dtypes);
  }

  void read_offsets(ActivationsInfo& info) const {
    const std::string dataset = act::kSentenceOffset;
    require(dataset, "int64 [sentences + 1]");
    h5::Array<std::int64_t> offsets = file_.read_dataset<std::int64_t>(dataset);
    if (offsets.dims.size() != 1 || offsets.dims[0] == 0) {
      fail("dataset " + quoted(dataset) + " has shape " + h5::shape_text(offsets.dims) + ": expected [sentences + 1]");
    }
    const std::vector<std::int64_t>& values = offsets.values;
    if (values.size() - 1 > static_cast<std::size_t>(INT32_MAX)) {
      fail("dataset " + quoted(dataset) + " describes " + std::to_string(values.size() - 1) +
           " sentences: expected at most 2^31 - 1 (sentence numbers are int32)");
    }
    if (values.front() != 0) {
      fail("dataset " + quoted(dataset) + " starts at " + std::to_string(values.front()) + ": expected 0");
    }
    for (std::size_t s = 0; s + 1 < values.size(); ++s) {
      if (values[s + 1] < values[s]) {
        fail("dataset " + quoted(dataset) + " decreases from " + std::to_string(values[s]) + " at index " +
             std::to_string(s) + " to " + std::to_string(values[s + 1]) + ": expected non-decreasing offsets");
      }
    }
    if (values.back() != info.words) {
      fail("dataset " + quoted(dataset) + " ends at " + std::to_string(values.back()) + ": expected " +
           std::to_string(info.words) + ", the number of words (rows of the layers)");
    }
    info.sentence_offsets = std::move(offsets.values);
  }

  std::vector<std::int32_t> read_word_column(const std::string& dataset, std::int64_t words) const {
    require(dataset, "int32 [words]");
    h5::Array<std::int32_t> column = file_.read_dataset<std::int32_t>(dataset);
    const std::vector<std::uint64_t> expected = {static_cast<std::uint64_t>(words)};
    if (column.dims != expected) {
      fail("dataset " + quoted(dataset) + " has shape " + h5::shape_text(column.dims) + ": expected [words] = " +
           h5::shape_text(expected) + " (the rows of the layers)");
    }
    return std::move(column.values);
  }

  /// Row r of sentence s must say sentence s, position r - offset[s].
  void check_rows(const ActivationsInfo& info) const {
    const std::vector<std::int64_t>& offsets = info.sentence_offsets;
    for (std::size_t s = 0; s + 1 < offsets.size(); ++s) {
      for (std::int64_t r = offsets[s]; r < offsets[s + 1]; ++r) {
        const auto row = static_cast<std::size_t>(r);
        const bool sentence_ok = info.sentence[row] == static_cast<std::int32_t>(s);
        if (sentence_ok && info.position[row] == r - offsets[s]) continue;
        const std::string context = " (from '/sentences/offset': sentence " + std::to_string(s) + " is rows " +
                                    std::to_string(offsets[s]) + ".." + std::to_string(offsets[s + 1] - 1) + ")";
        if (!sentence_ok) {
          fail("dataset '" + std::string(act::kWordSentence) + "' holds " + std::to_string(info.sentence[row]) +
               " at row " + std::to_string(r) + ": expected " + std::to_string(s) + context);
        }
        fail("dataset '" + std::string(act::kWordPosition) + "' holds " + std::to_string(info.position[row]) +
             " at row " + std::to_string(r) + ": expected " + std::to_string(r - offsets[s]) + context);
      }
    }
  }

  /// The corpus lines and the words of the rows: each sentence's rows are the first words of
  /// its line, and the lines must be those corpus_checksum names.
  void read_text(ActivationsInfo& info) const {
    const std::string dataset = act::kCorpusText;
    require(dataset, "uint8 [bytes], the corpus text (one sentence per line)");
    const h5::Array<std::uint8_t> bytes = file_.read_dataset<std::uint8_t>(dataset);
    if (bytes.dims.size() != 1) {
      fail("dataset " + quoted(dataset) + " has shape " + h5::shape_text(bytes.dims) + ": expected [bytes]");
    }
    const std::string_view text(reinterpret_cast<const char*>(bytes.values.data()), bytes.values.size());
    const auto lines = static_cast<std::int64_t>(std::count(text.begin(), text.end(), '\n'));
    if (!text.empty() && text.back() != '\n') {
      fail("dataset " + quoted(dataset) + " does not end with a newline: expected every line ended by '\\n'");
    }
    if (lines != info.sentences()) {
      fail("dataset " + quoted(dataset) + " has " + std::to_string(lines) + " lines: expected " +
           std::to_string(info.sentences()) + ", one per sentence of '/sentences/offset'");
    }
    info.lines.reserve(static_cast<std::size_t>(lines));
    info.word_text.reserve(static_cast<std::size_t>(info.words));
    std::size_t start = 0;
    for (std::int64_t s = 0; s < lines; ++s) {
      const std::size_t end = text.find('\n', start);
      const std::string_view line = text.substr(start, end - start);
      const std::string where = "dataset " + quoted(dataset) + " line " + std::to_string(s + 1) + " (sentence " +
                                std::to_string(s) + ")";
      if (!decode_utf8(line)) fail(where + " is not valid UTF-8: expected UTF-8 text");
      const std::vector<std::string_view> words =
          line.empty() ? std::vector<std::string_view>{} : corpus::split_words(line);
      const auto offsets = std::span(info.sentence_offsets).subspan(static_cast<std::size_t>(s), 2);
      const std::int64_t rows = offsets[1] - offsets[0];
      if (static_cast<std::int64_t>(words.size()) < rows) {
        fail(where + " has " + std::to_string(words.size()) + " words (split on ' '): expected at least " +
             std::to_string(rows) + ", the rows " + std::to_string(offsets[0]) + ".." + std::to_string(offsets[1] - 1) +
             " of sentence " + std::to_string(s) + " in '/sentences/offset'");
      }
      for (std::int64_t w = 0; w < rows; ++w) {
        if (words[static_cast<std::size_t>(w)].empty()) {
          fail(where + " word " + std::to_string(w + 1) + " is empty: expected words separated by single spaces");
        }
      }
      info.word_text.insert(info.word_text.end(), words.begin(), words.begin() + rows);
      info.lines.emplace_back(line);
      start = end + 1;
    }
    const std::string checksum = corpus::corpus_checksum(info.lines);
    if (checksum != info.corpus_checksum) {
      fail("dataset " + quoted(dataset) + " does not hold the corpus of the attribute 'corpus_checksum' (" +
           info.corpus_checksum + "; the lines stored give " + checksum +
           "): the text was changed, or the file was written by an older conceptlens, which kept only the rows' "
           "words of a truncated sentence: extract again");
    }
  }

  const std::filesystem::path& path_;
  const h5::File& file_;
};

}  // namespace

ActivationsFile ActivationsFile::open(const std::filesystem::path& path) {
  h5::File file = h5::File::open_read_only(path);
  ActivationsInfo info = Reader(path, file).read();
  return ActivationsFile(std::move(file), std::move(info));
}

void ActivationsFile::read_rows(std::int64_t layer, std::int64_t first, std::int64_t count,
                                std::span<float> out) const {
  info_.check_layer(layer);
  CONCEPTLENS_CHECK(first >= 0 && count >= 0);
  CONCEPTLENS_CHECK(out.size() == static_cast<std::size_t>(count) * static_cast<std::size_t>(info_.hidden));
  file_.read_float_rows(act::layer_path(layer), static_cast<std::uint64_t>(first), static_cast<std::uint64_t>(count),
                        out);
}

std::vector<float> ActivationsFile::read_layer(std::int64_t layer) const {
  info_.check_layer(layer);
  std::vector<float> values(static_cast<std::size_t>(info_.words) * static_cast<std::size_t>(info_.hidden));
  read_rows(layer, 0, info_.words, values);
  return values;
}

void ActivationsFile::read_selected_rows(std::int64_t layer, std::span<const std::int64_t> rows,
                                         std::span<float> out) const {
  info_.check_layer(layer);
  const auto hidden = static_cast<std::size_t>(info_.hidden);
  CONCEPTLENS_CHECK(out.size() == rows.size() * hidden);
  // Windows of at most kWindow consecutive rows are read whole and the selected rows copied out.
  constexpr std::int64_t kWindow = 1024;
  std::vector<float> window;
  std::size_t i = 0;
  while (i < rows.size()) {
    const std::int64_t first = rows[i];
    if (first < 0 || first >= info_.words) {
      throw InputError(info_.path.string() + ": row " + std::to_string(first) + " of dataset '" +
                       act::layer_path(layer) + "' is out of range: it has " + std::to_string(info_.words) + " rows");
    }
    std::size_t end = i + 1;
    while (end < rows.size() && rows[end] >= rows[end - 1] && rows[end] < first + kWindow &&
           rows[end] < info_.words) {
      ++end;
    }
    const std::int64_t count = rows[end - 1] - first + 1;
    window.resize(static_cast<std::size_t>(count) * hidden);
    read_rows(layer, first, count, window);
    for (std::size_t k = i; k < end; ++k) {
      const auto offset = static_cast<std::size_t>(rows[k] - first) * hidden;
      std::copy_n(window.begin() + static_cast<std::ptrdiff_t>(offset), hidden,
                  out.begin() + static_cast<std::ptrdiff_t>(k * hidden));
    }
    i = end;
  }
}

ActivationsInfo read_activations_info(const std::filesystem::path& path) {
  return ActivationsFile::open(path).info();
}

std::vector<std::string> read_predicted_classes(const std::filesystem::path& path) {
  const h5::File file = h5::File::open_read_only(path);
  if (!file.exists("/predictions/class")) {
    throw InputError(path.string() + ": no '/predictions/class': extract with --predictions from a "
                     "sequence-classification checkpoint stores the predicted classes");
  }
  const std::vector<std::string> names = file.read_strings_dataset("/predictions/labels");
  const h5::Array<std::int32_t> classes = file.read_dataset<std::int32_t>("/predictions/class");
  std::vector<std::string> predicted;
  predicted.reserve(classes.values.size());
  for (std::size_t s = 0; s < classes.values.size(); ++s) {
    const std::int32_t c = classes.values[s];
    if (c < 0 || static_cast<std::size_t>(c) >= names.size()) {
      throw InputError(path.string() + ": '/predictions/class' of sentence " + std::to_string(s) + " is " +
                       std::to_string(c) + ": expected a class in [0, " + std::to_string(names.size()) +
                       "), the classes of '/predictions/labels'");
    }
    predicted.push_back(names[static_cast<std::size_t>(c)]);
  }
  return predicted;
}

void write_activations_file(const std::filesystem::path& path, const ActivationsContent& content) {
  CONCEPTLENS_CHECK(content.hidden >= 1);
  CONCEPTLENS_CHECK(!content.layers.empty() || !content.reserved_layers.empty());
  std::vector<std::int32_t> sentence;
  std::vector<std::int32_t> position;
  std::vector<std::int64_t> offsets = {0};
  for (std::size_t s = 0; s < content.sentences.size(); ++s) {
    const std::vector<std::string>& words = content.sentences[s];
    for (std::size_t w = 0; w < words.size(); ++w) {
      CONCEPTLENS_CHECK(!words[w].empty() && words[w].find_first_of(" \n") == std::string::npos);
      sentence.push_back(static_cast<std::int32_t>(s));
      position.push_back(static_cast<std::int32_t>(w));
    }
    offsets.push_back(static_cast<std::int64_t>(sentence.size()));
  }
  const auto words = static_cast<std::uint64_t>(sentence.size());
  const auto hidden = static_cast<std::uint64_t>(content.hidden);
  std::vector<std::string> lines = content.lines;
  if (lines.empty()) {
    for (const std::vector<std::string>& sentence_words : content.sentences) {
      std::string& line = lines.emplace_back();
      for (const std::string& word : sentence_words) {
        if (!line.empty()) line += ' ';
        line += word;
      }
    }
  }
  CONCEPTLENS_CHECK(lines.size() == content.sentences.size());
  std::string text;
  for (std::size_t s = 0; s < lines.size(); ++s) {
    CONCEPTLENS_CHECK(lines[s].find('\n') == std::string::npos);
    const std::vector<std::string_view> line_words = corpus::split_words(lines[s]);
    CONCEPTLENS_CHECK(content.sentences[s].size() <= line_words.size() &&
                      std::equal(content.sentences[s].begin(), content.sentences[s].end(), line_words.begin()));
    text += lines[s] + "\n";
  }

  h5::File file = h5::File::create(path);
  for (const auto& [layer, values] : content.layers) {
    CONCEPTLENS_CHECK(layer >= 0 && layer <= content.num_layers);
    CONCEPTLENS_CHECK(values.size() == words * hidden);
    if (content.dtype == ActivationDtype::float16) {
      file.write_float16_dataset(act::layer_path(layer), values, {words, hidden});
    } else {
      file.write_dataset(act::layer_path(layer), values, {words, hidden});
    }
  }
  for (const std::int64_t layer : content.reserved_layers) {
    CONCEPTLENS_CHECK(layer >= 0 && layer <= content.num_layers && content.layers.count(layer) == 0);
    file.reserve_float_dataset(act::layer_path(layer), content.dtype == ActivationDtype::float16, {words, hidden});
  }
  file.write_dataset(act::kWordSentence, sentence, {words});
  file.write_dataset(act::kWordPosition, position, {words});
  file.write_dataset(act::kSentenceOffset, offsets, {offsets.size()});
  const std::span<const std::uint8_t> bytes(reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
  file.write_dataset(act::kCorpusText, bytes, {bytes.size()});

  file.write_string_attribute("/", "model", content.model);
  file.write_string_attribute("/", "architecture", content.architecture);
  file.write_int_attribute("/", "hidden_size", content.hidden);
  file.write_int_attribute("/", "num_layers", content.num_layers);
  file.write_string_attribute("/", "aggregation", content.aggregation);
  file.write_string_attribute("/", "corpus_checksum", corpus::corpus_checksum(lines));
  file.write_string_attribute("/", "tool_version", CONCEPTLENS_VERSION);
  file.write_string_attribute("/", "compute_dtype", content.compute_dtype);
  for (const auto& [name, value] : content.counts) file.write_int_attribute("/", name, value);
  file.close();
}

}  // namespace conceptlens::store
