#include "store/atomic_output.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <string>
#include <system_error>
#include <utility>

#include "util/error.hpp"

namespace conceptlens::store {
namespace {

/// The directory a path's file lives in, as the user would name it ("." for a bare file name).
std::filesystem::path directory_of(const std::filesystem::path& path) {
  const std::filesystem::path parent = path.parent_path();
  return parent.empty() ? std::filesystem::path(".") : parent;
}

[[noreturn]] void cannot_write(const std::filesystem::path& path, const std::string& why) {
  throw OutputError("cannot write '" + path.string() + "': " + why);
}

}  // namespace

AtomicOutput::AtomicOutput(std::filesystem::path final_path) : final_(std::move(final_path)) {
  if (final_.filename().empty()) cannot_write(final_, "expected a file name, found a directory path");
  const std::filesystem::path directory = directory_of(final_);
  std::error_code ec;
  const auto directory_status = std::filesystem::status(directory, ec);
  if (!std::filesystem::exists(directory_status)) {
    cannot_write(final_, "directory '" + directory.string() + "' does not exist");
  }
  if (!std::filesystem::is_directory(directory_status)) {
    cannot_write(final_, "'" + directory.string() + "' is not a directory");
  }
  if (::access(directory.c_str(), W_OK | X_OK) != 0) {
    cannot_write(final_, "directory '" + directory.string() + "' is not writable (" +
                             std::generic_category().message(errno) + ")");
  }
  if (std::filesystem::is_directory(std::filesystem::status(final_, ec))) {
    cannot_write(final_, "it is an existing directory: expected a file path");
  }
  temp_ = final_.parent_path() / (final_.filename().string() + ".tmp-" + std::to_string(::getpid()));
}

AtomicOutput::AtomicOutput(AtomicOutput&& other) noexcept
    : final_(std::move(other.final_)), temp_(std::move(other.temp_)), committed_(other.committed_) {
  other.committed_ = true;  // the moved-from object no longer owns the temporary file
  other.temp_.clear();
}

AtomicOutput::~AtomicOutput() {
  if (committed_ || temp_.empty()) return;
  std::error_code ignored;
  std::filesystem::remove(temp_, ignored);
}

void AtomicOutput::write(std::string_view bytes) const {
  std::ofstream out(temp_, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) cannot_write(final_, "writing its temporary file '" + temp_.string() + "' failed");
}

void write_file_atomically(const std::filesystem::path& path, std::string_view bytes) {
  AtomicOutput output(path);
  output.write(bytes);
  output.commit();
}

void AtomicOutput::commit() {
  CONCEPTLENS_CHECK(!committed_);
  if (std::rename(temp_.c_str(), final_.c_str()) != 0) {
    const int error = errno;
    throw OutputError("cannot write '" + final_.string() + "': renaming '" + temp_.string() +
                      "' into place failed: " + std::generic_category().message(error));
  }
  committed_ = true;
}

}  // namespace conceptlens::store
