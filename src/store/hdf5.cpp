#include "store/hdf5.hpp"

#include <hdf5.h>

#include <mutex>
#include <type_traits>
#include <utility>

#include "util/error.hpp"
#include "util/half.hpp"

namespace conceptlens::store::h5 {

std::string shape_text(const std::vector<std::uint64_t>& dims) {
  std::string out = "[";
  for (std::size_t i = 0; i < dims.size(); ++i) out += (i > 0 ? ", " : "") + std::to_string(dims[i]);
  return out + "]";
}

namespace {

static_assert(std::is_same_v<hid_t, std::int64_t>, "hdf5.hpp stores hid_t as std::int64_t (HDF5 >= 1.10)");
static_assert(std::is_same_v<hsize_t, std::uint64_t> || sizeof(hsize_t) == sizeof(std::uint64_t));

/// Initializes the library once and turns off its printing of error stacks to stderr: every
/// failure is reported through an exception instead.
void initialize() {
  static std::once_flag once;
  std::call_once(once, [] {
    H5open();
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  });
}

/// The most specific message on HDF5's error stack (empty if none); clears the stack.
std::string hdf5_reason() {
  std::string reason;
  H5Ewalk2(
      H5E_DEFAULT, H5E_WALK_UPWARD,
      [](unsigned n, const H5E_error2_t* error, void* data) -> herr_t {
        if (n == 0 && error->desc != nullptr) *static_cast<std::string*>(data) = error->desc;
        return 0;
      },
      &reason);
  H5Eclear2(H5E_DEFAULT);
  return reason;
}

/// Reports failures of one file: OutputError while writing, InputError while reading.
struct Context {
  const std::filesystem::path& file;
  bool writing;

  /// Throws the error "<file>: <what>" (`what` says what was expected and what was found).
  [[noreturn]] void error(const std::string& what) const {
    const std::string message = file.string() + ": " + what;
    if (writing) throw OutputError(message);
    throw InputError(message);
  }

  /// Throws "<file>: cannot <operation> (HDF5: <reason>)" after a failed HDF5 call.
  [[noreturn]] void failed(const std::string& operation) const {
    const std::string reason = hdf5_reason();
    error("cannot " + operation + (reason.empty() ? "" : " (HDF5: " + reason + ")"));
  }

  Handle own(hid_t id, Handle::Kind kind, const std::string& operation) const {
    if (id < 0) failed(operation);
    return Handle(id, kind);
  }

  void check(herr_t status, const std::string& operation) const {
    if (status < 0) failed(operation);
  }

  bool check_tri(htri_t answer, const std::string& operation) const {
    if (answer < 0) failed(operation);
    return answer > 0;
  }
};

std::string quoted(const std::string& name) { return "'" + name + "'"; }

hid_t memory_type(ElementType type) {
  switch (type) {
    case ElementType::uint8: return H5T_NATIVE_UINT8;
    case ElementType::int32: return H5T_NATIVE_INT32;
    case ElementType::int64: return H5T_NATIVE_INT64;
    case ElementType::float32: return H5T_NATIVE_FLOAT;
    case ElementType::float64: return H5T_NATIVE_DOUBLE;
  }
  CONCEPTLENS_CHECK(false);
}

hid_t file_type(ElementType type) {
  switch (type) {
    case ElementType::uint8: return H5T_STD_U8LE;
    case ElementType::int32: return H5T_STD_I32LE;
    case ElementType::int64: return H5T_STD_I64LE;
    case ElementType::float32: return H5T_IEEE_F32LE;
    case ElementType::float64: return H5T_IEEE_F64LE;
  }
  CONCEPTLENS_CHECK(false);
}

const char* type_name(ElementType type) {
  switch (type) {
    case ElementType::uint8: return "uint8";
    case ElementType::int32: return "int32";
    case ElementType::int64: return "int64";
    case ElementType::float32: return "float32";
    case ElementType::float64: return "float64";
  }
  CONCEPTLENS_CHECK(false);
}

/// Describes a stored datatype the way NumPy would name it ("int64", "float32", "strings").
std::string describe_type(hid_t type) {
  const std::string bits = std::to_string(H5Tget_size(type) * 8);
  switch (H5Tget_class(type)) {
    case H5T_INTEGER: return (H5Tget_sign(type) == H5T_SGN_NONE ? "uint" : "int") + bits;
    case H5T_FLOAT: return "float" + bits;
    case H5T_STRING: return "strings";
    case H5T_COMPOUND: return "compound records";
    case H5T_ENUM: return "enum values";
    case H5T_ARRAY: return "array elements";
    case H5T_VLEN: return "variable-length sequences";
    default: return "values of an unsupported class";
  }
}

/// Whether a stored datatype has the kind, width and signedness of `type` (any byte order).
bool same_kind(hid_t stored, ElementType type) {
  const std::size_t size = H5Tget_size(stored);
  switch (H5Tget_class(stored)) {
    case H5T_INTEGER:
      if (type == ElementType::uint8) return H5Tget_sign(stored) == H5T_SGN_NONE && size == 1;
      if (H5Tget_sign(stored) != H5T_SGN_2) return false;
      return (type == ElementType::int32 && size == 4) || (type == ElementType::int64 && size == 8);
    case H5T_FLOAT:
      return (type == ElementType::float32 && size == 4) || (type == ElementType::float64 && size == 8);
    default:
      return false;
  }
}

void check_absolute(const std::string& object_path) {
  CONCEPTLENS_CHECK(!object_path.empty() && object_path.front() == '/');
  CONCEPTLENS_CHECK(object_path.size() == 1 || object_path.back() != '/');
}

/// HDF5's kind of the object at an existing path (H5I_GROUP, H5I_DATASET, ...).
H5I_type_t object_kind(hid_t file, const std::string& object_path, const Context& context) {
  const Handle object = context.own(H5Oopen(file, object_path.c_str(), H5P_DEFAULT), Handle::Kind::object,
                                     "open " + quoted(object_path));
  return H5Iget_type(object.id());
}

/// A link creation property list that creates missing intermediate groups.
Handle intermediate_groups_lcpl(const Context& context) {
  Handle lcpl = context.own(H5Pcreate(H5P_LINK_CREATE), Handle::Kind::property_list,
                            "create a link creation property list");
  context.check(H5Pset_create_intermediate_group(lcpl.id(), 1), "set intermediate group creation");
  return lcpl;
}

/// IEEE 754 half precision, little-endian, laid out as h5py stores NumPy's float16: sign bit
/// 15, exponent bits 10-14 (bias 15), mantissa bits 0-9.
Handle float16_type(const Context& context) {
  Handle type = context.own(H5Tcopy(H5T_IEEE_F32LE), Handle::Kind::datatype, "copy the float32 type");
  context.check(H5Tset_fields(type.id(), 15, 10, 5, 0, 10), "set the fields of the float16 type");
  context.check(H5Tset_size(type.id(), 2), "set the size of the float16 type");
  context.check(H5Tset_ebias(type.id(), 15), "set the exponent bias of the float16 type");
  return type;
}

/// Variable-length UTF-8 strings, as h5py's string_dtype() stores str.
Handle variable_utf8_string_type(const Context& context) {
  Handle type = context.own(H5Tcopy(H5T_C_S1), Handle::Kind::datatype, "copy the string type");
  context.check(H5Tset_size(type.id(), H5T_VARIABLE), "make a variable-length string type");
  context.check(H5Tset_cset(type.id(), H5T_CSET_UTF8), "set the UTF-8 character set");
  return type;
}

/// The dimensions of a dataspace.
std::vector<std::uint64_t> extent_of(hid_t space, const std::string& name, const Context& context) {
  const int rank = H5Sget_simple_extent_ndims(space);
  if (rank < 0) context.failed("get the rank of " + name);
  std::vector<hsize_t> extent(static_cast<std::size_t>(rank));
  if (rank > 0 && H5Sget_simple_extent_dims(space, extent.data(), nullptr) < 0) {
    context.failed("get the dimensions of " + name);
  }
  return {extent.begin(), extent.end()};
}

/// A dataset's extent costs a few bytes to declare; its values must be in the file. Refuses a
/// dataset whose storage holds fewer bytes than its elements need (never written: read back as
/// fill values; or a damaged file), before anything is allocated for it. Compressed (filtered),
/// virtual and external datasets are stored otherwise and not checked.
void check_stored(hid_t dataset, hid_t stored_type, hid_t space, const std::string& name, const Context& context) {
  const Handle creation = context.own(H5Dget_create_plist(dataset), Handle::Kind::property_list,
                                      "get the creation properties of " + name);
  const int filters = H5Pget_nfilters(creation.id());
  const int external = H5Pget_external_count(creation.id());
  if (filters != 0 || external != 0 || H5Pget_layout(creation.id()) == H5D_VIRTUAL) return;
  const hssize_t points = H5Sget_simple_extent_npoints(space);
  if (points < 0) context.failed("count the elements of " + name);
  const std::size_t element = H5Tget_size(stored_type);
  std::uint64_t needed = 0;
  const bool overflows = __builtin_mul_overflow(static_cast<std::uint64_t>(points), element, &needed);
  const std::uint64_t stored = H5Dget_storage_size(dataset);
  if (overflows || stored < needed) {
    context.error(name + " has " + std::to_string(points) + " elements of " + std::to_string(element) +
                  " bytes, but the file stores " + std::to_string(stored) +
                  " bytes of them: a dataset that was never written, or a damaged file");
  }
}

herr_t collect_name(hid_t, const char* name, const H5L_info_t*, void* names) {
  static_cast<std::vector<std::string>*>(names)->emplace_back(name);
  return 0;
}

}  // namespace

Handle& Handle::operator=(Handle&& other) noexcept {
  if (this != &other) {
    close();
    id_ = std::exchange(other.id_, -1);
    kind_ = other.kind_;
  }
  return *this;
}

bool Handle::close() noexcept {
  if (id_ < 0) return true;
  const hid_t id = std::exchange(id_, -1);
  herr_t status = -1;
  switch (kind_) {
    case Kind::file: status = H5Fclose(id); break;
    case Kind::group: status = H5Gclose(id); break;
    case Kind::dataset: status = H5Dclose(id); break;
    case Kind::dataspace: status = H5Sclose(id); break;
    case Kind::datatype: status = H5Tclose(id); break;
    case Kind::attribute: status = H5Aclose(id); break;
    case Kind::property_list: status = H5Pclose(id); break;
    case Kind::object: status = H5Oclose(id); break;
  }
  return status >= 0;
}

File::File(Handle handle, std::filesystem::path path, bool writable)
    : file_(std::move(handle)), path_(std::move(path)), writable_(writable) {}

File File::create(const std::filesystem::path& path) {
  initialize();
  const Context context{path, true};
  Handle file = context.own(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), Handle::Kind::file,
                            "create the HDF5 file");
  return File(std::move(file), path, true);
}

File File::open_read_only(const std::filesystem::path& path) {
  initialize();
  const Context context{path, false};
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (!std::filesystem::exists(status)) context.error("file does not exist");
  if (std::filesystem::is_directory(status)) context.error("is a directory: expected an HDF5 file");
  if (!context.check_tri(H5Fis_hdf5(path.c_str()), "check whether the file is HDF5")) {
    context.error("not an HDF5 file (no HDF5 signature found)");
  }
  Handle file = context.own(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), Handle::Kind::file,
                            "open the HDF5 file read-only");
  return File(std::move(file), path, false);
}

File File::open_read_write(const std::filesystem::path& path) {
  initialize();
  const Context context{path, true};
  Handle file = context.own(H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), Handle::Kind::file,
                            "open the HDF5 file for writing");
  return File(std::move(file), path, true);
}

bool File::exists(const std::string& object_path) const {
  check_absolute(object_path);
  const Context context{path_, false};
  if (object_path == "/") return true;
  std::size_t start = 1;
  while (true) {
    const std::size_t slash = object_path.find('/', start);
    const std::string prefix = object_path.substr(0, slash);
    const std::string operation = "check whether " + quoted(prefix) + " exists";
    if (!context.check_tri(H5Lexists(file_.id(), prefix.c_str(), H5P_DEFAULT), operation)) return false;
    if (!context.check_tri(H5Oexists_by_name(file_.id(), prefix.c_str(), H5P_DEFAULT), operation)) return false;
    if (slash == std::string::npos) return true;
    if (object_kind(file_.id(), prefix, context) != H5I_GROUP) return false;
    start = slash + 1;
  }
}

std::vector<std::string> File::list_group(const std::string& group_path) const {
  const Context context{path_, false};
  if (!exists(group_path)) context.error("missing group " + quoted(group_path));
  if (object_kind(file_.id(), group_path, context) != H5I_GROUP) {
    context.error(quoted(group_path) + " is not a group: expected a group");
  }
  const Handle group = context.own(H5Gopen2(file_.id(), group_path.c_str(), H5P_DEFAULT), Handle::Kind::group,
                                   "open group " + quoted(group_path));
  std::vector<std::string> names;
  context.check(H5Literate(group.id(), H5_INDEX_NAME, H5_ITER_INC, nullptr, collect_name, &names),
                "list the members of group " + quoted(group_path));
  return names;
}

void File::create_group(const std::string& group_path) {
  check_absolute(group_path);
  CONCEPTLENS_CHECK(writable_);
  const Context context{path_, true};
  if (group_path == "/") return;
  const Handle lcpl = intermediate_groups_lcpl(context);
  context.own(H5Gcreate2(file_.id(), group_path.c_str(), lcpl.id(), H5P_DEFAULT, H5P_DEFAULT), Handle::Kind::group,
              "create group " + quoted(group_path));
}

void File::write_raw(const std::string& dataset_path, ElementType type, const void* values, std::size_t count,
                     const std::vector<std::uint64_t>& dims) {
  write_typed(dataset_path, file_type(type), memory_type(type), values, count, dims);
}

void File::write_float16_dataset(const std::string& dataset_path, std::span<const float> values,
                                 const std::vector<std::uint64_t>& dims) {
  CONCEPTLENS_CHECK(writable_);
  const Handle half = float16_type(Context{path_, true});
  const std::vector<std::uint16_t> bits = to_half_bits(values);
  write_typed(dataset_path, half.id(), half.id(), bits.data(), bits.size(), dims);
}

Handle File::create_dataset(const std::string& dataset_path, std::int64_t stored,
                           const std::vector<std::uint64_t>& dims, bool allocate_now) {
  check_absolute(dataset_path);
  CONCEPTLENS_CHECK(writable_);
  CONCEPTLENS_CHECK(!dims.empty());
  const Context context{path_, true};
  const std::string name = "dataset " + quoted(dataset_path);
  const std::vector<hsize_t> extent(dims.begin(), dims.end());
  const Handle space = context.own(H5Screate_simple(static_cast<int>(extent.size()), extent.data(), nullptr),
                                   Handle::Kind::dataspace, "create the dataspace of " + name);
  const Handle lcpl = intermediate_groups_lcpl(context);
  const Handle dcpl = context.own(H5Pcreate(H5P_DATASET_CREATE), Handle::Kind::property_list,
                                  "create a dataset creation property list");
  // no modification times: the same contents give the same bytes, whenever they are written
  context.check(H5Pset_obj_track_times(dcpl.id(), 0), "turn off the modification time of " + name);
  if (allocate_now) {
    context.check(H5Pset_alloc_time(dcpl.id(), H5D_ALLOC_TIME_EARLY), "set the allocation time of " + name);
    context.check(H5Pset_fill_time(dcpl.id(), H5D_FILL_TIME_NEVER), "set the fill time of " + name);
  }
  return context.own(H5Dcreate2(file_.id(), dataset_path.c_str(), stored, space.id(), lcpl.id(), dcpl.id(), H5P_DEFAULT),
                     Handle::Kind::dataset, "create " + name);
}

void File::write_typed(const std::string& dataset_path, std::int64_t stored, std::int64_t memory, const void* values,
                       std::size_t count, const std::vector<std::uint64_t>& dims) {
  std::uint64_t product = 1;
  for (std::uint64_t dim : dims) product *= dim;
  CONCEPTLENS_CHECK(product == count);
  CONCEPTLENS_CHECK(count == 0 || values != nullptr);
  const Context context{path_, true};
  const std::string name = "dataset " + quoted(dataset_path);
  Handle dataset = create_dataset(dataset_path, stored, dims, false);
  if (count > 0) {
    context.check(H5Dwrite(dataset.id(), memory, H5S_ALL, H5S_ALL, H5P_DEFAULT, values), "write " + name);
  }
  if (!dataset.close()) context.failed("close " + name);
}

void File::reserve_float_dataset(const std::string& dataset_path, bool half, const std::vector<std::uint64_t>& dims) {
  const Context context{path_, true};
  const Handle half_type = half ? float16_type(context) : Handle();
  Handle dataset = create_dataset(dataset_path, half ? half_type.id() : H5T_IEEE_F32LE, dims, true);
  if (!dataset.close()) context.failed("close dataset " + quoted(dataset_path));
}

void File::write_strings_dataset(const std::string& dataset_path, const std::vector<std::string>& values) {
  const Context context{path_, true};
  const Handle type = variable_utf8_string_type(context);
  std::vector<const char*> pointers;
  pointers.reserve(values.size());
  for (const std::string& value : values) pointers.push_back(value.c_str());
  Handle dataset = create_dataset(dataset_path, type.id(), {values.size()}, false);
  if (!values.empty()) {
    context.check(H5Dwrite(dataset.id(), type.id(), H5S_ALL, H5S_ALL, H5P_DEFAULT, pointers.data()),
                  "write dataset " + quoted(dataset_path));
  }
  if (!dataset.close()) context.failed("close dataset " + quoted(dataset_path));
}

std::uint64_t File::inspect_dataset(const std::string& dataset_path, ElementType type,
                                    std::vector<std::uint64_t>& dims) const {
  const Context context{path_, false};
  const std::string name = "dataset " + quoted(dataset_path);
  if (!exists(dataset_path)) context.error("missing " + name);
  if (object_kind(file_.id(), dataset_path, context) != H5I_DATASET) {
    context.error(quoted(dataset_path) + " is not a dataset: expected a dataset of " + type_name(type));
  }
  const Handle dataset = context.own(H5Dopen2(file_.id(), dataset_path.c_str(), H5P_DEFAULT), Handle::Kind::dataset,
                                     "open " + name);
  const Handle stored = context.own(H5Dget_type(dataset.id()), Handle::Kind::datatype, "get the type of " + name);
  if (!same_kind(stored.id(), type)) {
    context.error(name + " holds " + describe_type(stored.id()) + " values: expected " + type_name(type));
  }
  const Handle space = context.own(H5Dget_space(dataset.id()), Handle::Kind::dataspace,
                                   "get the dataspace of " + name);
  dims = extent_of(space.id(), name, context);
  check_stored(dataset.id(), stored.id(), space.id(), name, context);
  const hssize_t points = H5Sget_simple_extent_npoints(space.id());
  if (points < 0) context.failed("count the elements of " + name);
  return static_cast<std::uint64_t>(points);
}

DatasetInfo File::describe_dataset(const std::string& dataset_path) const {
  const Context context{path_, false};
  const std::string name = "dataset " + quoted(dataset_path);
  if (!exists(dataset_path)) context.error("missing " + name);
  if (object_kind(file_.id(), dataset_path, context) != H5I_DATASET) {
    context.error(quoted(dataset_path) + " is not a dataset: expected a dataset");
  }
  const Handle dataset = context.own(H5Dopen2(file_.id(), dataset_path.c_str(), H5P_DEFAULT), Handle::Kind::dataset,
                                     "open " + name);
  const Handle stored = context.own(H5Dget_type(dataset.id()), Handle::Kind::datatype, "get the type of " + name);
  const Handle space = context.own(H5Dget_space(dataset.id()), Handle::Kind::dataspace,
                                   "get the dataspace of " + name);
  DatasetInfo info;
  info.dims = extent_of(space.id(), name, context);
  check_stored(dataset.id(), stored.id(), space.id(), name, context);
  info.type = describe_type(stored.id());
  info.floating = H5Tget_class(stored.id()) == H5T_FLOAT;
  info.element_size = H5Tget_size(stored.id());
  return info;
}

void File::read_float_rows(const std::string& dataset_path, std::uint64_t first, std::uint64_t count,
                           std::span<float> out) const {
  const Context context{path_, false};
  const std::string name = "dataset " + quoted(dataset_path);
  const DatasetInfo info = describe_dataset(dataset_path);
  if (!info.floating) context.error(name + " holds " + info.type + " values: expected floating-point values");
  if (info.dims.size() != 2) {
    context.error(name + " has shape " + shape_text(info.dims) + ": expected 2 dimensions [rows, columns]");
  }
  if (first > info.dims[0] || count > info.dims[0] - first) {
    context.error("rows [" + std::to_string(first) + ", " + std::to_string(first + count) + ") of " + name +
                  " are out of range: it has " + std::to_string(info.dims[0]) + " rows");
  }
  CONCEPTLENS_CHECK(out.size() == count * info.dims[1]);
  if (out.empty()) return;
  const Handle dataset = context.own(H5Dopen2(file_.id(), dataset_path.c_str(), H5P_DEFAULT), Handle::Kind::dataset,
                                     "open " + name);
  const Handle file_space = context.own(H5Dget_space(dataset.id()), Handle::Kind::dataspace,
                                        "get the dataspace of " + name);
  const std::string rows = "rows [" + std::to_string(first) + ", " + std::to_string(first + count) + ") of " + name;
  const hsize_t start[2] = {first, 0};
  const hsize_t extent[2] = {count, info.dims[1]};
  context.check(H5Sselect_hyperslab(file_space.id(), H5S_SELECT_SET, start, nullptr, extent, nullptr),
                "select " + rows);
  const Handle memory_space = context.own(H5Screate_simple(2, extent, nullptr), Handle::Kind::dataspace,
                                          "create the memory dataspace for " + rows);
  context.check(H5Dread(dataset.id(), H5T_NATIVE_FLOAT, memory_space.id(), file_space.id(), H5P_DEFAULT, out.data()),
                "read " + rows);
}

void File::read_raw(const std::string& dataset_path, ElementType type, void* values, std::size_t count) const {
  if (count == 0) return;
  const Context context{path_, false};
  const std::string name = "dataset " + quoted(dataset_path);
  const Handle dataset = context.own(H5Dopen2(file_.id(), dataset_path.c_str(), H5P_DEFAULT), Handle::Kind::dataset,
                                     "open " + name);
  context.check(H5Dread(dataset.id(), memory_type(type), H5S_ALL, H5S_ALL, H5P_DEFAULT, values), "read " + name);
}

std::vector<std::string> File::read_strings_dataset(const std::string& dataset_path) const {
  const Context context{path_, false};
  const std::string name = "dataset " + quoted(dataset_path);
  if (!exists(dataset_path)) context.error("missing " + name);
  const Handle dataset = context.own(H5Dopen2(file_.id(), dataset_path.c_str(), H5P_DEFAULT), Handle::Kind::dataset,
                                     "open " + name);
  const Handle stored = context.own(H5Dget_type(dataset.id()), Handle::Kind::datatype, "get the type of " + name);
  const Handle space = context.own(H5Dget_space(dataset.id()), Handle::Kind::dataspace, "get the shape of " + name);
  const std::vector<std::uint64_t> dims = extent_of(space.id(), name, context);
  if (H5Tget_class(stored.id()) != H5T_STRING || H5Tis_variable_str(stored.id()) <= 0 || dims.size() != 1) {
    context.error(name + " holds " + describe_type(stored.id()) + " of shape " + shape_text(dims) +
                  ": expected variable-length strings [n]");
  }
  check_stored(dataset.id(), stored.id(), space.id(), name, context);
  std::vector<char*> pointers(dims[0], nullptr);
  const Handle memory = variable_utf8_string_type(context);
  std::vector<std::string> values;
  if (pointers.empty()) return values;
  context.check(H5Dread(dataset.id(), memory.id(), H5S_ALL, H5S_ALL, H5P_DEFAULT, pointers.data()), "read " + name);
  for (const char* text : pointers) values.emplace_back(text == nullptr ? "" : text);
  H5Dvlen_reclaim(memory.id(), space.id(), H5P_DEFAULT, pointers.data());
  return values;
}

namespace {

/// Creates (replacing) a scalar attribute and writes `value` given in `memory` type.
void write_attribute(hid_t file, const Context& context, const std::string& object_path, const std::string& name,
                     hid_t stored, hid_t memory, const void* value) {
  check_absolute(object_path);
  const std::string attribute = "attribute " + quoted(name) + " on " + quoted(object_path);
  const Handle object = context.own(H5Oopen(file, object_path.c_str(), H5P_DEFAULT), Handle::Kind::object,
                                    "open " + quoted(object_path) + " to write " + attribute);
  if (context.check_tri(H5Aexists(object.id(), name.c_str()), "check for " + attribute)) {
    context.check(H5Adelete(object.id(), name.c_str()), "replace " + attribute);
  }
  const Handle space = context.own(H5Screate(H5S_SCALAR), Handle::Kind::dataspace, "create a scalar dataspace");
  const Handle handle = context.own(H5Acreate2(object.id(), name.c_str(), stored, space.id(), H5P_DEFAULT, H5P_DEFAULT),
                                    Handle::Kind::attribute, "create " + attribute);
  context.check(H5Awrite(handle.id(), memory, value), "write " + attribute);
}

/// An open single-valued attribute and its stored type.
struct OpenAttribute {
  Handle attribute;
  Handle type;
  std::string description;  ///< "attribute 'n' on '/'"
};

OpenAttribute open_attribute(const File& file, hid_t file_id, const Context& context, const std::string& object_path,
                             const std::string& name) {
  OpenAttribute open;
  open.description = "attribute " + quoted(name) + " on " + quoted(object_path);
  if (!file.has_attribute(object_path, name)) context.error("missing " + open.description);
  open.attribute = context.own(H5Aopen_by_name(file_id, object_path.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT),
                               Handle::Kind::attribute, "open " + open.description);
  const Handle space = context.own(H5Aget_space(open.attribute.id()), Handle::Kind::dataspace,
                                   "get the dataspace of " + open.description);
  const hssize_t points = H5Sget_simple_extent_npoints(space.id());
  if (points != 1) {
    context.error(open.description + " holds " + std::to_string(points) + " values: expected a single value");
  }
  open.type = context.own(H5Aget_type(open.attribute.id()), Handle::Kind::datatype,
                          "get the type of " + open.description);
  return open;
}

}  // namespace

void File::write_string_attribute(const std::string& object_path, const std::string& name, const std::string& value) {
  CONCEPTLENS_CHECK(writable_);
  const Context context{path_, true};
  const Handle type = variable_utf8_string_type(context);
  const char* text = value.c_str();
  write_attribute(file_.id(), context, object_path, name, type.id(), type.id(), &text);
}

void File::write_int_attribute(const std::string& object_path, const std::string& name, std::int64_t value) {
  CONCEPTLENS_CHECK(writable_);
  write_attribute(file_.id(), Context{path_, true}, object_path, name, H5T_STD_I64LE, H5T_NATIVE_INT64, &value);
}

void File::write_double_attribute(const std::string& object_path, const std::string& name, double value) {
  CONCEPTLENS_CHECK(writable_);
  write_attribute(file_.id(), Context{path_, true}, object_path, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &value);
}

bool File::has_attribute(const std::string& object_path, const std::string& name) const {
  const Context context{path_, false};
  if (!exists(object_path)) return false;
  return context.check_tri(H5Aexists_by_name(file_.id(), object_path.c_str(), name.c_str(), H5P_DEFAULT),
                           "check for attribute " + quoted(name) + " on " + quoted(object_path));
}

std::string File::read_string_attribute(const std::string& object_path, const std::string& name) const {
  const Context context{path_, false};
  const OpenAttribute open = open_attribute(*this, file_.id(), context, object_path, name);
  const hid_t stored = open.type.id();
  if (H5Tget_class(stored) != H5T_STRING) {
    context.error(open.description + " holds " + describe_type(stored) + ": expected a string");
  }
  const Handle memory = context.own(H5Tcopy(H5T_C_S1), Handle::Kind::datatype, "copy the string type");
  context.check(H5Tset_cset(memory.id(), H5Tget_cset(stored)), "set the character set");
  const htri_t variable = H5Tis_variable_str(stored);
  if (context.check_tri(variable, "inspect the type of " + open.description)) {
    context.check(H5Tset_size(memory.id(), H5T_VARIABLE), "make a variable-length string type");
    char* text = nullptr;
    context.check(H5Aread(open.attribute.id(), memory.id(), &text), "read " + open.description);
    std::string value = text != nullptr ? text : "";
    H5free_memory(text);
    return value;
  }
  const std::size_t size = H5Tget_size(stored);
  context.check(H5Tset_size(memory.id(), size), "size the string type");
  context.check(H5Tset_strpad(memory.id(), H5T_STR_NULLPAD), "set the string padding");
  std::string value(size, '\0');
  context.check(H5Aread(open.attribute.id(), memory.id(), value.data()), "read " + open.description);
  value.resize(value.find('\0') == std::string::npos ? value.size() : value.find('\0'));
  if (H5Tget_strpad(stored) == H5T_STR_SPACEPAD) {
    while (!value.empty() && value.back() == ' ') value.pop_back();
  }
  return value;
}

std::int64_t File::read_int_attribute(const std::string& object_path, const std::string& name) const {
  const Context context{path_, false};
  const OpenAttribute open = open_attribute(*this, file_.id(), context, object_path, name);
  if (H5Tget_class(open.type.id()) != H5T_INTEGER) {
    context.error(open.description + " holds " + describe_type(open.type.id()) + ": expected an integer");
  }
  std::int64_t value = 0;
  context.check(H5Aread(open.attribute.id(), H5T_NATIVE_INT64, &value), "read " + open.description);
  return value;
}

double File::read_double_attribute(const std::string& object_path, const std::string& name) const {
  const Context context{path_, false};
  const OpenAttribute open = open_attribute(*this, file_.id(), context, object_path, name);
  if (H5Tget_class(open.type.id()) != H5T_FLOAT) {
    context.error(open.description + " holds " + describe_type(open.type.id()) + ": expected a floating-point number");
  }
  double value = 0.0;
  context.check(H5Aread(open.attribute.id(), H5T_NATIVE_DOUBLE, &value), "read " + open.description);
  return value;
}

void File::close() {
  if (!file_.valid()) return;
  if (!file_.close()) Context{path_, writable_}.failed("close the file");
}

}  // namespace conceptlens::store::h5
