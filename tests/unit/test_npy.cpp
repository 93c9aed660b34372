// .npy reading and writing: round trips, files written by NumPy (tests/data/npy, made by
// make_npy_cases.py) and every refusal with its message.
#include "store/npy.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "test_support.hpp"
#include "util/error.hpp"

namespace conceptlens::store {
namespace {

using conceptlens::testing::expect_error;
using conceptlens::testing::npy_bytes;
using conceptlens::testing::read_file;
using conceptlens::testing::ScratchDir;
using conceptlens::testing::test_data_dir;
using conceptlens::testing::write_file;

std::filesystem::path fixture(const std::string& name) { return test_data_dir() / "npy" / name; }

/// The vocabulary make_npy_cases.py saves as vocab_unicode.npy and vocab_v3.npy.
const std::vector<std::string> kVocab = {"word|||0|||12|||3", "café", "日本語", "😀 emoji", "", "Zürich|||1|||0|||0"};

/// Expects read_npy_matrix(path) to throw an InputError naming the file and saying `parts`.
void expect_matrix_error(const std::filesystem::path& path, std::initializer_list<std::string> parts) {
  expect_error<InputError>([&] { read_npy_matrix(path); }, path.string() + ": ", parts);
}

void expect_strings_error(const std::filesystem::path& path, std::initializer_list<std::string> parts) {
  expect_error<InputError>([&] { read_npy_strings(path); }, path.string() + ": ", parts);
}

template <typename T>
std::string raw_bytes(const std::vector<T>& values) {
  std::string out(values.size() * sizeof(T), '\0');
  if (!values.empty()) std::memcpy(out.data(), values.data(), out.size());
  return out;
}

// ---- round trips ----------------------------------------------------------------------------

TEST(NpyRoundTrip, Float64KeepsEveryBit) {
  ScratchDir dir;
  const std::vector<double> values = {0.0, -0.0, 1.5, -2.25, std::numeric_limits<double>::max(),
                                      std::numeric_limits<double>::denorm_min()};
  write_npy_matrix(dir / "m.npy", values.data(), 2, 3);
  const NpyMatrix m = read_npy_matrix(dir / "m.npy");
  EXPECT_EQ(m.rows, 2);
  EXPECT_EQ(m.cols, 3);
  ASSERT_TRUE(std::holds_alternative<std::vector<double>>(m.values));
  const auto& read = std::get<std::vector<double>>(m.values);
  ASSERT_EQ(read.size(), values.size());
  EXPECT_EQ(std::memcmp(read.data(), values.data(), values.size() * sizeof(double)), 0);
}

TEST(NpyRoundTrip, Float32) {
  ScratchDir dir;
  std::vector<float> values(7 * 5);
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = static_cast<float>(i) * 0.1f - 1.0f;
  write_npy_matrix(dir / "m.npy", values.data(), 7, 5);
  const NpyMatrix m = read_npy_matrix(dir / "m.npy");
  EXPECT_EQ(m.rows, 7);
  EXPECT_EQ(m.cols, 5);
  ASSERT_TRUE(std::holds_alternative<std::vector<float>>(m.values));
  EXPECT_EQ(std::get<std::vector<float>>(m.values), values);
}

TEST(NpyRoundTrip, EmptyMatrix) {
  ScratchDir dir;
  write_npy_matrix(dir / "m.npy", static_cast<const float*>(nullptr), 0, 768);
  const NpyMatrix m = read_npy_matrix(dir / "m.npy");
  EXPECT_EQ(m.rows, 0);
  EXPECT_EQ(m.cols, 768);
  EXPECT_TRUE(std::get<std::vector<float>>(m.values).empty());
}

TEST(NpyRoundTrip, StringsIncludingNonAscii) {
  ScratchDir dir;
  write_npy_strings(dir / "v.npy", kVocab);
  EXPECT_EQ(read_npy_strings(dir / "v.npy"), kVocab);
}

TEST(NpyRoundTrip, DataIsAlignedTo64Bytes) {
  ScratchDir dir;
  const std::vector<double> values = {1, 2, 3};
  write_npy_matrix(dir / "m.npy", values.data(), 1, 3);
  EXPECT_EQ((read_file(dir / "m.npy").size() - values.size() * sizeof(double)) % 64, 0u);
}

TEST(NpyWriter, RefusesInvalidUtf8) {
  ScratchDir dir;
  const auto path = dir / "v.npy";
  expect_error<OutputError>([&] { write_npy_strings(path, {"ok", std::string("\xff\xfe")}); }, path.string() + ": ",
                            {"string 1", "UTF-8"});
}

TEST(NpyWriter, MissingDirectoryIsAnOutputError) {
  ScratchDir dir;
  const auto path = dir / "no-such-dir" / "m.npy";
  const std::vector<double> values = {1};
  expect_error<OutputError>([&] { write_npy_matrix(path, values.data(), 1, 1); }, path.string() + ": ",
                            {"cannot open for writing"});
}

// ---- files written by NumPy -----------------------------------------------------------------

TEST(NpyFromNumPy, Float32) {
  const NpyMatrix m = read_npy_matrix(fixture("points_f32.npy"));
  ASSERT_EQ(m.rows, 3);
  ASSERT_EQ(m.cols, 4);
  const auto& values = std::get<std::vector<float>>(m.values);
  for (std::size_t i = 0; i < values.size(); ++i) EXPECT_EQ(values[i], static_cast<float>(i) / 4.0f - 1.0f);
}

TEST(NpyFromNumPy, Float64) {
  const NpyMatrix m = read_npy_matrix(fixture("points_f64.npy"));
  ASSERT_EQ(m.rows, 2);
  ASSERT_EQ(m.cols, 3);
  const auto& values = std::get<std::vector<double>>(m.values);
  for (std::size_t i = 0; i < values.size(); ++i) EXPECT_EQ(values[i], static_cast<double>(i) * 0.5 - 1.0);
}

TEST(NpyFromNumPy, Version2) {
  const NpyMatrix m = read_npy_matrix(fixture("points_v2.npy"));
  ASSERT_EQ(m.rows, 3);
  ASSERT_EQ(m.cols, 2);
  const auto& values = std::get<std::vector<float>>(m.values);
  for (std::size_t i = 0; i < values.size(); ++i) EXPECT_EQ(values[i], static_cast<float>(i) + 0.25f);
}

TEST(NpyFromNumPy, UnicodeVocab) { EXPECT_EQ(read_npy_strings(fixture("vocab_unicode.npy")), kVocab); }

TEST(NpyFromNumPy, UnicodeVocabVersion3) { EXPECT_EQ(read_npy_strings(fixture("vocab_v3.npy")), kVocab); }

TEST(NpyFromNumPy, BytesVocab) {
  const std::vector<std::string> expected = {"alpha", "be", "", "gamma|||2"};
  EXPECT_EQ(read_npy_strings(fixture("vocab_bytes.npy")), expected);
}

TEST(NpyFromNumPy, WriterIsByteIdenticalToNumPy) {
  ScratchDir dir;
  std::vector<double> f64(6);
  for (std::size_t i = 0; i < f64.size(); ++i) f64[i] = static_cast<double>(i) * 0.5 - 1.0;
  write_npy_matrix(dir / "f64.npy", f64.data(), 2, 3);
  EXPECT_EQ(read_file(dir / "f64.npy"), read_file(fixture("points_f64.npy")));

  std::vector<float> f32(12);
  for (std::size_t i = 0; i < f32.size(); ++i) f32[i] = static_cast<float>(i) / 4.0f - 1.0f;
  write_npy_matrix(dir / "f32.npy", f32.data(), 3, 4);
  EXPECT_EQ(read_file(dir / "f32.npy"), read_file(fixture("points_f32.npy")));

  write_npy_strings(dir / "vocab.npy", kVocab);
  EXPECT_EQ(read_file(dir / "vocab.npy"), read_file(fixture("vocab_unicode.npy")));
}

// ---- refusals of NumPy-written files --------------------------------------------------------

TEST(NpyRefuses, BigEndian) {
  expect_matrix_error(fixture("bad_big_endian.npy"), {"unsupported dtype '>f4'", "big-endian", "expected"});
}

TEST(NpyRefuses, Int64) {
  expect_matrix_error(fixture("bad_int64.npy"),
                      {"unsupported dtype '<i8': expected float32 ('<f4') or float64 ('<f8')"});
}

TEST(NpyRefuses, FortranOrder) {
  expect_matrix_error(fixture("bad_fortran.npy"),
                      {"Fortran-ordered array: expected C order (save with np.ascontiguousarray)"});
}

TEST(NpyRefuses, ThreeDimensions) {
  expect_matrix_error(fixture("bad_3d.npy"), {"expected a 2-D array", "3-D array of shape (2, 3, 4)"});
}

TEST(NpyRefuses, TruncatedData) {
  expect_matrix_error(fixture("bad_truncated.npy"),
                      {"header says 3 x 4 float32 (48 bytes) but the file holds 43 bytes of data"});
}

TEST(NpyRefuses, BadMagic) {
  expect_matrix_error(fixture("bad_magic.npy"), {"not a .npy file (bad magic)", "found 'a,b,c\\x0a'"});
  expect_strings_error(fixture("bad_magic.npy"), {"not a .npy file (bad magic)"});
}

TEST(NpyRefuses, NaN) { expect_matrix_error(fixture("bad_nan.npy"), {"value at row 1, column 2 is NaN"}); }

TEST(NpyRefuses, Infinity) { expect_matrix_error(fixture("bad_inf.npy"), {"value at row 1, column 4 is -Inf"}); }

TEST(NpyRefuses, ObjectArray) {
  expect_strings_error(fixture("bad_object.npy"), {"object array (dtype '|O')", "pickle", "fixed-width unicode"});
  expect_matrix_error(fixture("bad_object.npy"), {"object array", "pickle"});
}

TEST(NpyRefuses, StringsReadAsMatrixAndMatrixReadAsStrings) {
  expect_matrix_error(fixture("vocab_unicode.npy"), {"unsupported dtype '<U18'", "expected float32"});
  expect_strings_error(fixture("points_f32.npy"), {"unsupported dtype '<f4'", "expected a string array"});
}

TEST(NpyRefuses, MissingFile) {
  expect_matrix_error(fixture("no_such_file.npy"), {"file does not exist"});
}

TEST(NpyRefuses, Directory) { expect_matrix_error(fixture(""), {"is a directory"}); }

// ---- refusals of hand-made files ------------------------------------------------------------

TEST(NpyIntegers, Int32AndInt64) {
  ScratchDir dir;
  write_file(dir / "i4.npy", npy_bytes("{'descr': '<i4', 'fortran_order': False, 'shape': (3,), }",
                                       raw_bytes(std::vector<std::int32_t>{7, -1, 2147483647})));
  EXPECT_EQ(read_npy_integers(dir / "i4.npy"), (std::vector<std::int64_t>{7, -1, 2147483647}));
  write_file(dir / "i8.npy", npy_bytes("{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }",
                                       raw_bytes(std::vector<std::int64_t>{5, 1LL << 40})));
  EXPECT_EQ(read_npy_integers(dir / "i8.npy"), (std::vector<std::int64_t>{5, 1LL << 40}));
  expect_error<InputError>([&] { read_npy_integers(fixture("points_f32.npy")); }, fixture("points_f32.npy").string() + ": ",
                           {"unsupported dtype '<f4': expected int32 ('<i4') or int64 ('<i8')"});
}

TEST(NpyRefusesCrafted, UnknownVersion) {
  ScratchDir dir;
  std::string bytes = npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1), }", std::string(4, '\0'));
  bytes[6] = 4;
  write_file(dir / "v.npy", bytes);
  expect_matrix_error(dir / "v.npy", {"unsupported .npy format version 4.0: expected 1.0, 2.0 or 3.0"});
}

TEST(NpyRefusesCrafted, HeaderLongerThanFile) {
  ScratchDir dir;
  std::string bytes("\x93NUMPY\x01\x00\xff\x00{'descr'", 18);
  write_file(dir / "h.npy", bytes);
  expect_matrix_error(dir / "h.npy", {"truncated header", "255 bytes", "only 8 bytes follow"});
}

TEST(NpyRefusesCrafted, MalformedHeader) {
  ScratchDir dir;
  write_file(dir / "h.npy", npy_bytes("{'descr': '<f4', 'fortran_order': Maybe, 'shape': (1, 1), }", ""));
  expect_matrix_error(dir / "h.npy", {"malformed .npy header", "True or False"});
}

TEST(NpyRefusesCrafted, MissingShapeKey) {
  ScratchDir dir;
  write_file(dir / "h.npy", npy_bytes("{'descr': '<f4', 'fortran_order': False, }", ""));
  expect_matrix_error(dir / "h.npy", {"no 'shape' key"});
}

TEST(NpyRefusesCrafted, UnexpectedKey) {
  ScratchDir dir;
  write_file(dir / "h.npy", npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (0, 1), 'x': 1}", ""));
  expect_matrix_error(dir / "h.npy", {"unexpected key 'x'"});
}

TEST(NpyRefusesCrafted, OneDimensionalMatrix) {
  ScratchDir dir;
  write_file(dir / "h.npy", npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }",
                                      raw_bytes(std::vector<double>{1, 2})));
  expect_matrix_error(dir / "h.npy", {"expected a 2-D array", "1-D array of shape (2,)"});
}

TEST(NpyRefusesCrafted, ExtraTrailingData) {
  ScratchDir dir;
  write_file(dir / "h.npy", npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1), }",
                                      raw_bytes(std::vector<double>{1, 2})));
  expect_matrix_error(dir / "h.npy", {"header says 1 x 1 float64 (8 bytes) but the file holds 16 bytes of data"});
}

TEST(NpyRefusesCrafted, ShapeOverflow) {
  ScratchDir dir;
  write_file(dir / "h.npy",
             npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (9223372036854775807, 4), }", ""));
  expect_matrix_error(dir / "h.npy", {"overflows"});
}

TEST(NpyRefusesCrafted, InvalidCodePoint) {
  ScratchDir dir;
  write_file(dir / "h.npy", npy_bytes("{'descr': '<U1', 'fortran_order': False, 'shape': (2,), }",
                                      raw_bytes(std::vector<std::uint32_t>{0x41, 0xD800})));
  expect_strings_error(dir / "h.npy", {"element 1", "U+D800"});
}

TEST(NpyRefusesCrafted, TwoDimensionalStrings) {
  ScratchDir dir;
  write_file(dir / "h.npy", npy_bytes("{'descr': '|S1', 'fortran_order': False, 'shape': (1, 2), }", "ab"));
  expect_strings_error(dir / "h.npy", {"expected a 1-D array of strings", "2-D array of shape (1, 2)"});
}

// Found by tests/fuzz/fuzz_npy (regressions/fuzz_npy): strings of no width, or points of no
// dimensions, fit any count in no data, and the readers allocated for the count.
TEST(NpyRefusesCrafted, StringsOfNoWidth) {
  ScratchDir dir;
  write_file(dir / "u.npy", npy_bytes("{'descr': '<U0', 'fortran_order': False, 'shape': (1000000000000,), }", ""));
  expect_strings_error(dir / "u.npy", {"dtype '<U0' holds strings of no characters", "width of at least 1"});
  write_file(dir / "s.npy", npy_bytes("{'descr': '|S0', 'fortran_order': False, 'shape': (100000000,), }", ""));
  expect_strings_error(dir / "s.npy", {"dtype '|S0' holds strings of no characters"});
}

TEST(NpyRefusesCrafted, PointsOfNoDimensions) {
  ScratchDir dir;
  write_file(dir / "m.npy",
             npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1000000000000000000, 0), }", ""));
  expect_matrix_error(dir / "m.npy", {"shape (1000000000000000000, 0) has no columns", "at least one dimension"});
}

TEST(NpyReadsCrafted, PythonTwoLongShape) {
  ScratchDir dir;
  write_file(dir / "h.npy", npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (1L, 2L)}",
                                      raw_bytes(std::vector<double>{1, 2})));
  const NpyMatrix m = read_npy_matrix(dir / "h.npy");
  EXPECT_EQ(m.rows, 1);
  EXPECT_EQ(m.cols, 2);
}

}  // namespace
}  // namespace conceptlens::store
