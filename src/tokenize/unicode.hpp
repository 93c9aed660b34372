#pragma once
// The Unicode operations of Python's `str` and `unicodedata` that transformers 4.31's slow
// tokenizers use, exact for Unicode 14.0.0 (Python 3.11), from the tables that
// make_unicode_tables.py generates and checks against Python. Text is UTF-32 here; UTF-8 input
// is decoded strictly (util/utf8.hpp).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tokenize/unicode_tables.hpp"

namespace conceptlens::tokenize {

// ---- UTF-8 ------------------------------------------------------------------------------------

/// `text` as printable ASCII for error messages: other bytes as \xNN, cut after 60 bytes.
std::string printable(std::string_view text);
/// `text` decoded; InputError "text is not valid UTF-8 (byte i of n): ..." otherwise.
std::u32string decode_text(std::string_view text);
void append_utf8(std::string& out, std::u32string_view text);
std::string encode_utf8(std::u32string_view text);

// ---- properties of one code point ---------------------------------------------------------------

/// The class of unicodedata.category(chr(cp)) that the tokenizers distinguish.
unicode_data::CharClass char_class(char32_t cp);
/// str.isspace(): what str.split() and str.strip() treat as whitespace.
bool is_python_space(char32_t cp);
/// str.isdigit().
bool is_python_digit(char32_t cp);
/// unicodedata.combining(chr(cp)): the canonical combining class.
std::uint8_t combining_class(char32_t cp);
/// Appends chr(cp).lower() (full case mapping: U+0130 gives "i\u0307"; capital sigma gives
/// small sigma, as it does alone).
void append_lower(char32_t cp, std::u32string& out);

// ---- strings ----------------------------------------------------------------------------------

/// str.lower() of a whole string: append_lower per code point, except that capital sigma
/// becomes final sigma in Unicode's Final_Sigma context, as Python does it.
std::u32string python_lower(std::u32string_view text);
/// unicodedata.normalize("NFD", text).
std::u32string nfd(std::u32string_view text);
/// unicodedata.normalize("NFC", text).
std::u32string nfc(std::u32string text);
/// unicodedata.normalize("NFKD", text).
std::u32string nfkd(std::u32string_view text);
/// Python's text.split() (which also strips): the non-empty runs between whitespace.
void python_split(std::u32string_view text, std::vector<std::u32string>& out);
/// text.lstrip() / text.rstrip(): without the leading / trailing whitespace.
std::u32string_view python_lstrip(std::u32string_view text);
std::u32string_view python_rstrip(std::u32string_view text);

}  // namespace conceptlens::tokenize
