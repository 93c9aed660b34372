#pragma once
// Hand-made .safetensors files for the tests of the safetensors reader and the weight loader:
// the header is built with nlohmann-json and padded with spaces to 8 bytes as safetensors writes
// it; the data buffer is the tensors' bytes back to back.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace conceptlens::testing {

struct RawTensor {
  std::string name;
  std::string dtype;                 ///< "F32", "F16", "BF16", "I64", ...
  std::vector<std::int64_t> shape;
  std::string data;                  ///< little-endian bytes, numel * itemsize of them
};

/// The bytes of `values` (float32, int64, uint16 ...) as a tensor's data.
template <typename T>
std::string raw_bytes(const std::vector<T>& values) {
  std::string bytes(values.size() * sizeof(T), '\0');
  if (!values.empty()) std::memcpy(bytes.data(), values.data(), bytes.size());
  return bytes;
}

/// 8-byte little-endian length, the header text, the data.
inline std::string safetensors_from_header(const std::string& header, const std::string& data) {
  std::string out(8, '\0');
  const std::uint64_t length = header.size();
  std::memcpy(out.data(), &length, 8);
  return out + header + data;
}

/// A complete file holding `tensors` in order (data_offsets computed), with `metadata` when
/// it is an object.
inline std::string safetensors_bytes(const std::vector<RawTensor>& tensors,
                                     const nlohmann::json& metadata = {{"format", "pt"}}) {
  nlohmann::json header = nlohmann::json::object();
  if (metadata.is_object()) header["__metadata__"] = metadata;
  std::string data;
  for (const RawTensor& tensor : tensors) {
    header[tensor.name] = {{"dtype", tensor.dtype},
                           {"shape", tensor.shape},
                           {"data_offsets", {data.size(), data.size() + tensor.data.size()}}};
    data += tensor.data;
  }
  std::string text = header.dump();
  while (text.size() % 8 != 0) text += ' ';
  return safetensors_from_header(text, data);
}

/// The tensors of a .safetensors file, in the order of their data (decoded here with
/// nlohmann-json, independently of the reader under test).
inline std::vector<RawTensor> read_raw_tensors(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::uint64_t length = 0;
  std::memcpy(&length, bytes.data(), 8);
  const nlohmann::json header = nlohmann::json::parse(bytes.substr(8, length));
  std::vector<std::pair<std::uint64_t, RawTensor>> ordered;
  for (const auto& [name, entry] : header.items()) {
    if (name == "__metadata__") continue;
    const auto begin = entry.at("data_offsets")[0].get<std::uint64_t>();
    const auto end = entry.at("data_offsets")[1].get<std::uint64_t>();
    ordered.emplace_back(begin, RawTensor{name, entry.at("dtype").get<std::string>(),
                                          entry.at("shape").get<std::vector<std::int64_t>>(),
                                          bytes.substr(8 + length + begin, end - begin)});
  }
  std::sort(ordered.begin(), ordered.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<RawTensor> out;
  for (auto& [offset, tensor] : ordered) out.push_back(std::move(tensor));
  return out;
}

}  // namespace conceptlens::testing
