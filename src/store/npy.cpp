#include "store/npy.hpp"

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <optional>
#include <string_view>
#include <system_error>

#include "store/detail/npy_header.hpp"
#include "util/error.hpp"
#include "util/utf8.hpp"

namespace conceptlens::store {
namespace {

using detail::kMaxNpyHeaderBytes;
using detail::NpyHeader;
using detail::parse_npy_header;

static_assert(std::endian::native == std::endian::little,
              "the .npy reader and writer assume a little-endian host");

struct FileCloser {
  void operator()(std::FILE* file) const noexcept { std::fclose(file); }
};
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;

[[noreturn]] void input_error(const std::filesystem::path& path, const std::string& what) {
  throw InputError(path.string() + ": " + what);
}

[[noreturn]] void output_error(const std::filesystem::path& path, const std::string& what) {
  throw OutputError(path.string() + ": " + what);
}

std::string errno_text(int error) { return std::generic_category().message(error); }

/// An open .npy file whose header has been parsed; the stream is positioned at the data.
struct OpenNpy {
  FilePtr file;
  NpyHeader header;
  std::uint64_t data_bytes = 0;  ///< bytes after the header, to the end of the file
};

/// Reads exactly `size` bytes or throws InputError (`what` names the part being read).
void read_exactly(std::FILE* file, void* out, std::size_t size, const std::filesystem::path& path,
                  const char* what) {
  if (size == 0) return;
  if (std::fread(out, 1, size, file) != size) {
    if (std::ferror(file)) input_error(path, std::string("cannot read the ") + what + ": " + errno_text(errno));
    input_error(path, std::string("file ended while reading the ") + what);
  }
}

std::string escape_bytes(std::string_view bytes) {
  std::string out;
  for (unsigned char c : bytes) {
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out += static_cast<char>(c);
    } else {
      char buffer[8];
      std::snprintf(buffer, sizeof buffer, "\\x%02x", c);
      out += buffer;
    }
  }
  return out;
}

/// Opens `path`, checks magic and version, and parses the header.
OpenNpy open_npy(const std::filesystem::path& path) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (!std::filesystem::exists(status)) input_error(path, "file does not exist");
  if (std::filesystem::is_directory(status)) input_error(path, "is a directory: expected a .npy file");
  const std::uint64_t file_size = std::filesystem::file_size(path, ec);
  if (ec) input_error(path, "cannot determine the file size: " + ec.message());

  OpenNpy npy;
  npy.file.reset(std::fopen(path.c_str(), "rb"));
  if (!npy.file) input_error(path, "cannot open: " + errno_text(errno));

  constexpr std::string_view magic("\x93NUMPY", 6);
  char prefix[8] = {};
  const std::size_t prefix_read = static_cast<std::size_t>(std::min<std::uint64_t>(file_size, 8));
  read_exactly(npy.file.get(), prefix, prefix_read, path, "magic string");
  const std::string_view found(prefix, std::min<std::size_t>(prefix_read, magic.size()));
  if (prefix_read < 8 || found != magic) {
    input_error(path, "not a .npy file (bad magic): expected the bytes '\\x93NUMPY' at the start, found '" +
                          escape_bytes(found) + "'");
  }

  const int major = static_cast<unsigned char>(prefix[6]);
  const int minor = static_cast<unsigned char>(prefix[7]);
  std::size_t length_bytes = 0;
  if (major == 1 && minor == 0) {
    length_bytes = 2;
  } else if ((major == 2 || major == 3) && minor == 0) {
    length_bytes = 4;
  } else {
    input_error(path, "unsupported .npy format version " + std::to_string(major) + "." +
                          std::to_string(minor) + ": expected 1.0, 2.0 or 3.0");
  }
  const std::uint64_t prefix_size = 8 + length_bytes;
  if (file_size < prefix_size) input_error(path, "file ends inside the header length field");
  unsigned char length_field[4] = {};
  read_exactly(npy.file.get(), length_field, length_bytes, path, "header length");
  std::uint64_t header_length = 0;
  for (std::size_t i = length_bytes; i-- > 0;) header_length = (header_length << 8) | length_field[i];

  if (header_length > kMaxNpyHeaderBytes) {
    input_error(path, "header length " + std::to_string(header_length) + " bytes is implausible: expected at most " +
                          std::to_string(kMaxNpyHeaderBytes) + " bytes");
  }
  if (header_length > file_size - prefix_size) {
    input_error(path, "truncated header: the header length field says " + std::to_string(header_length) +
                          " bytes but only " + std::to_string(file_size - prefix_size) + " bytes follow");
  }
  std::string header_text(static_cast<std::size_t>(header_length), '\0');
  read_exactly(npy.file.get(), header_text.data(), header_text.size(), path, "header");
  npy.header = parse_npy_header(header_text, path);
  npy.data_bytes = file_size - prefix_size - header_length;
  return npy;
}

std::string shape_text(const std::vector<std::int64_t>& shape) {
  std::string out = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) out += ", ";
    out += std::to_string(shape[i]);
  }
  if (shape.size() == 1) out += ",";
  return out + ")";
}

/// Checks that the data block holds exactly count * itemsize bytes (`described` says what
/// the header announces, e.g. "100 x 768 float32").
void check_data_size(const OpenNpy& npy, const std::filesystem::path& path, std::uint64_t count,
                     std::uint64_t itemsize, const std::string& described) {
  std::uint64_t expected = 0;
  if (__builtin_mul_overflow(count, itemsize, &expected)) {
    input_error(path, "header says " + described + ", which overflows a 64-bit byte count");
  }
  if (expected != npy.data_bytes) {
    input_error(path, "header says " + described + " (" + std::to_string(expected) +
                          " bytes) but the file holds " + std::to_string(npy.data_bytes) + " bytes of data");
  }
}

[[noreturn]] void refuse_object_dtype(const std::filesystem::path& path, const std::string& descr) {
  input_error(path, "object array (dtype '" + descr +
                        "') needs Python's pickle to load, which conceptlens does not do: save it with a "
                        "fixed-width unicode dtype instead, e.g. np.save(path, np.array(vocab, dtype=str))");
}

template <typename T>
const char* float_name() {
  return sizeof(T) == 4 ? "float32" : "float64";
}

/// Reads the data block into a vector and checks that every value is finite.
template <typename T>
std::vector<T> read_float_values(const OpenNpy& npy, const std::filesystem::path& path, std::int64_t rows,
                                 std::int64_t cols) {
  const auto r = static_cast<std::uint64_t>(rows);
  const auto c = static_cast<std::uint64_t>(cols);
  std::uint64_t count = 0;
  const std::string described = std::to_string(rows) + " x " + std::to_string(cols) + " " + float_name<T>();
  if (__builtin_mul_overflow(r, c, &count)) {
    input_error(path, "header says " + described + ", which overflows a 64-bit element count");
  }
  check_data_size(npy, path, count, sizeof(T), described);
  std::vector<T> values(static_cast<std::size_t>(count));
  read_exactly(npy.file.get(), values.data(), values.size() * sizeof(T), path, "data");

  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) [[unlikely]] {
      const std::uint64_t row = i / c;
      const std::uint64_t col = i % c;
      const char* kind = std::isnan(values[i]) ? "NaN" : (values[i] > 0 ? "+Inf" : "-Inf");
      input_error(path, "value at row " + std::to_string(row) + ", column " + std::to_string(col) + " is " +
                            kind + " (0-based indices): expected finite values");
    }
  }
  return values;
}

/// Parses the decimal width after a dtype's kind prefix ('<U12' -> 12).
std::optional<std::uint64_t> dtype_width(std::string_view digits) {
  if (digits.empty() || digits.size() > 18) return std::nullopt;
  std::uint64_t width = 0;
  for (char ch : digits) {
    if (ch < '0' || ch > '9') return std::nullopt;
    width = width * 10 + static_cast<std::uint64_t>(ch - '0');
  }
  return width;
}

void strings_from_utf32(const std::vector<char>& data, std::uint64_t count, std::uint64_t width,
                        const std::filesystem::path& path, std::vector<std::string>& out) {
  out.reserve(static_cast<std::size_t>(count));
  const char* base = data.data();
  for (std::uint64_t element = 0; element < count; ++element) {
    const char* cell = base + element * width * 4;
    std::uint64_t length = width;
    auto code_point_at = [cell](std::uint64_t i) {
      std::uint32_t cp = 0;
      std::memcpy(&cp, cell + i * 4, 4);
      return cp;
    };
    while (length > 0 && code_point_at(length - 1) == 0) --length;
    std::string text;
    text.reserve(static_cast<std::size_t>(length));
    for (std::uint64_t i = 0; i < length; ++i) {
      const std::uint32_t cp = code_point_at(i);
      if (!append_utf8(text, cp)) {
        char hex[16];
        std::snprintf(hex, sizeof hex, "U+%04X", cp);
        input_error(path, "element " + std::to_string(element) + " holds the invalid code point " + hex +
                              ": expected UTF-32 text");
      }
    }
    out.push_back(std::move(text));
  }
}

void strings_from_bytes(const std::vector<char>& data, std::uint64_t count, std::uint64_t width,
                        std::vector<std::string>& out) {
  out.reserve(static_cast<std::size_t>(count));
  for (std::uint64_t element = 0; element < count; ++element) {
    const char* cell = data.data() + element * width;
    std::uint64_t length = width;
    while (length > 0 && cell[length - 1] == '\0') --length;
    out.emplace_back(length > 0 ? std::string(cell, static_cast<std::size_t>(length)) : std::string());
  }
}

/// Builds NumPy's version 1.0 header for a C-order array: the dict, the spare space NumPy adds
/// for growing the first axis, then spaces and a newline up to a multiple of 64 bytes.
std::string npy_v1_header(const std::string& descr, const std::vector<std::int64_t>& shape) {
  std::string dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape_text(shape) + ", }";
  constexpr std::size_t growth_axis_max_digits = 21;
  if (!shape.empty()) dict.append(growth_axis_max_digits - std::to_string(shape[0]).size(), ' ');
  constexpr std::size_t prefix_size = 10, align = 64;
  const std::size_t with_newline = dict.size() + 1;
  const std::size_t padding = align - (prefix_size + with_newline) % align;
  dict.append(padding, ' ');
  dict += '\n';
  CONCEPTLENS_CHECK(dict.size() <= 0xffff);
  std::string out("\x93NUMPY\x01\x00", 8);
  out += static_cast<char>(dict.size() & 0xff);
  out += static_cast<char>((dict.size() >> 8) & 0xff);
  return out + dict;
}

/// Writes the header and `data_bytes` bytes of data to `path`, checking every step.
void write_npy(const std::filesystem::path& path, const std::string& header, const void* data,
               std::size_t data_bytes) {
  FilePtr file(std::fopen(path.c_str(), "wb"));
  if (!file) output_error(path, "cannot open for writing: " + errno_text(errno));
  if (std::fwrite(header.data(), 1, header.size(), file.get()) != header.size() ||
      (data_bytes > 0 && std::fwrite(data, 1, data_bytes, file.get()) != data_bytes)) {
    output_error(path, "cannot write: " + errno_text(errno));
  }
  if (std::fclose(file.release()) != 0) output_error(path, "cannot write: " + errno_text(errno));
}

template <typename T>
void write_matrix(const std::filesystem::path& path, const T* values, std::int64_t rows, std::int64_t cols) {
  CONCEPTLENS_CHECK(rows >= 0 && cols >= 0);
  const auto count = static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols);
  CONCEPTLENS_CHECK(count == 0 || values != nullptr);
  write_npy(path, npy_v1_header(sizeof(T) == 4 ? "<f4" : "<f8", {rows, cols}), values, count * sizeof(T));
}

}  // namespace

NpyMatrix read_npy_matrix(const std::filesystem::path& path) {
  const OpenNpy npy = open_npy(path);
  const NpyHeader& header = npy.header;
  const bool is_f4 = header.descr == "<f4";
  const bool is_f8 = header.descr == "<f8";
  if (!is_f4 && !is_f8) {
    if (header.descr == "|O") refuse_object_dtype(path, header.descr);
    const bool big_endian = !header.descr.empty() && header.descr[0] == '>';
    input_error(path, "unsupported dtype '" + header.descr + "'" + (big_endian ? " (big-endian)" : "") +
                          ": expected float32 ('<f4') or float64 ('<f8')" +
                          (big_endian ? "; convert with arr.astype('<" + header.descr.substr(1) + "')" : ""));
  }
  if (header.fortran_order) {
    input_error(path, "Fortran-ordered array: expected C order (save with np.ascontiguousarray)");
  }
  if (header.shape.size() != 2) {
    input_error(path, "expected a 2-D array (points x dimensions), found a " + std::to_string(header.shape.size()) +
                          "-D array of shape " + shape_text(header.shape));
  }
  if (header.shape[1] == 0) {  // points without dimensions: any count of them would fit in no data at all
    input_error(path, "array of shape " + shape_text(header.shape) +
                          " has no columns: expected points x dimensions with at least one dimension");
  }
  NpyMatrix matrix;
  matrix.rows = header.shape[0];
  matrix.cols = header.shape[1];
  if (is_f4) {
    matrix.values = read_float_values<float>(npy, path, matrix.rows, matrix.cols);
  } else {
    matrix.values = read_float_values<double>(npy, path, matrix.rows, matrix.cols);
  }
  return matrix;
}

std::vector<std::string> read_npy_strings(const std::filesystem::path& path) {
  const OpenNpy npy = open_npy(path);
  const NpyHeader& header = npy.header;
  const std::string& descr = header.descr;
  if (descr == "|O") refuse_object_dtype(path, descr);
  const bool unicode = descr.starts_with("<U");
  const bool bytes = descr.starts_with("|S");
  const std::optional<std::uint64_t> width =
      (unicode || bytes) ? dtype_width(std::string_view(descr).substr(2)) : std::nullopt;
  if (!width) {
    input_error(path, "unsupported dtype '" + descr +
                          "': expected a string array, unicode ('<U<n>') or bytes ('|S<n>')");
  }
  if (*width == 0) {  // no bytes per string: any count of them would fit in no data at all
    input_error(path, "dtype '" + descr + "' holds strings of no characters: expected a width of at least 1");
  }
  // Fortran and C order are the same layout in one dimension.
  if (header.shape.size() != 1) {
    input_error(path, "expected a 1-D array of strings, found a " + std::to_string(header.shape.size()) +
                          "-D array of shape " + shape_text(header.shape));
  }
  const auto count = static_cast<std::uint64_t>(header.shape[0]);
  std::uint64_t itemsize = *width;
  if (unicode && __builtin_mul_overflow(*width, std::uint64_t{4}, &itemsize)) {
    input_error(path, "dtype '" + descr + "' is too wide");
  }
  check_data_size(npy, path, count, itemsize, std::to_string(count) + " strings of dtype '" + descr + "'");

  std::vector<char> data(static_cast<std::size_t>(npy.data_bytes));
  read_exactly(npy.file.get(), data.data(), data.size(), path, "data");
  std::vector<std::string> strings;
  if (unicode) {
    strings_from_utf32(data, count, *width, path, strings);
  } else {
    strings_from_bytes(data, count, *width, strings);
  }
  return strings;
}

std::vector<std::int64_t> read_npy_integers(const std::filesystem::path& path) {
  const OpenNpy npy = open_npy(path);
  const NpyHeader& header = npy.header;
  const bool is_i4 = header.descr == "<i4";
  if (!is_i4 && header.descr != "<i8") {
    input_error(path, "unsupported dtype '" + header.descr + "': expected int32 ('<i4') or int64 ('<i8')");
  }
  if (header.shape.size() != 1) {
    input_error(path, "expected a 1-D array of integers, found a " + std::to_string(header.shape.size()) +
                          "-D array of shape " + shape_text(header.shape));
  }
  const auto count = static_cast<std::uint64_t>(header.shape[0]);
  const std::uint64_t itemsize = is_i4 ? 4 : 8;
  check_data_size(npy, path, count, itemsize,
                  std::to_string(count) + (is_i4 ? " int32" : " int64") + " values");
  std::vector<std::int64_t> values(static_cast<std::size_t>(count));
  if (is_i4) {
    std::vector<std::int32_t> narrow(values.size());
    read_exactly(npy.file.get(), narrow.data(), narrow.size() * sizeof(std::int32_t), path, "data");
    std::copy(narrow.begin(), narrow.end(), values.begin());
  } else {
    read_exactly(npy.file.get(), values.data(), values.size() * sizeof(std::int64_t), path, "data");
  }
  return values;
}

void write_npy_matrix(const std::filesystem::path& path, const double* values, std::int64_t rows,
                      std::int64_t cols) {
  write_matrix(path, values, rows, cols);
}

void write_npy_matrix(const std::filesystem::path& path, const float* values, std::int64_t rows,
                      std::int64_t cols) {
  write_matrix(path, values, rows, cols);
}

void write_npy_strings(const std::filesystem::path& path, const std::vector<std::string>& strings) {
  std::vector<std::u32string> decoded;
  decoded.reserve(strings.size());
  std::size_t width = 1;  // NumPy's narrowest unicode dtype is '<U1', even for empty strings
  for (std::size_t i = 0; i < strings.size(); ++i) {
    std::optional<std::u32string> text = decode_utf8(strings[i]);
    if (!text) output_error(path, "string " + std::to_string(i) + " is not valid UTF-8: cannot store it as '<U'");
    width = std::max(width, text->size());
    decoded.push_back(std::move(*text));
  }
  std::vector<char32_t> cells(strings.size() * width, U'\0');
  for (std::size_t i = 0; i < decoded.size(); ++i) {
    std::copy(decoded[i].begin(), decoded[i].end(), cells.begin() + static_cast<std::ptrdiff_t>(i * width));
  }
  const std::string header =
      npy_v1_header("<U" + std::to_string(width), {static_cast<std::int64_t>(strings.size())});
  write_npy(path, header, cells.data(), cells.size() * sizeof(char32_t));
}

}  // namespace conceptlens::store
