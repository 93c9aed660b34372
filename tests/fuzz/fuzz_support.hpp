#pragma once
// What every fuzz target shares (tests/fuzz/README.md). A target writes the fuzzer's bytes to
// files in a scratch folder of its own and hands them to a parser of ConceptLens, as a user's
// file would reach it. The contract checked on every input:
//  - the parser accepts the input, or refuses it with an InputError whose message starts with
//    the path of a file of the scratch folder (the bad file is named);
//  - any other exception, a crash, a sanitizer report, a leak, a hang or an allocation beyond
//    libFuzzer's limits is a finding (libFuzzer stops and saves the input);
//  - what a parser accepts satisfies the invariants the target checks on it (fail() otherwise).
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "scratch_dir.hpp"
#include "util/error.hpp"

namespace conceptlens::fuzz {

/// This process's scratch folder, made on first use and removed at exit.
inline const std::filesystem::path& scratch() {
  static const testing::ScratchDir dir;
  return dir.path();
}

/// Writes `bytes` to `name` (relative to the scratch folder, folders made as needed); its path.
inline std::filesystem::path write_file(const std::filesystem::path& name, std::string_view bytes) {
  const std::filesystem::path path = scratch() / name;
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) {
    std::fprintf(stderr, "fuzz: cannot write %s\n", path.c_str());
    std::abort();
  }
  return path;
}

/// The fuzzer's bytes as text.
inline std::string_view text_of(const unsigned char* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

/// An input that describes several files: the parts between lines "%%" (at most `count`; the
/// last part keeps any further separators, missing parts are empty).
inline std::vector<std::string_view> split_parts(std::string_view text, std::size_t count) {
  std::vector<std::string_view> parts;
  constexpr std::string_view kSeparator = "\n%%\n";
  while (parts.size() + 1 < count) {
    const std::size_t at = text.find(kSeparator);
    if (at == std::string_view::npos) break;
    parts.push_back(text.substr(0, at));
    text.remove_prefix(at + kSeparator.size());
  }
  parts.push_back(text);
  parts.resize(count);
  return parts;
}

/// A broken invariant of accepted input: reported and aborted, so libFuzzer keeps the input.
[[noreturn]] inline void fail(const std::string& what) {
  std::fprintf(stderr, "fuzz: accepted input breaks an invariant: %s\n", what.c_str());
  std::abort();
}

/// Runs `parse`: true when it accepted the input, false when it refused it with an InputError
/// naming a file of the scratch folder. Any other exception escapes to libFuzzer.
template <typename Parse>
bool accepted(Parse&& parse) {
  try {
    parse();
    return true;
  } catch (const InputError& error) {
    const std::string message = error.what();
    if (message.rfind(scratch().string(), 0) != 0) {
      fail("an InputError that does not start with the path of the file: \"" + message + "\"");
    }
    return false;
  }
}

}  // namespace conceptlens::fuzz
