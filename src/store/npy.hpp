#pragma once
// NumPy .npy files (format versions 1.0, 2.0, 3.0), as ConceptX writes them:
// `processed-point.npy` (2-D float32/float64, C order) and `processed-vocab.npy`
// (1-D unicode '<U' or bytes '|S' strings). Everything is validated before allocating:
// magic, version, header, dtype, order, shape against the file size.
#include <cstdint>
#include <filesystem>
#include <string>
#include <variant>
#include <vector>

namespace conceptlens::store {

/// A row-major [rows x cols] matrix in the precision it was stored with.
struct NpyMatrix {
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  std::variant<std::vector<float>, std::vector<double>> values;
};

/// Reads a 2-D little-endian float32 or float64 C-order array. Throws InputError naming the
/// file for: a bad magic or header, another dtype, Fortran order, not 2-D, no columns, a size
/// that does not match the header, or a NaN/Inf value (with its row and column).
NpyMatrix read_npy_matrix(const std::filesystem::path& path);

/// Reads a 1-D array of strings ('<U' UTF-32 or '|S' bytes, at least one character wide),
/// returned as UTF-8 without the trailing NUL padding. Throws InputError naming the file (object
/// arrays need pickle: refused).
std::vector<std::string> read_npy_strings(const std::filesystem::path& path);

/// Reads a 1-D little-endian int32 ('<i4') or int64 ('<i8') array (e.g. cluster labels).
/// Throws InputError naming the file.
std::vector<std::int64_t> read_npy_integers(const std::filesystem::path& path);

/// Writers (float64/float32 matrices, '<U' strings); used by tests and tools. Throw OutputError.
void write_npy_matrix(const std::filesystem::path& path, const double* values, std::int64_t rows,
                      std::int64_t cols);
void write_npy_matrix(const std::filesystem::path& path, const float* values, std::int64_t rows,
                      std::int64_t cols);
void write_npy_strings(const std::filesystem::path& path, const std::vector<std::string>& strings);

}  // namespace conceptlens::store
