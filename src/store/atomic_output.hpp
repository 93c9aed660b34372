#pragma once
// Every output is written under a temporary name in the same directory and renamed into place
// when complete, so a killed run never leaves a file that looks finished.
#include <filesystem>
#include <string_view>

namespace conceptlens::store {

/// Writes `bytes` to `path` atomically: a temporary beside it, renamed when complete.
void write_file_atomically(const std::filesystem::path& path, std::string_view bytes);

class AtomicOutput {
 public:
  /// Checks that the final path's directory exists and is writable (OutputError otherwise,
  /// naming the path) and picks a temporary name beside it: `<name>.tmp-<pid>`.
  explicit AtomicOutput(std::filesystem::path final_path);
  AtomicOutput(const AtomicOutput&) = delete;
  AtomicOutput& operator=(const AtomicOutput&) = delete;
  AtomicOutput(AtomicOutput&&) noexcept;
  AtomicOutput& operator=(AtomicOutput&&) = delete;
  /// Removes the temporary file if commit() was not called.
  ~AtomicOutput();

  const std::filesystem::path& temp_path() const { return temp_; }
  const std::filesystem::path& final_path() const { return final_; }
  /// Writes `bytes` as the whole temporary file. OutputError naming the final path on failure.
  void write(std::string_view bytes) const;
  /// Renames the temporary file to the final path (atomic on POSIX). OutputError on failure.
  void commit();

 private:
  std::filesystem::path final_;
  std::filesystem::path temp_;
  bool committed_ = false;
};

}  // namespace conceptlens::store
