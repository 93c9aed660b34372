#include "store/safetensors.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <nlohmann/json.hpp>
#include <system_error>
#include <utility>

#include "util/error.hpp"

namespace conceptlens::store {
namespace {

using Json = nlohmann::json;

static_assert(std::endian::native == std::endian::little, "the safetensors reader assumes a little-endian host");

struct DtypeInfo {
  SafetensorsDtype dtype;
  std::string_view name;
  std::size_t size;
};

constexpr std::array<DtypeInfo, 15> kDtypes{{
    {SafetensorsDtype::BOOL, "BOOL", 1},
    {SafetensorsDtype::U8, "U8", 1},
    {SafetensorsDtype::I8, "I8", 1},
    {SafetensorsDtype::F8_E5M2, "F8_E5M2", 1},
    {SafetensorsDtype::F8_E4M3, "F8_E4M3", 1},
    {SafetensorsDtype::I16, "I16", 2},
    {SafetensorsDtype::U16, "U16", 2},
    {SafetensorsDtype::F16, "F16", 2},
    {SafetensorsDtype::BF16, "BF16", 2},
    {SafetensorsDtype::I32, "I32", 4},
    {SafetensorsDtype::U32, "U32", 4},
    {SafetensorsDtype::F32, "F32", 4},
    {SafetensorsDtype::F64, "F64", 8},
    {SafetensorsDtype::I64, "I64", 8},
    {SafetensorsDtype::U64, "U64", 8},
}};

const DtypeInfo& info(SafetensorsDtype dtype) {
  const auto it = std::find_if(kDtypes.begin(), kDtypes.end(), [&](const DtypeInfo& d) { return d.dtype == dtype; });
  CONCEPTLENS_CHECK(it != kDtypes.end());
  return *it;
}

std::string errno_text(int error) { return std::generic_category().message(error); }

[[noreturn]] void file_error(const std::filesystem::path& path, const std::string& what) {
  throw InputError(path.string() + ": " + what);
}

/// Validates the header of one file; every error names the file (and the tensor).
class HeaderParser {
 public:
  HeaderParser(const std::filesystem::path& path, std::uint64_t data_size) : path_(path), data_size_(data_size) {}

  [[noreturn]] void fail(const std::string& what) const { throw InputError(path_.string() + ": " + what); }
  [[noreturn]] void fail(const std::string& tensor, const std::string& what) const {
    fail("tensor '" + tensor + "': " + what);
  }

  static std::string shown(const Json& value) {
    std::string text = value.dump();
    if (text.size() > 60) text = text.substr(0, 57) + "...";
    return std::string(value.type_name()) + " " + text;
  }

  const Json& field(const std::string& tensor, const Json& entry, const char* key) const {
    const auto it = entry.find(key);
    if (it == entry.end()) fail(tensor, std::string("missing \"") + key + "\" in its header entry");
    return *it;
  }

  /// A JSON integer >= 0 (`what` names it in the error).
  std::uint64_t count(const std::string& tensor, const Json& value, const std::string& what) const {
    if (!value.is_number_integer() || (!value.is_number_unsigned() && value.get<std::int64_t>() < 0)) {
      fail(tensor, what + " must be a non-negative integer, found " + shown(value));
    }
    return value.get<std::uint64_t>();
  }

  SafetensorsTensor tensor(const std::string& name, const Json& entry) const {
    if (!entry.is_object()) fail(name, "header entry must be an object {dtype, shape, data_offsets}, found " + shown(entry));
    SafetensorsTensor tensor;
    tensor.name = name;

    const Json& dtype = field(name, entry, "dtype");
    if (!dtype.is_string()) fail(name, "\"dtype\" must be a string, found " + shown(dtype));
    const std::string& dtype_text = dtype.get_ref<const std::string&>();
    const auto known = std::find_if(kDtypes.begin(), kDtypes.end(), [&](const DtypeInfo& d) { return d.name == dtype_text; });
    if (known == kDtypes.end()) {
      std::string names;
      for (const DtypeInfo& d : kDtypes) names += (names.empty() ? "" : ", ") + std::string(d.name);
      fail(name, "unknown dtype '" + dtype_text + "'; the format has " + names);
    }
    tensor.dtype = known->dtype;

    const Json& shape = field(name, entry, "shape");
    if (!shape.is_array()) fail(name, "\"shape\" must be an array of integers, found " + shown(shape));
    std::uint64_t numel = 1;
    for (const Json& dim : shape) {
      const std::uint64_t size = count(name, dim, "every dimension of \"shape\" " + shape.dump());
      if (size > static_cast<std::uint64_t>(INT64_MAX) || __builtin_mul_overflow(numel, size, &numel)) {
        fail(name, "shape " + shape.dump() + " overflows a 64-bit element count");
      }
      tensor.shape.push_back(static_cast<std::int64_t>(size));
    }
    std::uint64_t expected_bytes = 0;
    if (__builtin_mul_overflow(numel, known->size, &expected_bytes)) {
      fail(name, "shape " + shape.dump() + " overflows a 64-bit byte count");
    }

    const Json& offsets = field(name, entry, "data_offsets");
    if (!offsets.is_array() || offsets.size() != 2) {
      fail(name, "\"data_offsets\" must be an array [begin, end], found " + shown(offsets));
    }
    tensor.begin = count(name, offsets[0], "\"data_offsets\" begin");
    tensor.end = count(name, offsets[1], "\"data_offsets\" end");
    const std::string offsets_text = "data_offsets [" + std::to_string(tensor.begin) + ", " + std::to_string(tensor.end) + "]";
    if (tensor.begin > tensor.end) fail(name, offsets_text + ": begin > end");
    if (tensor.end > data_size_) {
      fail(name, offsets_text + " lie outside the data buffer of " + std::to_string(data_size_) +
                     " bytes (a truncated file or a bad header)");
    }
    if (tensor.end - tensor.begin != expected_bytes) {
      fail(name, offsets_text + " hold " + std::to_string(tensor.end - tensor.begin) + " bytes, but dtype " +
                     dtype_text + " and shape " + dims_text(tensor.shape) + " need " + std::to_string(expected_bytes));
    }
    return tensor;
  }

  std::map<std::string, std::string> metadata(const Json& value) const {
    if (!value.is_object()) fail("\"__metadata__\" must be an object of strings, found " + shown(value));
    std::map<std::string, std::string> out;
    for (const auto& [key, text] : value.items()) {
      if (!text.is_string()) fail("\"__metadata__\" value of '" + key + "' must be a string, found " + shown(text));
      out[key] = text.get<std::string>();
    }
    return out;
  }

  /// Two tensors with at least one byte each may not share bytes.
  void check_overlaps(std::vector<SafetensorsTensor> tensors) const {
    std::erase_if(tensors, [](const SafetensorsTensor& t) { return t.begin == t.end; });
    std::sort(tensors.begin(), tensors.end(),
              [](const SafetensorsTensor& a, const SafetensorsTensor& b) { return a.begin < b.begin; });
    for (std::size_t i = 1; i < tensors.size(); ++i) {
      const SafetensorsTensor& previous = tensors[i - 1];
      const SafetensorsTensor& current = tensors[i];
      if (current.begin < previous.end) {
        fail(current.name, "data_offsets [" + std::to_string(current.begin) + ", " + std::to_string(current.end) +
                               "] overlap those of tensor '" + previous.name + "' [" + std::to_string(previous.begin) +
                               ", " + std::to_string(previous.end) + "]");
      }
    }
  }

 private:
  const std::filesystem::path& path_;
  std::uint64_t data_size_;
};

}  // namespace

std::string_view dtype_name(SafetensorsDtype dtype) { return info(dtype).name; }
std::size_t dtype_size(SafetensorsDtype dtype) { return info(dtype).size; }

std::string dims_text(std::span<const std::int64_t> dims) {
  std::string out = "[";
  for (std::size_t i = 0; i < dims.size(); ++i) out += (i > 0 ? ", " : "") + std::to_string(dims[i]);
  return out + "]";
}

std::uint64_t SafetensorsTensor::numel() const {
  std::uint64_t n = 1;
  for (std::int64_t d : shape) n *= static_cast<std::uint64_t>(d);
  return n;
}

SafetensorsFile SafetensorsFile::open(const std::filesystem::path& path) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (!std::filesystem::exists(status)) file_error(path, "file not found");
  if (std::filesystem::is_directory(status)) file_error(path, "is a directory, expected a file");

  SafetensorsFile file;
  file.path_ = path;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) file_error(path, "cannot open: " + errno_text(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int error = errno;
    ::close(fd);
    file_error(path, "cannot determine the file size: " + errno_text(error));
  }
  const auto file_size = static_cast<std::uint64_t>(st.st_size);
  if (file_size < 8) {
    ::close(fd);
    file_error(path, "file is " + std::to_string(file_size) +
         " bytes: too short for a safetensors file (8-byte header length, JSON header, data)");
  }
  void* mapping = ::mmap(nullptr, static_cast<std::size_t>(file_size), PROT_READ, MAP_PRIVATE, fd, 0);
  const int map_error = errno;
  ::close(fd);
  if (mapping == MAP_FAILED) file_error(path, "cannot map the file into memory: " + errno_text(map_error));
  file.mapping_ = mapping;
  file.mapping_size_ = static_cast<std::size_t>(file_size);
  const auto* bytes = static_cast<const std::byte*>(mapping);

  std::uint64_t header_length = 0;
  std::memcpy(&header_length, bytes, 8);
  if (header_length > file_size - 8) {
    file_error(path, "header length " + std::to_string(header_length) + " bytes is larger than the file: only " +
         std::to_string(file_size - 8) + " bytes follow the 8-byte length field (a truncated file or not safetensors)");
  }
  file.data_ = bytes + 8 + header_length;
  file.data_size_ = file_size - 8 - header_length;

  const auto* header_begin = reinterpret_cast<const char*>(bytes + 8);
  Json header;
  try {
    header = Json::parse(header_begin, header_begin + header_length);
  } catch (const Json::exception& error) {  // parse_error, or out_of_range for a number like 1e999
    file_error(path, "the header (" + std::to_string(header_length) + " bytes) is not valid JSON: " + error.what());
  }
  const HeaderParser parser(path, file.data_size_);
  if (!header.is_object()) parser.fail("the header must be a JSON object, found " + HeaderParser::shown(header));
  for (const auto& [name, entry] : header.items()) {
    if (name == "__metadata__") {
      file.metadata_ = parser.metadata(entry);
    } else {
      file.tensors_.push_back(parser.tensor(name, entry));
    }
  }
  parser.check_overlaps(file.tensors_);  // nlohmann's object is a std::map: tensors_ is sorted by name
  return file;
}

SafetensorsFile::SafetensorsFile(SafetensorsFile&& other) noexcept { *this = std::move(other); }

SafetensorsFile& SafetensorsFile::operator=(SafetensorsFile&& other) noexcept {
  if (this != &other) {
    std::swap(path_, other.path_);
    std::swap(mapping_, other.mapping_);
    std::swap(mapping_size_, other.mapping_size_);
    std::swap(data_, other.data_);
    std::swap(data_size_, other.data_size_);
    std::swap(tensors_, other.tensors_);
    std::swap(metadata_, other.metadata_);
  }
  return *this;
}

SafetensorsFile::~SafetensorsFile() {
  if (mapping_ != nullptr) ::munmap(mapping_, mapping_size_);
}

const SafetensorsTensor* SafetensorsFile::find(std::string_view name) const {
  const auto it = std::lower_bound(tensors_.begin(), tensors_.end(), name,
                                   [](const SafetensorsTensor& t, std::string_view n) { return t.name < n; });
  return it != tensors_.end() && it->name == name ? &*it : nullptr;
}

std::span<const std::byte> SafetensorsFile::bytes(const SafetensorsTensor& tensor) const {
  CONCEPTLENS_CHECK(tensor.end <= data_size_ && tensor.begin <= tensor.end);
  return {data_ + tensor.begin, static_cast<std::size_t>(tensor.end - tensor.begin)};
}

void SafetensorsFile::release(const SafetensorsTensor& tensor) const {
  const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
  const auto begin = reinterpret_cast<std::uintptr_t>(data_ + tensor.begin);
  const auto end = reinterpret_cast<std::uintptr_t>(data_ + tensor.end);
  const std::uintptr_t first = (begin + page - 1) / page * page;  // whole pages inside the tensor
  const std::uintptr_t last = end / page * page;
  if (last > first) ::madvise(reinterpret_cast<void*>(first), last - first, MADV_DONTNEED);  // advice only
}

}  // namespace conceptlens::store
