#include "h5_recipe.hpp"

#include <hdf5.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

namespace conceptlens::fuzz {
namespace {

/// An HDF5 identifier closed by its close function.
class Id {
 public:
  Id(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  Id(const Id&) = delete;
  Id& operator=(const Id&) = delete;
  ~Id() {
    if (id_ >= 0) close_(id_);
  }
  hid_t get() const { return id_; }
  bool ok() const { return id_ >= 0; }

 private:
  hid_t id_;
  herr_t (*close_)(hid_t);
};

constexpr std::uint64_t kMaxWritten = 65536;  ///< elements written; larger datasets stay unwritten
constexpr int kMaxRank = 4;

/// The words of a line: blanks separate; "quoted" words keep blanks and take escapes.
std::vector<std::string> words_of(std::string_view line) {
  std::vector<std::string> words;
  std::size_t i = 0;
  while (i < line.size()) {
    if (line[i] == ' ' || line[i] == '\t' || line[i] == '\r') {
      ++i;
      continue;
    }
    if (line[i] == '#') break;
    std::string word;
    if (line[i] != '"') {
      while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r') word += line[i++];
      words.push_back(word);
      continue;
    }
    for (++i; i < line.size() && line[i] != '"'; ++i) {
      if (line[i] != '\\' || i + 1 == line.size()) {
        word += line[i];
        continue;
      }
      const char escaped = line[++i];
      if (escaped == 'n') {
        word += '\n';
      } else if (escaped == 't') {
        word += '\t';
      } else if (escaped == 'x' && i + 2 < line.size()) {
        word += static_cast<char>(std::strtol(std::string(line.substr(i + 1, 2)).c_str(), nullptr, 16));
        i += 2;
      } else {
        word += escaped;
      }
    }
    ++i;  // the closing quote
    words.push_back(word);
  }
  return words;
}

/// The file type named by TYPE, or -1.
struct Type {
  hid_t id = -1;
  bool owned = false;  ///< made here (closed after use)
  bool text = false;
  bool fixed_text = false;
};

Type type_of(const std::string& name) {
  struct Named {
    const char* name;
    hid_t id;
  };
  const Named numeric[] = {{"u8", H5T_STD_U8LE},   {"i8", H5T_STD_I8LE},    {"i16", H5T_STD_I16LE},
                           {"i32", H5T_STD_I32LE}, {"i64", H5T_STD_I64LE},  {"u32", H5T_STD_U32LE},
                           {"u64", H5T_STD_U64LE}, {"f32", H5T_IEEE_F32LE}, {"f64", H5T_IEEE_F64LE},
                           {">i32", H5T_STD_I32BE}, {">i64", H5T_STD_I64BE}, {">f32", H5T_IEEE_F32BE},
                           {">f64", H5T_IEEE_F64BE}};
  for (const Named& n : numeric) {
    if (name == n.name) return {n.id, false, false, false};
  }
  if (name == "f16") {  // h5py's float16
    const hid_t half = H5Tcopy(H5T_IEEE_F32LE);
    H5Tset_fields(half, 15, 10, 5, 0, 10);
    H5Tset_size(half, 2);
    H5Tset_ebias(half, 15);
    return {half, true, false, false};
  }
  if (name == "str" || name == "fstr") {
    const hid_t text = H5Tcopy(H5T_C_S1);
    H5Tset_cset(text, H5T_CSET_UTF8);
    if (name == "str") H5Tset_size(text, H5T_VARIABLE);
    return {text, true, true, name == "fstr"};
  }
  return {};
}

/// The extents named by DIMS; false when malformed. `scalar` for a scalar dataspace.
bool dims_of(const std::string& text, std::size_t values, std::vector<hsize_t>& dims, bool& scalar) {
  scalar = text == "scalar";
  dims.clear();
  if (scalar) return true;
  if (text == "*") {
    dims.push_back(values);
    return true;
  }
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find('x', start), text.size());
    const std::string extent = text.substr(start, end - start);
    if (extent.empty() || extent.size() > 18 || !std::all_of(extent.begin(), extent.end(), ::isdigit)) return false;
    dims.push_back(std::stoull(extent));
    start = end + 1;
  }
  return !dims.empty() && dims.size() <= kMaxRank;
}

/// Elements of the dataspace, or UINT64_MAX when the product overflows.
std::uint64_t elements(const std::vector<hsize_t>& dims) {
  std::uint64_t count = 1;
  for (const hsize_t d : dims) {
    if (__builtin_mul_overflow(count, d, &count)) return UINT64_MAX;
  }
  return count;
}

/// Writes `values` (repeated, or 0, 1, 2, ... when none) as `count` elements of `type` through
/// `write(memory_type, buffer)`.
template <typename Write>
herr_t write_values(const Type& type, const std::vector<std::string>& values, std::uint64_t count, Write&& write) {
  if (type.text) {
    std::vector<std::string> cells(count);
    for (std::uint64_t i = 0; i < count; ++i) cells[i] = values.empty() ? std::to_string(i) : values[i % values.size()];
    if (type.fixed_text) {  // sized by fix_width: longer cells are cut
      const std::size_t width = H5Tget_size(type.id);
      std::string buffer(count * width, '\0');
      for (std::uint64_t i = 0; i < count; ++i) cells[i].copy(buffer.data() + i * width, width);
      return write(type.id, buffer.data());
    }
    std::vector<const char*> pointers;
    for (const std::string& cell : cells) pointers.push_back(cell.c_str());
    return write(type.id, pointers.data());
  }
  if (values.size() == 1 && H5Tget_size(type.id) == 1 && !values[0].empty() &&
      !std::isdigit(static_cast<unsigned char>(values[0][0])) && values[0][0] != '-') {
    std::string bytes = values[0];  // a string given to u8/i8: its bytes
    bytes.resize(count, '\0');
    return write(H5Tget_class(type.id) == H5T_INTEGER ? H5T_NATIVE_UCHAR : type.id, bytes.data());
  }
  if (H5Tget_class(type.id) == H5T_INTEGER) {
    std::vector<long long> numbers(count);
    for (std::uint64_t i = 0; i < count; ++i) {
      numbers[i] = values.empty() ? static_cast<long long>(i) : std::strtoll(values[i % values.size()].c_str(), nullptr, 10);
    }
    return write(H5T_NATIVE_LLONG, numbers.data());
  }
  std::vector<double> numbers(count);
  for (std::uint64_t i = 0; i < count; ++i) {
    numbers[i] = values.empty() ? static_cast<double>(i) : std::strtod(values[i % values.size()].c_str(), nullptr);
  }
  return write(H5T_NATIVE_DOUBLE, numbers.data());
}

/// A fixed-length string type as wide as the longest value (20 bytes without values).
void fix_width(const Type& type, const std::vector<std::string>& values) {
  if (!type.fixed_text) return;
  std::size_t width = values.empty() ? 20 : 1;
  for (const std::string& value : values) width = std::max(width, value.size());
  H5Tset_size(type.id, width);
}

Id create_space(const std::vector<hsize_t>& dims, bool scalar) {
  return Id(scalar ? H5Screate(H5S_SCALAR) : H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr),
            H5Sclose);
}

/// Makes `path` (and the groups above it) a group unless something is there.
void make_group(hid_t file, const std::string& path) {
  if (path == "/" || H5Lexists(file, path.c_str(), H5P_DEFAULT) > 0) return;
  const Id links(H5Pcreate(H5P_LINK_CREATE), H5Pclose);
  H5Pset_create_intermediate_group(links.get(), 1);
  const Id group(H5Gcreate2(file, path.c_str(), links.get(), H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
}

void add_dataset(hid_t file, const std::vector<std::string>& words) {
  if (words.size() < 4 || words[1].empty() || words[1][0] != '/') return;
  const Type type = type_of(words[2]);
  if (type.id < 0) return;
  const std::vector<std::string> values(words.begin() + 4, words.end());
  std::vector<hsize_t> dims;
  bool scalar = false;
  if (dims_of(words[3], values.size(), dims, scalar)) {
    const std::uint64_t count = scalar ? 1 : elements(dims);
    const Id space = create_space(dims, scalar);
    const Id links(H5Pcreate(H5P_LINK_CREATE), H5Pclose);
    H5Pset_create_intermediate_group(links.get(), 1);
    const Id layout(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
    if (count > kMaxWritten && !scalar) {
      std::vector<hsize_t> chunk(dims.size());
      for (std::size_t i = 0; i < dims.size(); ++i) chunk[i] = std::clamp<hsize_t>(dims[i], 1, 64);
      H5Pset_chunk(layout.get(), static_cast<int>(chunk.size()), chunk.data());
    }
    fix_width(type, values);
    const Id dataset(H5Dcreate2(file, words[1].c_str(), type.id, space.get(), links.get(), layout.get(), H5P_DEFAULT),
                     H5Dclose);
    if (dataset.ok() && count > 0 && count <= kMaxWritten) {
      write_values(type, values, count, [&](hid_t memory, const void* buffer) {
        return H5Dwrite(dataset.get(), memory, H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer);
      });
    }
  }
  if (type.owned) H5Tclose(type.id);
}

void add_attribute(hid_t file, const std::vector<std::string>& words) {
  if (words.size() < 5 || words[1].empty() || words[1][0] != '/' || words[2].empty()) return;
  const Type type = type_of(words[3]);
  if (type.id < 0) return;
  const std::vector<std::string> values(words.begin() + 5, words.end());
  std::vector<hsize_t> dims;
  bool scalar = false;
  const std::uint64_t limit = 4096;  // attributes are small
  if (dims_of(words[4], values.size(), dims, scalar) && (scalar || elements(dims) <= limit)) {
    const std::uint64_t count = scalar ? 1 : elements(dims);
    make_group(file, words[1]);
    const Id object(H5Oopen(file, words[1].c_str(), H5P_DEFAULT), H5Oclose);
    if (object.ok()) {
      if (H5Aexists(object.get(), words[2].c_str()) > 0) H5Adelete(object.get(), words[2].c_str());
      fix_width(type, values);
      const Id space = create_space(dims, scalar);
      const Id attribute(H5Acreate2(object.get(), words[2].c_str(), type.id, space.get(), H5P_DEFAULT, H5P_DEFAULT),
                         H5Aclose);
      if (attribute.ok() && count > 0) {
        write_values(type, values, count,
                     [&](hid_t memory, const void* buffer) { return H5Awrite(attribute.get(), memory, buffer); });
      }
    }
  }
  if (type.owned) H5Tclose(type.id);
}

}  // namespace

void write_h5_recipe(std::string_view recipe, const std::filesystem::path& path) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);  // refused statements are skipped quietly
  const Id file(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose);
  if (!file.ok()) std::abort();
  std::size_t start = 0;
  while (start < recipe.size()) {
    const std::size_t end = std::min(recipe.find('\n', start), recipe.size());
    const std::vector<std::string> words = words_of(recipe.substr(start, end - start));
    start = end + 1;
    if (words.empty()) continue;
    if (words[0] == "group" && words.size() == 2 && !words[1].empty() && words[1][0] == '/') {
      make_group(file.get(), words[1]);
    } else if (words[0] == "dataset") {
      add_dataset(file.get(), words);
    } else if (words[0] == "attr") {
      add_attribute(file.get(), words);
    }
  }
}

}  // namespace conceptlens::fuzz
