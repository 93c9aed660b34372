#pragma once
// The ranks' side of writing extraction's one output file: the file is created serially with
// its datasets' storage reserved (app/extract_command), then every rank opens it with MPI-IO
// and writes its own rows — collectively for ACT.h5's layers, independently for NeuroX's
// per-sentence datasets. float16 values are rounded here (util/half.hpp), not by HDF5.
#include <mpi.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <string>

#include "store/hdf5.hpp"

namespace conceptlens::mpi {

/// Rows [first, last) of a 2-D dataset.
struct RowSpan {
  std::int64_t first = 0;
  std::int64_t last = 0;
};

class ParallelOutput {
 public:
  /// Collective: opens `path` for writing on every rank of `comm`. OutputError naming the file.
  ParallelOutput(MPI_Comm comm, std::filesystem::path path);
  ParallelOutput(const ParallelOutput&) = delete;
  ParallelOutput& operator=(const ParallelOutput&) = delete;
  ~ParallelOutput() = default;

  /// Collective: each rank writes the rows `spans` (ascending, disjoint; may be none) of the
  /// 2-D float dataset `dataset` from `values` (those rows in order, `columns` values each).
  void write_rows(const std::string& dataset, std::span<const RowSpan> spans, std::int64_t columns,
                  std::span<const float> values);
  /// Independent: writes the whole dataset `dataset` from `values` (row-major, every element).
  void write_whole(const std::string& dataset, std::span<const float> values);
  /// Collective: closes the file, reporting failures (OutputError).
  void close();

 private:
  std::int64_t dataset(const std::string& name);
  /// H5Dwrite of float32 `values`, converted here when the dataset stores float16.
  void write(std::int64_t id, std::int64_t memory_space, std::int64_t file_space, std::int64_t transfer,
             std::span<const float> values, const std::string& what);

  std::filesystem::path path_;
  store::h5::Handle file_;
  std::map<std::string, store::h5::Handle> datasets_;
};

}  // namespace conceptlens::mpi
