// CLUSTERS.h5 (write, read, validation), the HDF5 layer under it, and ConceptX's clusters-<K>.txt.
#include "store/clusters_file.hpp"

#include <gtest/gtest.h>
#include <hdf5.h>

#include <algorithm>
#include <cstdint>
#include <sstream>

#include "store/conceptx_clusters.hpp"
#include "store/hdf5.hpp"
#include "test_support.hpp"
#include "util/error.hpp"

namespace conceptlens::store {
namespace {

using conceptlens::testing::expect_error;
using conceptlens::testing::read_file;
using conceptlens::testing::ScratchDir;
using conceptlens::testing::write_file;

/// Five points: {0,1} and {2,3} merge first, then {4} joins {2,3}, then everything.
ClustersFile small_clusters() {
  ClustersFile content;
  content.linkage.n = 5;
  content.linkage.merges = {{0, 1, 0.5, 2}, {2, 3, 1.0, 2}, {4, 6, 1.5, 3}, {5, 7, 3.25, 5}};
  content.labels[1] = {0, 0, 0, 0, 0};
  content.labels[2] = {0, 0, 1, 1, 1};
  content.labels[3] = {0, 0, 1, 1, 2};
  content.sentence = {0, 0, 1, 1, -1};
  content.word = {0, 1, 0, 1, -1};
  content.mode = "vector";
  content.d = 768;
  content.layer = 12;
  content.source = "run/layer12/processed-point.npy";
  return content;
}

void expect_same(const ClustersFile& read, const ClustersFile& written) {
  EXPECT_EQ(read.linkage.n, written.linkage.n);
  ASSERT_EQ(read.linkage.merges.size(), written.linkage.merges.size());
  for (std::size_t r = 0; r < read.linkage.merges.size(); ++r) {
    EXPECT_EQ(read.linkage.merges[r].a, written.linkage.merges[r].a) << "row " << r;
    EXPECT_EQ(read.linkage.merges[r].b, written.linkage.merges[r].b) << "row " << r;
    EXPECT_EQ(read.linkage.merges[r].height, written.linkage.merges[r].height) << "row " << r;
    EXPECT_EQ(read.linkage.merges[r].size, written.linkage.merges[r].size) << "row " << r;
  }
  EXPECT_EQ(read.labels, written.labels);
  EXPECT_EQ(read.sentence, written.sentence);
  EXPECT_EQ(read.word, written.word);
  EXPECT_EQ(read.method, written.method);
  EXPECT_EQ(read.mode, written.mode);
  EXPECT_EQ(read.d, written.d);
  EXPECT_EQ(read.layer, written.layer);
  EXPECT_EQ(read.source, written.source);
}

/// Writes a CLUSTERS.h5 piece by piece through the HDF5 layer, so that tests can leave out or
/// change one piece. `linkage_rows` overrides /linkage (4 columns unless `columns` says).
struct RawClusters {
  std::int64_t n = 5;
  bool with_linkage = true;
  std::vector<double> linkage = {0, 1, 0.5, 2, 2, 3, 1.0, 2, 4, 6, 1.5, 3, 5, 7, 3.25, 5};
  std::uint64_t columns = 4;
  std::vector<std::int32_t> k2 = {0, 0, 1, 1, 1};
  bool labels_as_int64 = false;
  std::vector<std::int32_t> sentence = {0, 0, 1, 1, -1};

  void write(const std::filesystem::path& path) const {
    h5::File file = h5::File::create(path);
    if (with_linkage) file.write_dataset("/linkage", linkage, {linkage.size() / columns, columns});
    if (labels_as_int64) {
      file.write_dataset("/labels/k2", std::vector<std::int64_t>(k2.begin(), k2.end()), {k2.size()});
    } else {
      file.write_dataset("/labels/k2", k2, {k2.size()});
    }
    file.write_dataset("/points/sentence", sentence, {sentence.size()});
    file.write_dataset("/points/word", std::vector<std::int32_t>(5, 0), {5});
    file.write_string_attribute("/", "method", "ward");
    file.write_string_attribute("/", "mode", "matrix");
    file.write_int_attribute("/", "n", n);
    file.write_int_attribute("/", "d", 3);
    file.write_int_attribute("/", "layer", -1);
    file.write_string_attribute("/", "source", "x.npy");
    file.close();
  }
};

void expect_read_error(const std::filesystem::path& path, std::initializer_list<std::string> parts) {
  expect_error<InputError>([&] { read_clusters_file(path); }, path.string() + ": ", parts);
}

// ---- CLUSTERS.h5 ----------------------------------------------------------------------------

TEST(ClustersFile, RoundTrip) {
  ScratchDir dir;
  const ClustersFile written = small_clusters();
  write_clusters_file(dir / "CLUSTERS.h5", written);
  expect_same(read_clusters_file(dir / "CLUSTERS.h5"), written);
}

TEST(ClustersFile, RoundTripOfASinglePoint) {
  ScratchDir dir;
  ClustersFile written;
  written.linkage.n = 1;
  written.labels[1] = {0};
  written.sentence = {3};
  written.word = {7};
  written.mode = "matrix";
  written.d = 2;
  write_clusters_file(dir / "CLUSTERS.h5", written);
  expect_same(read_clusters_file(dir / "CLUSTERS.h5"), written);
}

TEST(ClustersFile, LayoutFollowsTheContract) {
  ScratchDir dir;
  write_clusters_file(dir / "CLUSTERS.h5", small_clusters());
  const h5::File file = h5::File::open_read_only(dir / "CLUSTERS.h5");
  const auto linkage = file.read_dataset<double>("/linkage");
  EXPECT_EQ(linkage.dims, (std::vector<std::uint64_t>{4, 4}));
  EXPECT_EQ(linkage.values[8], 4.0);   // row 2: (4, 6, 1.5, 3)
  EXPECT_EQ(linkage.values[9], 6.0);
  EXPECT_EQ(linkage.values[10], 1.5);
  EXPECT_EQ(linkage.values[11], 3.0);
  EXPECT_EQ(file.list_group("/labels"), (std::vector<std::string>{"k1", "k2", "k3"}));
  EXPECT_EQ(file.read_dataset<std::int32_t>("/labels/k3").dims, (std::vector<std::uint64_t>{5}));
  EXPECT_EQ(file.read_string_attribute("/", "method"), "ward");
  EXPECT_EQ(file.read_string_attribute("/", "mode"), "vector");
  EXPECT_EQ(file.read_int_attribute("/", "n"), 5);
  EXPECT_EQ(file.read_int_attribute("/", "d"), 768);
  EXPECT_EQ(file.read_int_attribute("/", "layer"), 12);
  EXPECT_EQ(file.read_string_attribute("/", "source"), "run/layer12/processed-point.npy");
  EXPECT_FALSE(file.read_string_attribute("/", "tool_version").empty());
}

TEST(ClustersFile, WriteToAMissingDirectoryIsAnOutputError) {
  ScratchDir dir;
  const auto path = dir / "missing" / "CLUSTERS.h5";
  expect_error<OutputError>([&] { write_clusters_file(path, small_clusters()); }, path.string() + ": ",
                            {"cannot create the HDF5 file"});
}

TEST(ClustersFileReader, AcceptsTheRawWriterUnchanged) {
  ScratchDir dir;
  RawClusters().write(dir / "c.h5");
  const ClustersFile read = read_clusters_file(dir / "c.h5");
  EXPECT_EQ(read.linkage.merges.size(), 4u);
  EXPECT_EQ(read.labels.at(2), (std::vector<std::int32_t>{0, 0, 1, 1, 1}));
}

TEST(ClustersFileReader, MissingLinkage) {
  ScratchDir dir;
  RawClusters raw;
  raw.with_linkage = false;
  raw.write(dir / "c.h5");
  expect_read_error(dir / "c.h5", {"missing dataset '/linkage'", "expected float64 [n-1, 4]"});
}

TEST(ClustersFileReader, LinkageWithThreeColumns) {
  ScratchDir dir;
  RawClusters raw;
  raw.linkage = std::vector<double>(12, 0.0);
  raw.columns = 3;
  raw.write(dir / "c.h5");
  expect_read_error(dir / "c.h5", {"dataset '/linkage' has shape [4, 3]", "expected [n-1, 4] = [4, 4]"});
}

TEST(ClustersFileReader, LinkageWithTooFewRows) {
  ScratchDir dir;
  RawClusters raw;
  raw.n = 6;
  raw.write(dir / "c.h5");
  expect_read_error(dir / "c.h5", {"dataset '/linkage' has shape [4, 4]", "[5, 4]", "n = 6"});
}

TEST(ClustersFileReader, LinkageIdsOutOfOrder) {
  ScratchDir dir;
  RawClusters raw;
  raw.linkage[0] = 1;
  raw.linkage[1] = 0;
  raw.write(dir / "c.h5");
  expect_read_error(dir / "c.h5", {"'/linkage' row 0", "(1, 0)", "expected a < b"});
}

TEST(ClustersFileReader, LinkageIdOutOfRange) {
  ScratchDir dir;
  RawClusters raw;
  raw.linkage[5] = 5;  // row 1 merges (2, 5): valid ids, but then its size should be 1 + 2
  raw.linkage[9] = 7;  // row 2 merges (4, 7): only ids below n + 2 = 7 exist at row 2
  raw.write(dir / "c.h5");
  expect_read_error(dir / "c.h5", {"'/linkage' row 1", "size 2: expected 3"});
  raw.linkage[5] = 3;  // row 1 back to (2, 3)
  raw.write(dir / "c.h5");
  expect_read_error(dir / "c.h5", {"'/linkage' row 2", "cluster id 7 is out of range", "[0, 7)"});
}

TEST(ClustersFileReader, LinkageReusesACluster) {
  ScratchDir dir;
  RawClusters raw;
  raw.linkage[4] = 1;  // row 1 merges (1, 3) but point 1 was merged by row 0
  raw.write(dir / "c.h5");
  expect_read_error(dir / "c.h5", {"'/linkage' row 1", "cluster 1 was already merged"});
}

TEST(ClustersFileReader, LinkageWithFractionalId) {
  ScratchDir dir;
  RawClusters raw;
  raw.linkage[1] = 1.5;
  raw.write(dir / "c.h5");
  expect_read_error(dir / "c.h5", {"'/linkage' row 0", "column 1 (b)", "integral"});
}

TEST(ClustersFileReader, LabelOutOfRange) {
  ScratchDir dir;
  RawClusters raw;
  raw.k2[3] = 2;
  raw.write(dir / "c.h5");
  expect_read_error(dir / "c.h5", {"dataset '/labels/k2'", "point 3", "label 2", "[0, 2)"});
}

TEST(ClustersFileReader, LabelsOfTheWrongLength) {
  ScratchDir dir;
  RawClusters raw;
  raw.k2 = {0, 1, 1};
  raw.write(dir / "c.h5");
  expect_read_error(dir / "c.h5", {"dataset '/labels/k2' has shape [3]", "expected [n] = [5]"});
}

TEST(ClustersFileReader, LabelsOfTheWrongType) {
  ScratchDir dir;
  RawClusters raw;
  raw.labels_as_int64 = true;
  raw.write(dir / "c.h5");
  expect_read_error(dir / "c.h5", {"dataset '/labels/k2' holds int64 values: expected int32"});
}

TEST(ClustersFileReader, SentenceOfTheWrongLength) {
  ScratchDir dir;
  RawClusters raw;
  raw.sentence = {0, 0, 1, 1};
  raw.write(dir / "c.h5");
  expect_read_error(dir / "c.h5", {"dataset '/points/sentence' has shape [4]", "[5]"});
}

TEST(ClustersFileReader, MissingAttribute) {
  ScratchDir dir;
  h5::File file = h5::File::create(dir / "c.h5");
  file.write_string_attribute("/", "method", "ward");
  file.close();
  expect_read_error(dir / "c.h5", {"missing attribute 'n' on '/'"});
}

TEST(ClustersFileReader, NotAnHdf5File) {
  ScratchDir dir;
  write_file(dir / "c.h5", "this is text, not HDF5\n");
  expect_read_error(dir / "c.h5", {"not an HDF5 file"});
}

TEST(ClustersFileReader, MissingFile) {
  ScratchDir dir;
  expect_read_error(dir / "c.h5", {"file does not exist"});
}

// ---- the HDF5 layer -------------------------------------------------------------------------

TEST(Hdf5Layer, DatasetsOfEveryTypeRoundTrip) {
  ScratchDir dir;
  {
    h5::File file = h5::File::create(dir / "t.h5");
    file.write_dataset("/a/b/i32", std::vector<std::int32_t>{1, -2, 3, 4, 5, 6}, {2, 3});
    file.write_dataset("/i64", std::vector<std::int64_t>{INT64_MIN, INT64_MAX}, {2});
    file.write_dataset("/f32", std::vector<float>{1.5f}, {1, 1});
    file.write_dataset("/f64", std::vector<double>{}, {0, 4});
    file.close();
  }
  const h5::File file = h5::File::open_read_only(dir / "t.h5");
  const auto i32 = file.read_dataset<std::int32_t>("/a/b/i32");
  EXPECT_EQ(i32.values, (std::vector<std::int32_t>{1, -2, 3, 4, 5, 6}));
  EXPECT_EQ(i32.dims, (std::vector<std::uint64_t>{2, 3}));
  EXPECT_EQ(file.read_dataset<std::int64_t>("/i64").values, (std::vector<std::int64_t>{INT64_MIN, INT64_MAX}));
  EXPECT_EQ(file.read_dataset<float>("/f32").values, std::vector<float>{1.5f});
  const auto f64 = file.read_dataset<double>("/f64");
  EXPECT_TRUE(f64.values.empty());
  EXPECT_EQ(f64.dims, (std::vector<std::uint64_t>{0, 4}));
}

TEST(Hdf5Layer, ExistsAndListGroup) {
  ScratchDir dir;
  h5::File file = h5::File::create(dir / "t.h5");
  file.write_dataset("/g/x", std::vector<double>{1}, {1});
  file.write_dataset("/g/a", std::vector<double>{1}, {1});
  file.create_group("/g/sub");
  EXPECT_TRUE(file.exists("/"));
  EXPECT_TRUE(file.exists("/g"));
  EXPECT_TRUE(file.exists("/g/x"));
  EXPECT_TRUE(file.exists("/g/sub"));
  EXPECT_FALSE(file.exists("/h"));
  EXPECT_FALSE(file.exists("/h/x"));
  EXPECT_FALSE(file.exists("/g/x/y"));  // through a dataset
  EXPECT_EQ(file.list_group("/g"), (std::vector<std::string>{"a", "sub", "x"}));
  EXPECT_TRUE(file.list_group("/g/sub").empty());
  expect_error<InputError>([&] { file.list_group("/h"); }, (dir / "t.h5").string() + ": ", {"missing group '/h'"});
  expect_error<InputError>([&] { file.list_group("/g/x"); }, (dir / "t.h5").string() + ": ",
                           {"'/g/x' is not a group"});
}

TEST(Hdf5Layer, AttributesOnRootAndDataset) {
  ScratchDir dir;
  {
    h5::File file = h5::File::create(dir / "t.h5");
    file.write_dataset("/d", std::vector<double>{1}, {1});
    file.write_string_attribute("/", "name", "café 日本");
    file.write_string_attribute("/", "empty", "");
    file.write_int_attribute("/", "count", -42);
    file.write_double_attribute("/d", "scale", 0.125);
    file.write_int_attribute("/d", "replaced", 1);
    file.write_int_attribute("/d", "replaced", 2);
    file.close();
  }
  const h5::File file = h5::File::open_read_only(dir / "t.h5");
  EXPECT_EQ(file.read_string_attribute("/", "name"), "café 日本");
  EXPECT_EQ(file.read_string_attribute("/", "empty"), "");
  EXPECT_EQ(file.read_int_attribute("/", "count"), -42);
  EXPECT_EQ(file.read_double_attribute("/d", "scale"), 0.125);
  EXPECT_EQ(file.read_int_attribute("/d", "replaced"), 2);
  EXPECT_TRUE(file.has_attribute("/d", "scale"));
  EXPECT_FALSE(file.has_attribute("/", "scale"));
  EXPECT_FALSE(file.has_attribute("/missing", "scale"));
  const std::string prefix = (dir / "t.h5").string() + ": ";
  expect_error<InputError>([&] { file.read_int_attribute("/", "name"); }, prefix,
                           {"attribute 'name' on '/' holds strings: expected an integer"});
  expect_error<InputError>([&] { file.read_string_attribute("/", "count"); }, prefix,
                           {"attribute 'count' on '/' holds int64: expected a string"});
  expect_error<InputError>([&] { file.read_double_attribute("/d", "nope"); }, prefix,
                           {"missing attribute 'nope' on '/d'"});
}

TEST(Hdf5Layer, ReadErrorsNameTheDataset) {
  ScratchDir dir;
  {
    h5::File file = h5::File::create(dir / "t.h5");
    file.write_dataset("/g/f", std::vector<float>{1}, {1});
    file.close();
  }
  const h5::File file = h5::File::open_read_only(dir / "t.h5");
  const std::string prefix = (dir / "t.h5").string() + ": ";
  expect_error<InputError>([&] { file.read_dataset<double>("/g/f"); }, prefix,
                           {"dataset '/g/f' holds float32 values: expected float64"});
  expect_error<InputError>([&] { file.read_dataset<double>("/g/none"); }, prefix, {"missing dataset '/g/none'"});
  expect_error<InputError>([&] { file.read_dataset<double>("/g"); }, prefix, {"'/g' is not a dataset"});
}

/// Adds to an existing file a chunked dataset of `dims` int32 (or variable-length strings) whose
/// values are never written: its extent costs a few bytes, whatever it says.
void add_unwritten_dataset(const std::filesystem::path& path, const char* name, std::vector<hsize_t> dims,
                           bool strings = false) {
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  const hid_t space = H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr);
  const hid_t layout = H5Pcreate(H5P_DATASET_CREATE);
  std::vector<hsize_t> chunk;
  for (const hsize_t d : dims) chunk.push_back(std::min<hsize_t>(d, 64));
  H5Pset_chunk(layout, static_cast<int>(chunk.size()), chunk.data());
  const hid_t type = H5Tcopy(strings ? H5T_C_S1 : H5T_STD_I32LE);
  if (strings) H5Tset_size(type, H5T_VARIABLE);
  const hid_t dataset = H5Dcreate2(file, name, type, space, H5P_DEFAULT, layout, H5P_DEFAULT);
  ASSERT_GE(dataset, 0);
  H5Dclose(dataset);
  H5Tclose(type);
  H5Pclose(layout);
  H5Sclose(space);
  H5Fclose(file);
}

// Found by tests/fuzz/fuzz_clusters_file and fuzz_activations_file (regressions/): a dataset
// declaring billions of elements, never written, had the readers allocate for all of them.
TEST(Hdf5Layer, DatasetsNeverWrittenAreRefusedBeforeReading) {
  ScratchDir dir;
  {
    h5::File file = h5::File::create(dir / "t.h5");
    file.write_dataset("/written", std::vector<std::int32_t>{1, 2, 3}, {3});
    file.close();
  }
  add_unwritten_dataset(dir / "t.h5", "/huge", {3000000000});
  add_unwritten_dataset(dir / "t.h5", "/small", {2, 3});
  add_unwritten_dataset(dir / "t.h5", "/names", {4000000000}, true);
  const h5::File file = h5::File::open_read_only(dir / "t.h5");
  const std::string prefix = (dir / "t.h5").string() + ": ";
  EXPECT_EQ(file.read_dataset<std::int32_t>("/written").values, (std::vector<std::int32_t>{1, 2, 3}));
  expect_error<InputError>([&] { file.read_dataset<std::int32_t>("/huge"); }, prefix,
                           {"dataset '/huge' has 3000000000 elements of 4 bytes, but the file stores 0 bytes",
                            "never written"});
  expect_error<InputError>([&] { file.describe_dataset("/small"); }, prefix,
                           {"dataset '/small' has 6 elements of 4 bytes, but the file stores 0 bytes"});
  expect_error<InputError>([&] { file.read_strings_dataset("/names"); }, prefix,
                           {"dataset '/names' has 4000000000 elements"});
}

TEST(ClustersFileReader, PointsNeverWritten) {
  ScratchDir dir;
  RawClusters().write(dir / "c.h5");
  {
    const hid_t file = H5Fopen((dir / "c.h5").c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    H5Ldelete(file, "/points/word", H5P_DEFAULT);
    H5Fclose(file);
  }
  add_unwritten_dataset(dir / "c.h5", "/points/word", {5});
  expect_read_error(dir / "c.h5", {"dataset '/points/word' has 5 elements of 4 bytes, but the file stores 0 bytes"});
}

TEST(Hdf5Layer, WriteErrorsAreOutputErrors) {
  ScratchDir dir;
  h5::File file = h5::File::create(dir / "t.h5");
  file.write_dataset("/x", std::vector<double>{1}, {1});
  expect_error<OutputError>([&] { file.write_dataset("/x", std::vector<double>{1}, {1}); },
                            (dir / "t.h5").string() + ": ", {"cannot create dataset '/x'"});
  expect_error<OutputError>([&] { file.write_int_attribute("/nothing", "a", 1); }, (dir / "t.h5").string() + ": ",
                            {"'/nothing'", "attribute 'a'"});
}

// ---- ConceptX clusters-<K>.txt --------------------------------------------------------------

TEST(ConceptXClusters, GroupsByFirstAppearance) {
  ScratchDir dir;
  const std::vector<std::string> keys = {"a|||0|||0|||0", "b|||0|||1|||1", "c|||1|||0|||2",
                                         "d|||1|||1|||3", "e|||2|||0|||4", "f|||2|||1|||5"};
  const std::vector<std::int32_t> labels = {2, 0, 2, 1, 0, 2};
  write_conceptx_clusters(dir / "clusters-3.txt", keys, labels);
  std::istringstream lines(read_file(dir / "clusters-3.txt"));
  const std::vector<std::string> expected = {"a|||0|||0|||0|||2", "c|||1|||0|||2|||2", "f|||2|||1|||5|||2",
                                             "b|||0|||1|||1|||0", "e|||2|||0|||4|||0", "d|||1|||1|||3|||1"};
  std::string line;
  for (const std::string& want : expected) {
    ASSERT_TRUE(std::getline(lines, line));
    EXPECT_EQ(line, want);
  }
  EXPECT_FALSE(std::getline(lines, line));
  EXPECT_EQ(read_file(dir / "clusters-3.txt").back(), '\n');
}

TEST(ConceptXClusters, EmptyInputGivesAnEmptyFile) {
  ScratchDir dir;
  write_conceptx_clusters(dir / "clusters-1.txt", {}, {});
  EXPECT_EQ(read_file(dir / "clusters-1.txt"), "");
}

TEST(ConceptXClusters, UnwritablePathIsAnOutputError) {
  ScratchDir dir;
  const auto path = dir / "missing" / "clusters-2.txt";
  expect_error<OutputError>([&] { write_conceptx_clusters(path, {"a"}, {0}); }, path.string() + ": ",
                            {"cannot write"});
}

}  // namespace
}  // namespace conceptlens::store
