// ACT.h5 (serial write, read, validation) and the pieces of the HDF5 layer under it.
#include "store/activations_file.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "corpus/corpus_file.hpp"
#include "store/hdf5.hpp"
#include "test_support.hpp"
#include "util/error.hpp"

namespace conceptlens::store {
namespace {

using conceptlens::testing::expect_error;
using conceptlens::testing::ScratchDir;
using conceptlens::testing::write_file;

/// Distinct values, exact in float16 too: layer * 100 + row * hidden + column, quartered.
std::vector<float> layer_values(std::int64_t layer, std::int64_t words, std::int64_t hidden) {
  std::vector<float> values;
  for (std::int64_t r = 0; r < words; ++r) {
    for (std::int64_t c = 0; c < hidden; ++c) values.push_back(static_cast<float>(layer * 100 + r * hidden + c) / 4.0f - 3.0f);
  }
  return values;
}

/// Three sentences, 7 words, hidden 3, layers 0, 2 and 10 of 12.
ActivationsContent small_content(ActivationDtype dtype = ActivationDtype::float32) {
  ActivationsContent content;
  content.hidden = 3;
  content.sentences = {{"The", "café", "opened"}, {"It", "rained"}, {"Stocks", "fell|||"}};
  for (std::int64_t layer : {10, 0, 2}) content.layers[layer] = layer_values(layer, 7, 3);
  content.dtype = dtype;
  content.model = "models/bert-tiny";
  content.architecture = "bert";
  content.num_layers = 12;
  content.aggregation = "average";
  return content;
}

void expect_round_trip(const ActivationsContent& written, const std::filesystem::path& path) {
  const ActivationsFile file = ActivationsFile::open(path);
  const ActivationsInfo& info = file.info();
  EXPECT_EQ(info.path, path);
  EXPECT_EQ(info.words, 7);
  EXPECT_EQ(info.hidden, 3);
  EXPECT_EQ(info.layers, (std::vector<std::int64_t>{0, 2, 10}));  // by index, not by name
  EXPECT_EQ(info.layer_dtypes, std::vector<ActivationDtype>(3, written.dtype));
  EXPECT_TRUE(info.has_layer(2));
  EXPECT_FALSE(info.has_layer(1));
  EXPECT_EQ(info.dtype_of(10), written.dtype);
  EXPECT_EQ(info.model, "models/bert-tiny");
  EXPECT_EQ(info.architecture, "bert");
  EXPECT_EQ(info.num_layers, 12);
  EXPECT_EQ(info.aggregation, "average");
  EXPECT_EQ(info.corpus_checksum, corpus::corpus_checksum({"The café opened", "It rained", "Stocks fell|||"}));
  EXPECT_EQ(info.lines, (std::vector<std::string>{"The café opened", "It rained", "Stocks fell|||"}));
  EXPECT_FALSE(info.tool_version.empty());
  EXPECT_EQ(info.sentences(), 3);
  EXPECT_EQ(info.sentence_offsets, (std::vector<std::int64_t>{0, 3, 5, 7}));
  EXPECT_EQ(info.sentence, (std::vector<std::int32_t>{0, 0, 0, 1, 1, 2, 2}));
  EXPECT_EQ(info.position, (std::vector<std::int32_t>{0, 1, 2, 0, 1, 0, 1}));
  EXPECT_EQ(info.word_text,
            (std::vector<std::string>{"The", "café", "opened", "It", "rained", "Stocks", "fell|||"}));

  for (std::int64_t layer : {0, 2, 10}) {
    const std::vector<float>& expected = written.layers.at(layer);
    EXPECT_EQ(file.read_layer(layer), expected) << "layer " << layer;
    // rows [2, 5)
    std::vector<float> middle(9);
    file.read_rows(layer, 2, 3, middle);
    EXPECT_EQ(middle, std::vector<float>(expected.begin() + 6, expected.begin() + 15)) << "layer " << layer;
    // no rows at the end
    std::vector<float> none;
    file.read_rows(layer, 7, 0, none);
    // selected rows, including a gap
    const std::vector<std::int64_t> rows = {1, 2, 6};
    std::vector<float> selected(9);
    file.read_selected_rows(layer, rows, selected);
    std::vector<float> want;
    for (std::int64_t r : rows) want.insert(want.end(), expected.begin() + r * 3, expected.begin() + r * 3 + 3);
    EXPECT_EQ(selected, want) << "layer " << layer;
  }
  EXPECT_EQ(read_activations_info(path).word_text, info.word_text);
}

// ---- round trips ----------------------------------------------------------------------------

TEST(ActivationsFile, RoundTripFloat32) {
  ScratchDir dir;
  const ActivationsContent written = small_content();
  write_activations_file(dir / "ACT.h5", written);
  expect_round_trip(written, dir / "ACT.h5");
}

TEST(ActivationsFile, RoundTripFloat16) {
  ScratchDir dir;
  const ActivationsContent written = small_content(ActivationDtype::float16);
  write_activations_file(dir / "ACT.h5", written);
  expect_round_trip(written, dir / "ACT.h5");  // the values are exact in half precision
  const h5::File file = h5::File::open_read_only(dir / "ACT.h5");
  const h5::DatasetInfo stored = file.describe_dataset("/layers/2");
  EXPECT_EQ(stored.type, "float16");
  EXPECT_TRUE(stored.floating);
  EXPECT_EQ(stored.element_size, 2u);
  EXPECT_EQ(stored.dims, (std::vector<std::uint64_t>{7, 3}));
}

TEST(ActivationsFile, Float16RoundsToHalfPrecision) {
  ScratchDir dir;
  ActivationsContent content = small_content(ActivationDtype::float16);
  // 0.1 is 0.0999755859375 in half precision (0x2E66, the nearest); 65504 is the largest half;
  // 2^-24 the smallest subnormal; 1e6 overflows to infinity
  content.layers[0][0] = 0.1f;
  content.layers[0][1] = 65504.0f;
  content.layers[0][2] = 5.9604644775390625e-8f;
  content.layers[0][3] = -1.0e6f;
  write_activations_file(dir / "ACT.h5", content);
  const ActivationsFile file = ActivationsFile::open(dir / "ACT.h5");
  std::vector<float> row(6);
  file.read_rows(0, 0, 2, row);
  EXPECT_EQ(row[0], 0.0999755859375f);
  EXPECT_EQ(row[1], 65504.0f);
  EXPECT_EQ(row[2], 5.9604644775390625e-8f);
  EXPECT_TRUE(std::isinf(row[3]) && row[3] < 0);
}

TEST(ActivationsFile, EmptyCorpus) {
  ScratchDir dir;
  ActivationsContent content = small_content();
  content.sentences.clear();
  for (auto& [layer, values] : content.layers) values.clear();
  write_activations_file(dir / "ACT.h5", content);
  const ActivationsFile file = ActivationsFile::open(dir / "ACT.h5");
  EXPECT_EQ(file.info().words, 0);
  EXPECT_EQ(file.info().hidden, 3);
  EXPECT_EQ(file.info().sentences(), 0);
  EXPECT_TRUE(file.info().word_text.empty());
  EXPECT_TRUE(file.read_layer(2).empty());
}

TEST(ActivationsFile, LayoutFollowsTheContract) {
  ScratchDir dir;
  write_activations_file(dir / "ACT.h5", small_content());
  const h5::File file = h5::File::open_read_only(dir / "ACT.h5");
  EXPECT_EQ(file.list_group("/layers"), (std::vector<std::string>{"0", "10", "2"}));
  const h5::DatasetInfo layer = file.describe_dataset("/layers/10");
  EXPECT_EQ(layer.type, "float32");
  EXPECT_EQ(layer.dims, (std::vector<std::uint64_t>{7, 3}));
  EXPECT_EQ(file.read_dataset<std::int32_t>("/words/sentence").values, (std::vector<std::int32_t>{0, 0, 0, 1, 1, 2, 2}));
  EXPECT_EQ(file.read_dataset<std::int32_t>("/words/position").values, (std::vector<std::int32_t>{0, 1, 2, 0, 1, 0, 1}));
  EXPECT_EQ(file.read_dataset<std::int64_t>("/sentences/offset").values, (std::vector<std::int64_t>{0, 3, 5, 7}));
  const h5::Array<std::uint8_t> text = file.read_dataset<std::uint8_t>("/corpus/text");
  EXPECT_EQ(std::string(text.values.begin(), text.values.end()), "The café opened\nIt rained\nStocks fell|||\n");
  EXPECT_EQ(file.describe_dataset("/corpus/text").type, "uint8");
  EXPECT_EQ(file.read_string_attribute("/", "model"), "models/bert-tiny");
  EXPECT_EQ(file.read_string_attribute("/", "architecture"), "bert");
  EXPECT_EQ(file.read_int_attribute("/", "hidden_size"), 3);
  EXPECT_EQ(file.read_int_attribute("/", "num_layers"), 12);
  EXPECT_EQ(file.read_string_attribute("/", "aggregation"), "average");
  EXPECT_EQ(file.read_string_attribute("/", "corpus_checksum"),
            corpus::corpus_checksum({"The café opened", "It rained", "Stocks fell|||"}));
  EXPECT_FALSE(file.read_string_attribute("/", "tool_version").empty());
  EXPECT_EQ(act::layer_path(12), "/layers/12");
}

// ---- reading errors -------------------------------------------------------------------------

TEST(ActivationsFile, MissingLayerNamesTheLayersPresent) {
  ScratchDir dir;
  const auto path = dir / "ACT.h5";
  write_activations_file(path, small_content());
  const ActivationsFile file = ActivationsFile::open(path);
  std::vector<float> out(3);
  expect_error<InputError>([&] { file.read_rows(7, 0, 1, out); }, path.string() + ": ",
                           {"missing layer 7", "'/layers/7'", "layers 0, 2, 10"});
  expect_error<InputError>([&] { file.read_layer(1); }, path.string() + ": ", {"missing layer 1"});
  expect_error<InputError>([&] { file.read_selected_rows(11, std::vector<std::int64_t>{0}, out); },
                           path.string() + ": ", {"missing layer 11"});
}

TEST(ActivationsFile, RowsOutOfRange) {
  ScratchDir dir;
  const auto path = dir / "ACT.h5";
  write_activations_file(path, small_content());
  const ActivationsFile file = ActivationsFile::open(path);
  std::vector<float> out(9);
  expect_error<InputError>([&] { file.read_rows(2, 5, 3, out); }, path.string() + ": ",
                           {"rows [5, 8) of dataset '/layers/2' are out of range", "7 rows"});
  std::vector<float> one(3);
  expect_error<InputError>([&] { file.read_selected_rows(2, std::vector<std::int64_t>{7}, one); },
                           path.string() + ": ", {"row 7 of dataset '/layers/2' is out of range", "7 rows"});
}

/// Writes an ACT.h5 piece by piece through the HDF5 layer, so that tests can leave out or
/// change one piece. Valid as constructed: sentences "the cat" and "sat on it", hidden 4.
struct RawActivations {
  bool with_layers = true;
  std::vector<std::string> layer_names = {"0", "2"};
  std::vector<std::uint64_t> second_layer_dims = {5, 4};
  bool first_layer_int32 = false;
  std::vector<std::int64_t> offsets = {0, 2, 5};
  bool offsets_as_int32 = false;
  std::vector<std::int32_t> sentence = {0, 0, 1, 1, 1};
  std::vector<std::int32_t> position = {0, 1, 0, 1, 2};
  std::string text = "the cat\nsat on it\n";
  bool with_text = true;
  std::int64_t hidden_size = 4;
  std::int64_t num_layers = 12;
  std::string aggregation = "last";

  void write(const std::filesystem::path& path) const {
    h5::File file = h5::File::create(path);
    if (with_layers) {
      file.create_group("/layers");
      for (std::size_t i = 0; i < layer_names.size(); ++i) {
        const std::vector<std::uint64_t> dims = i == 1 ? second_layer_dims : std::vector<std::uint64_t>{5, 4};
        const std::string dataset = "/layers/" + layer_names[i];
        std::uint64_t size = 1;
        for (std::uint64_t dim : dims) size *= dim;
        if (i == 0 && first_layer_int32) {
          file.write_dataset(dataset, std::vector<std::int32_t>(size, 1), dims);
        } else {
          file.write_dataset(dataset, std::vector<float>(size, 0.5f), dims);
        }
      }
    }
    file.write_dataset("/words/sentence", sentence, {sentence.size()});
    file.write_dataset("/words/position", position, {position.size()});
    if (offsets_as_int32) {
      file.write_dataset("/sentences/offset", std::vector<std::int32_t>(offsets.begin(), offsets.end()),
                         {offsets.size()});
    } else {
      file.write_dataset("/sentences/offset", offsets, {offsets.size()});
    }
    if (with_text) {
      file.write_dataset("/corpus/text", std::vector<std::uint8_t>(text.begin(), text.end()), {text.size()});
    }
    file.write_string_attribute("/", "model", "m");
    file.write_string_attribute("/", "architecture", "bert");
    file.write_int_attribute("/", "hidden_size", hidden_size);
    file.write_int_attribute("/", "num_layers", num_layers);
    file.write_string_attribute("/", "aggregation", aggregation);
    std::vector<std::string> lines;  // the checksum of the lines as the writer computes it
    for (std::size_t at = 0; at < text.size();) {
      const std::size_t end = std::min(text.find('\n', at), text.size());
      lines.push_back(text.substr(at, end - at));
      at = end + 1;
    }
    file.write_string_attribute("/", "corpus_checksum", corpus::corpus_checksum(lines));
    file.write_string_attribute("/", "tool_version", "0");
    file.close();
  }
};

void expect_read_error(const std::filesystem::path& path, std::initializer_list<std::string> parts) {
  expect_error<InputError>([&] { ActivationsFile::open(path); }, path.string() + ": ", parts);
}

TEST(ActivationsFileReader, RawFileIsValid) {
  ScratchDir dir;
  RawActivations().write(dir / "a.h5");
  const ActivationsInfo info = read_activations_info(dir / "a.h5");
  EXPECT_EQ(info.word_text, (std::vector<std::string>{"the", "cat", "sat", "on", "it"}));
  EXPECT_EQ(info.layers, (std::vector<std::int64_t>{0, 2}));
}

TEST(ActivationsFileReader, MissingLayersGroup) {
  ScratchDir dir;
  RawActivations raw;
  raw.with_layers = false;
  raw.write(dir / "a.h5");
  expect_read_error(dir / "a.h5", {"missing group '/layers'", "expected datasets /layers/<L>"});
}

TEST(ActivationsFileReader, EmptyLayersGroup) {
  ScratchDir dir;
  RawActivations raw;
  raw.layer_names.clear();
  raw.write(dir / "a.h5");
  expect_read_error(dir / "a.h5", {"group '/layers' is empty"});
}

TEST(ActivationsFileReader, LayerOfAnotherShape) {
  ScratchDir dir;
  RawActivations raw;
  raw.second_layer_dims = {5, 3};
  raw.write(dir / "a.h5");
  expect_read_error(dir / "a.h5", {"dataset '/layers/2' has shape [5, 3]", "expected [5, 4]", "'/layers/0'"});
  raw.second_layer_dims = {5, 4, 1};
  raw.write(dir / "a.h5");
  expect_read_error(dir / "a.h5", {"dataset '/layers/2' has shape [5, 4, 1]", "expected [5, 4]"});
}

TEST(ActivationsFileReader, LayerOfOneDimension) {
  ScratchDir dir;
  RawActivations raw;
  raw.layer_names = {"2", "0"};  // '/layers/0' comes first by name and is 1-D
  raw.second_layer_dims = {20};
  raw.write(dir / "a.h5");
  expect_read_error(dir / "a.h5", {"dataset '/layers/0' has shape [20]", "expected [words, hidden]"});
}

TEST(ActivationsFileReader, LayerOfWrongType) {
  ScratchDir dir;
  RawActivations raw;
  raw.first_layer_int32 = true;
  raw.write(dir / "a.h5");
  expect_read_error(dir / "a.h5", {"dataset '/layers/0' holds int32 values", "expected float32 or float16"});
}

TEST(ActivationsFileReader, LayerWithABadName) {
  ScratchDir dir;
  RawActivations raw;
  raw.layer_names = {"0", "x2"};
  raw.write(dir / "a.h5");
  expect_read_error(dir / "a.h5", {"unexpected member '/layers/x2'", "decimal layer index", "num_layers = 12"});
  raw.layer_names = {"0", "13"};
  raw.write(dir / "a.h5");
  expect_read_error(dir / "a.h5", {"unexpected member '/layers/13'"});
  raw.layer_names = {"0", "02"};
  raw.write(dir / "a.h5");
  expect_read_error(dir / "a.h5", {"unexpected member '/layers/02'"});
}

TEST(ActivationsFileReader, HiddenSizeAttributeDisagrees) {
  ScratchDir dir;
  RawActivations raw;
  raw.hidden_size = 768;
  raw.write(dir / "a.h5");
  expect_read_error(dir / "a.h5", {"attribute 'hidden_size' on '/' is 768", "expected 4", "'/layers/0'"});
}

TEST(ActivationsFileReader, UnknownAggregation) {
  ScratchDir dir;
  RawActivations raw;
  raw.aggregation = "max";
  raw.write(dir / "a.h5");
  expect_read_error(dir / "a.h5", {"attribute 'aggregation' on '/' is 'max'", "last, first or average"});
}

TEST(ActivationsFileReader, MissingAttribute) {
  ScratchDir dir;
  h5::File file = h5::File::create(dir / "a.h5");
  file.write_dataset("/layers/0", std::vector<float>(4, 0.0f), {1, 4});
  file.close();
  expect_read_error(dir / "a.h5", {"missing attribute 'model' on '/'"});
}

TEST(ActivationsFileReader, OffsetsNotEndingAtWords) {
  ScratchDir dir;
  RawActivations raw;
  raw.offsets = {0, 2, 4};
  raw.write(dir / "a.h5");
  expect_read_error(dir / "a.h5", {"dataset '/sentences/offset' ends at 4", "expected 5"});
}

TEST(ActivationsFileReader, OffsetsNotStartingAtZeroOrDecreasing) {
  ScratchDir dir;
  RawActivations raw;
  raw.offsets = {1, 2, 5};
  raw.write(dir / "a.h5");
  expect_read_error(dir / "a.h5", {"dataset '/sentences/offset' starts at 1", "expected 0"});
  raw.offsets = {0, 3, 2, 5};
  raw.write(dir / "a.h5");
  expect_read_error(dir / "a.h5", {"dataset '/sentences/offset' decreases from 3 at index 1 to 2", "non-decreasing"});
}

TEST(ActivationsFileReader, OffsetsOfTheWrongType) {
  ScratchDir dir;
  RawActivations raw;
  raw.offsets_as_int32 = true;
  raw.write(dir / "a.h5");
  expect_read_error(dir / "a.h5", {"dataset '/sentences/offset' holds int32 values: expected int64"});
}

TEST(ActivationsFileReader, WordColumnsDisagreeWithOffsets) {
  ScratchDir dir;
  RawActivations raw;
  raw.sentence = {0, 0, 1, 2, 1};
  raw.write(dir / "a.h5");
  expect_read_error(dir / "a.h5", {"dataset '/words/sentence' holds 2 at row 3", "expected 1", "rows 2..4"});
  raw = RawActivations();
  raw.position = {0, 1, 1, 1, 2};
  raw.write(dir / "a.h5");
  expect_read_error(dir / "a.h5", {"dataset '/words/position' holds 1 at row 2", "expected 0"});
  raw = RawActivations();
  raw.sentence = {0, 0, 1, 1};
  raw.write(dir / "a.h5");
  expect_read_error(dir / "a.h5", {"dataset '/words/sentence' has shape [4]", "expected [words] = [5]"});
}

TEST(ActivationsFileReader, TextLineWithTheWrongWordCount) {
  ScratchDir dir;
  RawActivations raw;
  raw.text = "the cat\nsat on\n";
  raw.write(dir / "a.h5");
  expect_read_error(dir / "a.h5",
                    {"dataset '/corpus/text' line 2 (sentence 1) has 2 words", "expected at least 3", "rows 2..4"});
  // split on single spaces: a double space makes an empty word, which no row may be
  raw.text = "the  cat\nsat on it\n";
  raw.write(dir / "a.h5");
  expect_read_error(dir / "a.h5", {"dataset '/corpus/text' line 1 (sentence 0) word 2 is empty"});
}

TEST(ActivationsFileReader, TruncatedSentenceKeepsItsLine) {
  // sentence 1 was truncated at extraction: 3 rows, the line's 4th word has none
  ScratchDir dir;
  RawActivations raw;
  raw.text = "the cat\nsat on it too\n";
  raw.write(dir / "a.h5");
  const ActivationsInfo info = read_activations_info(dir / "a.h5");
  EXPECT_EQ(info.lines, (std::vector<std::string>{"the cat", "sat on it too"}));
  EXPECT_EQ(info.word_text, (std::vector<std::string>{"the", "cat", "sat", "on", "it"}));
}

TEST(ActivationsFileReader, TextOtherThanTheCorpusOfTheChecksum) {
  // an older conceptlens stored a truncated sentence's rows only, with the checksum of the whole
  // corpus line: the text does not give the checksum
  ScratchDir dir;
  RawActivations raw;
  raw.write(dir / "a.h5");
  {
    h5::File file = h5::File::open_read_write(dir / "a.h5");
    file.write_string_attribute("/", "corpus_checksum", corpus::corpus_checksum({"the cat", "sat on it too"}));
    file.close();
  }
  expect_read_error(dir / "a.h5", {"dataset '/corpus/text' does not hold the corpus of the attribute 'corpus_checksum'",
                                   "older conceptlens", "extract again"});
}

TEST(ActivationsFileReader, TextWithTheWrongLines) {
  ScratchDir dir;
  RawActivations raw;
  raw.text = "the cat\nsat on it";
  raw.write(dir / "a.h5");
  expect_read_error(dir / "a.h5", {"dataset '/corpus/text' does not end with a newline"});
  raw.text = "the cat sat on it\n";
  raw.write(dir / "a.h5");
  expect_read_error(dir / "a.h5", {"dataset '/corpus/text' has 1 lines", "expected 2"});
  raw.text = "the cat\nsat on \xff\n";
  raw.write(dir / "a.h5");
  expect_read_error(dir / "a.h5", {"dataset '/corpus/text' line 2 (sentence 1) is not valid UTF-8"});
}

TEST(ActivationsFileReader, MissingText) {
  ScratchDir dir;
  RawActivations raw;
  raw.with_text = false;
  raw.write(dir / "a.h5");
  expect_read_error(dir / "a.h5", {"missing dataset '/corpus/text'", "uint8 [bytes]"});
}

TEST(ActivationsFileReader, NotAnHdf5File) {
  ScratchDir dir;
  write_file(dir / "a.h5", "text\n");
  expect_read_error(dir / "a.h5", {"not an HDF5 file"});
  expect_read_error(dir / "missing.h5", {"file does not exist"});
}

// ---- the HDF5 layer -------------------------------------------------------------------------

TEST(Hdf5LayerForActivations, BytesRoundTrip) {
  ScratchDir dir;
  const std::vector<std::uint8_t> bytes = {0, 1, 127, 128, 255};
  {
    h5::File file = h5::File::create(dir / "t.h5");
    file.write_dataset("/b", bytes, {5});
    file.write_dataset("/i", std::vector<std::int32_t>{1}, {1});
    file.close();
  }
  const h5::File file = h5::File::open_read_only(dir / "t.h5");
  EXPECT_EQ(file.read_dataset<std::uint8_t>("/b").values, bytes);
  const std::string prefix = (dir / "t.h5").string() + ": ";
  expect_error<InputError>([&] { file.read_dataset<std::int32_t>("/b"); }, prefix,
                           {"dataset '/b' holds uint8 values: expected int32"});
  expect_error<InputError>([&] { file.read_dataset<std::uint8_t>("/i"); }, prefix,
                           {"dataset '/i' holds int32 values: expected uint8"});
}

TEST(Hdf5LayerForActivations, DescribeAndReadFloatRows) {
  ScratchDir dir;
  {
    h5::File file = h5::File::create(dir / "t.h5");
    file.write_dataset("/f64", std::vector<double>{1, 2, 3, 4, 5, 6}, {3, 2});
    file.write_dataset("/i", std::vector<std::int32_t>{1, 2}, {1, 2});
    file.write_dataset("/flat", std::vector<float>{1, 2}, {2});
    file.create_group("/g");
    file.close();
  }
  const h5::File file = h5::File::open_read_only(dir / "t.h5");
  const h5::DatasetInfo f64 = file.describe_dataset("/f64");
  EXPECT_EQ(f64.type, "float64");
  EXPECT_TRUE(f64.floating);
  EXPECT_EQ(f64.element_size, 8u);
  EXPECT_EQ(f64.dims, (std::vector<std::uint64_t>{3, 2}));
  EXPECT_FALSE(file.describe_dataset("/i").floating);
  std::vector<float> rows(4);
  file.read_float_rows("/f64", 1, 2, rows);  // float64 converted to float32
  EXPECT_EQ(rows, (std::vector<float>{3, 4, 5, 6}));
  const std::string prefix = (dir / "t.h5").string() + ": ";
  expect_error<InputError>([&] { file.describe_dataset("/none"); }, prefix, {"missing dataset '/none'"});
  expect_error<InputError>([&] { file.describe_dataset("/g"); }, prefix, {"'/g' is not a dataset"});
  std::vector<float> two(2);
  expect_error<InputError>([&] { file.read_float_rows("/i", 0, 1, two); }, prefix,
                           {"dataset '/i' holds int32 values", "floating-point"});
  expect_error<InputError>([&] { file.read_float_rows("/flat", 0, 1, two); }, prefix,
                           {"dataset '/flat' has shape [2]", "2 dimensions"});
  expect_error<InputError>([&] { file.read_float_rows("/f64", 3, 1, two); }, prefix,
                           {"rows [3, 4) of dataset '/f64' are out of range", "3 rows"});
}

// HDF5 1.10's own float -> half conversion loses the carry when rounding reaches the next power
// of two (0.49996 became 0.25): the writer rounds to nearest even itself.
TEST(ActivationsFile, Float16RoundsToNearestEvenAcrossPowersOfTwo) {
  ScratchDir dir;
  ActivationsContent content = small_content(ActivationDtype::float16);
  std::vector<float>& values = content.layers.begin()->second;
  const std::vector<float> probes = {0.499961256980896F, 0.99990F, 1.99951171875F, -0.4999F, 65504.0F, 1e-8F};
  const std::vector<float> expected = {0.5F, 1.0F, 2.0F, -0.5F, 65504.0F, 0.0F};
  std::copy(probes.begin(), probes.end(), values.begin());
  write_activations_file(dir / "a.h5", content);
  const std::vector<float> read = ActivationsFile::open(dir / "a.h5").read_layer(content.layers.begin()->first);
  for (std::size_t i = 0; i < probes.size(); ++i) EXPECT_EQ(read[i], expected[i]) << probes[i];
}

}  // namespace
}  // namespace conceptlens::store
