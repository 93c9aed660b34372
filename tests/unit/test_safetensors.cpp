// The safetensors reader (torch-free): the fixtures' files against their sidecar's state_dict,
// hand-made files of every shape of header, and every validation error naming file and tensor.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "safetensors_test_files.hpp"
#include "store/safetensors.hpp"
#include "test_support.hpp"
#include "util/error.hpp"

namespace conceptlens::store {
namespace {

using conceptlens::testing::expect_error;
using conceptlens::testing::raw_bytes;
using conceptlens::testing::RawTensor;
using conceptlens::testing::read_file;
using conceptlens::testing::safetensors_bytes;
using conceptlens::testing::safetensors_from_header;
using conceptlens::testing::ScratchDir;
using conceptlens::testing::test_data_dir;
using conceptlens::testing::write_file;
using Json = nlohmann::json;
using Shape = std::vector<std::int64_t>;

TEST(Safetensors, FixturesMatchTheirStateDict) {
  for (const std::string model : {"bert_cased", "albert", "xlm_roberta", "bert_seqcls"}) {
    SCOPED_TRACE(model);
    const std::filesystem::path hf = test_data_dir() / "hf";
    const Json sidecar = Json::parse(read_file(hf / (model + ".json")));
    const Json& state_dict = sidecar.at("state_dict");
    const SafetensorsFile file = SafetensorsFile::open(hf / "models" / model / "model.safetensors");
    EXPECT_EQ(file.metadata(), (std::map<std::string, std::string>{{"format", "pt"}}));
    ASSERT_EQ(file.tensors().size(), state_dict.size());
    for (const auto& [name, shape] : state_dict.items()) {
      const SafetensorsTensor* tensor = file.find(name);
      ASSERT_NE(tensor, nullptr) << name;
      EXPECT_EQ(tensor->name, name);
      EXPECT_EQ(tensor->dtype, SafetensorsDtype::F32);
      EXPECT_EQ(tensor->shape, shape.get<Shape>()) << name;
      EXPECT_EQ(file.bytes(*tensor).size(), tensor->numel() * 4);
    }
    EXPECT_EQ(file.find("no.such.tensor"), nullptr);
  }
}

TEST(Safetensors, HandMadeFileReadsBack) {
  ScratchDir dir;
  const std::vector<float> matrix = {1.0f, -2.5f, 3.25f, 0.0f, 1e-30f, -7.0f};
  const std::vector<std::int64_t> ids = {0, 1, -2, 1LL << 40};
  const std::vector<std::uint16_t> half = {0x3C00, 0xC000};
  const std::vector<double> scalar = {3.5};
  const std::filesystem::path path = dir / "t.safetensors";
  write_file(path, safetensors_bytes({{"m", "F32", {2, 3}, raw_bytes(matrix)},
                                      {"ids", "I64", {4}, raw_bytes(ids)},
                                      {"empty", "F32", {0, 5}, ""},
                                      {"half", "F16", {1, 2}, raw_bytes(half)},
                                      {"scalar", "F64", {}, raw_bytes(scalar)}},
                                     Json{{"format", "pt"}, {"note", "x"}}));
  const SafetensorsFile file = SafetensorsFile::open(path);
  EXPECT_EQ(file.path(), path);
  EXPECT_EQ(file.metadata().at("note"), "x");
  ASSERT_EQ(file.tensors().size(), 5u);
  EXPECT_EQ(file.tensors()[0].name, "empty");  // sorted by name
  const auto expect_bytes = [&](const std::string& name, SafetensorsDtype dtype, const Shape& shape,
                                const std::string& data) {
    SCOPED_TRACE(name);
    const SafetensorsTensor* tensor = file.find(name);
    ASSERT_NE(tensor, nullptr);
    EXPECT_EQ(tensor->dtype, dtype);
    EXPECT_EQ(tensor->shape, shape);
    const auto bytes = file.bytes(*tensor);
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size()), data);
  };
  expect_bytes("m", SafetensorsDtype::F32, {2, 3}, raw_bytes(matrix));
  expect_bytes("ids", SafetensorsDtype::I64, {4}, raw_bytes(ids));
  expect_bytes("empty", SafetensorsDtype::F32, {0, 5}, "");
  expect_bytes("half", SafetensorsDtype::F16, {1, 2}, raw_bytes(half));
  expect_bytes("scalar", SafetensorsDtype::F64, {}, raw_bytes(scalar));
  EXPECT_EQ(dtype_name(SafetensorsDtype::BF16), "BF16");
  EXPECT_EQ(dtype_size(SafetensorsDtype::BF16), 2u);
  EXPECT_EQ(dims_text(Shape{32, 16}), "[32, 16]");

  // no metadata, an unpadded header of odd length: the data buffer starts right after it
  const std::string header = R"({"a":{"dtype":"U8","shape":[3],"data_offsets":[0,3]}})";
  ASSERT_NE(header.size() % 8, 0u);
  write_file(path, safetensors_from_header(header, "xyz"));
  SafetensorsFile odd = SafetensorsFile::open(path);
  EXPECT_TRUE(odd.metadata().empty());
  const SafetensorsFile moved = std::move(odd);
  const auto bytes = moved.bytes(*moved.find("a"));
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size()), "xyz");
}

// ---- errors -------------------------------------------------------------------------------------

class BadSafetensors : public ::testing::Test {
 protected:
  /// Writes `bytes` and expects open() to throw an InputError that starts with the path.
  void expect_open_error(const std::string& bytes, std::initializer_list<std::string> parts) {
    write_file(path_, bytes);
    expect_error<InputError>([&] { SafetensorsFile::open(path_); }, path_.string() + ": ", parts);
  }
  /// A file whose header is `entries` (a JSON object text) and whose data is `data_size` bytes.
  void expect_header_error(const std::string& entries, std::size_t data_size, std::initializer_list<std::string> parts) {
    expect_open_error(safetensors_from_header(entries, std::string(data_size, '\0')), parts);
  }

  ScratchDir dir_;
  std::filesystem::path path_ = dir_ / "model.safetensors";
};

TEST_F(BadSafetensors, MissingFileOrDirectory) {
  expect_error<InputError>([&] { SafetensorsFile::open(dir_ / "absent.safetensors"); },
                           (dir_ / "absent.safetensors").string() + ": ", {"not found"});
  expect_error<InputError>([&] { SafetensorsFile::open(dir_.path()); }, dir_.path().string() + ": ",
                           {"is a directory"});
}

TEST_F(BadSafetensors, TooShort) {
  expect_open_error("", {"file is 0 bytes", "too short"});
  expect_open_error(std::string("\x10\0\0", 3), {"file is 3 bytes", "too short"});
}

TEST_F(BadSafetensors, HeaderLengthBeyondTheFile) {
  expect_open_error(safetensors_from_header(std::string(20, ' '), "").substr(0, 8) + "{}",
                    {"header length 20 bytes is larger than the file", "only 2 bytes follow"});
  std::string huge(8, '\xff');
  expect_open_error(huge + "{}", {"header length 18446744073709551615 bytes is larger than the file"});
}

TEST_F(BadSafetensors, BrokenJson) {
  expect_header_error(R"({"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]})", 4,
                      {"is not valid JSON"});
  expect_header_error(R"([1, 2, 3])", 0, {"must be a JSON object", "array"});
  // found by tests/fuzz/fuzz_safetensors (regressions/fuzz_safetensors): a number beyond double's
  // range is nlohmann's out_of_range, not a parse_error, and escaped as an internal error
  expect_header_error(R"({"__metadata__": {"x": 2e308}})", 0, {"is not valid JSON", "number overflow", "2e308"});
}

TEST_F(BadSafetensors, BadEntries) {
  expect_header_error(R"({"w": [1]})", 0, {"tensor 'w'", "must be an object"});
  expect_header_error(R"({"w": {"shape": [1], "data_offsets": [0, 4]}})", 4, {"tensor 'w'", "missing \"dtype\""});
  expect_header_error(R"({"w": {"dtype": "F32", "data_offsets": [0, 4]}})", 4, {"tensor 'w'", "missing \"shape\""});
  expect_header_error(R"({"w": {"dtype": "F32", "shape": [1]}})", 4, {"tensor 'w'", "missing \"data_offsets\""});
  expect_header_error(R"({"w": {"dtype": 32, "shape": [1], "data_offsets": [0, 4]}})", 4,
                      {"tensor 'w'", "\"dtype\" must be a string"});
  expect_header_error(R"({"w": {"dtype": "F32", "shape": 1, "data_offsets": [0, 4]}})", 4,
                      {"tensor 'w'", "\"shape\" must be an array"});
  expect_header_error(R"({"w": {"dtype": "F32", "shape": [1], "data_offsets": [0]}})", 4,
                      {"tensor 'w'", "\"data_offsets\" must be an array [begin, end]"});
  expect_header_error(R"({"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, -4]}})", 4,
                      {"tensor 'w'", "end must be a non-negative integer", "-4"});
  expect_header_error(R"({"__metadata__": {"format": 1}})", 0, {"\"__metadata__\"", "'format'", "must be a string"});
}

TEST_F(BadSafetensors, UnknownDtype) {
  expect_header_error(R"({"w": {"dtype": "F128", "shape": [1], "data_offsets": [0, 16]}})", 16,
                      {"tensor 'w'", "unknown dtype 'F128'", "F32", "BF16"});
}

TEST_F(BadSafetensors, BadShapes) {
  expect_header_error(R"({"w": {"dtype": "F32", "shape": [2, -1], "data_offsets": [0, 8]}})", 8,
                      {"tensor 'w'", "dimension", "[2,-1]", "non-negative integer", "-1"});
  expect_header_error(R"({"w": {"dtype": "F32", "shape": [2, 1.5], "data_offsets": [0, 8]}})", 8,
                      {"tensor 'w'", "non-negative integer", "1.5"});
  expect_header_error(R"({"w": {"dtype": "F32", "shape": ["2"], "data_offsets": [0, 8]}})", 8,
                      {"tensor 'w'", "non-negative integer", "string"});
  expect_header_error(
      R"({"w": {"dtype": "F64", "shape": [4294967296, 4294967296], "data_offsets": [0, 8]}})", 8,
      {"tensor 'w'", "overflows"});
}

TEST_F(BadSafetensors, OffsetsOutsideTheBuffer) {
  expect_header_error(R"({"w": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}})", 12,
                      {"tensor 'w'", "data_offsets [0, 16]", "outside the data buffer of 12 bytes"});
  expect_header_error(R"({"w": {"dtype": "F32", "shape": [1], "data_offsets": [8, 4]}})", 12,
                      {"tensor 'w'", "data_offsets [8, 4]", "begin > end"});
}

TEST_F(BadSafetensors, OffsetsNotMatchingTheShape) {
  expect_header_error(R"({"w": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 20]}})", 24,
                      {"tensor 'w'", "data_offsets [0, 20] hold 20 bytes", "F32", "[2, 3]", "need 24"});
  expect_header_error(R"({"w": {"dtype": "BF16", "shape": [3], "data_offsets": [0, 12]}})", 12,
                      {"tensor 'w'", "hold 12 bytes", "BF16", "need 6"});
}

TEST_F(BadSafetensors, OverlappingTensors) {
  expect_header_error(R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},)"
                      R"( "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}})",
                      12, {"tensor 'b'", "[4, 12]", "overlap", "tensor 'a' [0, 8]"});
  // empty tensors share offsets freely
  write_file(path_, safetensors_from_header(R"({"a": {"dtype": "F32", "shape": [0], "data_offsets": [4, 4]},)"
                                            R"( "b": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}})",
                                            std::string(8, '\0')));
  EXPECT_EQ(SafetensorsFile::open(path_).tensors().size(), 2u);
}

TEST_F(BadSafetensors, TruncatedFile) {
  const std::string full = safetensors_bytes({{"first", "F32", {4}, std::string(16, '\1')},
                                              {"second", "F32", {4}, std::string(16, '\2')}});
  expect_open_error(full.substr(0, full.size() - 10), {"tensor 'second'", "outside the data buffer of 22 bytes"});
  expect_open_error(full.substr(0, 40), {"header length", "larger than the file"});
}

}  // namespace
}  // namespace conceptlens::store
