#pragma once
// A small RAII layer over the HDF5 C API, in the spirit of HighFive, for the files conceptlens
// writes and reads serially (default file access: no MPI needed). Every HDF5 call is checked:
// a failure throws OutputError when writing and InputError when reading, with a message that
// starts with the file path and names the operation and the object. HDF5 identifiers are owned
// by move-only values that close them when destroyed. The HDF5 (and MPI) headers stay in
// hdf5.cpp: identifiers appear here as std::int64_t, which is hid_t in HDF5 1.10.
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

namespace conceptlens::store::h5 {

/// Owns one HDF5 identifier and closes it with the matching H5?close when destroyed.
class Handle {
 public:
  enum class Kind : std::uint8_t { file, group, dataset, dataspace, datatype, attribute, property_list, object };

  Handle() = default;
  /// Takes ownership of `id` (a negative id means "none" and is never closed).
  Handle(std::int64_t id, Kind kind) noexcept : id_(id), kind_(kind) {}
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  Handle(Handle&& other) noexcept : id_(other.id_), kind_(other.kind_) { other.id_ = -1; }
  Handle& operator=(Handle&& other) noexcept;
  ~Handle() { close(); }

  std::int64_t id() const noexcept { return id_; }
  bool valid() const noexcept { return id_ >= 0; }
  /// Closes the identifier now; false if HDF5 reported a failure. Idempotent.
  bool close() noexcept;

 private:
  std::int64_t id_ = -1;
  Kind kind_ = Kind::object;
};

/// The element types conceptlens stores in datasets (uint8: bytes, e.g. UTF-8 text).
enum class ElementType : std::uint8_t { uint8, int32, int64, float32, float64 };

template <typename T>
constexpr ElementType element_type_of() {
  if constexpr (std::is_same_v<T, std::uint8_t>) {
    return ElementType::uint8;
  } else if constexpr (std::is_same_v<T, std::int32_t>) {
    return ElementType::int32;
  } else if constexpr (std::is_same_v<T, std::int64_t>) {
    return ElementType::int64;
  } else if constexpr (std::is_same_v<T, float>) {
    return ElementType::float32;
  } else {
    static_assert(std::is_same_v<T, double>, "datasets hold uint8, int32, int64, float32 or float64");
    return ElementType::float64;
  }
}

/// Dimensions as error messages show them: "[20, 768]".
std::string shape_text(const std::vector<std::uint64_t>& dims);

/// A dataset read back: its values in row-major order and its dimensions.
template <typename T>
struct Array {
  std::vector<T> values;
  std::vector<std::uint64_t> dims;
};

/// What a dataset holds, found without reading its values.
struct DatasetInfo {
  std::vector<std::uint64_t> dims;
  std::string type;              ///< the stored element type as NumPy names it: "float16", "int32", "strings", ...
  bool floating = false;         ///< a floating-point type (of any width)
  std::size_t element_size = 0;  ///< bytes per stored element
};

/// An open HDF5 file. Object paths are absolute ("/labels/k600"); attributes live on an object
/// named by its path ("/" for the root group).
class File {
 public:
  /// Creates the file at `path`, truncating an existing one. OutputError on failure.
  static File create(const std::filesystem::path& path);
  /// Opens an existing file read-only. InputError if it is missing or not an HDF5 file.
  static File open_read_only(const std::filesystem::path& path);
  /// Opens an existing file (one this program created) for writing. OutputError on failure.
  static File open_read_write(const std::filesystem::path& path);

  File(File&&) noexcept = default;
  File& operator=(File&&) noexcept = default;
  ~File() = default;

  const std::filesystem::path& path() const { return path_; }

  /// Whether an object (group or dataset) exists at `object_path`; false for a path through a
  /// dataset. InputError if HDF5 fails.
  bool exists(const std::string& object_path) const;
  /// Member names of the group at `group_path`, sorted by name. InputError if it is missing or
  /// not a group.
  std::vector<std::string> list_group(const std::string& group_path) const;

  /// Creates a group, and any missing groups above it. OutputError on failure.
  void create_group(const std::string& group_path);

  /// Writes a new dataset (creating missing groups on its path) of little-endian values with
  /// the given dimensions, whose product must equal values.size(). OutputError on failure.
  template <typename T>
  void write_dataset(const std::string& dataset_path, std::span<const T> values,
                     const std::vector<std::uint64_t>& dims) {
    write_raw(dataset_path, element_type_of<T>(), values.data(), values.size(), dims);
  }
  template <typename T>
  void write_dataset(const std::string& dataset_path, const std::vector<T>& values,
                     const std::vector<std::uint64_t>& dims) {
    write_dataset(dataset_path, std::span<const T>(values), dims);
  }

  /// Writes a new dataset (creating missing groups on its path) stored as IEEE half precision,
  /// the layout h5py gives NumPy's float16; the float32 values are rounded to nearest even
  /// (util/half.hpp; values beyond float16's range become infinities). OutputError on failure.
  void write_float16_dataset(const std::string& dataset_path, std::span<const float> values,
                             const std::vector<std::uint64_t>& dims);

  /// Creates a 2-D or 3-D dataset of float32 (or, with `half`, IEEE half precision) values
  /// with its storage allocated at once and no values written: parallel writers fill it later.
  /// OutputError on failure.
  void reserve_float_dataset(const std::string& dataset_path, bool half, const std::vector<std::uint64_t>& dims);

  /// Writes a new 1-D dataset of variable-length UTF-8 strings (h5py's string_dtype()).
  void write_strings_dataset(const std::string& dataset_path, const std::vector<std::string>& values);

  /// Reads a 1-D dataset of variable-length strings. InputError naming the dataset otherwise.
  std::vector<std::string> read_strings_dataset(const std::string& dataset_path) const;

  /// Describes the dataset at `dataset_path`: InputError if it is missing, not a dataset, or
  /// (uncompressed) stores fewer bytes than its elements need: a dataset never written, or a
  /// damaged file, caught before anything is allocated for it. The readers below check the same.
  DatasetInfo describe_dataset(const std::string& dataset_path) const;

  /// Reads rows [first, first + count) of a 2-D dataset of floating-point values of any width
  /// (float16, float32, float64), converted to float32, into `out` (count x columns values,
  /// row-major). InputError naming the dataset if it is not 2-D floating point or the rows are
  /// out of range.
  void read_float_rows(const std::string& dataset_path, std::uint64_t first, std::uint64_t count,
                       std::span<float> out) const;

  /// Reads a whole dataset. The stored element type must be T's kind and width (any byte
  /// order): InputError naming the dataset, what it holds and what was expected otherwise.
  template <typename T>
  Array<T> read_dataset(const std::string& dataset_path) const {
    Array<T> array;
    const std::uint64_t count = inspect_dataset(dataset_path, element_type_of<T>(), array.dims);
    array.values.resize(count);
    read_raw(dataset_path, element_type_of<T>(), array.values.data(), count);
    return array;
  }

  /// Scalar attributes on the object at `object_path`; an existing attribute is replaced.
  /// Strings are stored as variable-length UTF-8 (h5py reads them as str). OutputError on failure.
  void write_string_attribute(const std::string& object_path, const std::string& name, const std::string& value);
  void write_int_attribute(const std::string& object_path, const std::string& name, std::int64_t value);
  void write_double_attribute(const std::string& object_path, const std::string& name, double value);

  bool has_attribute(const std::string& object_path, const std::string& name) const;
  /// Readers of single-valued attributes: InputError if it is missing or of another kind
  /// (strings may be fixed or variable length; integers and floats of any width).
  std::string read_string_attribute(const std::string& object_path, const std::string& name) const;
  std::int64_t read_int_attribute(const std::string& object_path, const std::string& name) const;
  double read_double_attribute(const std::string& object_path, const std::string& name) const;

  /// Flushes and closes the file, reporting failures (OutputError for a file being written);
  /// the destructor closes silently. Nothing may be called after close().
  void close();

 private:
  File(Handle handle, std::filesystem::path path, bool writable);

  void write_raw(const std::string& dataset_path, ElementType type, const void* values, std::size_t count,
                 const std::vector<std::uint64_t>& dims);
  /// Creates the dataset with the HDF5 file type `stored` (storage allocated at once with
  /// `allocate_now`) and returns it open.
  Handle create_dataset(const std::string& dataset_path, std::int64_t stored, const std::vector<std::uint64_t>& dims,
                        bool allocate_now);
  /// Creates the dataset with the HDF5 file type `stored` and writes values given in `memory`.
  void write_typed(const std::string& dataset_path, std::int64_t stored, std::int64_t memory, const void* values,
                   std::size_t count, const std::vector<std::uint64_t>& dims);
  /// Checks the dataset's element type, fills `dims`, returns the number of elements.
  std::uint64_t inspect_dataset(const std::string& dataset_path, ElementType type,
                                std::vector<std::uint64_t>& dims) const;
  void read_raw(const std::string& dataset_path, ElementType type, void* values, std::size_t count) const;

  Handle file_;
  std::filesystem::path path_;
  bool writable_ = false;
};

}  // namespace conceptlens::store::h5
