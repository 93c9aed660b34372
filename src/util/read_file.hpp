#pragma once
// Reading a whole (small) input file: tokenizer files, checkpoints.
#include <filesystem>
#include <string>

namespace conceptlens {

/// The bytes of `path`. InputError naming the file when it is missing, a directory, or cannot
/// be read.
std::string read_whole_file(const std::filesystem::path& path);

}  // namespace conceptlens
