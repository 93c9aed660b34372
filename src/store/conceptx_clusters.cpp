#include "store/conceptx_clusters.hpp"

#include <cerrno>
#include <cstdio>
#include <memory>
#include <system_error>
#include <unordered_map>

#include "util/error.hpp"

namespace conceptlens::store {
namespace {

struct FileCloser {
  void operator()(std::FILE* file) const noexcept { std::fclose(file); }
};

[[noreturn]] void cannot_write(const std::filesystem::path& path, int error) {
  throw OutputError(path.string() + ": cannot write: " + std::generic_category().message(error));
}

/// Point indices grouped by label, clusters in order of first appearance.
std::vector<std::vector<std::size_t>> group_by_first_appearance(const std::vector<std::int32_t>& labels) {
  std::unordered_map<std::int32_t, std::size_t> slot_of_label;
  std::vector<std::vector<std::size_t>> groups;
  for (std::size_t point = 0; point < labels.size(); ++point) {
    const auto [it, inserted] = slot_of_label.try_emplace(labels[point], groups.size());
    if (inserted) groups.emplace_back();
    groups[it->second].push_back(point);
  }
  return groups;
}

}  // namespace

std::string conceptx_clusters_text(const std::vector<std::string>& keys, const std::vector<std::int32_t>& labels) {
  CONCEPTLENS_CHECK(keys.size() == labels.size());
  std::string text;
  for (const std::vector<std::size_t>& group : group_by_first_appearance(labels)) {
    const std::string suffix = "|||" + std::to_string(labels[group.front()]) + "\n";
    for (std::size_t point : group) text.append(keys[point]).append(suffix);
  }
  return text;
}

void write_conceptx_clusters(const std::filesystem::path& path, const std::vector<std::string>& keys,
                             const std::vector<std::int32_t>& labels) {
  const std::string text = conceptx_clusters_text(keys, labels);
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "wb"));
  if (!file) cannot_write(path, errno);
  if (std::fwrite(text.data(), 1, text.size(), file.get()) != text.size()) cannot_write(path, errno);
  if (std::fclose(file.release()) != 0) cannot_write(path, errno);
}

}  // namespace conceptlens::store
