#include "util/read_file.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

#include "util/error.hpp"

namespace conceptlens {

namespace {

[[noreturn]] void file_error(const std::filesystem::path& path, const std::string& what) {
  throw InputError(path.string() + ": " + what);
}

}  // namespace

std::string read_whole_file(const std::filesystem::path& path) {
  std::error_code error;
  if (!std::filesystem::exists(path, error)) file_error(path, "file not found");
  if (std::filesystem::is_directory(path, error)) file_error(path, "is a directory, expected a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) file_error(path, std::string("cannot open: ") + std::strerror(errno));
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) file_error(path, "read error");
  return bytes;
}

}  // namespace conceptlens
