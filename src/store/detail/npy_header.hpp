#pragma once
// Parser for the header of a .npy file (private to src/store): a Python dict literal such as
// "{'descr': '<f4', 'fortran_order': False, 'shape': (100, 768), }" padded with spaces and a
// newline. Only the three keys NumPy writes are accepted, each exactly once.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "util/error.hpp"

namespace conceptlens::store::detail {

/// Headers longer than this are refused before being read (NumPy's own limit is 10 000 bytes).
inline constexpr std::uint64_t kMaxNpyHeaderBytes = 1u << 20;

struct NpyHeader {
  std::string descr;                 ///< NumPy dtype string, e.g. "<f4", "<U12", "|S7", "|O"
  bool fortran_order = false;
  std::vector<std::int64_t> shape;   ///< every dimension >= 0
};

/// Recursive-descent reader of the Python literal subset NumPy writes in headers.
class NpyHeaderParser {
 public:
  NpyHeaderParser(std::string_view text, const std::filesystem::path& path) : text_(text), path_(path) {}

  NpyHeader parse() {
    NpyHeader header;
    bool has_descr = false, has_order = false, has_shape = false;
    expect('{', "'{' opening the header dict");
    skip_space();
    while (peek() != '}') {
      const std::string key = parse_string("a quoted key");
      expect(':', "':' after the key");
      if (key == "descr") {
        once(has_descr, key);
        skip_space();
        if (peek() == '[') fail("structured dtype (a record array): expected a plain numeric or string dtype");
        header.descr = parse_string("the dtype string");
      } else if (key == "fortran_order") {
        once(has_order, key);
        header.fortran_order = parse_bool();
      } else if (key == "shape") {
        once(has_shape, key);
        header.shape = parse_shape();
      } else {
        fail("unexpected key '" + key + "' in the header: expected only 'descr', 'fortran_order', 'shape'");
      }
      skip_space();
      if (peek() == ',') {
        ++pos_;
        skip_space();
      } else if (peek() != '}') {
        fail_at("',' or '}'");
      }
    }
    ++pos_;  // '}'
    skip_space();
    if (pos_ != text_.size()) fail_at("only padding after the header dict");
    if (!has_descr) fail("the header has no 'descr' key");
    if (!has_order) fail("the header has no 'fortran_order' key");
    if (!has_shape) fail("the header has no 'shape' key");
    return header;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw InputError(path_.string() + ": malformed .npy header: " + what);
  }

  [[noreturn]] void fail_at(const std::string& expected) const {
    const std::string found = pos_ < text_.size() ? "'" + std::string(1, text_[pos_]) + "'" : "the end";
    std::string shown(text_.substr(0, 120));
    while (!shown.empty() && (shown.back() == ' ' || shown.back() == '\n')) shown.pop_back();
    fail("expected " + expected + " at offset " + std::to_string(pos_) + ", found " + found + " (header: " +
         shown + ")");
  }

  void once(bool& seen, const std::string& key) const {
    if (seen) fail("the key '" + key + "' appears twice");
    seen = true;
  }

  char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }

  void skip_space() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' ||
                                   text_[pos_] == '\r')) {
      ++pos_;
    }
  }

  void expect(char ch, const char* what) {
    skip_space();
    if (peek() != ch) fail_at(what);
    ++pos_;
  }

  std::string parse_string(const char* what) {
    skip_space();
    const char quote = peek();
    if (quote != '\'' && quote != '"') fail_at(what);
    ++pos_;
    std::string out;
    while (pos_ < text_.size() && text_[pos_] != quote) {
      if (text_[pos_] == '\\') fail("escape sequences are not supported in header strings");
      out += text_[pos_++];
    }
    if (pos_ == text_.size()) fail("unterminated string");
    ++pos_;
    return out;
  }

  bool parse_bool() {
    skip_space();
    const std::string_view rest = text_.substr(pos_);
    if (rest.starts_with("True")) {
      pos_ += 4;
      return true;
    }
    if (rest.starts_with("False")) {
      pos_ += 5;
      return false;
    }
    fail_at("True or False for 'fortran_order'");
  }

  std::int64_t parse_dimension() {
    skip_space();
    if (peek() == '-') fail("negative dimension in 'shape'");
    if (peek() < '0' || peek() > '9') fail_at("a dimension (non-negative integer)");
    std::int64_t value = 0;
    while (peek() >= '0' && peek() <= '9') {
      const int digit = peek() - '0';
      if (value > (INT64_MAX - digit) / 10) fail("dimension in 'shape' does not fit in 64 bits");
      value = value * 10 + digit;
      ++pos_;
    }
    if (peek() == 'L') ++pos_;  // Python 2 long literal, as in old version 1.0 files
    return value;
  }

  std::vector<std::int64_t> parse_shape() {
    expect('(', "'(' opening the shape tuple");
    std::vector<std::int64_t> shape;
    skip_space();
    while (peek() != ')') {
      shape.push_back(parse_dimension());
      skip_space();
      if (peek() == ',') {
        ++pos_;
        skip_space();
      } else if (peek() != ')') {
        fail_at("',' or ')' in the shape tuple");
      }
    }
    ++pos_;
    return shape;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  const std::filesystem::path& path_;
};

/// Parses a .npy header; throws InputError naming `path` when it is malformed.
inline NpyHeader parse_npy_header(std::string_view text, const std::filesystem::path& path) {
  return NpyHeaderParser(text, path).parse();
}

}  // namespace conceptlens::store::detail
