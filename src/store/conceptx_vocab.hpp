#pragma once
// ConceptX's point keys (`processed-vocab.npy`): one string per point, `word|||k|||sent|||tok`
// — the word, its occurrence number, the corpus sentence and the word position in it. The word
// itself may contain "|||", so the three numbers are taken from the right.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace conceptlens::store {

struct PointKey {
  std::string word;
  std::int64_t occurrence = 0;
  std::int32_t sentence = 0;
  std::int32_t position = 0;
};

/// Parses one key; InputError naming `file` and the entry index when it is malformed.
PointKey parse_point_key(const std::string& key, const std::filesystem::path& file,
                         std::size_t entry);

}  // namespace conceptlens::store
