#include "extract/parallel_output.hpp"

#include <hdf5.h>

#include <utility>
#include <vector>

#include "util/error.hpp"
#include "util/half.hpp"

namespace conceptlens::mpi {
namespace {

using store::h5::Handle;

[[noreturn]] void fail(const std::filesystem::path& path, const std::string& what) {
  throw OutputError(path.string() + ": cannot " + what + " (parallel HDF5)");
}

Handle own(std::int64_t id, Handle::Kind kind, const std::filesystem::path& path, const std::string& what) {
  if (id < 0) fail(path, what);
  return Handle(id, kind);
}

void check(herr_t status, const std::filesystem::path& path, const std::string& what) {
  if (status < 0) fail(path, what);
}

}  // namespace

ParallelOutput::ParallelOutput(MPI_Comm comm, std::filesystem::path path) : path_(std::move(path)) {
  const Handle fapl = own(H5Pcreate(H5P_FILE_ACCESS), Handle::Kind::property_list, path_, "create a property list");
  check(H5Pset_fapl_mpio(fapl.id(), comm, MPI_INFO_NULL), path_, "set MPI-IO file access");
  file_ = own(H5Fopen(path_.c_str(), H5F_ACC_RDWR, fapl.id()), Handle::Kind::file, path_, "open the file for writing");
}

std::int64_t ParallelOutput::dataset(const std::string& name) {
  auto found = datasets_.find(name);
  if (found == datasets_.end()) {
    found = datasets_
                .emplace(name, own(H5Dopen2(file_.id(), name.c_str(), H5P_DEFAULT), Handle::Kind::dataset, path_,
                                   "open dataset '" + name + "'"))
                .first;
  }
  return found->second.id();
}

void ParallelOutput::write_rows(const std::string& name, std::span<const RowSpan> spans, std::int64_t columns,
                                std::span<const float> values) {
  const std::int64_t id = dataset(name);
  const std::string what = "write rows of dataset '" + name + "'";
  const Handle file_space = own(H5Dget_space(id), Handle::Kind::dataspace, path_, what);
  std::int64_t rows = 0;
  if (spans.empty()) {
    check(H5Sselect_none(file_space.id()), path_, what);
  } else {
    for (std::size_t k = 0; k < spans.size(); ++k) {
      const hsize_t start[2] = {static_cast<hsize_t>(spans[k].first), 0};
      const hsize_t count[2] = {static_cast<hsize_t>(spans[k].last - spans[k].first), static_cast<hsize_t>(columns)};
      check(H5Sselect_hyperslab(file_space.id(), k == 0 ? H5S_SELECT_SET : H5S_SELECT_OR, start, nullptr, count,
                                nullptr),
            path_, what);
      rows += spans[k].last - spans[k].first;
    }
  }
  CONCEPTLENS_CHECK(static_cast<std::int64_t>(values.size()) == rows * columns);
  const hsize_t elements = std::max<hsize_t>(1, static_cast<hsize_t>(values.size()));
  const Handle memory_space = own(H5Screate_simple(1, &elements, nullptr), Handle::Kind::dataspace, path_, what);
  if (values.empty()) check(H5Sselect_none(memory_space.id()), path_, what);
  const Handle transfer = own(H5Pcreate(H5P_DATASET_XFER), Handle::Kind::property_list, path_, what);
  check(H5Pset_dxpl_mpio(transfer.id(), H5FD_MPIO_COLLECTIVE), path_, what);
  write(id, memory_space.id(), file_space.id(), transfer.id(), values, what);
}

void ParallelOutput::write(std::int64_t id, std::int64_t memory_space, std::int64_t file_space,
                           std::int64_t transfer, std::span<const float> values, const std::string& what) {
  const Handle stored = own(H5Dget_type(id), Handle::Kind::datatype, path_, what);
  const float dummy = 0;
  const void* data = values.empty() ? static_cast<const void*>(&dummy) : values.data();
  hid_t memory_type = H5T_NATIVE_FLOAT;
  std::vector<std::uint16_t> bits;
  if (H5Tget_size(stored.id()) == 2) {  // float16: our rounding, HDF5's is wrong (util/half.hpp)
    bits = to_half_bits(values);
    data = bits.empty() ? static_cast<const void*>(&dummy) : bits.data();
    memory_type = stored.id();
  }
  check(H5Dwrite(id, memory_type, memory_space, file_space, transfer, data), path_, what);
}

void ParallelOutput::write_whole(const std::string& name, std::span<const float> values) {
  const std::int64_t id = dataset(name);
  if (values.empty()) return;
  const Handle transfer = own(H5Pcreate(H5P_DATASET_XFER), Handle::Kind::property_list, path_, "write");
  check(H5Pset_dxpl_mpio(transfer.id(), H5FD_MPIO_INDEPENDENT), path_, "write dataset '" + name + "'");
  write(id, H5S_ALL, H5S_ALL, transfer.id(), values, "write dataset '" + name + "'");
}

void ParallelOutput::close() {
  for (auto& [name, handle] : datasets_) {
    if (!handle.close()) fail(path_, "close dataset '" + name + "'");
  }
  datasets_.clear();
  if (!file_.close()) fail(path_, "close the file");
}

}  // namespace conceptlens::mpi
