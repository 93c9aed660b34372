#pragma once
// Reader of the safetensors format (huggingface/safetensors, as v0.3 writes it), torch-free:
//   8 bytes   N, little-endian uint64: the header length
//   N bytes   a JSON object: "<tensor name>": {"dtype": "F32", "shape": [rows, cols],
//             "data_offsets": [begin, end]}, and an optional "__metadata__": {string: string}
//   the rest  the data buffer; a tensor's bytes are buffer[begin, end), row-major, little-endian.
// The file is memory-mapped read-only (checkpoints are 0.5-2 GB: no copy is made); the header
// is validated completely when the file is opened.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace conceptlens::store {

/// The dtypes of the format, with the names the header uses.
enum class SafetensorsDtype : std::uint8_t {
  BOOL, U8, I8, F8_E5M2, F8_E4M3, I16, U16, F16, BF16, I32, U32, F32, F64, I64, U64
};

/// "F32", "BF16", ...
std::string_view dtype_name(SafetensorsDtype dtype);
/// Bytes per element.
std::size_t dtype_size(SafetensorsDtype dtype);

/// Dimensions as error messages show them: "[32, 16]" ("[]" for a scalar).
std::string dims_text(std::span<const std::int64_t> dims);

struct SafetensorsTensor {
  std::string name;
  SafetensorsDtype dtype = SafetensorsDtype::F32;
  std::vector<std::int64_t> shape;  ///< every dimension >= 0; empty for a scalar
  std::uint64_t begin = 0;          ///< offsets into the data buffer, end - begin = numel * size
  std::uint64_t end = 0;

  std::uint64_t numel() const;
};

class SafetensorsFile {
 public:
  /// Maps `path` and validates the header. InputError naming the file (and the tensor) for: a
  /// missing file or a directory, a file shorter than 8 bytes, a header length beyond the end
  /// of the file, a header that is not a JSON object, an entry without dtype/shape/data_offsets
  /// or of the wrong JSON type, an unknown dtype, a negative or non-integer dimension, offsets
  /// with begin > end or outside the data buffer, end - begin != numel * dtype size, two
  /// tensors whose bytes overlap.
  static SafetensorsFile open(const std::filesystem::path& path);

  SafetensorsFile(SafetensorsFile&& other) noexcept;
  SafetensorsFile& operator=(SafetensorsFile&& other) noexcept;
  SafetensorsFile(const SafetensorsFile&) = delete;
  SafetensorsFile& operator=(const SafetensorsFile&) = delete;
  ~SafetensorsFile();

  const std::filesystem::path& path() const { return path_; }
  /// Every tensor, sorted by name.
  const std::vector<SafetensorsTensor>& tensors() const { return tensors_; }
  /// The tensor `name`, or nullptr.
  const SafetensorsTensor* find(std::string_view name) const;
  /// "__metadata__" (e.g. {"format": "pt"}); empty when absent.
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  /// The bytes of `tensor` (one of tensors()), valid while this object lives. No alignment is
  /// guaranteed: copy them out (memcpy) rather than casting the pointer.
  std::span<const std::byte> bytes(const SafetensorsTensor& tensor) const;
  /// Gives back to the kernel the pages that hold nothing but `tensor`'s bytes
  /// (madvise(MADV_DONTNEED)): once a tensor has been copied out, its pages no longer count in
  /// the process's resident memory. The bytes stay readable (from the file again).
  void release(const SafetensorsTensor& tensor) const;

 private:
  SafetensorsFile() = default;

  std::filesystem::path path_;
  void* mapping_ = nullptr;      ///< the whole file, mmap'ed read-only
  std::size_t mapping_size_ = 0;
  const std::byte* data_ = nullptr;  ///< the data buffer (after the header)
  std::uint64_t data_size_ = 0;
  std::vector<SafetensorsTensor> tensors_;
  std::map<std::string, std::string> metadata_;
};

}  // namespace conceptlens::store
